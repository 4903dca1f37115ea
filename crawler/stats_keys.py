"""The names of the crawl statistics: what the spider and its components count, and what a check's
summary is read from, in one place so that a writer and its readers cannot drift apart.

Ours start with ``kremlin_watch/``; the ``robotstxt/`` pair keeps the names of Scrapy's own robots.txt
middleware (which ours replaces), and the ``downloader/`` ones are Scrapy's, only read here.
"""

from __future__ import annotations

from archive.store import Outcome

_OURS = "kremlin_watch/"

#: Responses a callback was given (feed, list and article pages, a 304 included).
PAGES = f"{_OURS}pages"
#: HTML pages (list or article) that parsed.
HTML_PAGES_READ = f"{_OURS}html_pages_read"
#: Pages that failed, fetched or parsed; and of those, the ones whose layout was not recognised.
ERRORS = f"{_OURS}errors"
PARSE_ERRORS = f"{_OURS}parse_errors"
#: Why the crawl ended, Scrapy's reason ("finished", "blocked", "shutdown", ...).
CLOSE_REASON = f"{_OURS}close_reason"
#: The status (403 or 429) that made the crawl give up.
BLOCKED = f"{_OURS}blocked"
#: Prefix of the refusals counted by status, ``kremlin_watch/refused/429``.
REFUSED = f"{_OURS}refused/"

ROBOTS_FORBIDDEN = "robotstxt/forbidden"
ROBOTS_REQUESTS = "robotstxt/request_count"

REQUESTS = "downloader/request_count"
RESPONSE_BYTES = "downloader/response_bytes"
#: Prefix of Scrapy's count of responses by status, ``downloader/response_status_count/200``.
RESPONSE_STATUS = "downloader/response_status_count/"


def items(outcome: Outcome) -> str:
    """Records whose storing had `outcome`, ``kremlin_watch/items/new`` and so on (one per
    `Outcome`, so a new outcome has its count without a new name here)."""
    return f"{_OURS}items/{outcome.value}"


def refused(status: int) -> str:
    """Refusals with HTTP `status`."""
    return f"{REFUSED}{status}"
