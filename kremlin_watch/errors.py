"""Exit statuses and the error the command line reports in one line."""

from __future__ import annotations

EXIT_INPUT = 2
EXIT_FAILURE = 1
EXIT_CRAWL_FAILED = 3
#: Output into a closed pipe (``kremlin-watch export | head -1``): the status a program killed by
#: SIGPIPE reports, with nothing on stderr.
EXIT_PIPE = 141


def signal_status(signum: int) -> int:
    """The exit status of a command stopped by a signal, as shells report it: 130 for SIGINT, 143
    for SIGTERM."""
    return 128 + signum


class UserError(Exception):
    """An error to report in one line; ``status`` is the exit status."""

    def __init__(self, message: str, status: int = EXIT_INPUT) -> None:
        super().__init__(message)
        self.status = status


class Stopped(BaseException):
    """SIGTERM arrived: raised where the program is, like KeyboardInterrupt for SIGINT, so that open
    transactions roll back and the command ends with one line (a BaseException for the same reason as
    KeyboardInterrupt: no ``except Exception`` may swallow it)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum
