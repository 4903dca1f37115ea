"""Search, show and stats on SQLite and PostgreSQL: semantics, filters, order, pages, the index kept
current (and right when it lags), identical answers on both backends, and the command line."""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterator
from dataclasses import asdict, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from sqlmodel import Session

import search.engine as search_engine
from archive.engine import make_engine
from archive.migrate import alembic_config, upgrade
from archive.models import CallEntry
from archive.records import ItemRecord
from archive.store import ArchiveStore
from query.document import FIELDS, IndexedDocument
from query.evaluate import compile_query
from query.morphology import Lemmatizer
from query.syntax import parse_query
from replica.corpus import Corpus
from search.engine import SearchError, search
from search.index import IndexWriter
from search.plan import plan_query
from search.request import SearchRequest
from search.show import item_versions, item_with_revisions
from search.stats import counts
from search.terms import TermAnalyser, indexable, key_version, sort_key
from tests.conftest import cli_env, run_cli

MOSCOW_NEW_YEAR_EVE = datetime(2021, 12, 30, 23, 30, tzinfo=UTC)  # 31 Dec 02:30 in Moscow


@pytest.fixture(scope="module")
def lemmatizer() -> Lemmatizer:
    return Lemmatizer()


def record(item_id: int, title: str, **fields: object) -> ItemRecord:
    """An article record; ``published_at`` defaults to a distinct day per id (newer id, newer day)."""
    base = ItemRecord(
        id=item_id,
        url=f"http://kremlin.ru/events/president/news/{item_id}",
        lang="ru",
        section="events/president/news",
        title=title,
        kind="news",
        lead=None,
        text=None,
        published_at=datetime(2020, 1, 1, 9, 0, tzinfo=UTC) + timedelta(days=item_id % 1000),
        place=None,
        topics=[],
        geography=[],
        persons=[],
        source="article",
    )
    return replace(base, **fields)  # type: ignore[arg-type]


def store(engine: sa.Engine, *records: ItemRecord) -> None:
    archive = ArchiveStore(engine)
    for item in records:
        archive.store(item)


def ids(engine: sa.Engine, query: str, lemmatizer: Lemmatizer, **options: object) -> list[int]:
    result = search(engine, SearchRequest(query, limit=1000, **options), lemmatizer)  # type: ignore[arg-type]
    assert result.total == len(result.hits)
    return [hit.item["id"] for hit in result.hits]


SEMANTICS = (
    record(
        1,
        "Телефонный разговор с Президентом США Джозефом Байденом",
        kind="call",
        text="Обсуждались меры, связанные с санкциями против России.",
        persons=["Байден Джозеф"],
        geography=["США"],
        topics=["Внешняя политика"],
    ),
    record(
        2,
        "Встреча с Президентом Франции",
        kind="meeting",
        place="Москва, Кремль",
        text="Речь шла о юридических гарантиях безопасности и о НАТО.",
        persons=["Макрон Эммануэль"],
        geography=["Франция"],
        topics=["Внешняя политика", "Безопасность"],
    ),
    record(
        3,
        "Совещание с членами Правительства",
        kind="meeting",
        text="Гарантии юридические — так было сказано. Санкции против экономики не работают.",
        topics=["Экономика"],
    ),
    record(4, "Указ о награждении", kind="decree", text="Наградить орденом.", persons=["Ниинистё Саули"]),
    record(
        5,
        "Telephone conversation with President of France Emmanuel Macron",
        kind="call",
        lang="en",
        text="The sides discussed sanctions and security guarantees.",
        persons=["Macron Emmanuel"],
    ),
    record(
        6,
        "Поздравление с Новым годом",
        kind="greeting",
        published_at=MOSCOW_NEW_YEAR_EVE,
        text="Поздравил граждан. Российско-американских отношений не касался.",
        persons=["Путин Владимир"],
    ),
)


@pytest.fixture(params=[False, True], ids=["index lagging", "indexed"])
def semantic(request: pytest.FixtureRequest, engine: sa.Engine, lemmatizer: Lemmatizer) -> sa.Engine:
    """The `SEMANTICS` items, once not indexed at all (every answer from the exact matcher over
    uncovered items) and once indexed."""
    store(engine, *SEMANTICS)
    if request.param:
        assert IndexWriter(engine, lemmatizer).update() == len(SEMANTICS)
    return engine


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("санкции", [3, 1]),  # «санкциями», «Санкции»
        ("санкциями", [3, 1]),
        ("Байден", [1]),  # «Байденом» in the title, «Байден Джозеф» in persons
        ("Байденом", [1]),
        ("sanction", [5]),
        ("гарантии", [3, 2]),
        ('"юридические гарантии"', [2]),  # not «Гарантии юридические»
        ("«юридических гарантий»", [2]),
        ("санкции NOT экономика", [1]),
        ("санкции -экономика", [1]),
        ("title:Байден", [1]),
        ("persons:Байден", [1]),
        ("text:Байден", []),
        ("persons:Macron OR geography:Франция", [5, 2]),
        ("безопасн*", [2]),
        ("санкциям*", [1]),  # a spelling, not a lemma: «санкциями» begins so, «санкция» does not
        ("Президент AND (Франции OR США)", [2, 1]),
        ("Президент NOT title:Франции", [1]),
        ("американских", [6]),  # half of «российско-американских»
        ("российско-американские", [6]),
        ("place:Кремль", [2]),
        ("Ниинисте", [4]),  # ё = е
        ("нобелевская", []),
    ],
)
def test_query_semantics(
    semantic: sa.Engine, lemmatizer: Lemmatizer, query: str, expected: list[int]
) -> None:
    assert ids(semantic, query, lemmatizer) == expected


def test_filters(semantic: sa.Engine, lemmatizer: Lemmatizer) -> None:
    everything = ids(semantic, "", lemmatizer)
    assert everything == [6, 5, 4, 3, 2, 1]
    # Item 6 was published at 23:30 UTC on 30 December: 31 December in Moscow.
    assert 6 not in ids(semantic, "", lemmatizer, until=date(2021, 12, 30))
    assert 6 in ids(semantic, "", lemmatizer, until=date(2021, 12, 31))
    assert ids(semantic, "", lemmatizer, since=date(2021, 12, 31), until=date(2021, 12, 31)) == [6]
    assert ids(semantic, "", lemmatizer, since=date(2020, 1, 3), until=date(2020, 1, 4)) == [3, 2]
    assert ids(semantic, "", lemmatizer, kind="call") == [5, 1]
    assert ids(semantic, "", lemmatizer, lang="en") == [5]
    assert ids(semantic, "", lemmatizer, person="Макрон") == [2]
    assert ids(semantic, "", lemmatizer, person="макрон") == [2]  # case-insensitive, a part of the entry
    assert ids(semantic, "", lemmatizer, person="macron") == [5]
    assert ids(semantic, "", lemmatizer, person="Ниинисте") == [4]  # ё = е
    assert ids(semantic, "", lemmatizer, topic="безопасн") == [2]
    assert ids(semantic, "", lemmatizer, topic="внешняя политика") == [2, 1]
    assert ids(semantic, "санкции", lemmatizer, kind="meeting") == [3]
    assert ids(semantic, "Президент", lemmatizer, person="байден", kind="call") == [1]
    assert ids(semantic, "Президент", lemmatizer, kind="unusual-kind") == []
    assert ids(semantic, "санкции", lemmatizer, since=date(2020, 1, 3)) == [3]


