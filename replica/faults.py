"""Misbehaviour a test can switch on and off while the replica serves: the site's bad days.

The real site answers 403 after a few hundred quick requests, sometimes rate-limits, fails with
500s, stalls, cuts responses short and has been redesigned; in front of it sit anti-bot services that
answer with a captcha page, and between it and us networks that reset connections. A crawler has to
survive each of these without mistaking it for "no news". Every switch is thread-safe and takes
effect on the next request; `clear()` (or the switch's own ``clear_…``) turns it off. A withdrawn
item is not a fault but the corpus' business: `replica.corpus.Corpus.withdraw`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class Verdict:
    """What the faults decide for one request."""

    #: A status to answer with instead of the page (403, 429, 500), or None to serve the page.
    status: int | None = None
    retry_after: int | None = None
    delay: float = 0.0
    truncate: bool = False
    redesign: bool = False
    #: Answer with this redirect status to the path plus "/" (at `redirect_origin`, or the same host).
    redirect: int | None = None
    redirect_origin: str | None = None
    #: Close the connection with a TCP reset instead of answering.
    reset: bool = False
    #: Serve an anti-bot interstitial (200, a captcha page) instead of the page.
    challenge: bool = False
    #: Pad a page's body to at least this many bytes.
    pad_to: int = 0
    #: Send the page's text in windows-1251 while the headers still say UTF-8.
    bad_encoding: bool = False
    #: Serve feeds without a single entry.
    empty_feed: bool = False


def _matches(path: str, prefix: str | None) -> bool:
    return prefix is None or path.startswith(prefix)


class Faults:
    """The fault switches of one server (``server.faults``)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._forbid_in: int | None = None
        self._rate_limited = 0
        self._retry_after = 0
        self._errors = 0
        self._errors_prefix: str | None = None
        self._slow: tuple[float, str | None] | None = None
        self._truncate_prefix: str | None = None
        self._redesign = False
        self._redirect: tuple[str, int, str | None] | None = None
        self._reset_prefix: str | None = None
        self._challenge_prefix: str | None = None
        self._oversize: tuple[str, int] | None = None
        self._encoding_prefix: str | None = None
        self._empty_feed = False
        self._fixed_status: tuple[int, str] | None = None

    # --- switches -----------------------------------------------------------------------------

    def forbid_after(self, n: int) -> None:
        """Serve `n` more requests, then answer 403 to every request until cleared (the site's ban)."""
        with self._lock:
            self._forbid_in = max(n, 0)

    def rate_limit(self, count: int, retry_after: int = 1) -> None:
        """Answer the next `count` requests with 429 and ``Retry-After: <retry_after>``."""
        with self._lock:
            self._rate_limited = max(count, 0)
            self._retry_after = retry_after

    def server_errors(self, count: int, path_prefix: str | None = None) -> None:
        """Answer the next `count` requests (to `path_prefix`, if given) with 500."""
        with self._lock:
            self._errors = max(count, 0)
            self._errors_prefix = path_prefix

    def answer_status(self, status: int, path_prefix: str | None = None) -> None:
        """Answer every request to `path_prefix` with `status` (404, 410, 403, 503 …) until cleared."""
        with self._lock:
            self._fixed_status = (status, path_prefix or "/")

    def slow(self, seconds: float, path_prefix: str | None = None) -> None:
        """Delay every response (to `path_prefix`, if given) by `seconds` until cleared."""
        with self._lock:
            self._slow = (seconds, path_prefix)

    def truncate(self, path_prefix: str | None = None) -> None:
        """Cut every body (to `path_prefix`, if given) in the middle, with a Content-Length that
        matches the cut body, until cleared: the response looks complete but is not."""
        with self._lock:
            self._truncate_prefix = path_prefix if path_prefix is not None else "/"

    def change_layout(self, on: bool = True) -> None:
        """Serve article and list pages with renamed classes, as after a redesign."""
        with self._lock:
            self._redesign = on

    def redirect(self, path_prefix: str, status: int = 301, origin: str | None = None) -> None:
        """Answer requests to `path_prefix` that do not end in "/" with a `status` redirect to the
        same path plus "/", on `origin` (another host) or on the host asked (the same host), until
        cleared. The site answers that address too, so a client that follows gets the page."""
        with self._lock:
            self._redirect = (path_prefix, status, origin.rstrip("/") if origin else None)

    def reset(self, path_prefix: str | None = None) -> None:
        """Close connections asking for `path_prefix` with a TCP reset, unanswered, until cleared."""
        with self._lock:
            self._reset_prefix = path_prefix or "/"

    def challenge(self, path_prefix: str | None = None) -> None:
        """Answer `path_prefix` with an anti-bot interstitial (200, "checking your browser", a
        captcha) instead of the page, as a DDoS protection in front of the site does, until cleared."""
        with self._lock:
            self._challenge_prefix = path_prefix or "/"

    def oversize(self, size: int, path_prefix: str | None = None) -> None:
        """Pad the pages of `path_prefix` to at least `size` bytes (an HTML comment), until cleared."""
        with self._lock:
            self._oversize = (path_prefix or "/", size)

    def bad_encoding(self, path_prefix: str | None = None) -> None:
        """Send the pages of `path_prefix` in windows-1251 while saying UTF-8, until cleared."""
        with self._lock:
            self._encoding_prefix = path_prefix or "/"

    def empty_feed(self, on: bool = True) -> None:
        """Serve every feed page without entries (the head of the feed is still there)."""
        with self._lock:
            self._empty_feed = on

    # --- clearing -----------------------------------------------------------------------------

    def clear_forbid(self) -> None:
        """Lift the 403 ban."""
        with self._lock:
            self._forbid_in = None

    def clear_rate_limit(self) -> None:
        """Stop answering 429."""
        with self._lock:
            self._rate_limited = 0

    def clear_server_errors(self) -> None:
        """Stop answering 500."""
        with self._lock:
            self._errors = 0

    def clear_slow(self) -> None:
        """Answer without delay again."""
        with self._lock:
            self._slow = None

    def clear_truncate(self) -> None:
        """Send whole bodies again."""
        with self._lock:
            self._truncate_prefix = None

    def clear(self) -> None:
        """Turn every fault off."""
        with self._lock:
            self._forbid_in = None
            self._rate_limited = 0
            self._errors = 0
            self._slow = None
            self._truncate_prefix = None
            self._redesign = False
            self._redirect = None
            self._reset_prefix = None
            self._challenge_prefix = None
            self._oversize = None
            self._encoding_prefix = None
            self._empty_feed = False
            self._fixed_status = None

    # --- deciding -----------------------------------------------------------------------------

    @property
    def layout_changed(self) -> bool:
        """True while pages are served in the "redesigned" markup."""
        with self._lock:
            return self._redesign

    def decide(self, path: str) -> Verdict:
        """The verdict for one request to `path`; counts it against the counting faults."""
        with self._lock:
            delay = self._slow[0] if self._slow and _matches(path, self._slow[1]) else 0.0
            truncate = self._truncate_prefix is not None and path.startswith(self._truncate_prefix)
            if self._forbid_in is not None:
                if self._forbid_in == 0:
                    return Verdict(status=403, delay=delay)
                self._forbid_in -= 1
            if self._rate_limited > 0:
                self._rate_limited -= 1
                return Verdict(status=429, retry_after=self._retry_after, delay=delay)
            if self._errors > 0 and _matches(path, self._errors_prefix):
                self._errors -= 1
                return Verdict(status=500, delay=delay)
            if self._fixed_status is not None and path.startswith(self._fixed_status[1]):
                return Verdict(status=self._fixed_status[0], delay=delay)
            if self._reset_prefix is not None and path.startswith(self._reset_prefix):
                return Verdict(reset=True, delay=delay)
            if self._challenge_prefix is not None and path.startswith(self._challenge_prefix):
                return Verdict(challenge=True, delay=delay)
            redirect = self._redirect
            if redirect is not None and path.startswith(redirect[0]) and not path.endswith("/"):
                return Verdict(redirect=redirect[1], redirect_origin=redirect[2], delay=delay)
            oversize = self._oversize
            return Verdict(
                delay=delay,
                truncate=truncate,
                redesign=self._redesign,
                pad_to=oversize[1] if oversize is not None and path.startswith(oversize[0]) else 0,
                bad_encoding=self._encoding_prefix is not None and path.startswith(self._encoding_prefix),
                empty_feed=self._empty_feed,
            )
