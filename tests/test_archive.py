"""The archive's write rules on SQLite and PostgreSQL: insert, completion, edits as revisions, races."""

from __future__ import annotations

import csv
import io
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Session, select

import archive.export
from archive.backends import UnsupportedDatabase, backend_for
from archive.engine import make_engine
from archive.export import iter_items, iter_versions, write_export
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


def test_export_rows_are_language_versions(engine: sa.Engine) -> None:
    """Both versions of an item are exported, each with its language and url; a language filter
    keeps one."""
    store = ArchiveStore(engine)
    english = article(
        lang="en",
        url="http://en.kremlin.ru/events/president/news/67487",
        title="Telephone conversation with US President Joseph Biden",
        published_at=datetime(2021, 12, 31, 4, 0, tzinfo=UTC),
    )
    store.store(english)  # the English version stored first: the order is by the items, not by arrival
    store.store(article())
    jsonl = export_text(engine, "jsonl")
    assert [(line.count('"id": 67487'), '"lang": "ru"' in line) for line in jsonl.splitlines()] == [
        (1, True),
        (1, False),
    ]
    buffer = io.StringIO()
    assert write_export(iter_items(engine, lang="en"), buffer, "csv") == 1
    [row] = csv.DictReader(io.StringIO(buffer.getvalue()))
    assert (row["id"], row["url"], row["lang"]) == ("67487", english.url, "en")
    one_day = export_text(engine, "csv", since=date(2021, 12, 31), until=date(2021, 12, 31))
    assert [(row["id"], row["lang"]) for row in csv.DictReader(io.StringIO(one_day))] == [
        ("67487", "ru"),
        ("67487", "en"),
    ]


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


def english(item_id: int = 67487, **changes: object) -> ItemRecord:
    """The English twin of `article`: same id, en.kremlin.ru's address and words."""
    twin: dict[str, object] = {
        "url": f"http://en.kremlin.ru/events/president/news/{item_id}",
        "lang": "en",
        "title": "Telephone conversation with US President Joseph Biden",
        "lead": "Vladimir Putin had a telephone conversation with President of the United States Joseph Biden.",
        "text": "First paragraph.\n\nSecond paragraph.",
        "topics": ["Foreign policy"],
        "geography": ["USA"],
        "persons": ["Biden Joseph"],
    }
    return replace(article(item_id), **(twin | changes))  # type: ignore[arg-type]


def test_both_language_versions_of_an_id_are_kept_apart(engine: sa.Engine) -> None:
    store = ArchiveStore(engine)
    assert store.store(article()).outcome is Outcome.NEW
    twin = store.store(english())
    assert (twin.outcome, twin.lang, twin.version) == (Outcome.NEW, "en", 1)
    # An edit of the English version is a revision of that version only.
    edited = store.store(english(text="First paragraph.\n\nA new second paragraph."))
    assert (edited.outcome, edited.lang, edited.version) == (Outcome.CHANGED, "en", 2)
    assert store.store(article()).outcome is Outcome.UNCHANGED
    with Session(engine) as session:
        russian = session.get(Item, (67487, "ru"))
        english_row = session.get(Item, (67487, "en"))
        assert russian is not None and english_row is not None
        assert (russian.version, russian.title) == (1, article().title)
        assert (english_row.version, english_row.url) == (2, english().url)
    assert [(r.lang, r.version, r.text) for r in revisions(engine, 67487)] == [
        ("en", 1, "First paragraph.\n\nSecond paragraph.")
    ]
    assert store.held([67487], "en")[67487].details_pending is False
    assert store.held([67487, 1], "ru").keys() == {67487}
    assert [(item.id, item.lang) for item in iter_items(engine)] == [(67487, "ru"), (67487, "en")]
    assert [item.lang for item in iter_items(engine, lang="en")] == ["en"]