def test_order_pages_and_total(engine: sa.Engine, lemmatizer: Lemmatizer) -> None:
    store(
        engine,
        record(10, "О санкциях", text="Санкции, санкции и ещё раз санкции."),  # title 3 + text 3
        record(11, "Совещание", text="Про санкции."),
        record(12, "Санкции", text="Ни слова больше."),  # title 3
        record(13, "Совещание", text="Санкции и санкции."),
        record(14, "Другое", text="Ничего."),
    )
    IndexWriter(engine, lemmatizer).update()
    by_date = search(engine, SearchRequest("санкции"), lemmatizer)
    assert [hit.item["id"] for hit in by_date.hits] == [13, 12, 11, 10]
    assert by_date.total == 4
    by_relevance = search(engine, SearchRequest("санкции", sort="relevance"), lemmatizer)
    assert [(hit.item["id"], hit.score) for hit in by_relevance.hits] == [
        (10, 6.0),
        (12, 3.0),
        (13, 2.0),
        (11, 1.0),
    ]
    page = search(engine, SearchRequest("санкции", limit=2, offset=1), lemmatizer)
    assert [hit.item["id"] for hit in page.hits] == [12, 11]
    assert page.total == 4
    beyond = search(engine, SearchRequest("санкции", limit=5, offset=10), lemmatizer)
    assert beyond.hits == [] and beyond.total == 4
    phrase_page = search(engine, SearchRequest('"санкции и"', limit=1), lemmatizer)
    assert [hit.item["id"] for hit in phrase_page.hits] == [13] and phrase_page.total == 2
    [hit] = search(engine, SearchRequest("санкции", limit=1), lemmatizer).hits
    assert [(s.field, s.text[start:end]) for s in hit.snippets for start, end in s.highlights] == [
        ("text", "Санкции"),
        ("text", "санкции"),
    ]
    listing = search(engine, SearchRequest("", limit=2), lemmatizer)
    assert [hit.item["id"] for hit in listing.hits] == [14, 13] and listing.total == 5
    assert all(not hit.snippets for hit in listing.hits)
    assert json.loads(json.dumps(hit.to_json()))["snippets"][0]["highlights"] == [
        list(hit.snippets[0].highlights[0])
    ]


def test_phrases_and_the_title_by_positions(engine: sa.Engine, lemmatizer: Lemmatizer) -> None:
    """Index format 3 answers phrases, hyphenated words and ``title:`` by word positions: a word with
    several lemmas («стали»: сталь, стать; «Путин»: путин, путина) is found by any of them in a
    phrase, and a phrase never runs from one field or list entry into the next."""
    store(
        engine,
        record(90, "Стали известны итоги", text="Цены на стали выросли."),
        record(91, "Итоги", text="Известны стали цены.", topics=["Итоги известны"]),
        record(92, "Разговор", lead="Мы стали", text="известны всем."),  # across fields
        record(93, "Указ", persons=["Владимир Путин"], text="Российско-американские отношения."),
        record(94, "Указ", persons=["Сергей Владимир", "Путин Иван"]),  # across list entries
    )
    IndexWriter(engine, lemmatizer).update()
    assert ids(engine, '"стали известны"', lemmatizer) == [90]
    assert ids(engine, '"стать известный"', lemmatizer) == [90]
    assert ids(engine, '"сталь известный"', lemmatizer) == [90]
    assert ids(engine, '"известны стали"', lemmatizer) == [91]
    assert ids(engine, '"итоги известны"', lemmatizer) == [91]
    assert ids(engine, '"Владимир Путин"', lemmatizer) == [93]
    assert ids(engine, "российско-американские", lemmatizer) == [93]
    assert ids(engine, "title:итоги", lemmatizer) == [91, 90]
    assert ids(engine, 'title:"стали известны"', lemmatizer) == [90]
    assert ids(engine, "title:стали", lemmatizer) == [90]
    assert ids(engine, "итоги NOT title:итоги", lemmatizer) == []
    assert ids(engine, "стали NOT title:стали", lemmatizer) == [92, 91]
    assert ids(engine, '"стали известны" OR "Владимир Путин"', lemmatizer) == [93, 90]
    ranked = search(engine, SearchRequest("итоги", sort="relevance"), lemmatizer)
    assert [hit.item["id"] for hit in ranked.hits] == [90, 91] or [hit.item["id"] for hit in ranked.hits] == [
        91,
        90,
    ]
    assert ranked.total == 2


def test_a_long_text_keeps_its_phrases(engine: sa.Engine, lemmatizer: Lemmatizer) -> None:
    """PostgreSQL keeps 16,383 positions and 256 per lexeme: a longer text is marked ``capped`` and
    its phrases are checked by the matcher, so nothing is lost (SQLite has no such limit)."""
    filler = " ".join(["слово"] * 17_000)
    store(
        engine,
        record(95, "Стенограмма", text=f"{filler} юридические гарантии"),
        record(96, "Указ", text="Гарантии юридические. Слово"),
    )
    IndexWriter(engine, lemmatizer).update()
    assert ids(engine, '"юридические гарантии"', lemmatizer) == [95]
    assert ids(engine, '"гарантии юридические"', lemmatizer) == [96]
    assert ids(engine, '"слово слово"', lemmatizer) == [95]
    assert ids(engine, '"слово юридические"', lemmatizer) == [95]
    ranked = search(engine, SearchRequest('"юридические гарантии" OR "гарантии юридические"', sort="relevance"), lemmatizer)
    assert sorted(hit.item["id"] for hit in ranked.hits) == [95, 96] and ranked.total == 2
    with engine.connect() as connection:
        capped = dict(connection.execute(sa.text("SELECT item_id, capped FROM item_search")).all())
    assert capped == {95: engine.dialect.name == "postgresql", 96: False}


