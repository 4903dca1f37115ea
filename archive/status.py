"""What the archive says about the watch: for `kremlin-watch status`, `/healthz` and `/metrics`.

Everything is read from the archive, so the command line (without a daemon) and the daemon's
endpoints say the same thing, and a standby daemon reports what the leader did.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, select, text
from sqlmodel import Session

from archive.models import CallEntry, Check, CrawlState, Item, OutboxEntry
from archive.types import utcnow
from archive.vocabulary import CALL


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
    last_check_at: datetime | None = None
    last_check_outcome: str | None = None
    last_success_at: datetime | None = None
    open_incidents: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        for key in ("last_check_at", "last_success_at"):
            value = data[key]
            data[key] = value.isoformat() if value else None
        return data


def read_status(engine: Engine) -> WatchStatus:
    """The watch's status from the archive (a few aggregate queries)."""
    status = WatchStatus()
    with Session(engine) as session:
        ids = func.count(func.distinct(Item.id))
        status.items = session.exec(select(ids)).one()[0]  # type: ignore[call-overload]
        status.calls = session.exec(select(ids).where(Item.kind == CALL)).one()[0]  # type: ignore[call-overload]
        for lang, count in session.exec(select(Item.lang, func.count()).group_by(Item.lang)).all():  # type: ignore[call-overload]
            status.versions_by_lang[lang] = int(count)
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
        last = session.exec(  # type: ignore[call-overload]
            select(Check.finished_at, Check.outcome)
            .where(Check.finished_at.is_not(None), Check.mode == "check")  # type: ignore[union-attr]
            .order_by(Check.id.desc())  # type: ignore[union-attr]
            .limit(1)
        ).first()
        if last is not None:
            status.last_check_at, status.last_check_outcome = last[0], last[1]
        status.last_success_at = session.exec(  # type: ignore[call-overload]
            select(func.max(Check.finished_at)).where(
                Check.outcome.in_(["ok", "unchanged", "partial"]), Check.mode == "check"
            )  # type: ignore[attr-defined]
        ).one()[0]
        if isinstance(status.last_success_at, str):  # SQLite's max() bypasses the column type
            status.last_success_at = datetime.fromisoformat(status.last_success_at)
        if status.last_success_at is not None and status.last_success_at.tzinfo is None:
            status.last_success_at = status.last_success_at.replace(tzinfo=UTC)
        status.open_incidents = [
            key.removeprefix("incident:")
            for key in session.exec(select(CrawlState.key).where(CrawlState.key.like("incident:%"))).scalars()  # type: ignore[call-overload,attr-defined]
        ]
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
    engine: Engine, interval: float, started_at: datetime, now: datetime | None = None
) -> tuple[bool, dict[str, object]]:
    """(healthy, details): healthy while a check finished within three intervals and the archive answers.

    A daemon that started less than three intervals ago is healthy before its first check ends.
    """
    now = now or utcnow()
    unreachable = archive_reachable(engine)
    if unreachable:
        return False, {"status": "unhealthy", "reason": f"archive unreachable: {unreachable}"}
    status = read_status(engine)
    window = timedelta(seconds=3 * interval)
    last = status.last_check_at
    details: dict[str, object] = {
        "last_check_at": last.isoformat() if last else None,
        "last_check_outcome": status.last_check_outcome,
        "last_success_at": status.last_success_at.isoformat() if status.last_success_at else None,
        "open_incidents": status.open_incidents,
    }
    if last is not None and now - last <= window:
        return True, {"status": "ok", **details}
    if now - started_at <= window:
        return True, {"status": "starting", **details}
    reason = "no check has finished yet" if last is None else f"the last check finished at {last.isoformat()}"
    return False, {"status": "unhealthy", "reason": f"{reason}, more than three intervals ago", **details}

