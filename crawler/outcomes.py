"""The outcome model: what every answer to a feed, list or item page does, in ONE table.

The spider files each answer under an `Answer` (`classify_failure` for what Scrapy hands an errback,
`crawler.challenge.inspect_body` for a 200 that is no page) and looks up its `Handling` with
`handling(role, answer)`: the ``effect`` says what the spider does, the ``source`` what the answer
says about the site (`archive.checks.SOURCE_STATES`, read by `crawler.run.summarize` and, through the
check's summary, by the incident watch). The words of each row are the table of docs/crawling.md;
`render_table` writes it and a test compares the two, so the code and the documentation cannot
disagree.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from urllib.parse import urlsplit

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as net
from twisted.internet.defer import CancelledError
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

from archive.store import GONE_RETRIES

#: The largest body read (Scrapy's DOWNLOAD_MAXSIZE): kremlin.ru's longest transcripts are about
#: 1 MB; anything past this is not a page of the site, and reading it would only cost memory.
MAX_PAGE_BYTES = 8 * 1024 * 1024


class Role(enum.StrEnum):
    """What a page is to the crawl."""

    FEED = "feed"
    LIST = "list page"
    ITEM = "item page"


class Answer(enum.StrEnum):
    """What came back, as the table names it."""

    OK = "200"
    NOT_MODIFIED = "304"
    REDIRECT_SAME = "301/302 same host"
    REDIRECT_OTHER = "301/302 other host"
    FORBIDDEN = "403"
    NOT_FOUND = "404"
    GONE = "410"
    OTHER_4XX = "other 4xx"
    RATE_LIMITED = "429"
    SERVER_ERROR = "5xx"
    TIMEOUT = "timeout"
    DNS = "DNS failure"
    REFUSED = "connection refused"
    RESET = "connection reset"
    TRUNCATED = "truncated body"
    OVERSIZED = "oversized body"
    BAD_ENCODING = "invalid encoding"
    CHALLENGE = "challenge page"
    EMPTY = "zero entries"


#: How a message names the answers a 200 body can turn out to be (the rest are named by status or
#: by what failed).
BODY_PROBLEMS = {
    Answer.CHALLENGE: "an anti-bot or captcha page instead of the site's",
    Answer.TRUNCATED: "the body was cut short",
    Answer.BAD_ENCODING: "the body is not in the encoding it declares",
    Answer.EMPTY: "the feed has no entries",
}


class Effect(enum.StrEnum):
    """What the spider does with an answer."""

    #: Parsed and stored.
    READ = "read"
    #: A 304 to the conditional feed request: nothing to do.
    UNCHANGED = "unchanged"
    #: The item was withdrawn: keep what the feed said, mark it, retry on the back-off.
    WITHDRAWN = "withdrawn"
    #: Not read: an error of the check; an item keeps its feed or list text and is retried.
    FAILED = "failed"
    #: Not read, and the site is refusing us: an error, and the check is "blocked".
    BLOCKED = "blocked"


@dataclass(frozen=True)
class Handling:
    """One row of the table: for `answer` on the pages of `roles`, what happens."""

    answer: Answer
    roles: tuple[Role, ...]
    effect: Effect
    #: What the answer says about the site (a feed or list page's), None for item pages.
    source: str | None
    stored: str
    retried: str
    check: str

    @property
    def incidents(self) -> str:
        """The incidents column, from ``source``: the table's words cannot contradict the code."""
        if self.source is None:
            return "none (item pages never count toward source down)"
        if self.source == "answered":
            return "`answered`: closes source down"
        return f"`{self.source}`: counts toward source down"


_SOURCE = (Role.FEED, Role.LIST)
_ALL = (Role.FEED, Role.LIST, Role.ITEM)
_ITEM = (Role.ITEM,)
_BACKOFF = ", ".join(f"{int(step.total_seconds() // 3600)} h" for step in GONE_RETRIES)
_NOT_READ = "nothing from it; the feed's validators are not saved, an open gap stays open"
_FEED_TEXT = "the feed / list text of the item, `details_pending`"
_NEXT_CHECK = "by the next check"
_ITEM_NEXT = "by the next check, from the archive (`details_pending`)"
_SOURCE_FAILED = "`error` (`partial` if another host was read)"
_ITEM_FAILED = "`partial`: one error"