def test_migration_0009_round_trip(database_url: str, lemmatizer: Lemmatizer) -> None:
    """0009 (positions) empties the index and queues every version, both ways; searches stay right
    meanwhile."""
    engine = make_engine(database_url)
    upgrade(engine)
    store(engine, record(97, "Телефонный разговор", text="О санкциях."), record(98, "Указ", text="Разговор телефонный."))
    writer = IndexWriter(engine, lemmatizer)
    assert writer.update() == 2
    config = alembic_config(engine)
    command.downgrade(config, "0008")
    with engine.connect() as connection:
        assert _state(engine) == (0, 2)
        columns = {column["name"] for column in sa.inspect(connection).get_columns("item_search")}
        assert "vector" not in columns and "title_terms" not in columns
        assert not sa.inspect(connection).has_table("item_search_token")
    command.upgrade(config, "head")
    assert _state(engine) == (0, 2) and writer.pending() == 2
    assert ids(engine, '"телефонный разговор"', lemmatizer) == [97]  # not indexed: matched one by one
    assert writer.update() == 2
    assert ids(engine, '"телефонный разговор"', lemmatizer) == [97]
    assert ids(engine, '"разговор телефонный"', lemmatizer) == [98]
    engine.dispose()


def test_bad_requests(engine: sa.Engine, lemmatizer: Lemmatizer) -> None:
    with pytest.raises(SearchError, match="unterminated quote"):
        search(engine, SearchRequest('"санкции'), lemmatizer)
    with pytest.raises(SearchError, match="nothing to subtract"):
        search(engine, SearchRequest("NOT НАТО"), lemmatizer)
    with pytest.raises(SearchError, match="sort"):
        search(engine, SearchRequest("НАТО", sort="random"), lemmatizer)
    with pytest.raises(SearchError, match="after"):
        search(engine, SearchRequest("НАТО", since=date(2022, 1, 2), until=date(2022, 1, 1)), lemmatizer)
    with pytest.raises(SearchError, match="negative"):
        search(engine, SearchRequest("НАТО", offset=-1), lemmatizer)


def _state(engine: sa.Engine) -> tuple[object, ...]:
    with engine.connect() as connection:
        return tuple(
            connection.execute(sa.text(f"SELECT count(*) FROM {name}")).scalar_one()
            for name in ("item_search", "item_search_queue")
        )


def test_search_is_right_while_the_index_lags_and_never_writes(
    engine: sa.Engine, lemmatizer: Lemmatizer
) -> None:
    writer = IndexWriter(engine, lemmatizer)
    store(
        engine,
        record(20, "Совещание по экономике", text="О санкциях."),
        record(21, "Указ", text="Наградить."),
    )
    assert writer.pending() == 2
    assert writer.update() == 2 and writer.pending() == 0
    # New items, an edit and a completion arrive; nobody reindexes.
    store(
        engine,
        record(22, "Встреча", text="Обсуждались санкции."),
        record(21, "Указ", text="Наградить за противодействие санкциям."),  # an edit: version 2
    )
    store(engine, record(23, "Разговор", text="Про НАТО.", source="feed", persons=None))
    store(engine, record(23, "Разговор", text="Про НАТО.", persons=["Байден Джозеф"]))  # completed, version 1
    store(engine, record(20, "Совещание по экономике", text="О бюджете."))  # no more sanctions
    assert writer.pending() == 4
    before = _state(engine)
    assert ids(engine, "санкции", lemmatizer) == [22, 21]
    assert ids(engine, "бюджет", lemmatizer) == [20]
    assert ids(engine, "persons:Байден", lemmatizer) == [23]
    assert ids(engine, "Байден", lemmatizer, person="Байден") == [23]
    assert search(engine, SearchRequest("санкции", sort="relevance"), lemmatizer).total == 2
    assert ids(engine, "", lemmatizer) == [23, 22, 21, 20]
    assert _state(engine) == before  # searching wrote nothing
    assert writer.update() == 4 and writer.pending() == 0
    assert ids(engine, "санкции", lemmatizer) == [22, 21]
    assert ids(engine, "persons:Байден", lemmatizer) == [23]


def test_search_without_the_queue_triggers_matches_everything(
    engine: sa.Engine, lemmatizer: Lemmatizer
) -> None:
    """A batch migration on SQLite drops the triggers of a table it re-creates: search must stay right."""
    store(engine, record(30, "Встреча", text="О санкциях."))
    IndexWriter(engine, lemmatizer).update()
    on = " ON item" if engine.dialect.name == "postgresql" else ""
    with engine.begin() as connection:
        for name in ("item_search_enqueue_insert", "item_search_enqueue_update"):
            connection.execute(sa.text(f"DROP TRIGGER {name}{on}"))
    store(engine, record(31, "Совещание", text="Санкции."), record(30, "Встреча", text="О погоде."))
    assert ids(engine, "санкции", lemmatizer) == [31]
    assert ids(engine, "", lemmatizer) == [31, 30]
    writer = IndexWriter(engine, lemmatizer)
    assert writer.pending() == 2  # found by comparing rows with items
    assert writer.update() == 2 and writer.pending() == 0


def test_rows_of_another_analyser_are_not_trusted(engine: sa.Engine, lemmatizer: Lemmatizer) -> None:
    """After an upgrade of pymorphy3 (or of the index format) old rows may hold other lemmas."""
    store(engine, record(35, "Встреча", text="О санкциях."), record(36, "Указ", text="О санкциях."))
    writer = IndexWriter(engine, lemmatizer)
    writer.update()
    with engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE item_search SET lemmas = 'прочее', analyser = 'old' WHERE item_id = 35")
        )
        # A key of another layout, which read as this one names another version (36 in 1900).
        misread = sort_key(datetime(1900, 1, 1, 12, tzinfo=UTC), 36, "ru")
        connection.execute(sa.text(f"UPDATE item_search SET sort_key = {misread} WHERE item_id = 35"))
    assert ids(engine, "санкции", lemmatizer) == [36, 35]
    assert ids(engine, "прочее", lemmatizer) == []
    assert ids(engine, "санкции OR прочее", lemmatizer) == [36, 35]  # the old row does not count as 36
    assert writer.pending() == 1
    assert writer.update() == 1 and writer.pending() == 0
    assert ids(engine, "санкции", lemmatizer) == [36, 35]


