"""Logging for the command line: one format, Scrapy's chatter kept at warnings unless debugging."""

from __future__ import annotations

import logging
import sys


def configure_logging(level: str) -> None:
    """Log to stderr at ``level``; Scrapy and Twisted only speak up for warnings unless DEBUG."""
    logging.basicConfig(
        stream=sys.stderr,
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        force=True,
    )
    library_level = logging.DEBUG if level == "DEBUG" else logging.WARNING
    for name in (
        "scrapy",
        "twisted",
        "protego",
        "alembic",
        "py.warnings",
        "pymorphy3",
        "apprise",
        "apscheduler",
    ):
        logging.getLogger(name).setLevel(library_level)
