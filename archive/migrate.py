"""Schema migrations (Alembic), applied on start and by `kremlin-watch db upgrade`.

Alembic (with Mako, its templates) costs about 10 MiB resident once imported, and a daemon that
imported it to learn that the schema is current would keep them for months. So the two questions
every start asks are answered without it: `head_revision` reads the ``revision`` and
``down_revision`` lines of the packaged migration scripts, and `current_revision` reads Alembic's
``alembic_version`` table. Alembic is imported only by `upgrade`, and only when there is something
to apply (`kremlin-watch run` even applies it in a child process, `kremlin-watch db upgrade`).
A test keeps `head_revision` equal to Alembic's own answer.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy import Engine

from archive.backends import backend_for

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
#: Alembic's table of the applied revision (its default name; `env.py` keeps the default).
VERSION_TABLE = "alembic_version"
_REVISION_LINE = re.compile(r"^(down_revision|revision)\s*(?::[^=]*)?=\s*(.+?)\s*$", re.MULTILINE)


def alembic_config(engine: Engine) -> Config:
    """An Alembic configuration pointing at the packaged migrations and the given engine."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


@cache
def head_revision() -> str:
    """The newest migration this version of kremlin-watch knows: the one revision of the packaged
    scripts that no other script names as its ``down_revision`` (one line of history, no branches)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in sorted((MIGRATIONS / "versions").glob("*.py")):
        found = dict(_REVISION_LINE.findall(script.read_text(encoding="utf-8")))
        if "revision" not in found:
            continue
        revisions.add(_literal(found["revision"]))
        parent = _literal(found.get("down_revision", "None"))
        if parent:
            parents.add(parent)
    heads = revisions - parents
    if len(heads) != 1:
        raise RuntimeError(f"the packaged migrations have {len(heads)} heads ({sorted(heads)}), not one")
    return heads.pop()


def _literal(text: str) -> str:
    """A revision id as a script writes it: a quoted string, or None (empty here)."""
    text = text.strip()
    if text == "None":
        return ""
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    raise RuntimeError(f"a migration names its revision in a form not read here: {text}")


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at, or None for an empty database (no version table, or none
    recorded), as Alembic's ``MigrationContext.get_current_revision`` answers."""
    with engine.connect() as connection:
        if not sa.inspect(connection).has_table(VERSION_TABLE):
            return None
        versions = connection.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
    if len(versions) > 1:
        raise RuntimeError(f"the archive records {len(versions)} schema revisions at once: {versions}")
    return versions[0] if versions else None


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision; safe when several processes start at once."""
    if current_revision(engine) == head_revision():
        return
    from alembic import command

    with backend_for(engine).migration_lock(engine):
        command.upgrade(alembic_config(engine), "head")