def _insert_old_rows(engine: sa.Engine, *records: ItemRecord) -> None:
    """Items written as an archive of an older schema holds them (whatever columns it has then)."""
    table = sa.Table("item", sa.MetaData(), autoload_with=engine)
    now = datetime.now(UTC)
    rows = []
    for item in records:
        values = {**asdict(item), "first_seen_at": now, "updated_at": now}
        values |= {"content_hash": f"hash-{item.id}", "details_pending": False, "version": 1}
        rows.append({column.name: values.get(column.name) for column in table.columns})
    with engine.begin() as connection:
        connection.execute(table.insert(), rows)


def test_upgrade_from_0003_with_items(database_url: str, lemmatizer: Lemmatizer) -> None:
    """Items held before the index (0004) and before language versions (0006) are queued by the
    upgrade, found before they are indexed, and indexed as versions afterwards."""
    engine = make_engine(database_url)
    command.upgrade(alembic_config(engine), "0003")
    _insert_old_rows(
        engine, record(40, "Разговор с Байденом", text="О санкциях."), record(41, "Указ", text="Наградить.")
    )
    upgrade(engine)
    writer = IndexWriter(engine, lemmatizer)
    assert writer.pending() == 2  # every item held before is queued
    assert ids(engine, "санкции", lemmatizer) == [40]  # and found before it is indexed
    assert writer.update() == 2
    assert ids(engine, "Байден", lemmatizer) == [40]
    assert [hit.item["lang"] for hit in search(engine, SearchRequest("Байден"), lemmatizer).hits] == ["ru"]
    engine.dispose()


def test_show_with_revisions(engine: sa.Engine) -> None:
    first = record(50, "Телефонный разговор с Президентом Финляндии", text="Обсуждались вопросы торговли.")
    store(engine, first)
    store(engine, replace(first, title="Телефонный разговор с Президентом Финляндии Александром Стуббом"))
    store(
        engine,
        replace(
            first,
            title="Телефонный разговор с Президентом Финляндии Александром Стуббом",
            text="Обсуждались вопросы торговли и безопасности.",
            persons=["Стубб Александр"],
        ),
    )
    data = item_with_revisions(engine, 50)
    assert data is not None and data["version"] == 3
    assert data["text"] == "Обсуждались вопросы торговли и безопасности."
    assert [revision["version"] for revision in data["revisions"]] == [1, 2]
    # Each revision's changes: the structured diff of the edit that replaced it (edits.diff).
    first, second = (revision["changes"] for revision in data["revisions"])
    assert first["summary"] == "title reworded" and not first["cosmetic"]
    [title] = first["fields"]
    [sentence] = title["sentences"]
    assert sentence["op"] == "changed" and sentence["segments"][-1] == {
        "op": "added",
        "text": " Александром Стуббом",  # a segment carries the space before it
    }
    assert second["summary"] == "text: 1 sentence changed; persons: +Стубб Александр"
    text, persons = second["fields"]
    assert [(s["op"], s["text"]) for s in text["sentences"][0]["segments"]] == [
        ("equal", "Обсуждались вопросы торговли"),
        ("added", " и безопасности"),
        ("equal", "."),
    ]
    assert (persons["field"], persons["added_entries"], persons["removed_entries"]) == (
        "persons",
        ["Стубб Александр"],
        [],
    )
    assert json.loads(json.dumps(data))["revisions"][1]["replaced_at"]
    assert data["revisions"][0]["cosmetic"] is False
    assert item_with_revisions(engine, 51) is None


def test_stats_counts(engine: sa.Engine) -> None:
    store(
        engine,
        record(
            60,
            "А",
            kind="call",
            published_at=datetime(2022, 1, 31, 21, 30, tzinfo=UTC),  # 1 Feb, Moscow
            persons=["Байден Джозеф", "Макрон Эммануэль"],
            geography=["США"],
        ),
        record(
            61,
            "Б",
            kind="call",
            published_at=datetime(2022, 1, 15, tzinfo=UTC),
            persons=["Байден Джозеф"],
            geography=["США", "Франция"],
        ),
        record(62, "В", kind="decree", published_at=datetime(2022, 4, 1, tzinfo=UTC), persons=[]),
    )
    assert counts(engine, "month") == [("2022-01", 1), ("2022-02", 1), ("2022-03", 0), ("2022-04", 1)]
    assert counts(engine, "month", limit=2) == [("2022-03", 0), ("2022-04", 1)]
    assert counts(engine, "kind") == [("call", 2), ("decree", 1)]
    assert counts(engine, "person") == [("Байден Джозеф", 2), ("Макрон Эммануэль", 1)]
    assert counts(engine, "geography", limit=1) == [("США", 2)]
    assert counts(engine, "kind", since=date(2022, 2, 1)) == [("call", 1), ("decree", 1)]
    assert counts(engine, "person", until=date(2022, 1, 31)) == [("Байден Джозеф", 1)]
    with pytest.raises(ValueError, match="cannot count by"):
        counts(engine, "weekday")


# --- both language versions of an item ----------------------------------------------------------

TWIN_DAY = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
RU_TWIN = record(
    80,
    "Телефонный разговор с Президентом Франции Эммануэлем Макроном",
    kind="call",
    published_at=TWIN_DAY,
    text="Обсуждались санкции и вопросы безопасности.",
    persons=["Макрон Эммануэль"],
)
EN_TWIN = replace(
    RU_TWIN,
    lang="en",
    url="http://en.kremlin.ru/events/president/news/80",
    title="Telephone conversation with President of France Emmanuel Macron",
    published_at=TWIN_DAY + timedelta(hours=3),  # the English page appears hours later
    text="The sides discussed sanctions and security issues.",
    persons=["Macron Emmanuel"],
)
OTHER = record(81, "Указ о награждении", kind="decree", published_at=TWIN_DAY + timedelta(days=1))


def versions(
    engine: sa.Engine, query: str, lemmatizer: Lemmatizer, **options: object
) -> list[tuple[int, str]]:
    """The (id, lang) of every hit, in order."""
    result = search(engine, SearchRequest(query, limit=1000, **options), lemmatizer)  # type: ignore[arg-type]
    assert result.total == len(result.hits)
    return [(hit.item["id"], hit.item["lang"]) for hit in result.hits]


def store_call(engine: sa.Engine, item_id: int, lang: str, countries: list[str], name: str) -> None:
    """A version's call record, as its own language's reader would have made it."""
    with Session(engine) as session:
        session.add(
            CallEntry(
                item_id=item_id,
                lang=lang,
                item_version=1,
                counterparts=[{"name": name, "office": None, "country": countries[0]}],
                countries=countries,
                initiated_by=[],
                reader=1,
            )
        )
        session.commit()


