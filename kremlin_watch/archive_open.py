"""Opening the archive for a subcommand: migrated, or one line saying why it cannot be used.

Only the commands that fill the archive (`crawl`, `run`, `db upgrade`) may create it. Every other one
reads an archive that must already be there: a mistyped SQLite path, or a PostgreSQL database with no
kremlin-watch tables, is "no archive at …" (exit 2) rather than a new empty archive and an answer
of "0 items" that looks like the truth.

Its own module so that `cli` and the sub-CLIs (`search_cli`, `alerting_cli`, `serve_cli`) all import it
from here rather than the sub-CLIs importing `cli` back.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kremlin_watch.errors import EXIT_FAILURE, EXIT_INPUT, UserError
from settings.schema import Settings, masked_database_url

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


def open_archive(settings: Settings, *, create: bool = False) -> Engine:
    """The migrated archive's engine; with ``create``, a new archive where there is none.

    Without ``create`` a missing archive is a `UserError` (exit 2) and nothing is written; one that
    cannot be reached, is not a database, or cannot be created is a `UserError` with exit 1.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from archive.engine import make_engine
    from archive.migrate import SchemaTooNew, current_revision, upgrade

    if not create:
        refuse_missing_file(settings)
    try:
        engine = make_engine(settings.database_url)
        if not create and current_revision(engine) is None:
            engine.dispose()
            raise missing_archive(settings)
        upgrade(engine)
    except SchemaTooNew as error:
        engine.dispose()
        raise UserError(f"{masked_database_url(settings)}: {error}", EXIT_FAILURE) from None
    except SQLAlchemyError as error:
        raise UserError(
            f"cannot open the archive at {masked_database_url(settings)}: {database_reason(error)}",
            EXIT_FAILURE,
        ) from None
    except OSError as error:  # the SQLite file's directory cannot be created
        where = f" ({error.filename})" if error.filename else ""
        raise UserError(
            f"cannot create the archive at {masked_database_url(settings)}: {error.strerror}{where}",
            EXIT_FAILURE,
        ) from None
    return engine


def open_readonly_archive(settings: Settings) -> Engine:
    """An engine that cannot write (for `serve`), on an archive that exists at the code's schema."""
    from sqlalchemy.exc import SQLAlchemyError

    from archive.migrate import current_revision
    from web.readonly import ArchiveNotReady, check_schema, readonly_engine

    refuse_missing_file(settings)
    engine = readonly_engine(settings.database_url)
    try:
        if current_revision(engine) is None:
            raise missing_archive(settings)
        check_schema(engine)
    except SQLAlchemyError as error:
        engine.dispose()
        raise UserError(
            f"cannot open the archive at {masked_database_url(settings)}: {database_reason(error)}",
            EXIT_FAILURE,
        ) from None
    except ArchiveNotReady as error:
        engine.dispose()
        raise UserError(f"{masked_database_url(settings)}: {error}", EXIT_FAILURE) from None
    except UserError:
        engine.dispose()
        raise
    return engine


def missing_archive(settings: Settings) -> UserError:
    """The one-line error of a read command pointed at no archive."""
    path = sqlite_path(settings)
    where = str(path) if path is not None else masked_database_url(settings)
    return UserError(f"no archive at {where}; run `kremlin-watch crawl` or check database_url", EXIT_INPUT)


def sqlite_path(settings: Settings) -> Path | None:
    """The file of an SQLite archive, or None (PostgreSQL, or SQLite in memory)."""
    from sqlalchemy.engine import make_url

    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database).expanduser()


def database_reason(error: BaseException) -> str:
    """The first line of what the database (or its driver) said, without SQLAlchemy's wrapping."""
    reason = str(getattr(error, "orig", None) or error).strip()
    return reason.splitlines()[0] if reason else type(error).__name__


def refuse_missing_file(settings: Settings) -> None:
    """A `UserError` when an SQLite archive's file does not exist (checked before connecting, which
    would create it)."""
    path = sqlite_path(settings)
    if path is not None and not path.exists():
        raise missing_archive(settings)