TABLE: tuple[Handling, ...] = (
    Handling(Answer.OK, _SOURCE, Effect.READ, "answered",
             "new and moved items (their own pages are asked for)", "—", "`ok`"),
    Handling(Answer.OK, _ITEM, Effect.READ, None,
             "the complete item (a withdrawn mark is cleared)", "—", "`ok`"),
    Handling(Answer.NOT_MODIFIED, (Role.FEED,), Effect.UNCHANGED, "answered",
             "nothing (the feed is as last time)", "pending item pages, from the archive", "`unchanged`"),
    Handling(Answer.REDIRECT_SAME, _SOURCE, Effect.READ, "answered",
             "as for 200, from the address redirected to; the feed's validators under the address asked for",
             "—", "as for 200"),
    Handling(Answer.REDIRECT_SAME, _ITEM, Effect.READ, None, "as for 200, from the address redirected to",
             "—", "as for 200"),
    Handling(Answer.REDIRECT_OTHER, _SOURCE, Effect.FAILED, "unusable",
             _NOT_READ + " (another host is never followed)", _NEXT_CHECK, _SOURCE_FAILED),
    Handling(Answer.REDIRECT_OTHER, _ITEM, Effect.FAILED, None, _FEED_TEXT, _ITEM_NEXT, _ITEM_FAILED),
    Handling(Answer.FORBIDDEN, _ALL, Effect.BLOCKED, "blocked",
             "what was stored before stays; nothing not fetched counts as seen",
             "after a pause (Retry-After, else `block_backoff` doubling), 3 times; then by the next check",
             "`blocked` (`partial` if another host was read)"),
    Handling(Answer.RATE_LIMITED, _ALL, Effect.BLOCKED, "blocked",
             "what was stored before stays; nothing not fetched counts as seen",
             "after a pause (Retry-After, else `block_backoff` doubling), 3 times; then by the next check",
             "`blocked` (`partial` if another host was read)"),
    Handling(Answer.NOT_FOUND, _SOURCE, Effect.FAILED, "unusable", _NOT_READ, _NEXT_CHECK, _SOURCE_FAILED),
    Handling(Answer.NOT_FOUND, _ITEM, Effect.WITHDRAWN, None,
             "the feed / list text, marked withdrawn (`gone_at`, `gone_retry_at`)",
             f"{_BACKOFF} after the 1st, 2nd, 3rd 404/410, then never", "not an error (`withdrawn N`)"),
    Handling(Answer.GONE, _SOURCE, Effect.FAILED, "unusable", _NOT_READ, _NEXT_CHECK, _SOURCE_FAILED),
    Handling(Answer.GONE, _ITEM, Effect.WITHDRAWN, None,
             "the feed / list text, marked withdrawn (`gone_at`, `gone_retry_at`)",
             f"{_BACKOFF} after the 1st, 2nd, 3rd 404/410, then never", "not an error (`withdrawn N`)"),
    Handling(Answer.OTHER_4XX, _SOURCE, Effect.FAILED, "unusable", _NOT_READ, _NEXT_CHECK, _SOURCE_FAILED),
    Handling(Answer.OTHER_4XX, _ITEM, Effect.FAILED, None, _FEED_TEXT, _ITEM_NEXT, _ITEM_FAILED),
    Handling(Answer.SERVER_ERROR, _SOURCE, Effect.FAILED, "server_error", _NOT_READ,
             "`retries` times at once; then by the next check", _SOURCE_FAILED),
    Handling(Answer.SERVER_ERROR, _ITEM, Effect.FAILED, None, _FEED_TEXT,
             "`retries` times at once; then " + _ITEM_NEXT, _ITEM_FAILED),
    *(
        row
        for answer in (Answer.TIMEOUT, Answer.DNS, Answer.REFUSED, Answer.RESET)
        for row in (
            Handling(answer, _SOURCE, Effect.FAILED, "unreachable", _NOT_READ,
                     "`retries` times at once; then by the next check", _SOURCE_FAILED),
            Handling(answer, _ITEM, Effect.FAILED, None, _FEED_TEXT,
                     "`retries` times at once; then " + _ITEM_NEXT, _ITEM_FAILED),
        )
    ),
    *(
        row
        for answer in (Answer.TRUNCATED, Answer.OVERSIZED, Answer.BAD_ENCODING)
        for row in (
            Handling(answer, _SOURCE, Effect.FAILED, "unusable", _NOT_READ, _NEXT_CHECK, _SOURCE_FAILED),
            Handling(answer, _ITEM, Effect.FAILED, None, _FEED_TEXT, _ITEM_NEXT,
                     "`partial`: one error, not a parse error"),
        )
    ),
    Handling(Answer.CHALLENGE, _SOURCE, Effect.BLOCKED, "challenge", _NOT_READ, _NEXT_CHECK,
             "`blocked` (`partial` if another host was read), not a parse error"),
    Handling(Answer.CHALLENGE, _ITEM, Effect.FAILED, None, _FEED_TEXT, _ITEM_NEXT,
             "`partial`: one error, not a parse error"),
    Handling(Answer.EMPTY, (Role.FEED,), Effect.FAILED, "unusable",
             "nothing; the feed's validators are not saved", _NEXT_CHECK, _SOURCE_FAILED),
)  # fmt: skip

