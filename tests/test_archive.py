"""The archive's write rules on SQLite and PostgreSQL: insert, completion, edits as revisions, races."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Session, select

from archive.backends import UnsupportedDatabase, backend_for
from archive.engine import make_engine
from archive.export import iter_items, write_export
from archive.migrate import current_revision, head_revision, upgrade
from archive.models import Item, ItemRevision
from archive.records import ItemRecord
from archive.store import ArchiveStore, Outcome

PUBLISHED = datetime(2021, 12, 30, 23, 20, tzinfo=UTC)


def export_text(engine: Engine, fmt: str, since: date | None = None, until: date | None = None) -> str:
    """The whole export as one string, as `kremlin-watch export` would write it."""
    buffer = io.StringIO()
    write_export(iter_items(engine, since, until), buffer, fmt)
    return buffer.getvalue()

def article(item_id: int = 67487, **changes: object) -> ItemRecord:
    record = ItemRecord(
        id=item_id,
        url=f"http://kremlin.ru/events/president/news/{item_id}",
        lang="ru",
        section="events/president/news",
        title="Телефонный разговор с Президентом США Джозефом Байденом",
        kind="call",
        lead="Состоялся телефонный разговор.",
        text="Абзац первый.\n\nАбзац второй.",
        published_at=PUBLISHED,
        place=None,
        topics=["Внешняя политика"],
        geography=["США"],
        persons=["Байден Джозеф"],
        source="article",
    )
    return replace(record, **changes)  # type: ignore[arg-type]


def feed_entry(item_id: int = 67487, **changes: object) -> ItemRecord:
    return replace(
        article(item_id), place=None, topics=None, geography=None, persons=None, source="feed", **changes
    )  # type: ignore[arg-type]


def rows(engine: sa.Engine) -> list[Item]:
    with Session(engine) as session:
        return list(session.exec(select(Item).order_by(Item.id)))


def revisions(engine: sa.Engine, item_id: int) -> list[ItemRevision]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(ItemRevision).where(ItemRevision.item_id == item_id).order_by(ItemRevision.version)
            )
        )


def test_migrations_reach_head_and_are_idempotent(engine: sa.Engine) -> None:
    assert current_revision(engine) == head_revision()
    upgrade(engine)
    assert current_revision(engine) == head_revision()


def test_new_item_is_stored_with_aware_utc_times(engine: sa.Engine) -> None:
    store = ArchiveStore(engine)
    assert store.store(article()).outcome is Outcome.NEW
    [row] = rows(engine)
    assert row.published_at == PUBLISHED
    assert row.published_at.tzinfo is not None
    assert row.first_seen_at.tzinfo is not None
    assert row.persons == ["Байден Джозеф"]
    assert row.details_pending is False
    assert row.version == 1


def test_same_article_twice_is_unchanged(engine: sa.Engine) -> None:
    store = ArchiveStore(engine)
    store.store(article())
    assert store.store(article()).outcome is Outcome.UNCHANGED
    assert len(rows(engine)) == 1
    assert revisions(engine, 67487) == []


def test_feed_then_article_completes_without_a_revision(engine: sa.Engine) -> None:
    store = ArchiveStore(engine)
    assert store.store(feed_entry(text="Feed rendering of the text.")).outcome is Outcome.NEW
    assert rows(engine)[0].details_pending is True
    assert store.store(article()).outcome is Outcome.COMPLETED
    [row] = rows(engine)
    assert row.details_pending is False
    assert row.text == "Абзац первый.\n\nАбзац второй."
    assert row.geography == ["США"]
    assert revisions(engine, 67487) == []


def test_feed_entry_never_overwrites_an_article(engine: sa.Engine) -> None:
    store = ArchiveStore(engine)
    store.store(article())
    assert store.store(feed_entry(text="Slightly different feed text")).outcome is Outcome.UNCHANGED
    assert rows(engine)[0].text == "Абзац первый.\n\nАбзац второй."


def test_edit_keeps_the_old_version_as_a_revision(engine: sa.Engine) -> None:
    store = ArchiveStore(engine)
    store.store(article())
    result = store.store(article(text="Абзац первый, исправленный.\n\nАбзац второй."))
    assert result.outcome is Outcome.CHANGED
    assert result.version == 2
    [row] = rows(engine)
    assert row.text.startswith("Абзац первый, исправленный.")
    [old] = revisions(engine, 67487)
    assert old.version == 1
    assert old.text == "Абзац первый.\n\nАбзац второй."
    assert old.persons == ["Байден Джозеф"]


def test_concurrent_writers_never_duplicate(engine: sa.Engine) -> None:
    store = ArchiveStore(engine)
    records = [article(item_id) for item_id in range(1000, 1040)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(store.store, records * 4))
    assert [o.outcome for o in outcomes].count(Outcome.NEW) == 40
    assert len(rows(engine)) == 40


def test_concurrent_identical_edits_make_one_revision(engine: sa.Engine) -> None:
    store = ArchiveStore(engine)
    store.store(article())
    edited = article(title="Телефонный разговор с Президентом США Джо Байденом")
    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = [r.outcome for r in pool.map(store.store, [edited] * 12)]
    assert outcomes.count(Outcome.CHANGED) == 1
    assert len(revisions(engine, 67487)) == 1
    assert rows(engine)[0].version == 2


def test_export_filters_by_moscow_day(engine: sa.Engine) -> None:
    store = ArchiveStore(engine)
    # 23:20 UTC on 30 December is 02:20 on 31 December in Moscow.
    store.store(article())
    store.store(article(2, published_at=datetime(2021, 12, 29, 12, 0, tzinfo=UTC), title="Другое"))
    assert '"id": 67487' in export_text(engine, "jsonl", since=datetime(2021, 12, 31).date())
    assert export_text(engine, "jsonl", until=datetime(2021, 12, 30).date()).count("\n") == 1
    csv_text = export_text(engine, "csv")
    assert csv_text.splitlines()[0].startswith("id,url,lang,section,kind,title")
    assert "Внешняя политика" in csv_text


def test_one_backend_object_answers_for_engine_connection_dialect_and_url(engine: sa.Engine) -> None:
    backend = backend_for(engine)
    assert backend.name == engine.dialect.name
    assert backend_for(engine.dialect) is backend
    assert backend_for(engine.url.render_as_string(hide_password=False)) is backend
    with engine.connect() as connection:
        assert backend_for(connection) is backend


def test_an_unsupported_database_is_refused_with_a_clear_error() -> None:
    with pytest.raises(UnsupportedDatabase, match="runs on postgresql or sqlite, not on 'mysql'"):
        make_engine("mysql://kw@127.0.0.1/archive")


def test_a_disabled_or_dropped_trigger_is_not_enabled(engine: sa.Engine) -> None:
    backend = backend_for(engine)
    queue = {"item_search_enqueue_insert", "item_search_enqueue_update"}
    with engine.begin() as connection:
        assert queue <= backend.enabled_triggers(connection, "item")
        assert not queue & backend.enabled_triggers(connection, "item_revision")
        if backend.name == "postgresql":
            connection.execute(sa.text("ALTER TABLE item DISABLE TRIGGER item_search_enqueue_update"))
        else:
            connection.execute(sa.text("DROP TRIGGER item_search_enqueue_update"))
        assert queue & backend.enabled_triggers(connection, "item") == {"item_search_enqueue_insert"}
