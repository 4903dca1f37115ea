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


class SchemaTooNew(RuntimeError):
    """The archive is at a revision none of the packaged migrations names: a newer release wrote it.

    Neither upgrading nor reading it is safe (this release does not know what the newer one changed),
    so whoever opens it says so in one line and leaves it as it is."""

    def __init__(self, current: str) -> None:
        self.current = current
        super().__init__(
            f"the archive's schema is {current}, newer than this kremlin-watch knows (newest "
            f"{head_revision()}): it was written by a newer release; run that release, or restore a "
            "backup made before the upgrade"
        )


@cache
def known_revisions() -> frozenset[str]:
    """Every revision of the packaged migration scripts."""
    return frozenset(_revisions()[0])


def check_known(current: str | None) -> None:
    """Raise `SchemaTooNew` when ``current`` (an archive's revision) is none this release knows."""
    if current is not None and current not in known_revisions():
        raise SchemaTooNew(current)


def _revisions() -> tuple[set[str], set[str]]:
    """(revisions, the revisions some script names as its ``down_revision``) of the packaged scripts."""
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
    return revisions, parents


@cache
def head_revision() -> str:
    """The newest migration this version of kremlin-watch knows: the one revision of the packaged
    scripts that no other script names as its ``down_revision`` (one line of history, no branches)."""
    revisions, parents = _revisions()
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
    """Bring the schema to the newest revision; safe when several processes start at once.
    `SchemaTooNew` when a newer release wrote the archive (nothing is changed)."""
    current = current_revision(engine)
    if current == head_revision():
        return
    check_known(current)
    from alembic import command

    with backend_for(engine).migration_lock(engine):
        command.upgrade(alembic_config(engine), "head")
