"""Notices about the watcher itself: the site is down, the parser is broken, and their recoveries.

Users of monitors ask first for this: to hear when the watch has gone blind, once, and once more when
it sees again. After every check:

* **source down** opens after ``down_after`` consecutive checks that failed to fetch (403/429 that
  did not clear, 5xx, timeouts: outcome ``blocked`` or ``error`` without parse errors);
* **parser broken** opens after a check that fetched pages but could not read them: no item at all,
  or at least half its pages unreadable (a single truncated page is not a broken parser);
* each closes, with one "recovered" notice, at the next check that proves it over: for the source,
  any check the site answered (``ok``, ``unchanged``, ``partial``); for the parser, a check that read
  article or list pages without a parse error (an idle 304 feed proves nothing about the parser).

An open incident lives in the archive's crawl state, so a restart neither repeats nor forgets it.
Notices go to destinations tagged ``ops``, or to all when none is. Each notice is an outbox row keyed
on the incident, so it is sent exactly like an alert and at most once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from alerts.destinations import Destination
from archive.checks import CheckLog, CheckSummary
from archive.models import Check
from archive.outbox import NewAlert, Outbox
from archive.store import CrawlStateStore
from archive.types import utcnow

OPS_TAG = "ops"
SOURCE_DOWN = "source-down"
PARSER_BROKEN = "parser-broken"
RECOVERED = "recovered"
_FETCH_FAILURES = ("blocked", "error", "crashed")


@dataclass(frozen=True)
class Notice:
    """A message about the watcher, as it goes into the outbox."""

    incident: str
    rule: str
    title: str
    body: str


def ops_destinations(destinations: list[Destination]) -> list[Destination]:
    """Destinations tagged ``ops``; all of them when none is."""
    tagged = [destination for destination in destinations if OPS_TAG in destination.tags]
    return tagged or list(destinations)


def fetch_failed(check: CheckSummary | Check) -> bool:
    """The check could not fetch what it needed (as opposed to fetching pages it could not read)."""
    return check.outcome in _FETCH_FAILURES and check.parse_errors == 0


def parser_broken(summary: CheckSummary) -> bool:
    """Pages came back but the parser could not read them (or most of them)."""
    if summary.parse_errors == 0:
        return False
    items = summary.new_items + summary.changed_items + summary.unchanged_items
    return items == 0 or summary.parse_errors * 2 >= max(1, summary.pages)


class IncidentWatch:
    """Opens and closes incidents after each check, and queues their notices."""

    def __init__(
        self, engine: Engine, destinations: list[Destination], *, site: str, down_after: int = 3
    ) -> None:
        self.checks = CheckLog(engine)
        self.state = CrawlStateStore(engine)
        self.outbox = Outbox(engine)
        self.destinations = ops_destinations(destinations)
        self.site = site
        self.down_after = max(1, down_after)

    def after_check(self, summary: CheckSummary) -> list[Notice]:
        """Update incidents with a finished check; returns the notices queued."""
        if summary.mode != "check":
            return []
        notices: list[Notice] = []
        recent = self.checks.recent(self.down_after, mode="check")
        if len(recent) >= self.down_after and all(fetch_failed(check) for check in recent):
            reason = (summary.messages[:1] or [summary.outcome])[0]
            notices += self._open(
                SOURCE_DOWN,
                f"{self.site} is not answering",
                f"The last {self.down_after} checks of {self.site} failed "
                f"(latest: {summary.outcome}; {reason}). "
                "Nothing is counted as seen while the site refuses us; the checks go on and a notice follows "
                "when it answers again.",
            )
        elif summary.outcome in ("ok", "unchanged", "partial"):
            notices += self._close(SOURCE_DOWN, f"{self.site} answers again")
        if parser_broken(summary):
            reason = (summary.messages[:1] or ["pages could not be read"])[0]
            notices += self._open(
                PARSER_BROKEN,
                f"the parser cannot read {self.site}",
                f"A check fetched {summary.pages} pages but could not read {summary.parse_errors} of them "
                f"({reason}). The site's layout may have changed: items are not being archived.",
            )
        elif summary.parse_errors == 0 and summary.html_pages_read > 0:
            notices += self._close(PARSER_BROKEN, f"the parser reads {self.site} again")
        return notices

    def _open(self, kind: str, headline: str, body: str) -> list[Notice]:
        if self.state.get(f"incident:{kind}") is not None:
            return []
        opened = utcnow()
        self.state.put(f"incident:{kind}", opened.isoformat())
        notice = Notice(f"{kind}@{opened.isoformat()}", kind, f"[kremlin-watch] {kind}: {headline}", body)
        self._queue(notice)
        return [notice]

    def _close(self, kind: str, headline: str) -> list[Notice]:
        opened_text = self.state.get(f"incident:{kind}")
        if opened_text is None:
            return []
        opened = datetime.fromisoformat(opened_text.value)
        minutes = max(1, round((utcnow() - opened).total_seconds() / 60))
        self.state.delete(f"incident:{kind}")
        notice = Notice(
            f"{kind}@{opened.isoformat()}",
            RECOVERED,
            f"[kremlin-watch] {RECOVERED}: {headline}",
            f"The {kind.replace('-', ' ')} incident opened {minutes} minute(s) ago is over.",
        )
        self._queue(notice)
        return [notice]

    def _queue(self, notice: Notice) -> None:
        payload = json.dumps({"title": notice.title, "body": notice.body}, ensure_ascii=False)
        self.outbox.enqueue(
            NewAlert(
                item_id=None,
                item_version=0,
                rule=notice.rule,
                destination=destination.key,
                destination_label=destination.label,
                matches=payload,
                incident=notice.incident,
            )
            for destination in self.destinations
        )
