"""Opening the archive for a subcommand: migrated, or one line saying why it cannot be reached.

Its own module so that `cli` and the sub-CLIs (`search_cli`, `alerting_cli`) all import it from here
rather than the sub-CLIs importing `cli` back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kremlin_watch.errors import EXIT_FAILURE, UserError
from settings.schema import Settings, masked_database_url

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


def open_archive(settings: Settings) -> Engine:
    """The migrated archive's engine, or a one-line error when it cannot be reached."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from archive.engine import make_engine
    from archive.migrate import upgrade

    try:
        engine = make_engine(settings.database_url)
        upgrade(engine)
    except (OperationalError, ProgrammingError) as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        raise UserError(
            f"cannot open the archive at {masked_database_url(settings)}: {reason}", EXIT_FAILURE
        ) from None
    return engine