@pytest.fixture(params=[False, True], ids=["index lagging", "indexed"])
def twins(request: pytest.FixtureRequest, engine: sa.Engine, lemmatizer: Lemmatizer) -> sa.Engine:
    """Item 80 in Russian and in English (each with its call record), item 81 in Russian only."""
    store(engine, RU_TWIN, EN_TWIN, OTHER)
    store_call(engine, 80, "ru", ["FR"], "Макрон Эммануэль")
    store_call(engine, 80, "en", ["FR"], "Emmanuel Macron")
    if request.param:
        assert IndexWriter(engine, lemmatizer).update() == 3
    return engine


def test_a_search_finds_each_language_version_by_its_own_words(
    twins: sa.Engine, lemmatizer: Lemmatizer
) -> None:
    assert versions(twins, "санкции", lemmatizer) == [(80, "ru")]
    assert versions(twins, "Макрон", lemmatizer) == [(80, "ru")]
    assert versions(twins, "sanctions", lemmatizer) == [(80, "en")]
    assert versions(twins, "persons:Macron", lemmatizer) == [(80, "en")]
    # Both versions match: both are hits, the English one (published later) first.
    assert versions(twins, "санкции OR sanctions", lemmatizer) == [(80, "en"), (80, "ru")]
    assert versions(twins, "санкции OR sanctions", lemmatizer, lang="en") == [(80, "en")]
    assert versions(twins, "санкции OR sanctions", lemmatizer, lang="ru") == [(80, "ru")]
    assert versions(twins, "sanctions", lemmatizer, lang="ru") == []
    assert versions(twins, "", lemmatizer) == [(81, "ru"), (80, "en"), (80, "ru")]
    assert versions(twins, "", lemmatizer, lang="en") == [(80, "en")]
    assert versions(twins, "", lemmatizer, kind="call", until=date(2024, 5, 1)) == [(80, "en"), (80, "ru")]
    # Call scopes read each version's own record.
    assert versions(twins, "country:FR", lemmatizer) == [(80, "en"), (80, "ru")]
    assert versions(twins, "counterpart:Macron", lemmatizer) == [(80, "en")]
    assert versions(twins, "counterpart:Макрон", lemmatizer) == [(80, "ru")]
    ranked = search(twins, SearchRequest("Макрон OR Macron", sort="relevance"), lemmatizer)
    assert sorted((hit.item["lang"], hit.score) for hit in ranked.hits) == [("en", 4.0), ("ru", 4.0)]
    page = search(twins, SearchRequest("санкции OR sanctions", limit=1, offset=1), lemmatizer)
    assert [hit.item["lang"] for hit in page.hits] == ["ru"] and page.total == 2
    english, russian = search(twins, SearchRequest("санкции OR sanctions"), lemmatizer).hits
    assert english.item["url"] == "http://en.kremlin.ru/events/president/news/80"
    assert russian.item["url"] == "http://kremlin.ru/events/president/news/80"
    assert [s.text[a:b] for s in english.snippets for a, b in s.highlights] == ["sanctions"]
    assert [s.text[a:b] for s in russian.snippets for a, b in s.highlights] == ["санкции"]
    with pytest.raises(SearchError, match="'de' is not a language of the archive"):
        search(twins, SearchRequest("санкции", lang="de"), lemmatizer)


def test_each_version_has_its_own_sort_key(engine: sa.Engine, lemmatizer: Lemmatizer) -> None:
    same_second = replace(EN_TWIN, published_at=TWIN_DAY)
    store(engine, RU_TWIN, same_second)
    assert IndexWriter(engine, lemmatizer).update() == 2
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT item_id, lang, sort_key FROM item_search")).all()
    keys = {(item_id, lang): key for item_id, lang, key in rows}
    assert set(keys) == {(80, "ru"), (80, "en")} and keys[80, "ru"] != keys[80, "en"]
    assert all(key_version(key) == version for version, key in keys.items())
    # Published in the same second: the primary (Russian) version comes first, newest first.
    assert versions(engine, "Эммануэль OR Emmanuel", lemmatizer) == [(80, "ru"), (80, "en")]
    # An edit of one version queues and reindexes that version only.
    store(engine, replace(same_second, text="The sides discussed trade."))
    writer = IndexWriter(engine, lemmatizer)
    assert writer.pending() == 1
    assert versions(engine, "sanctions OR trade", lemmatizer) == [(80, "en")]
    assert writer.update() == 1 and versions(engine, "trade", lemmatizer) == [(80, "en")]


def test_show_prints_every_version(twins: sa.Engine, database_url: str) -> None:
    store(twins, replace(RU_TWIN, text="Обсуждались санкции, торговля и вопросы безопасности."))
    data = item_versions(twins, 80)
    assert data is not None and [version["lang"] for version in data["versions"]] == ["ru", "en"]
    russian, english = data["versions"]
    assert [revision["version"] for revision in russian["revisions"]] == [1] and english["revisions"] == []
    assert item_with_revisions(twins, 80) == russian and item_with_revisions(twins, 80, "en") == english
    assert item_versions(twins, 99) is None
    env = cli_env(database_url=database_url)
    shown = run_cli("show", "80", env=env)
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    ru_title, en_title = lines.index(RU_TWIN.title), lines.index(EN_TWIN.title)
    assert lines[ru_title + 1] == RU_TWIN.url and lines[en_title + 1] == EN_TWIN.url
    edits = lines.index("Edits (1), newest first:")
    assert ru_title < edits < en_title  # the Russian edit, shown with it, sentence by sentence
    assert lines[edits + 1].startswith("  version 1 → 2, first seen ")
    assert lines[edits + 1].endswith(": text: 1 sentence changed")
    assert lines[edits + 2 : edits + 4] == [
        "    Text — 1 sentence changed",
        "      ~ Обсуждались санкции{+, торговля+} и вопросы безопасности.",
    ]
    assert lines[ru_title - 1].split()[:1] == ["80"] and " ru " in lines[ru_title - 1]
    assert " en " in lines[en_title - 1] and "version 1" in lines[en_title - 1]
    data = json.loads(run_cli("show", "80", "--format", "json", env=env).stdout)
    assert [(v["lang"], v["url"], len(v["revisions"])) for v in data["versions"]] == [
        ("ru", RU_TWIN.url, 1),
        ("en", EN_TWIN.url, 0),
    ]


