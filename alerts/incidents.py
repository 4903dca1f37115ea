"""Notices about the watcher itself: a site is down, the parser is broken, and their recoveries.

Users of monitors ask first for this: to hear when the watch has gone blind, once, and once more when
it sees again. After every plain check (backfills say nothing about now):

* **source down**, per host (kremlin.ru and en.kremlin.ru are separate sites that fail separately),
  opens after ``down_after`` consecutive checks in which that host did not answer its feed or news
  list: it blocked us (403/429 that did not clear), did not answer (timeouts, refused connections,
  DNS), failed with server errors (5xx), served a challenge page, or answered with something that is
  no feed (a 404, an empty feed, a redirect elsewhere). The notice names the host and why;
* **parser broken** opens after a check that fetched pages but could not read them: no item at all,
  or at least half its pages unreadable (a single truncated page is not a broken parser);
* each closes, with one "recovered" notice, at the next check that proves it over: for a host, any
  check in which it answered its feed or list (the notice says how long it was down); for the parser,
  a check that read article or list pages without a parse error (an idle 304 feed proves nothing).

Item pages that are gone (404/410) say nothing about the source: only the feed and list pages count.

Incidents are detected, kept and logged whether or not any destination exists: `status` and
``/healthz`` read them from the archive's crawl state (so a restart neither repeats nor forgets
one). Destinations only decide who is told: notices go to those tagged ``ops``, or to all when none
is, each an outbox row keyed on the incident, so it is sent exactly like an alert and at most once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from alerts.destinations import Destination
from archive.checks import CheckSummary
from archive.outbox import NewAlert, Outbox
from archive.status import (
    DOWN_WORDS,
    INCIDENT_PREFIX,
    PARSER_BROKEN,
    SOURCE_DOWN,
    OpenIncident,
    incident_key,
)
from archive.store import CrawlStateStore
from archive.types import utcnow

OPS_TAG = "ops"
RECOVERED = "recovered"
#: The host answered its feed or list pages.
ANSWERED = "answered"
#: Prefix of the crawl-state key that counts a host's consecutive failed checks.
STREAK_PREFIX = "source-streak:"

__all__ = ["PARSER_BROKEN", "RECOVERED", "SOURCE_DOWN", "IncidentWatch", "Notice", "SourceReport"]


@dataclass(frozen=True)
class Notice:
    """A message about the watcher, as it goes into the outbox (and the log)."""

    incident: str
    rule: str
    title: str
    body: str


@dataclass(frozen=True)
class SourceReport:
    """Whether one host answered its feed or news list in one check, and if not, why.

    ``state`` is ``answered``, ``blocked``, ``unreachable``, ``server_error``, ``challenge`` or
    ``unusable`` (`archive.checks.SOURCE_STATES` once the outcome model has them); None when
    the check says nothing about the host (stopped on purpose before it asked).
    """

    host: str
    state: str | None
    reason: str = ""

    @property
    def down(self) -> bool:
        return self.state is not None and self.state != ANSWERED


def source_reports(summary: CheckSummary) -> list[SourceReport] | None:
    """Each host's report from the check's per-host record (``summary.hosts``, label → part with
    ``outcome``, ``source_state``, ``source_reason``), or None when the summary has none."""
    hosts = getattr(summary, "hosts", None)
    if not hosts:
        return None
    return [source_report(host, part) for host, part in hosts.items()]


def source_report(host: str, part: object) -> SourceReport:
    """How one host's part of a check went, for the incident watch.

    The crawl's outcome model says it (``source_state`` and ``source_reason``, `crawler.outcomes`);
    a failing part without words of its own is named by the HTTP statuses it saw. A check stopped on
    purpose or crashed says nothing either way, whatever its state says.
    """
    outcome = str(getattr(part, "outcome", ""))
    if outcome not in ("ok", "unchanged", "partial", "blocked", "error"):  # cancelled, crashed, running
        return SourceReport(host, None)
    state = getattr(part, "source_state", None)
    if not state:
        return SourceReport(host, None)
    reason = getattr(part, "source_reason", "") or (getattr(part, "messages", None) or [""])[0]
    if not reason and state != ANSWERED:
        codes = sorted(code for code in getattr(part, "status_counts", {}) if code.isdigit())
        reason = f"HTTP {', '.join(codes)}" if codes else "no answer"
    return SourceReport(host, str(state), str(reason))


def ops_destinations(destinations: list[Destination]) -> list[Destination]:
    """Destinations tagged ``ops``; all of them when none is."""
    tagged = [destination for destination in destinations if OPS_TAG in destination.tags]
    return tagged or list(destinations)


def parser_broken(summary: CheckSummary) -> bool:
    """Pages came back but the parser could not read them (or most of them)."""
    if summary.parse_errors == 0:
        return False
    items = summary.new_items + summary.changed_items + summary.unchanged_items
    return items == 0 or summary.parse_errors * 2 >= max(1, summary.pages)


def duration_text(seconds: float) -> str:
    """``45 s``, ``12 min``, ``3 h 5 min``, ``2 d 4 h``: how long an outage lasted."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


