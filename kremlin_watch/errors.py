"""Exit statuses and the error the command line reports in one line."""

from __future__ import annotations

EXIT_INPUT = 2
EXIT_FAILURE = 1
EXIT_CRAWL_FAILED = 3


class UserError(Exception):
    """An error to report in one line; ``status`` is the exit status."""

    def __init__(self, message: str, status: int = EXIT_INPUT) -> None:
        super().__init__(message)
        self.status = status