def test_export_rows_are_versions(twins: sa.Engine, database_url: str) -> None:
    env = cli_env(database_url=database_url)
    rows = [json.loads(line) for line in run_cli("export", env=env).stdout.splitlines()]
    assert [(row["id"], row["lang"], row["url"]) for row in rows] == [
        (80, "ru", RU_TWIN.url),
        (80, "en", EN_TWIN.url),
        (81, "ru", OTHER.url),
    ]
    english = run_cli("export", "--lang", "en", "--format", "csv", env=env)
    assert [
        (row["id"], row["lang"], row["title"]) for row in csv.DictReader(io.StringIO(english.stdout))
    ] == [("80", "en", EN_TWIN.title)]
    for name in ("export", "stats", "search"):
        bad = run_cli(name, "--lang", "de", env=env)
        assert bad.returncode == 2 and bad.stdout == ""
        assert bad.stderr.strip() == (
            "kremlin-watch: error: lang: 'de' is not a language of the archive (ru, en)"
        ), name
    found = run_cli("search", "санкции OR sanctions", "--lang", "en", "--format", "jsonl", env=env)
    assert [(json.loads(line)["id"], json.loads(line)["lang"]) for line in found.stdout.splitlines()] == [
        (80, "en")
    ]


def test_stats_count_an_item_once(twins: sa.Engine, database_url: str) -> None:
    assert counts(twins, "kind") == [("call", 1), ("decree", 1)]
    assert counts(twins, "kind", lang="en") == [("call", 1)]
    assert counts(twins, "kind", lang="ru") == [("call", 1), ("decree", 1)]
    assert counts(twins, "month") == [("2024-05", 2)]
    assert counts(twins, "person") == [("Макрон Эммануэль", 1)]  # the primary version's names
    assert counts(twins, "person", lang="en") == [("Macron Emmanuel", 1)]
    assert counts(twins, "country") == [("FR", 1)]
    assert counts(twins, "counterpart") == [("Макрон Эммануэль", 1)]
    assert counts(twins, "counterpart", lang="en") == [("Emmanuel Macron", 1)]
    # An item held in English only counts by its English version.
    store(twins, replace(EN_TWIN, id=82, url="http://en.kremlin.ru/events/president/news/82"))
    store_call(twins, 82, "en", ["DE"], "Olaf Scholz")
    assert counts(twins, "kind") == [("call", 2), ("decree", 1)]
    assert counts(twins, "country") == [("DE", 1), ("FR", 1)]
    env = cli_env(database_url=database_url)
    english = run_cli("stats", "--by", "kind", "--lang", "en", env=env)
    assert english.returncode == 0, english.stderr
    header, call = english.stdout.splitlines()
    assert header == "items by kind, en versions only" and call.startswith("call") and call.endswith(" 2")
    assert run_cli("stats", "--by", "kind", env=env).stdout.splitlines()[1].endswith(" 2")


# --- identical answers on both backends, and the same as matching every item ---------------------

CORPUS_SIZE = 400
SAME_QUERIES = (
    "санкции",
    "Путин",
    "безопасность экономика",
    "Макрон OR Шольц",
    "санкции NOT экономика",
    "безопасн*",
    "прав* NOT title:указ",
    '"телефонный разговор"',
    '"Владимир Путин" NOT санкции',
    "title:Макрон",
    "persons:Эрдоган OR geography:Турция",
    "text:(санкции OR НАТО) -title:разговор",
    "(Президент OR Председатель) AND (Турции OR Франции)",
    "указ",
    "Ново-Огарёво",
    "нобелевский",
    "sanctions",
    "Путин OR Putin",
    "secur* NOT economy",
    '"St Petersburg"',
    "title:(meeting OR совещание)",
)


