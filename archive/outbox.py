"""The alert outbox: what must be sent, what was sent, and what failed, as rows in the archive.

Life of a row: ``pending`` → (claimed) ``sending`` → ``sent``; a failed send puts it back to
``pending`` with ``next_attempt_at`` pushed out, and after the configured give-up time it becomes
``failed``. A sender claims rows by moving them to ``sending`` in one guarded UPDATE, so two senders
never take the same row. A row left in ``sending`` by a process that died is taken again at once when
the dead process was on this host (`release_dead_claims`), otherwise once its claim is older than the
lease: that is the one case in which a message can go out twice (the send
happened, the "sent" mark did not), and it is documented in the README.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, and_, func, or_, select, update
from sqlmodel import Session

from archive.backends import backend_for
from archive.models import OutboxEntry
from archive.types import utcnow

STATUSES = ("pending", "sending", "sent", "failed")
#: The ``notice`` of a row that tells of an edit (the row names the new version), and of a withdrawal.
EDIT_NOTICE = "edit"
WITHDRAWN_NOTICE = "withdrawn"
#: How long a claim protects a row being sent; a longer-held claim belonged to a process that died.
CLAIM_LEASE = timedelta(minutes=5)


@dataclass(frozen=True)
class NewAlert:
    """An alert the rules decided on, before it is a row."""

    item_id: int | None
    item_version: int
    rule: str
    destination: str
    destination_label: str
    #: For item alerts: the matches as JSON. For notices: the notice's text as JSON.
    matches: str
    digest: bool = False
    incident: str | None = None
    #: The language version the row is about (None only for notices, which have no item).
    item_lang: str | None = None
    #: The short notice of a rule's ``follow_translation``: the item's other language appeared.
    follow_up: bool = False
    #: ``edit`` (an edit notice: ``item_version`` is the new version) or ``withdrawn`` (a withdrawal
    #: notice, keyed by its ``incident``); None for an alert.
    notice: str | None = None


class Outbox:
    """Read and write the outbox table."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def enqueue(self, alerts: Iterable[NewAlert], session: Session | None = None) -> int:
        """Insert rows for these alerts, skipping any triple that has one; returns how many were new.

        With ``session`` the rows join that transaction (the caller commits), else they are committed.
        """
        rows = [alert.__dict__ for alert in alerts]
        if not rows:
            return 0
        now = utcnow()
        statement = (
            backend_for(self.engine)
            .insert(OutboxEntry)
            .values([{**row, "created_at": now, "next_attempt_at": now} for row in rows])
            # No target: either unique key applies: (item, lang, version, rule, dest) or (incident, rule,
            # dest).
            .on_conflict_do_nothing()
            .returning(OutboxEntry.id)
        )
        if session is not None:
            return len(session.exec(statement).all())  # type: ignore[call-overload]
        with Session(self.engine) as own:
            inserted = len(own.exec(statement).all())  # type: ignore[call-overload]
            own.commit()
        return inserted

    def alerted(self, item_id: int, session: Session | None = None) -> dict[tuple[str, str], set[str]]:
        """What this item already has in the outbox, in one query: (rule, destination) -> the language
        versions that alerted it (follow-ups not counted: a follow-up names a version, it did not
        alert on it; an edit notice counts, it told of the item). A key is present when ANY such row
        exists, follow-up or not. Withdrawal notices are not counted: they are keyed by their
        incident and say nothing of what was alerted.

        Language-agnostic on purpose: the Russian and English pages of one id are one item, and an item
        alerts a rule and destination once (the twin at most gets a follow-up, see `alerts.trigger`).
        """
        statement = select(
            OutboxEntry.rule, OutboxEntry.destination, OutboxEntry.item_lang, OutboxEntry.follow_up
        ).where(OutboxEntry.item_id == item_id, OutboxEntry.incident.is_(None))  # type: ignore[union-attr]
        found: dict[tuple[str, str], set[str]] = {}
        if session is not None:
            rows = session.exec(statement).all()  # type: ignore[call-overload]
        else:
            with Session(self.engine) as own:
                rows = own.exec(statement).all()  # type: ignore[call-overload]
        for rule, destination, lang, follow_up in rows:
            langs = found.setdefault((rule, destination), set())
            if lang and not follow_up:
                langs.add(lang)
        return found

    def claim_due(
        self,
        *,
        now: datetime | None = None,
        ignore_backoff: bool = False,
        limit: int = 200,
        exclude: Collection[int] = (),
        claimer: str | None = None,
    ) -> list[OutboxEntry]:
        """Claim the rows that are due (or all pending ones with ``ignore_backoff``) for sending.

        ``exclude`` lists rows this sender already tried in the current round, so a row that failed
        and went back to pending is not taken again at once.
        """
        now = now or utcnow()
        due = OutboxEntry.status == "pending"
        if not ignore_backoff:
            due = and_(due, OutboxEntry.next_attempt_at <= now)  # type: ignore[assignment,arg-type,operator]
        abandoned = and_(OutboxEntry.status == "sending", OutboxEntry.claimed_at < now - CLAIM_LEASE)  # type: ignore[operator,arg-type]
        with Session(self.engine) as session:
            ids = list(
                session.exec(  # type: ignore[call-overload]
                    select(OutboxEntry.id)
                    .where(or_(due, abandoned), OutboxEntry.id.not_in(list(exclude)))  # type: ignore[union-attr]
                    .order_by(OutboxEntry.id)
                    .limit(limit)
                ).scalars()
            )
            claimed: list[OutboxEntry] = []
            for row_id in ids:
                result = session.exec(  # type: ignore[call-overload]
                    update(OutboxEntry)
                    .where(OutboxEntry.id == row_id, or_(due, abandoned))  # type: ignore[arg-type]
                    .values(
                        status="sending",
                        claimed_at=now,
                        claimed_by=claimer,
                        attempts=OutboxEntry.attempts + 1,
                    )
                )
                if result.rowcount == 1:
                    claimed.append(row_id)
            session.commit()
            rows = (
                list(session.exec(select(OutboxEntry).where(OutboxEntry.id.in_(claimed))).scalars())
                if claimed
                else []
            )  # type: ignore[call-overload,union-attr]
            for row in rows:
                session.expunge(row)
        return sorted(rows, key=lambda row: row.id or 0)

    def release_dead_claims(self, host: str, alive: Callable[[int], bool]) -> int:
        """Put back to pending the rows claimed by processes on ``host`` that are no longer alive.

        Without this a restarted daemon would wait out the claim lease (5 minutes) before sending
        what its killed predecessor had claimed. Claims of other hosts keep waiting for the lease.
        """
        with Session(self.engine) as session:
            rows = session.exec(  # type: ignore[call-overload]
                select(OutboxEntry.id, OutboxEntry.claimed_by).where(
                    OutboxEntry.status == "sending",
                    OutboxEntry.claimed_by.like(f"{host}:%"),  # type: ignore[union-attr]
                )
            ).all()
        dead = [row_id for row_id, claimer in rows if not alive(int(claimer.rsplit(":", 1)[1]))]
        self._set(dead, status="pending", claimed_at=None, claimed_by=None)
        return len(dead)

    def mark_sent(self, row_ids: Sequence[int]) -> None:
        """Record a successful send: these rows are never sent again."""
        self._set(row_ids, status="sent", sent_at=utcnow(), last_error=None, claimed_at=None, claimed_by=None)

    def mark_retry(self, row_ids: Sequence[int], error: str, next_attempt_at: datetime) -> None:
        """Record a failed send that will be tried again later."""
        self._set(
            row_ids, status="pending", last_error=error, next_attempt_at=next_attempt_at, claimed_at=None
        )

    def mark_failed(self, row_ids: Sequence[int], error: str) -> None:
        """Give up on these rows: they stay visible with their last error."""
        self._set(row_ids, status="failed", last_error=error, claimed_at=None)

    def _set(self, row_ids: Sequence[int], **values: object) -> None:
        if not row_ids:
            return
        with Session(self.engine) as session:
            session.exec(update(OutboxEntry).where(OutboxEntry.id.in_(list(row_ids))).values(**values))  # type: ignore[call-overload,union-attr]
            session.commit()

    def rows(self, statuses: Sequence[str] = (), limit: int = 1000) -> list[OutboxEntry]:
        """Outbox rows, newest first, optionally of some statuses."""
        statement = select(OutboxEntry).order_by(OutboxEntry.id.desc()).limit(limit)  # type: ignore[union-attr]
        if statuses:
            statement = statement.where(OutboxEntry.status.in_(list(statuses)))  # type: ignore[attr-defined]
        with Session(self.engine) as session:
            found = list(session.exec(statement).scalars())  # type: ignore[call-overload]
            for row in found:
                session.expunge(row)
        return found

    def counts(self) -> dict[str, int]:
        """How many rows are in each status."""
        with Session(self.engine) as session:
            pairs = session.exec(select(OutboxEntry.status, func.count()).group_by(OutboxEntry.status)).all()  # type: ignore[call-overload]
        return {status: 0 for status in STATUSES} | {status: int(count) for status, count in pairs}
