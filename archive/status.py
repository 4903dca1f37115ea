"""What the archive says about the watch: for `kremlin-watch status`, `/healthz` and `/metrics`.

Everything is read from the archive, so the command line (without a daemon) and the daemon's
endpoints say the same thing, and a standby daemon reports what the leader did.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, select, text
from sqlmodel import Session

from archive.models import CallEntry, Check, CrawlState, Item, OutboxEntry
from archive.types import utcnow
from archive.vocabulary import CALL

#: The crawl-state keys of open incidents start with this.
INCIDENT_PREFIX = "incident:"
SOURCE_DOWN = "source-down"
PARSER_BROKEN = "parser-broken"
#: How a notice, `status` and `/healthz` say why a host is down, by the check's source state.
DOWN_WORDS = {
    "blocked": "blocks us",
    "unreachable": "is not answering",
    "server_error": "fails with server errors",
    "challenge": "serves a challenge page instead of its pages",
    "unusable": "answers with something that is not its feed or list",
}


@dataclass(frozen=True)
class OpenIncident:
    """An open incident as the archive's crawl state keeps it (one row, so a restart forgets nothing).

    ``source-down`` is kept per host (``incident:source-down:en.kremlin.ru``); ``parser-broken`` once.
    ``since`` is when the trouble began (the first failed check), ``opened`` when the notice went out.
    """

    kind: str
    host: str
    since: datetime
    opened: datetime
    state: str = ""
    reason: str = ""
    failed_checks: int = 0

    @property
    def key(self) -> str:
        return incident_key(self.kind, self.host if self.kind == SOURCE_DOWN else "")

    @property
    def name(self) -> str:
        """``source-down en.kremlin.ru`` or ``parser-broken``: how lists name it."""
        return f"{self.kind} {self.host}" if self.kind == SOURCE_DOWN else self.kind

    def describe(self) -> str:
        """One line: what, since when, and why."""
        since = self.since.isoformat(timespec="seconds")
        if self.kind == SOURCE_DOWN:
            why = DOWN_WORDS.get(self.state, "is down")
            reason = f" ({self.reason})" if self.reason else ""
            return f"source down since {since}: {self.host} {why}{reason}"
        return f"parser broken since {since}" + (f": {self.reason}" if self.reason else "")

    def value(self) -> str:
        """The crawl-state value (JSON)."""
        data = asdict(self)
        data["since"], data["opened"] = self.since.isoformat(), self.opened.isoformat()
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_state(cls, key: str, value: str, default_host: str = "") -> OpenIncident:
        """Read a crawl-state row. An archive written before incidents had details holds only the time
        the incident opened, under ``incident:source-down`` (then ``default_host``'s, the Russian
        site's) or ``incident:parser-broken``."""
        name = key.removeprefix(INCIDENT_PREFIX)
        kind, _, host = name.partition(":") if name.startswith(SOURCE_DOWN) else (name, "", "")
        try:
            data = json.loads(value)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            opened = _aware(datetime.fromisoformat(value))
            return cls(kind=kind, host=host or default_host, since=opened, opened=opened)
        return cls(
            kind=kind,
            host=str(data.get("host") or host or default_host),
            since=_aware(datetime.fromisoformat(data["since"])),
            opened=_aware(datetime.fromisoformat(data["opened"])),
            state=str(data.get("state", "")),
            reason=str(data.get("reason", "")),
            failed_checks=int(data.get("failed_checks", 0)),
        )


def incident_key(kind: str, host: str = "") -> str:
    """The crawl-state key of an incident (per host for ``source-down``)."""
    return f"{INCIDENT_PREFIX}{kind}:{host}" if host else f"{INCIDENT_PREFIX}{kind}"


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@dataclass
class WatchStatus:
    """Counts and times that tell whether the watch is working."""

    #: Items (ids), whatever languages they were read in.
    items: int = 0
    #: Language versions held, by language (``{"ru": 812, "en": 790}``).
    versions_by_lang: dict[str, int] = field(default_factory=dict)
    #: Phone calls (ids).
    calls: int = 0
    #: Calls whose counterpart could not be read: more than a few means the site changed its wording.
    unreadable_calls: int = 0
    checks_by_outcome: dict[str, int] = field(default_factory=dict)
    items_new: int = 0
    items_changed: int = 0
    requests: int = 0
    alerts_by_status: dict[str, int] = field(default_factory=dict)
    #: The last finished plain check (``kremlin-watch crawl`` without options, or the daemon's).
    last_check_at: datetime | None = None
    last_check_outcome: str | None = None
    last_success_at: datetime | None = None
    #: The last finished backfill (``crawl --pages/--since``): not a check, so apart.
    last_backfill_at: datetime | None = None
    last_backfill_outcome: str | None = None
    #: Names of the open incidents (``source-down en.kremlin.ru``, ``parser-broken``).
    open_incidents: list[str] = field(default_factory=list)
    #: The open incidents with since when and why.
    incidents: list[OpenIncident] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        for key in ("last_check_at", "last_success_at", "last_backfill_at"):
            value = data[key]
            data[key] = value.isoformat() if value else None
        data["incidents"] = [
            {"name": incident.name, "since": incident.since.isoformat(), "description": incident.describe()}
            for incident in self.incidents
        ]
        return data

    def lines(self, archive: str) -> list[str]:
        """`kremlin-watch status` as a table; ``archive`` names it (password masked)."""

        def when(moment: datetime | None) -> str:
            return moment.isoformat(timespec="seconds") if moment else "never"

        outcomes = ", ".join(f"{k} {v}" for k, v in sorted(self.checks_by_outcome.items())) or "none"
        alerts = ", ".join(f"{k} {v}" for k, v in sorted(self.alerts_by_status.items())) or "none"
        last_check = (
            f"{when(self.last_check_at)} ({self.last_check_outcome}); "
            f"last success {when(self.last_success_at)}"
            if self.last_check_at
            else "none yet (a check is `kremlin-watch crawl` without options, or the daemon's)"
        )
        lines = [
            f"archive     {archive}: {self.items} items, {self.calls} phone calls "
            f"({self.unreadable_calls} unreadable)",
            f"last check  {last_check}",
        ]
        if self.last_backfill_at:
            lines.append(f"last backfill {when(self.last_backfill_at)} ({self.last_backfill_outcome})")
        lines += [
            f"runs        {outcomes}",
            f"items       new {self.items_new}, changed {self.items_changed}; requests {self.requests}",
            f"alerts      {alerts}",
        ]
        if not self.incidents:
            lines.append("incidents   none open")
        lines += [f"incident    {incident.describe()}" for incident in self.incidents]
        return lines


def versions_by_lang(session: Session) -> dict[str, int]:
    """How many item versions the archive holds in each language (``{"ru": 812, "en": 790}``)."""
    rows = session.exec(select(Item.lang, func.count()).group_by(Item.lang)).all()  # type: ignore[call-overload]
    return {lang: int(count) for lang, count in rows}


def read_status(engine: Engine, host: str = "") -> WatchStatus:
    """The watch's status from the archive (a few aggregate queries); ``host`` names the Russian site's
    host for a ``source-down`` incident opened before incidents were kept per host."""
    status = WatchStatus()
    with Session(engine) as session:
        ids = func.count(func.distinct(Item.id))
        status.items = session.exec(select(ids)).one()[0]  # type: ignore[call-overload]
        status.calls = session.exec(select(ids).where(Item.kind == CALL)).one()[0]  # type: ignore[call-overload]
        status.versions_by_lang = versions_by_lang(session)
        status.unreadable_calls = session.exec(  # type: ignore[call-overload]
            select(func.count()).select_from(CallEntry).where(CallEntry.readable == False)  # noqa: E712
        ).one()[0]
        for outcome, count in session.exec(select(Check.outcome, func.count()).group_by(Check.outcome)).all():  # type: ignore[call-overload]
            status.checks_by_outcome[outcome] = int(count)
        totals = session.exec(  # type: ignore[call-overload]
            select(func.sum(Check.new_items), func.sum(Check.changed_items), func.sum(Check.requests))
        ).one()
        status.items_new, status.items_changed, status.requests = (int(value or 0) for value in totals)
        for state, count in session.exec(
            select(OutboxEntry.status, func.count()).group_by(OutboxEntry.status)
        ).all():  # type: ignore[call-overload]
            status.alerts_by_status[state] = int(count)
        for mode in ("check", "backfill"):
            last = session.exec(  # type: ignore[call-overload]
                select(Check.finished_at, Check.outcome)
                .where(Check.finished_at.is_not(None), Check.mode == mode)  # type: ignore[union-attr]
                .order_by(Check.id.desc())  # type: ignore[union-attr]
                .limit(1)
            ).first()
            if last is None:
                continue
            if mode == "check":
                status.last_check_at, status.last_check_outcome = _aware(last[0]), last[1]
            else:
                status.last_backfill_at, status.last_backfill_outcome = _aware(last[0]), last[1]
        status.last_success_at = session.exec(  # type: ignore[call-overload]
            select(func.max(Check.finished_at)).where(
                Check.outcome.in_(["ok", "unchanged", "partial"]), Check.mode == "check"
            )  # type: ignore[attr-defined]
        ).one()[0]
        if isinstance(status.last_success_at, str):  # SQLite's max() bypasses the column type
            status.last_success_at = datetime.fromisoformat(status.last_success_at)
        if status.last_success_at is not None and status.last_success_at.tzinfo is None:
            status.last_success_at = status.last_success_at.replace(tzinfo=UTC)
        rows = session.exec(  # type: ignore[call-overload]
            select(CrawlState.key, CrawlState.value)
            .where(CrawlState.key.like(f"{INCIDENT_PREFIX}%"))  # type: ignore[attr-defined]
            .order_by(CrawlState.key)
        ).all()
        status.incidents = [OpenIncident.from_state(key, value, host) for key, value in rows]
        status.open_incidents = [incident.name for incident in status.incidents]
    return status


def archive_reachable(engine: Engine) -> str | None:
    """None when the archive answers, else the reason."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # any failure means "not reachable", and is reported as such
        return str(error).strip().splitlines()[0]
    return None


def health(
    engine: Engine, interval: float, started_at: datetime, now: datetime | None = None, host: str = ""
) -> tuple[bool, dict[str, object]]:
    """(healthy, details): healthy while a check finished within three intervals, the archive answers,
    and no incident is open (a site that refuses us is a watch that sees nothing, checks or not).

    A daemon that started less than three intervals ago is healthy before its first check ends.
    """
    now = now or utcnow()
    unreachable = archive_reachable(engine)
    if unreachable:
        return False, {"status": "unhealthy", "reason": f"archive unreachable: {unreachable}"}
    status = read_status(engine, host)
    window = timedelta(seconds=3 * interval)
    last = status.last_check_at
    details: dict[str, object] = {
        "last_check_at": last.isoformat() if last else None,
        "last_check_outcome": status.last_check_outcome,
        "last_success_at": status.last_success_at.isoformat() if status.last_success_at else None,
        "open_incidents": status.open_incidents,
    }
    if status.incidents:
        reason = "; ".join(incident.describe() for incident in status.incidents)
        return False, {"status": "unhealthy", "reason": reason, **details}
    if last is not None and now - last <= window:
        return True, {"status": "ok", **details}
    if now - started_at <= window:
        return True, {"status": "starting", **details}
    reason = "no check has finished yet" if last is None else f"the last check finished at {last.isoformat()}"
    return False, {"status": "unhealthy", "reason": f"{reason}, more than three intervals ago", **details}
