"""One row per check: opened when a crawl starts, closed with its counts and outcome."""

from __future__ import annotations

import json

from sqlalchemy import Engine, select, update
from sqlmodel import Field, Session, SQLModel

from archive.models import Check, CheckCounts
from archive.types import utcnow

#: Outcomes, from the best to the worst. "unchanged": the feed answered 304. "partial": some pages
#: failed but the check went on. "blocked": the site refused us (403/429) and we gave up for now.
#: "crashed": the process died or failed mid-crawl. "cancelled": stopped on purpose (SIGTERM).
OUTCOMES = ("ok", "unchanged", "partial", "blocked", "error", "crashed", "cancelled")

#: Whether the site answered the feed (a check) or the list pages (a backfill), and if not, why:
#: "answered" (read, or 304); "blocked" (403/429 that did not clear); "challenge" (an anti-bot or
#: captcha page instead of the site's); "unreachable" (timeout, DNS failure, connection refused or
#: reset); "server_error" (5xx after retries); "unusable" (an answer that is no feed: 404/410, zero
#: entries, a redirect to another host, a body cut short, too large or not in its encoding).
#: Everything but "answered" means the site did not answer: that is what "source down" counts.
SOURCE_STATES = ("answered", "blocked", "challenge", "unreachable", "server_error", "unusable")
ANSWERED = SOURCE_STATES[0]


class HostReport(SQLModel):
    """One origin's part of a check (a check reads kremlin.ru and en.kremlin.ru side by side)."""

    outcome: str
    source_state: str = ANSWERED
    source_reason: str = ""
    requests: int = 0
    new_items: int = 0
    gone_items: int = 0


class CheckSummary(CheckCounts):
    """What a check did, as counted by the crawler (the counts are `Check`'s columns)."""

    mode: str
    outcome: str = "ok"
    #: Article and list pages read without a parse error (a 304 feed proves nothing about the parser).
    html_pages_read: int = 0
    status_counts: dict[str, int] = Field(default_factory=dict)
    messages: list[str] = Field(default_factory=list)
    #: New items per language when a check read more than one origin ({"ru": 20, "en": 18}).
    new_by_lang: dict[str, int] = Field(default_factory=dict)
    #: Items whose own page answered 404/410 in this check (withdrawn: kept, not an error).
    gone_items: int = 0
    #: Whether the site answered the feed / list pages (one of `SOURCE_STATES`); with several hosts,
    #: "answered" only when every host did, else the first host's that did not.
    source_state: str = ANSWERED
    #: Why not, in words ("HTTP 403 ×4", "connection refused", "a captcha page"); "" when answered.
    source_reason: str = ""
    #: Per host (``kremlin.ru``, ``127.0.0.1:8081``): its outcome, source state and counts.
    hosts: dict[str, HostReport] = Field(default_factory=dict)

    def line(self) -> str:
        """The one-line summary printed at the end of a crawl."""
        by_lang = ", ".join(f"{lang} {count}" for lang, count in self.new_by_lang.items())
        text = (
            f"{self.mode}: {self.outcome}; pages {self.pages}, requests {self.requests}; items new "
            f"{self.new_items}{f' ({by_lang})' if len(self.new_by_lang) > 1 else ''} / changed "
            f"{self.changed_items} / unchanged {self.unchanged_items}; "
            f"errors {self.errors}"
        )
        if self.gone_items:
            text += f"; withdrawn {self.gone_items}"
        if self.messages:
            text += f" ({self.messages[0]})"
        return text


class CheckLog:
    """The archive's record of checks."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def open(self, mode: str) -> int:
        """Record that a check started; returns its id."""
        with Session(self.engine) as session:
            check = Check(mode=mode)
            session.add(check)
            session.commit()
            assert check.id is not None
            return check.id

    def close(self, check_id: int, summary: CheckSummary) -> None:
        """Record how the check ended."""
        facts: dict[str, object] = {
            "status": summary.status_counts,
            "messages": summary.messages[:20],
            "gone_items": summary.gone_items,
        }
        if summary.outcome != "crashed":  # a crash says nothing about the site
            facts["source_state"] = summary.source_state
            facts["source_reason"] = summary.source_reason
            facts["hosts"] = {host: report.model_dump() for host, report in summary.hosts.items()}
        detail = json.dumps(facts, ensure_ascii=False)
        with Session(self.engine) as session:
            session.exec(  # type: ignore[call-overload]
                update(Check)
                .where(Check.id == check_id)  # type: ignore[arg-type]
                .values(
                    finished_at=utcnow(),
                    outcome=summary.outcome,
                    detail=detail,
                    **summary.model_dump(include=set(CheckCounts.model_fields)),
                )
            )
            session.commit()

    def close_abandoned(self) -> int:
        """Mark checks left "running" by a process that died as "crashed"; returns how many."""
        with Session(self.engine) as session:
            result = session.exec(  # type: ignore[call-overload]
                update(Check)
                .where(Check.outcome == "running")
                .values(outcome="crashed", finished_at=utcnow())  # type: ignore[arg-type]
            )
            session.commit()
            return int(result.rowcount or 0)

    def recent(self, limit: int = 20, mode: str | None = None) -> list[Check]:
        """The newest finished checks first (of one mode, if given)."""
        statement = select(Check).where(Check.finished_at.is_not(None)).order_by(Check.id.desc()).limit(limit)  # type: ignore[union-attr]
        if mode is not None:
            statement = statement.where(Check.mode == mode)
        with Session(self.engine) as session:
            rows = list(session.exec(statement).scalars())  # type: ignore[call-overload]
            for row in rows:
                session.expunge(row)
            return rows


def source_of(check: Check) -> tuple[str, str] | None:
    """A recorded check's ``(source_state, source_reason)`` from its detail, or None for a check
    recorded before they were kept (or one that crashed before it could say)."""
    try:
        detail = json.loads(check.detail or "{}")
    except ValueError:
        return None
    state = detail.get("source_state") if isinstance(detail, dict) else None
    if state not in SOURCE_STATES:
        return None
    return state, str(detail.get("source_reason") or "")
