"""Batched archive writes (`ArchiveStore.store_batch`, `crawler.writer.ItemWriter`), on SQLite and
PostgreSQL: a batch with a broken item stores the others, the broken one is logged and skipped with
whatever its hooks wrote, and outbox rows exist exactly for the stored items; a crawl with a broken
item is ``partial``, not failed, and names it."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from alerts.destinations import parse_notify_setting
from alerts.rules import load_rules
from alerts.trigger import AlertTrigger
from archive.models import CallEntry, Item, ItemRevision, OutboxEntry
from archive.records import ItemRecord
from archive.store import ArchiveStore, Outcome, StoreFailure, StoreResult
from calls.ledger import CallRecorder
from crawler.writer import ItemWriter
from query.morphology import Lemmatizer
from replica.corpus import Corpus
from replica.server import ReplicaServer
from tests.conftest import ROOT, cli_env

#: Every call alerts this rule (no query), so each stored call has exactly one outbox row.
RULES = """
[[rule]]
name = "calls"
kinds = ["call"]
notify = ["desk"]
"""
BROKEN_ID = 70003


def call(item_id: int, **fields: object) -> ItemRecord:
    """A complete Russian call record (an article page's)."""
    values: dict[str, object] = {
        "id": item_id,
        "url": f"http://kremlin.ru/events/president/news/{item_id}",
        "lang": "ru",
        "section": "events/president/news",
        "title": "Телефонный разговор с Президентом Франции Эммануэлем Макроном",
        "kind": "call",
        "lead": "Состоялся телефонный разговор Владимира Путина с Президентом Франции Эммануэлем Макроном.",
        "text": f"Обсуждались вопросы двусторонних отношений ({item_id}).",
        "published_at": datetime(2022, 2, 20, 10, tzinfo=UTC),
        "topics": [],
        "geography": ["Франция"],
        "persons": ["Макрон Эммануэль"],
    }
    values.update(fields)
    return ItemRecord(**values)  # type: ignore[arg-type]


class Hooks:
    """A crawl's store hooks (call recorder, the rules' trigger), then one that breaks on
    `BROKEN_ID` AFTER the others wrote its call record and outbox row: those must go with it."""

    def __init__(self, engine: sa.Engine, tmp_path: Path, broken: int | None = BROKEN_ID) -> None:
        self.broken = broken
        rules_file = tmp_path / "rules.toml"
        rules_file.write_text(RULES, encoding="utf-8")
        destinations = parse_notify_setting("desk = json://127.0.0.1:9/")
        self.recorder = CallRecorder()
        self.trigger = AlertTrigger(engine, load_rules(rules_file, destinations), destinations, Lemmatizer())
        self.trigger.held_langs = frozenset({"ru"})  # not a baseline: new calls alert

    def __call__(self, session: Session, record: ItemRecord, result: StoreResult) -> None:
        self.recorder(session, record, result)
        self.trigger(session, record, result)
        if record.id == self.broken:
            raise ValueError(f"broken item {record.id}")


def stored(engine: sa.Engine) -> tuple[list[int], list[int], list[int]]:
    """The ids of the archived items, of their call rows and of their outbox rows."""
    with Session(engine) as session:
        items = sorted(session.exec(select(Item.id)).all())
        calls = sorted(session.exec(select(CallEntry.item_id)).all())
        alerts = sorted(session.exec(select(OutboxEntry.item_id)).all())
    return items, calls, alerts


def test_a_broken_item_is_undone_alone_with_its_call_record_and_outbox_rows(
    engine: sa.Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = ArchiveStore(engine)
    hooks = Hooks(engine, tmp_path)
    no_title = 70005  # broken in the database itself: NOT NULL
    records = [call(70001), call(70002), call(BROKEN_ID), call(70004), call(no_title, title=None), call(70006)]
    with caplog.at_level(logging.ERROR, logger="archive.store"):
        outcomes = store.store_batch(records, hooks)

    assert [type(outcome).__name__ for outcome in outcomes] == [
        "StoreResult", "StoreResult", "StoreFailure", "StoreResult", "StoreFailure", "StoreResult",
    ]  # fmt: skip
    assert {o.outcome for o in outcomes if isinstance(o, StoreResult)} == {Outcome.NEW}
    failures = [outcome for outcome in outcomes if isinstance(outcome, StoreFailure)]
    assert [(f.id, f.lang) for f in failures] == [(BROKEN_ID, "ru"), (no_title, "ru")]
    assert f"broken item {BROKEN_ID}" in failures[0].error
    assert "\n" not in failures[1].error
    good = [70001, 70002, 70004, 70006]
    assert stored(engine) == (good, good, good)  # the broken item's call row and alert went with it
    logged = [r.getMessage() for r in caplog.records]
    assert any(m.startswith(f"item {BROKEN_ID} (ru) not stored: ValueError") for m in logged)
    assert any(m.startswith(f"item {no_title} (ru) not stored:") for m in logged)

    # The next crawl stores the mended items, alerting each once; the others are unchanged.
    mended = Hooks(engine, tmp_path, broken=None)
    again = store.store_batch([call(70001), call(BROKEN_ID), call(no_title)], mended)
    assert [o.outcome for o in again] == [Outcome.UNCHANGED, Outcome.NEW, Outcome.NEW]  # type: ignore[union-attr]
    everything = sorted([*good, BROKEN_ID, no_title])
    assert stored(engine) == (everything, everything, everything)


def test_an_item_that_failed_only_in_its_batch_is_stored_alone(
    engine: sa.Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A failure that came from the batch, not the item (on PostgreSQL a deadlock with another
    crawl's batch), is tried once more in a transaction of its own: stored, alerted once, no error."""
    hooks = Hooks(engine, tmp_path, broken=None)
    failed_once: list[int] = []

    def hook(session: Session, record: ItemRecord, result: StoreResult) -> None:
        hooks(session, record, result)
        if record.id == BROKEN_ID and not failed_once:
            failed_once.append(record.id)
            raise sa.exc.OperationalError("INSERT …", {}, Exception("deadlock detected"))

    with caplog.at_level(logging.ERROR, logger="archive.store"):
        outcomes = ArchiveStore(engine).store_batch([call(70001), call(BROKEN_ID), call(70004)], hook)
    assert failed_once == [BROKEN_ID]
    assert [o.outcome for o in outcomes] == [Outcome.NEW] * 3  # type: ignore[union-attr]
    ids = [70001, BROKEN_ID, 70004]
    assert stored(engine) == (ids, ids, ids)
    assert not caplog.records


def test_a_batch_reads_each_item_afresh_as_separate_transactions_would(engine: sa.Engine) -> None:
    """An item twice in one batch (its list entry, then its page; then an edit of the page) gets the
    outcomes it would get from one transaction each: the rows written earlier in the batch count."""
    store = ArchiveStore(engine)
    listed = call(70001, source="list", text=None, lead=None, topics=None, persons=None, geography=None)
    page = call(70001)
    edited = call(70001, text="Обсуждались санкции.")
    outcomes = store.store_batch([listed, page, edited, page])
    assert [(o.outcome, o.version) for o in outcomes] == [  # type: ignore[union-attr]
        (Outcome.NEW, 1),
        (Outcome.COMPLETED, 1),
        (Outcome.CHANGED, 2),
        (Outcome.CHANGED, 3),  # the edit undone is an edit too
    ]
    with Session(engine) as session:
        row = session.get(Item, (70001, "ru"))
        assert row is not None and row.version == 3 and row.text == page.text and not row.details_pending


def test_the_writer_commits_once_per_batch_and_reports_every_record_in_order(engine: sa.Engine) -> None:
    commits: list[int] = []
    sa.event.listen(engine, "commit", lambda _connection: commits.append(1))
    heard: list[tuple[int, str]] = []

    def on_stored(record: ItemRecord, outcome: StoreResult | StoreFailure) -> None:
        heard.append((record.id, outcome.outcome.value if isinstance(outcome, StoreResult) else "failed"))

    writer = ItemWriter(ArchiveStore(engine), on_stored, batch_items=3, flush_after=3600)
    records = [call(80000 + n) for n in range(7)] + [call(80000, text="Обсуждались санкции.")]

    async def write() -> int:
        for record in records:
            await writer.add(record)
        written_before_close = len(heard)
        await writer.close()
        return written_before_close

    assert asyncio.run(write()) == 6  # two full batches as they filled; the rest waited for close
    assert heard == [(80000 + n, "new") for n in range(7)] + [(80000, "changed")]
    assert len(commits) == 3  # 3 + 3 + 2 records
    assert stored(engine)[0] == [80000 + n for n in range(7)]


def test_an_object_the_database_refuses_at_flush_costs_the_broken_item_only(engine: sa.Engine) -> None:
    """A hook that adds an ORM object the database refuses fails in the session's flush, which
    leaves the whole batch's session unusable: the writer then stores the batch one by one, so
    still only the broken item is lost."""

    def hook(session: Session, record: ItemRecord, result: StoreResult) -> None:
        if record.id == BROKEN_ID:
            session.add(ItemRevision(item_id=record.id, lang=record.lang, version=0, content_hash="x", title=None))

    heard: dict[int, str] = {}

    def on_stored(record: ItemRecord, outcome: StoreResult | StoreFailure) -> None:
        heard[record.id] = outcome.outcome.value if isinstance(outcome, StoreResult) else outcome.error

    writer = ItemWriter(ArchiveStore(engine), on_stored, hook)
    records = [call(70001), call(70002), call(BROKEN_ID), call(70004)]

    async def write() -> None:
        for record in records:
            await writer.add(record)
        await writer.close()

    asyncio.run(write())
    assert {item_id: outcome for item_id, outcome in heard.items() if item_id != BROKEN_ID} == {
        70001: "new", 70002: "new", 70004: "new",
    }  # fmt: skip
    assert heard[BROKEN_ID].startswith("IntegrityError")
    assert stored(engine)[0] == [70001, 70002, 70004]
    with Session(engine) as session:
        assert session.exec(select(ItemRevision)).all() == []


def test_the_writer_writes_a_waiting_record_without_a_full_batch(engine: sa.Engine) -> None:
    """A polite crawl (one page every few seconds) still writes each record soon after it came."""
    heard: list[int] = []
    writer = ItemWriter(ArchiveStore(engine), lambda record, _outcome: heard.append(record.id), flush_after=0.05)

    async def write() -> list[int]:
        await writer.add(call(90001))
        for _ in range(200):  # the flush runs in a worker thread: wait for it, however slow
            if heard:
                break
            await asyncio.sleep(0.05)
        written = list(heard)
        await writer.close()
        return written

    assert asyncio.run(write()) == [90001]
    assert stored(engine)[0] == [90001]


# --- a crawl with a broken item ----------------------------------------------------------------------

CRAWL_WITH_A_BROKEN_HOOK = textwrap.dedent(
    """
    import logging
    import sys
    from archive.engine import make_engine
    from archive.migrate import upgrade
    from crawler.plan import CrawlPlan
    from crawler.run import crawl, run_in_reactor
    from settings.loading import load_settings

    broken = int(sys.argv[1])
    logging.basicConfig(level=logging.WARNING)  # what the command line does: errors to stderr

    def hook(session, record, result):
        if record.id == broken:
            raise ValueError(f"broken item {record.id}")

    settings = load_settings()
    engine = make_engine(settings.database_url)
    upgrade(engine)
    plan = CrawlPlan(mode="backfill", pages=2, max_pages=settings.max_pages)
    summary = run_in_reactor(lambda: crawl(settings, engine, plan, hooks=(hook,)))
    print(summary.outcome)
    print(summary.line())
    print("\\n".join(summary.messages))
    """
)


@pytest.fixture
def site() -> Iterator[ReplicaServer]:
    with ReplicaServer(Corpus.generate(60, lang="ru", seed=7)) as server:
        yield server


def test_a_crawl_with_a_broken_item_is_partial_and_stores_the_rest(
    site: ReplicaServer, database_url: str, engine: sa.Engine, tmp_path: Path
) -> None:
    newest = [item.id for item in site.corpus.newest(40)]
    broken = newest[7]
    script = tmp_path / "crawl.py"
    script.write_text(CRAWL_WITH_A_BROKEN_HOOK, encoding="utf-8")
    env = cli_env()
    env.update(KREMLIN_WATCH_BASE_URL=site.base_url, KREMLIN_WATCH_DATABASE_URL=database_url, PYTHONPATH=str(ROOT))
    result = subprocess.run(
        [sys.executable, str(script), str(broken)], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    outcome, line, *messages = result.stdout.splitlines()
    assert outcome == "partial"
    assert "items new 39" in line and "errors 1" in line
    assert any(f"/{broken}: not stored (ValueError: broken item {broken})" in m for m in messages)
    assert f"item {broken} (ru) not stored: ValueError: broken item {broken}" in result.stderr
    assert stored(engine)[0] == sorted(set(newest) - {broken})