@pytest.fixture(scope="module")
def both_backends(
    tmp_path_factory: pytest.TempPathFactory, postgres_server: str, lemmatizer: Lemmatizer
) -> Iterator[dict[str, sa.Engine]]:
    """The same generated items on SQLite and PostgreSQL, two thirds of them indexed; every third
    Russian item also in English (some published in the same second, most hours later), half of
    those indexed."""
    schema = f"kw_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(postgres_server.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.connect() as connection:
        connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
        connection.commit()
    engines = {
        "sqlite": make_engine(f"sqlite:///{tmp_path_factory.mktemp('search') / 'archive.sqlite3'}"),
        "postgres": make_engine(f"{postgres_server}?options=-csearch_path%3D{schema}"),
    }
    items = list(Corpus.generate(CORPUS_SIZE, seed=17))
    english = [
        replace(
            _record(item),
            id=twin.id,
            url=f"http://en.kremlin.ru/{item.section}/{twin.id}",
            published_at=twin.published.astimezone(UTC) + timedelta(hours=position % 3 * 5),
        )
        for position, (item, twin) in enumerate(
            zip(Corpus.generate(CORPUS_SIZE // 3, lang="en", seed=17), items[::3], strict=False)
        )
    ]
    for engine in engines.values():
        upgrade(engine)
        store(engine, *(_record(item) for item in items[: CORPUS_SIZE * 2 // 3]))
        store(engine, *english[: len(english) // 2])
        IndexWriter(engine, lemmatizer).update()
        store(engine, *(_record(item) for item in items[CORPUS_SIZE * 2 // 3 :]))
        store(engine, *english[len(english) // 2 :])
    try:
        yield engines
    finally:
        for engine in engines.values():
            engine.dispose()
        with admin.connect() as connection:
            connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
            connection.commit()
        admin.dispose()


def _record(item: object) -> ItemRecord:
    return ItemRecord(
        id=item.id,  # type: ignore[attr-defined]
        url=f"http://kremlin.ru/{item.section}/{item.id}",  # type: ignore[attr-defined]
        lang=item.lang,  # type: ignore[attr-defined]
        section=item.section,  # type: ignore[attr-defined]
        title=item.title,  # type: ignore[attr-defined]
        kind=item.kind,  # type: ignore[attr-defined]
        lead=item.lead,  # type: ignore[attr-defined]
        text=item.text,  # type: ignore[attr-defined]
        published_at=item.published.astimezone(UTC),  # type: ignore[attr-defined]
        place=item.place,  # type: ignore[attr-defined]
        topics=list(item.topics),  # type: ignore[attr-defined]
        geography=list(item.geography),  # type: ignore[attr-defined]
        persons=list(item.persons),  # type: ignore[attr-defined]
        source="article",
    )


def _oracle(
    engine: sa.Engine, query: str, lemmatizer: Lemmatizer, **filters: object
) -> list[tuple[int, str]]:
    """Every item version matched one by one with the rules' matcher, newest first (the Russian
    version first in a tie): what search must say."""
    from archive.export import iter_items

    compiled = compile_query(query, lemmatizer)
    found = [
        item
        for item in iter_items(engine)
        if compiled.match(IndexedDocument.from_item(item, lemmatizer)) is not None
        and all(getattr(item, name) == value for name, value in filters.items())
    ]
    return [
        (item.id, item.lang)
        for item in sorted(
            found, key=lambda item: sort_key(item.published_at, item.id, item.lang), reverse=True
        )
    ]


@pytest.mark.postgres
@pytest.mark.parametrize("query", SAME_QUERIES)
def test_same_answers_on_both_backends(
    both_backends: dict[str, sa.Engine], lemmatizer: Lemmatizer, query: str
) -> None:
    expected = _oracle(both_backends["sqlite"], query, lemmatizer)
    for name, engine in both_backends.items():
        assert versions(engine, query, lemmatizer) == expected, name
        page = search(engine, SearchRequest(query, limit=7, offset=3), lemmatizer)
        assert [(hit.item["id"], hit.item["lang"]) for hit in page.hits] == expected[3:10], name
        assert page.total == len(expected), name
    by_relevance = [
        [
            (hit.item["id"], hit.item["lang"], hit.score)
            for hit in search(engine, SearchRequest(query, sort="relevance", limit=1000), lemmatizer).hits
        ]
        for engine in both_backends.values()
    ]
    # Each engine ranks by its own measure (FTS5 bm25(), ts_rank_cd): the same hits with the same
    # scores, in each engine's order.
    assert sorted(by_relevance[0]) == sorted(by_relevance[1])
    assert sorted((item_id, lang) for item_id, lang, _ in by_relevance[0]) == sorted(expected)


@pytest.mark.postgres
@pytest.mark.parametrize("query", ["Путин", '"Владимир Путин"'])
def test_ranking_spread_over_workers_gives_the_same_page(
    both_backends: dict[str, sa.Engine], lemmatizer: Lemmatizer, query: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many matches are ranked with the database's parallel workers (`SPREAD_RANKING`; PostgreSQL):
    the same hits in the same order, with the same total, as ranked without them."""
    request = SearchRequest(query, sort="relevance", limit=60)
    for name, engine in both_backends.items():
        plain = search(engine, request, lemmatizer)
        monkeypatch.setattr(search_engine, "SPREAD_RANKING", 1)
        spread = search(engine, request, lemmatizer)
        monkeypatch.undo()
        assert plain.total > 60, name
        assert [(hit.item["id"], hit.item["lang"], hit.score) for hit in spread.hits] == [
            (hit.item["id"], hit.item["lang"], hit.score) for hit in plain.hits
        ], name
        assert spread.total == plain.total, name


@pytest.mark.postgres
def test_same_filters_on_both_backends(both_backends: dict[str, sa.Engine], lemmatizer: Lemmatizer) -> None:
    requests = [
        {"kind": "call"},
        {"since": date(2025, 1, 1), "until": date(2025, 12, 31)},
        {"person": "эрдоган"},
        {"topic": "регион", "kind": "meeting"},
        {"lang": "en"},
        {"lang": "ru", "kind": "call"},
    ]
    for filters in requests:
        for query in ("", "Путин", '"Владимир Путин"', "Putin OR sanctions"):
            answers = {
                name: versions(engine, query, lemmatizer, **filters) for name, engine in both_backends.items()
            }
            assert answers["sqlite"] == answers["postgres"], (query, filters)
    for filters in ({"kind": "call"}, {"lang": "en"}):
        assert versions(both_backends["sqlite"], "Путин OR Putin", lemmatizer, **filters) == _oracle(
            both_backends["sqlite"], "Путин OR Putin", lemmatizer, **filters
        )
    both = versions(both_backends["postgres"], "Путин OR Putin", lemmatizer)
    assert {item_id for item_id, lang in both if lang == "en"} & {
        item_id for item_id, lang in both if lang == "ru"
    }
    english = versions(both_backends["postgres"], "", lemmatizer, lang="en")
    assert len(english) == CORPUS_SIZE // 3  # the twins are there: every English version is listed
    assert len(versions(both_backends["postgres"], "", lemmatizer)) == CORPUS_SIZE + len(english)


@pytest.mark.postgres
def test_both_backends_index_exactly_the_written_terms(both_backends: dict[str, sa.Engine]) -> None:
    """Every term written is one token to FTS5 and to PostgreSQL's parser: the index's answers are exact."""
    with both_backends["postgres"].connect() as connection:
        written = connection.execute(sa.text("SELECT lemmas, forms FROM item_search")).all()
        lemma_docs = {
            word: docs
            for word, docs in connection.execute(
                sa.text("SELECT word, ndoc FROM ts_stat('SELECT document FROM item_search')")
            )
        }
        form_docs = {
            word: docs
            for word, docs in connection.execute(
                sa.text("SELECT word, ndoc FROM ts_stat('SELECT spellings FROM item_search')")
            )
        }
    expected_lemmas: dict[str, int] = {}
    expected_forms: dict[str, int] = {}
    for lemmas, forms in written:
        for term in set(lemmas.split()):
            expected_lemmas[term] = expected_lemmas.get(term, 0) + 1
        for term in set(forms.split()):
            expected_forms[term] = expected_forms.get(term, 0) + 1
    assert lemma_docs == expected_lemmas
    assert form_docs == expected_forms
    with both_backends["sqlite"].connect() as connection:
        connection.execute(
            sa.text("CREATE VIRTUAL TABLE temp.vocabulary USING fts5vocab(main, item_search_fts, 'col')")
        )
        vocabulary = connection.execute(sa.text("SELECT term, col, doc FROM temp.vocabulary")).all()
        connection.execute(sa.text("DROP TABLE temp.vocabulary"))
        connection.commit()
    assert {term: docs for term, column, docs in vocabulary if column == "lemmas"} == expected_lemmas
    assert {term: docs for term, column, docs in vocabulary if column == "forms"} == expected_forms


# --- the pieces, without a database ----------------------------------------------------------------

VERDICT_QUERIES = (
    *SAME_QUERIES,
    '"Эммануэль Макрон"',
    "persons:(Макрон Эммануэль)",
    'persons:"Эммануэль Макрон"',
    "geography:«Франция Германия»",
    "прав* безопасн*",
    "title:(телефонный NOT Турции)",
)


def test_verdict_agrees_with_the_matcher(lemmatizer: Lemmatizer) -> None:
    items = list(Corpus.generate(300, seed=5))
    for text in VERDICT_QUERIES:
        query = parse_query(text)
        compiled = compile_query(query, lemmatizer)
        for item in items:
            values = {name: getattr(item, name) for name in FIELDS}
            expected = compiled.match(IndexedDocument.from_item(item, lemmatizer)) is not None
            assert compiled.holds(values) == expected, (text, item.id)


def test_plan_is_exact_only_when_the_index_decides(lemmatizer: Lemmatizer) -> None:
    def exact(text: str) -> bool:
        return plan_query(compile_query(text, lemmatizer)).exact

    assert all(
        map(
            exact,
            [
                "санкции",
                "санкции НАТО",
                "санкции OR НАТО",
                "санкции NOT НАТО",
                "безопасн*",
                "мир -(война OR кон*)",
                # Index format 3 keeps positions and the title apart (search.plan.Phrase).
                '"юридические гарантии"',
                "title:санкции",
                "санкции NOT title:НАТО",
                "российско-американские",
            ],
        )
    )
    assert not any(
        map(
            exact,
            [
                "text:санкции",
                "санкции NOT text:НАТО",
                '"прав* безопасн*"',
                '"юридические гарантии" безопасн*',  # a prefix: positions are not asked
            ],
        )
    )
    assert plan_query(compile_query("санкции NOT title:НАТО", lemmatizer)).fields == FIELDS
    assert plan_query(compile_query("title:санкции", lemmatizer)).fields == ("title",)


def test_index_terms(lemmatizer: Lemmatizer) -> None:
    analyser = TermAnalyser(lemmatizer)
    for item in Corpus.generate(200, seed=9):
        lemmas, _forms = analyser.terms({name: getattr(item, name) for name in FIELDS})
        vocabulary = IndexedDocument.from_item(item, lemmatizer).vocabulary
        assert set(lemmas) == {lemma for lemma in vocabulary if indexable(lemma)}
    lemmas, forms = analyser.terms({"text": "Санкциями x² шла Sanctions"})
    assert "санкция" in lemmas and "идти" in lemmas and "sanction" in lemmas
    assert {"санкциями", "шла", "sanctions", "x"} <= set(forms)  # x² is not indexable: its head is
    assert not indexable("x²") and not indexable("Санкция") and indexable("éclair") and indexable("еж")
    day = datetime(1950, 1, 1, tzinfo=UTC)
    assert (
        sort_key(None, 5, "ru")
        < sort_key(day, 1, "en")
        < sort_key(day, 1, "ru")  # the primary version first, newest first
        < sort_key(day, 2, "en")
        < sort_key(day + timedelta(seconds=1), 1, "en")
    )
    assert key_version(sort_key(day, 1, "en")) == (1, "en") and key_version(sort_key(None, 5, "ru")) == (
        5,
        "ru",
    )
    assert sort_key(datetime(2150, 1, 1, tzinfo=UTC), 2, "en") > sort_key(
        datetime(2140, 1, 1, tzinfo=UTC), 2, "en"
    )
    assert sort_key(datetime(2150, 1, 1, tzinfo=UTC), (1 << 29) - 1, "ru") < 1 << 63  # a signed 64-bit rowid
    with pytest.raises(ValueError, match="language"):
        sort_key(day, 1, "de")


# --- the command line -------------------------------------------------------------------------------


def test_cli_search_formats(database_url: str, tmp_path: Path) -> None:
    env = cli_env(database_url=database_url)
    engine = make_engine(database_url)
    upgrade(engine)
    store(engine, *SEMANTICS)
    engine.dispose()
    table = run_cli("search", "санкции", env=env)
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split()[0] == "3" and "Совещание с членами Правительства" in lines[0]
    assert lines[1].strip().startswith("[text]") and "**Санкции**" in lines[1]
    assert lines[-1] == "1–2 of 2 matching item version(s) for санкции"
    hits = json.loads(run_cli("search", "санкции", "--format", "json", "--limit", "1", env=env).stdout)
    assert [hit["id"] for hit in hits] == [3] and hits[0]["snippets"][0]["field"] == "text"
    rows = list(csv.DictReader(io.StringIO(run_cli("search", "Байден", "--format", "csv", env=env).stdout)))
    assert (
        rows[0]["id"] == "1"
        and rows[0]["persons"] == "Байден Джозеф"
        and rows[0]["snippet"] == "**Байден** Джозеф"
    )
    assert list(rows[0])[-1] == "snippet"
    jsonl = run_cli("search", "", "--kind", "call", "--format", "jsonl", env=env).stdout.splitlines()
    assert [json.loads(line)["id"] for line in jsonl] == [5, 1]
    filtered = run_cli("search", "--person", "макрон", "--until", "2020-01-02", "--format", "json", env=env)
    assert [hit["id"] for hit in json.loads(filtered.stdout)] == []
    bad = run_cli("search", '"санкции', env=env)
    assert (
        bad.returncode == 2
        and bad.stderr.strip() == 'kremlin-watch: error: query: unterminated quote " at column 1'
    )
    assert run_cli("search", "x", "--sort", "random", env=env).returncode == 2
    assert run_cli("search", "x", "--since", "yesterday", env=env).returncode == 2


def test_cli_show_and_stats(database_url: str) -> None:
    env = cli_env(database_url=database_url)
    engine = make_engine(database_url)
    upgrade(engine)
    first = record(
        70, "Телефонный разговор", kind="call", text="Обсуждались вопросы.", persons=["Байден Джозеф"]
    )
    store(
        engine, first, replace(first, text="Обсуждались вопросы торговли."), record(71, "Указ", kind="decree")
    )
    engine.dispose()
    shown = run_cli("show", "70", env=env)
    assert shown.returncode == 0, shown.stderr
    assert "version 2" in shown.stdout.splitlines()[0] and "Edits (1), newest first:" in shown.stdout
    assert "      ~ Обсуждались вопросы {+торговли+}." in shown.stdout.splitlines()
    data = json.loads(run_cli("show", "70", "--format", "json", env=env).stdout)
    [version] = data["versions"]
    assert data["id"] == 70 and version["lang"] == "ru"
    assert version["revisions"][0]["text"] == "Обсуждались вопросы."
    missing = run_cli("show", "99", env=env)
    assert (
        missing.returncode == 2
        and missing.stderr.strip() == "kremlin-watch: error: no item 99 in the archive"
    )
    stats = run_cli("stats", "--by", "kind", env=env)
    assert stats.returncode == 0, stats.stderr
    call, decree = stats.stdout.splitlines()[1:]
    assert call.startswith("call") and call.endswith(" 1") and "█" in call and "█" in decree
    assert run_cli("stats", "--by", "person", env=env).stdout.splitlines()[1].startswith("Байден Джозеф")
    assert run_cli("stats", "--by", "weekday", env=env).returncode == 2