_BY_KEY = {(role, row.answer): row for row in TABLE for role in row.roles}


def handling(role: Role, answer: Answer) -> Handling:
    """The table's row for `answer` on a page of `role` (a 304 or zero entries off the feed, which
    are never asked for, are read as a 200 would be)."""
    return _BY_KEY.get((role, answer)) or _BY_KEY[(role, Answer.OK)]


def status_answer(status: int) -> Answer:
    """The row an HTTP error status belongs to."""
    fixed = {403: Answer.FORBIDDEN, 404: Answer.NOT_FOUND, 410: Answer.GONE, 429: Answer.RATE_LIMITED}
    if status in fixed:
        return fixed[status]
    if status >= 500:
        return Answer.SERVER_ERROR
    if 300 <= status < 400:
        return Answer.REDIRECT_OTHER  # a redirect Scrapy did not follow (no Location, or too many)
    return Answer.OTHER_4XX


def classify_failure(failure: Failure, own_host: str) -> Answer | None:
    """The row of what an errback was handed; None for a request we refused ourselves (robots.txt)."""
    if failure.check(HttpError):
        return status_answer(failure.value.response.status)  # type: ignore[union-attr]
    request = getattr(failure, "request", None)
    if failure.check(IgnoreRequest):
        host = urlsplit(request.url).hostname if request is not None else None
        return Answer.REDIRECT_OTHER if host not in (None, own_host) else None
    if failure.check(CannotResolveHostError, net.DNSLookupError):
        return Answer.DNS
    if failure.check(DownloadConnectionRefusedError, net.ConnectionRefusedError):
        return Answer.REFUSED
    if failure.check(DownloadTimeoutError, net.TimeoutError, net.TCPTimedOutError):
        return Answer.TIMEOUT
    if failure.check(DownloadCancelledError, CancelledError) and "max size" in failure.getErrorMessage():
        return Answer.OVERSIZED
    if failure.check(ResponseDataLossError):
        return Answer.TRUNCATED
    if failure.check(ResponseFailed, ResponseNeverReceived):
        reasons = getattr(failure.value, "reasons", [])
        if any("DataLoss" in type(reason.value).__name__ for reason in reasons):
            return Answer.TRUNCATED
        return Answer.RESET
    return Answer.RESET  # the connection failed some other way: lost, aborted, reset


def render_table() -> str:
    """The table as Markdown, exactly as docs/crawling.md has it between its outcome markers."""
    lines = [
        "| Answer | Page | Stored | Retried | Check outcome | Incidents (`source_state`) |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for row in TABLE:
        roles = ", ".join(role.value for role in row.roles)
        cells = (row.answer.value, roles, row.stored, row.retried, row.check, row.incidents)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