@dataclass
class _Streak:
    """A host's consecutive failed checks so far (kept in the crawl state, so a restart keeps counting)."""

    failures: int
    since: datetime
    state: str
    reason: str

    def value(self) -> str:
        data = {"failures": self.failures, "since": self.since.isoformat()}
        return json.dumps({**data, "state": self.state, "reason": self.reason}, ensure_ascii=False)

    @classmethod
    def parse(cls, value: str) -> _Streak:
        data = json.loads(value)
        since = datetime.fromisoformat(data["since"])
        return cls(int(data["failures"]), since, str(data["state"]), str(data["reason"]))


class IncidentWatch:
    """Opens and closes incidents after each check, logs them through the notices it returns, and
    queues those notices for the ops destinations (none: nobody is told, the incident is still kept)."""

    def __init__(
        self, engine: Engine, destinations: list[Destination], *, site: str, down_after: int = 3
    ) -> None:
        self.state = CrawlStateStore(engine)
        self.outbox = Outbox(engine)
        self.destinations = ops_destinations(destinations)
        #: The Russian site's host: named by the parser notices, and the owner of an incident opened
        #: before incidents were kept per host.
        self.site = site
        self.down_after = max(1, down_after)

    def after_check(self, summary: CheckSummary, sources: list[SourceReport]) -> list[Notice]:
        """Update incidents with a finished check (``sources``: how each host answered it); returns
        the notices it opened or closed."""
        if summary.mode != "check":
            return []
        notices: list[Notice] = []
        for source in sources:
            notices += self._watch_source(source, adopt_legacy=source is sources[0])
        if parser_broken(summary):
            reason = (summary.messages[:1] or ["pages could not be read"])[0]
            notices += self._open(
                OpenIncident(PARSER_BROKEN, self.site, utcnow(), utcnow(), reason=reason),
                f"the parser cannot read {self.site}",
                f"A check fetched {summary.pages} pages but could not read {summary.parse_errors} of them "
                f"({reason}). The site's layout may have changed: items are not being archived.",
            )
        elif summary.parse_errors == 0 and summary.html_pages_read > 0:
            notices += self._close(incident_key(PARSER_BROKEN), f"the parser reads {self.site} again")
        return notices

    def _watch_source(self, source: SourceReport, *, adopt_legacy: bool) -> list[Notice]:
        if source.state is None:
            return []
        key = incident_key(SOURCE_DOWN, source.host)
        legacy = incident_key(SOURCE_DOWN)
        if adopt_legacy and (old := self.state.get(legacy)) is not None:
            if self.state.get(key) is None:  # an older version's incident was the Russian site's
                self.state.put(key, OpenIncident.from_state(legacy, old.value, source.host).value())
            self.state.delete(legacy)
        streak_key = f"{STREAK_PREFIX}{source.host}"
        held = self.state.get(streak_key)
        streak = _Streak.parse(held.value) if held is not None else None
        now = utcnow()
        if not source.down:
            if held is not None:
                self.state.delete(streak_key)
            return self._close(key, f"{source.host} answers again", now)
        assert source.state is not None
        if streak is None:
            streak = _Streak(0, now, source.state, source.reason)
        streak.failures += 1
        streak.state, streak.reason = source.state, source.reason
        self.state.put(streak_key, streak.value())
        if streak.failures < self.down_after:
            return []
        why = DOWN_WORDS.get(source.state, "is down")
        return self._open(
            OpenIncident(
                SOURCE_DOWN, source.host, streak.since, now, source.state, source.reason, streak.failures
            ),
            f"{source.host} {why}",
            f"{source.host} did not answer its feed or news list in {streak.failures} check(s) in a row, "
            f"since {streak.since.isoformat(timespec='seconds')}: it {why} ({source.reason}). Nothing is "
            "counted as seen while it does not answer; the checks go on, and a notice follows when it "
            "answers again.",
        )

    def _open(self, incident: OpenIncident, headline: str, body: str) -> list[Notice]:
        if self.state.get(incident.key) is not None:
            return []
        self.state.put(incident.key, incident.value())
        notice = Notice(
            _notice_key(incident), incident.kind, f"[kremlin-watch] {incident.kind}: {headline}", body
        )
        self._queue(notice)
        return [notice]

    def _close(self, key: str, headline: str, now: datetime | None = None) -> list[Notice]:
        held = self.state.get(key)
        if held is None:
            return []
        now = now or utcnow()
        incident = OpenIncident.from_state(key, held.value, self.site)
        lasted = duration_text((now - incident.since).total_seconds())
        self.state.delete(key)
        if incident.kind == SOURCE_DOWN:
            why = DOWN_WORDS.get(incident.state, "was down")
            body = (
                f"{incident.host} answers again after {lasted} down: from "
                f"{incident.since.isoformat(timespec='seconds')} to {now.isoformat(timespec='seconds')} it "
                f"{why}" + (f" ({incident.reason})." if incident.reason else ".")
            )
        else:
            body = f"The {incident.kind.replace('-', ' ')} incident is over; it lasted {lasted}."
        notice = Notice(
            _notice_key(incident), RECOVERED, f"[kremlin-watch] {RECOVERED}: {headline} after {lasted}", body
        )
        self._queue(notice)
        return [notice]

    def _queue(self, notice: Notice) -> None:
        if not self.destinations:
            return
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


def _notice_key(incident: OpenIncident) -> str:
    """The outbox's key of an incident's two notices: its kind (and host) and when it opened."""
    return f"{incident.key.removeprefix(INCIDENT_PREFIX)}@{incident.opened.isoformat()}"