def test_chosen_versions_stream_in_the_order_of_the_whole_archive(
    engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`iter_versions` gives exactly the chosen versions `iter_items` gives, in its order (oldest
    first, Russian before English at the same moment), the day filter applied, across chunks."""
    monkeypatch.setattr(archive.export, "STREAM_CHUNK", 2)
    store = ArchiveStore(engine)
    moments = [datetime(2021, 12, day, 9, 0, tzinfo=UTC) for day in (28, 28, 29, 30, 31)]
    for item_id, moment in zip((5, 3, 4, 1, 2), moments, strict=True):
        store.store(article(item_id, published_at=moment, title=f"Новость {item_id}"))
        store.store(english(item_id, published_at=moment))
    every = [(item.id, item.lang) for item in iter_items(engine)]
    assert every[:4] == [(3, "ru"), (3, "en"), (5, "ru"), (5, "en")]
    chosen = {(3, "en"), (5, "ru"), (4, "ru"), (4, "en"), (2, "en"), (99, "ru")}
    streamed = [(item.id, item.lang, item.title) for item in iter_versions(engine, chosen)]
    assert [(item_id, lang) for item_id, lang, _ in streamed] == [key for key in every if key in chosen]
    assert streamed[1] == (5, "ru", "Новость 5")
    since = date(2021, 12, 29)
    assert [(item.id, item.lang) for item in iter_versions(engine, chosen, since=since)] == [
        (item.id, item.lang) for item in iter_items(engine, since=since) if (item.id, item.lang) in chosen
    ]
    assert list(iter_versions(engine, set())) == []


def _fill_0005(engine: sa.Engine) -> None:
    """An archive as kremlin-watch 0005 left it: one item per id, with a revision, alerts and a call."""
    from alembic import command

    from archive.migrate import alembic_config

    command.upgrade(alembic_config(engine), "0005")
    now = "2026-12-01 10:00:00.000000"
    item = (
        "INSERT INTO item (id, url, lang, section, kind, title, lead, text, published_at, topics,"
        " geography, persons, first_seen_at, updated_at, content_hash, source, details_pending, version)"
        " VALUES (:id, :url, :lang, 'events/president/news', :kind, :title, 'Лид.', 'Текст.', :now, '[]',"
        " '[]', '[]', :now, :now, 'h', 'article', false, :version)"
    )
    with engine.begin() as connection:
        for item_id, lang, kind, version in ((67487, "ru", "call", 2), (63907, "en", "news", 1)):
            connection.execute(
                sa.text(item),
                {"id": item_id, "url": f"http://x/{item_id}", "lang": lang, "kind": kind,
                 "title": f"Заголовок {item_id}", "now": now, "version": version},
            )
        connection.execute(sa.text(
            "INSERT INTO itemrevision (item_id, version, replaced_at, content_hash, title)"
            " VALUES (67487, 1, :now, 'old', 'Старый заголовок')"), {"now": now})
        outbox = (
            "INSERT INTO outbox (id, item_id, incident, item_version, rule, destination, destination_label,"
            " status, attempts, matches, digest, created_at, next_attempt_at)"
            " VALUES (:id, :item_id, :incident, 1, 'r', 'd', 'mailto://…', :status, 1, '[]', false, :now, :now)"
        )
        connection.execute(sa.text(outbox), {"id": 7, "item_id": 67487, "incident": None, "status": "sent", "now": now})
        connection.execute(sa.text(outbox), {"id": 8, "item_id": None, "incident": "source-down:1", "status": "pending", "now": now})
        connection.execute(sa.text(
            "INSERT INTO call (item_id, item_version, counterparts, countries, initiated_by, readable,"
            " reader, updated_at) VALUES (67487, 2, '[]', '[\"US\"]', '[\"US\"]', true, 1, :now)"), {"now": now})


def test_migration_0006_keeps_every_row_of_a_one_language_archive(database_url: str) -> None:
    from archive.models import CallEntry, ItemSearchQueue, OutboxEntry
    from archive.outbox import NewAlert, Outbox

    engine = make_engine(database_url)
    try:
        _fill_0005(engine)
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        with Session(engine) as session:
            items = session.exec(select(Item.id, Item.lang, Item.version).order_by(Item.id)).all()
            assert [tuple(row) for row in items] == [(63907, "en", 1), (67487, "ru", 2)]
            revision = session.exec(select(ItemRevision)).one()
            assert (revision.item_id, revision.lang, revision.title) == (67487, "ru", "Старый заголовок")
            outbox = {row.id: row for row in session.exec(select(OutboxEntry))}
            assert (outbox[7].item_id, outbox[7].item_lang, outbox[7].status, outbox[7].follow_up) == (
                67487, "ru", "sent", False)
            assert (outbox[8].item_lang, outbox[8].incident) == (None, "source-down:1")
            call = session.exec(select(CallEntry)).one()
            assert (call.item_id, call.lang, call.countries) == (67487, "ru", ["US"])
            queued = session.exec(select(ItemSearchQueue.item_id, ItemSearchQueue.lang)).all()
            assert sorted(tuple(row) for row in queued) == [(63907, "en"), (67487, "ru")]
        # The carried-over rows keep working: a new outbox row gets a fresh id, a twin is stored beside.
        outbox_rows = Outbox(engine)
        alert = NewAlert(item_id=67487, item_lang="ru", item_version=2, rule="r", destination="d",
                         destination_label="l", matches="[]")
        assert outbox_rows.enqueue([alert]) == 1
        assert ArchiveStore(engine).store(english()).outcome is Outcome.NEW
        with Session(engine) as session:
            assert max(row.id or 0 for row in session.exec(select(OutboxEntry))) == 9
    finally:
        engine.dispose()


def test_withdrawn_items_back_off_then_never_and_a_page_that_returns_clears_the_mark(engine: sa.Engine) -> None:
    """`mark_gone` and what the crawler asks of it: 1 h, 6 h, 24 h, then never; an article clears it."""
    from datetime import timedelta

    from archive.store import GONE_RETRIES

    store = ArchiveStore(engine)
    store.store(feed_entry(1))
    store.store(article(2))
    start = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    assert store.mark_gone([1, 2, 999], "ru", now=start) == 2  # an id not held is skipped
    assert store.mark_gone([1], "en", now=start) == 0  # another language's row is another row
    assert store.pending_details(20, "ru", now=start) == []
    held = store.held([1, 2], "ru")
    assert held[1].gone_at == start and not held[1].wants_page(start)
    assert held[1].wants_page(start + GONE_RETRIES[0])
    assert [item_id for item_id, _ in store.pending_details(20, "ru", now=start + GONE_RETRIES[0])] == [1, 2]
    moment = start
    for step in GONE_RETRIES[1:]:
        moment += timedelta(hours=1)
        store.mark_gone([1], "ru", now=moment)
        assert store.held([1], "ru")[1].gone_retry_at == moment + step
    store.mark_gone([1], "ru", now=moment)
    row = {item.id: item for item in rows(engine)}[1]
    assert (row.gone_at, row.gone_retry_at, row.gone_checks) == (start, None, 4)
    assert store.pending_details(20, "ru", now=moment + timedelta(days=365)) == [(2, article(2).url)]
    # Item 2's page is back (an article record as before): no longer withdrawn, nothing else changed.
    assert store.store(article(2)).outcome is Outcome.UNCHANGED
    row = {item.id: item for item in rows(engine)}[2]
    assert (row.gone_at, row.gone_retry_at, row.gone_checks, row.version) == (None, None, 0, 1)
    # Item 1's page is back with the full article: completed, no longer withdrawn.
    assert store.store(article(1)).outcome is Outcome.COMPLETED
    row = {item.id: item for item in rows(engine)}[1]
    assert (row.gone_at, row.details_pending) == (None, False)
    exported = export_text(engine, "csv").splitlines()[0].split(",")
    assert exported[-2:] == ["gone_at", "gone_retry_at"]
