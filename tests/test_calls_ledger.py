"""The call ledger's write side and the `calls` command, on SQLite and PostgreSQL.

Crawls of the replica show that every stored call gets its record (whatever the readers make of it:
each row is compared with `read_call` of the stored item, so these tests hold for stub and finished
readers alike); the filter and format cases insert call records through the archive, so they test
the ledger and the command rather than the readers' quality.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from alembic import command
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from archive.engine import make_engine
from archive.migrate import alembic_config, upgrade
from archive.models import CallEntry, Item
from archive.records import CONTENT_FIELDS, ItemRecord
from archive.status import read_status
from archive.store import ArchiveStore
from archive.types import utcnow
from calls.ledger import CallRecorder, fill_calls
from calls.reader import READER_VERSION, read_call
from calls.record import CallText
from replica.corpus import Corpus
from replica.server import ReplicaServer
from scheduler.health import health_app
from search.stats import NOT_STATED, counts
from tests.conftest import cli_env, run_cli


@pytest.fixture
def site() -> Iterator[ReplicaServer]:
    """A replica with a deterministic Russian corpus of 60 items (16 of the newest 20 are calls)."""
    with ReplicaServer(Corpus.generate(60, lang="ru", seed=7)) as server:
        yield server


def crawl(site: ReplicaServer, database_url: str, *args: str) -> tuple[str, str]:
    result = run_cli("crawl", *args, env=cli_env(base_url=site.base_url, database_url=database_url))
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout, result.stderr


Key = tuple[int, str]


def held(database_url: str) -> tuple[dict[Key, Item], dict[Key, CallEntry]]:
    """The item versions and call rows, by (id, lang)."""
    engine = make_engine(database_url)
    with Session(engine) as session:
        items = {(item.id, item.lang): item for item in session.exec(select(Item))}
        entries = {(entry.item_id, entry.lang): entry for entry in session.exec(select(CallEntry))}
    engine.dispose()
    return items, entries


def assert_recorded(items: dict[Key, Item], entries: dict[Key, CallEntry]) -> None:
    """Every call version, and only they, has a row that is what its language's reader makes of it."""
    calls = {key for key, item in items.items() if item.kind == "call"}
    assert calls and set(entries) == calls
    for key in calls:
        entry, expected = entries[key], read_call(CallText.of(items[key]))
        assert entry.item_version == items[key].version
        assert entry.reader == READER_VERSION
        assert (entry.counterparts, entry.countries, entry.initiated_by) == (
            [c.to_json() for c in expected.counterparts],
            list(expected.countries),
            list(expected.initiated_by),
        )
        assert entry.readable is expected.readable


def warned(stderr: str, key: Key) -> int:
    return stderr.count(f"call {key[0]} ({key[1]}): no counterpart could be read")


# --- recording as calls are stored ----------------------------------------------------------------


def test_backfill_and_check_record_every_call_and_an_edit_rereads_it(
    site: ReplicaServer, database_url: str
) -> None:
    _, stderr = crawl(site, database_url, "--pages", "2")  # a backfill: no rules, still recorded
    items, entries = held(database_url)
    assert len(items) == 40
    assert_recorded(items, entries)
    for key, entry in entries.items():  # an unreadable call is logged once, naming id and title
        assert warned(stderr, key) == (0 if entry.readable else 1)
        if not entry.readable:
            assert repr(items[key].title) in stderr

    fresh = site.corpus.publish_generated(kind="call")
    target = next(item for item in site.corpus.newest(20) if item.kind == "call" and item.id != fresh.id)
    site.corpus.edit(target.id, title=target.title + " (дополнено)")
    stdout, stderr = crawl(site, database_url)
    assert "items new 1 / changed 1" in stdout, stdout + stderr
    items, entries = held(database_url)
    assert items[(target.id, "ru")].version == 2 and entries[(target.id, "ru")].item_version == 2
    assert (fresh.id, "ru") in entries
    assert_recorded(items, entries)
    if not entries[(target.id, "ru")].readable:  # logged when it first became unreadable, not again
        assert warned(stderr, (target.id, "ru")) == 0


def test_recorder_follows_the_merged_row_and_drops_a_call_that_is_no_longer_one(engine: sa.Engine) -> None:
    store, recorder = ArchiveStore(engine), CallRecorder()
    feed = ItemRecord(
        id=7,
        url="http://kremlin.ru/events/president/news/7",
        lang="ru",
        section="events/president/news",
        title="Телефонный разговор с Президентом Франции Эммануэлем Макроном",
        kind="call",
        source="feed",
        published_at=datetime(2022, 2, 20, 10, tzinfo=UTC),
    )
    store.store(feed, recorder)
    article = replace(
        feed,
        source="article",
        text="Обсуждалась ситуация.",
        geography=["Франция"],
        persons=["Макрон Эммануэль"],
        topics=[],
    )
    assert store.store(article, recorder).outcome.value == "completed"
    with Session(engine) as session:
        item = session.get(Item, (7, "ru"))
        assert item is not None and item.persons == ["Макрон Эммануэль"]
        entry = session.get(CallEntry, (7, "ru"))
        expected = read_call(CallText.of(item))
    assert entry is not None and entry.countries == list(expected.countries)
    assert entry.counterparts == [c.to_json() for c in expected.counterparts]
    store.store(replace(article, kind="news", text="Иное."), recorder)
    with Session(engine) as session:
        assert session.get(CallEntry, (7, "ru")) is None


# --- existing archives ----------------------------------------------------------------------------


def record(item_id: int, title: str, published: datetime, lang: str = "ru", **fields: object) -> ItemRecord:
    host = "kremlin.ru" if lang == "ru" else "en.kremlin.ru"
    return ItemRecord(
        id=item_id,
        url=f"http://{host}/events/president/news/{item_id}",
        lang=lang,
        section="events/president/news",
        title=title,
        kind="call",
        lead=None,
        text="Текст.",
        published_at=published,
        topics=[],
        geography=[],
        persons=[],
        **fields,  # type: ignore[arg-type]
    )


def test_an_archive_made_at_0004_gets_its_calls_on_upgrade(site: ReplicaServer, database_url: str) -> None:
    engine = make_engine(database_url)
    command.upgrade(alembic_config(engine), "0004")
    old = [
        record(
            101,
            "Телефонный разговор с Президентом Турции Реджепом Тайипом Эрдоганом",
            datetime(2021, 3, 1, 12, tzinfo=UTC),
        ),
        record(
            102,
            "Telephone conversation with President of France Emmanuel Macron",
            datetime(2021, 3, 2, 12, tzinfo=UTC),
            lang="en",
        ),
    ]
    # Written as that schema's rows (items keyed on id alone): today's store writes today's schema.
    old_items = sa.Table("item", sa.MetaData(), autoload_with=engine)
    now = utcnow()
    with engine.begin() as connection:
        for item in [*old, replace(record(103, "Указ", datetime(2021, 3, 3, tzinfo=UTC)), kind="decree")]:
            values = {name: getattr(item, name) for name in CONTENT_FIELDS}
            connection.execute(
                old_items.insert().values(
                    id=item.id,
                    url=item.url,
                    lang=item.lang,
                    section=item.section,
                    kind=item.kind,
                    source=item.source,
                    details_pending=False,
                    content_hash=item.content_hash(),
                    first_seen_at=now,
                    updated_at=now,
                    version=1,
                    **values,
                )
            )
    upgrade(engine)  # to 0006 and on, as `calls` would on start
    engine.dispose()

    listed = run_cli("calls", "--format", "json", env=cli_env(database_url=database_url))
    assert listed.returncode == 0, listed.stderr
    assert [call["id"] for call in json.loads(listed.stdout)] == [102, 101]  # nothing lost, newest first
    items, entries = held(database_url)
    assert_recorded(items, entries)
    assert len(items) == 3
    unreadable = [key for key, entry in entries.items() if not entry.readable]
    # Filling an archive warns once for all its unreadable calls, naming them, rather than once each.
    assert listed.stderr.count("no readable counterpart") == (1 if unreadable else 0)
    assert all(f"{key[0]} ({key[1]}) {items[key].title!r}" in listed.stderr for key in unreadable)

    engine = make_engine(database_url)
    with engine.begin() as connection:  # rows of an older reader are read again; current ones are not
        connection.execute(sa.update(CallEntry).where(CallEntry.item_id == 101).values(reader=0))  # type: ignore[arg-type]
    assert fill_calls(engine).read == 1
    assert fill_calls(engine).read == 0
    with engine.begin() as connection:  # a crawl fills missing rows on start
        connection.execute(sa.delete(CallEntry))
    engine.dispose()
    crawl(site, database_url, "--pages", "1")
    items, entries = held(database_url)
    assert {(101, "ru"), (102, "en")} <= set(entries)
    assert_recorded(items, entries)

    rebuilt = run_cli("calls", "--rebuild", env=cli_env(database_url=database_url))
    assert rebuilt.returncode == 0, rebuilt.stderr
    unreadable = sum(not entry.readable for entry in entries.values())
    assert rebuilt.stdout.strip() == f"calls: read {len(entries)}, unreadable {unreadable}"


# --- the command: filters, formats, errors; stats; status -----------------------------------------

MACRON = {"name": "Эммануэль Макрон", "office": "Президент Франции", "country": "FR"}
SCHOLZ = {"name": "Olaf Scholz", "office": "Federal Chancellor of Germany", "country": "DE"}
ERDOGAN = {"name": "Реджеп Тайип Эрдоган", "office": "Президент Турции", "country": "TR"}

#: (item, counterparts, initiated_by): written as records, so the readers' quality does not matter.
LEDGER = (
    (
        record(201, "Телефонный разговор с Эммануэлем Макроном", datetime(2022, 1, 10, 9, tzinfo=UTC)),
        [MACRON],
        ["FR"],
    ),
    (
        record(
            202,
            "Telephone conversation with Emmanuel Macron and Olaf Scholz",
            datetime(2022, 2, 15, 21, 30, tzinfo=UTC),
            lang="en",
        ),  # 16 Feb 00:30 in Moscow
        [{**MACRON, "name": "Emmanuel Macron", "office": "President of France"}, SCHOLZ],
        ["RU"],
    ),
    (
        record(203, "Телефонный разговор с Реджепом Тайипом Эрдоганом", datetime(2022, 3, 5, 9, tzinfo=UTC)),
        [ERDOGAN],
        [],
    ),
    (record(204, "Телефонный разговор", datetime(2022, 4, 1, 9, tzinfo=UTC)), [], []),
)


@pytest.fixture
def ledger(database_url: str) -> str:
    engine = make_engine(database_url)
    upgrade(engine)
    store = ArchiveStore(engine)
    with Session(engine) as session:
        for item, counterparts, initiated_by in LEDGER:
            store.store(item)
            countries = sorted({c["country"] for c in counterparts})
            session.add(
                CallEntry(
                    item_id=item.id,
                    lang=item.lang,
                    item_version=1,
                    counterparts=counterparts,
                    countries=countries,
                    initiated_by=initiated_by,
                    readable=bool(counterparts),
                    reader=READER_VERSION,
                )
            )
        session.commit()
    engine.dispose()
    return database_url


def calls(database_url: str, *args: str) -> list[int]:
    result = run_cli("calls", "--format", "json", *args, env=cli_env(database_url=database_url))
    assert result.returncode == 0, result.stderr
    return [call["id"] for call in json.loads(result.stdout)]


def test_calls_command_filters(ledger: str) -> None:
    assert calls(ledger) == [204, 203, 202, 201]
    assert calls(ledger, "--country", "fr") == [202, 201]
    assert calls(ledger, "--counterpart", "Макроном") == [201]  # any form: «Макроном» ~ «Макрон»
    assert calls(ledger, "--counterpart", "Erdogan") == []
    assert calls(ledger, "--counterpart", "Эрдоган", "--since", "2022-03-05", "--until", "2022-03-05") == [
        203
    ]
    assert calls(ledger, "--initiated-by", "foreign") == [201]
    assert calls(ledger, "--initiated-by", "russia") == [202]
    assert calls(ledger, "--initiated-by", "FR", "--lang", "ru") == [201]
    assert calls(ledger, "--since", "2022-02-16", "--until", "2022-02-16") == [202]  # a Moscow day
    assert calls(ledger, "--lang", "en", "--country", "DE") == [202]
    assert calls(ledger, "--limit", "2") == [204, 203]


def test_calls_command_formats(ledger: str) -> None:
    env = cli_env(database_url=ledger)
    as_json = json.loads(run_cli("calls", "--format", "json", "--country", "DE", env=env).stdout)
    assert as_json == [
        {
            "id": 202,
            "url": "http://en.kremlin.ru/events/president/news/202",
            "lang": "en",
            "published_at": "2022-02-15T21:30:00+00:00",
            "title": "Telephone conversation with Emmanuel Macron and Olaf Scholz",
            "counterparts": [{**MACRON, "name": "Emmanuel Macron", "office": "President of France"}, SCHOLZ],
            "countries": ["DE", "FR"],
            "initiated_by": ["RU"],
            # An English call is its own English version.
            "en_title": "Telephone conversation with Emmanuel Macron and Olaf Scholz",
            "en_url": "http://en.kremlin.ru/events/president/news/202",
        }
    ]
    rows = list(
        csv.DictReader(io.StringIO(run_cli("calls", "--format", "csv", "--limit", "3", env=env).stdout))
    )
    assert [row["id"] for row in rows] == ["204", "203", "202"]
    assert rows[2]["counterparts"] == "Emmanuel Macron (FR); Olaf Scholz (DE)"
    assert (rows[2]["countries"], rows[2]["initiated_by"], rows[1]["initiated_by"]) == ("DE; FR", "RU", "")
    table = run_cli("calls", env=env).stdout.splitlines()
    assert table[0].split() == ["id", "time", "(Moscow)", "lang", "initiative", "counterparts"]
    assert table[3].split() == [
        "202",
        "16.02.2022",
        "00:30",
        "en",
        "RU",
        "Emmanuel",
        "Macron",
        "(FR);",
        "Olaf",
        "Scholz",
        "(DE)",
    ]
    assert table[1].endswith("(unreadable) Телефонный разговор")
    assert table[2].split()[4] == "-"  # the page does not say who asked
    assert table[-1] == "4 matching call(s)"
    assert run_cli("calls", "--limit", "1", env=env).stdout.splitlines()[-1] == "1 of 4 matching call(s)"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--country", "XX"), "country: unknown country code 'XX' (ISO 3166 alpha-2 such as FR, or EU, RU)"),
        (("--initiated-by", "France"), "initiated_by: unknown initiative 'France'"),
        (
            ("--since", "2022-03-01", "--until", "2022-02-01"),
            "since (2022-03-01) is after until (2022-02-01)",
        ),
        (("--lang", "de"), "lang: 'de' is not a language of the archive (ru, en)"),
        (("--limit", "0"), "--limit must be at least 1"),
    ],
)
def test_calls_command_bad_input_is_one_line(ledger: str, args: tuple[str, ...], message: str) -> None:
    result = run_cli("calls", *args, env=cli_env(database_url=ledger))
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("kremlin-watch: error: ") and message in line


def test_stats_by_call_records(ledger: str) -> None:
    engine = make_engine(ledger)
    assert counts(engine, "country") == [("FR", 2), ("DE", 1), ("TR", 1)]
    assert counts(engine, "initiative") == [(NOT_STATED, 2), ("FR", 1), ("RU", 1)]
    assert counts(engine, "counterpart", since=date(2022, 2, 1)) == [
        ("Emmanuel Macron", 1),
        ("Olaf Scholz", 1),
        ("Реджеп Тайип Эрдоган", 1),
    ]
    assert counts(engine, "counterpart") == [
        ("Emmanuel Macron", 1),
        ("Olaf Scholz", 1),
        ("Реджеп Тайип Эрдоган", 1),
        ("Эммануэль Макрон", 1),
    ]
    assert counts(engine, "country", until=date(2022, 1, 31)) == [("FR", 1)]
    engine.dispose()
    shown = run_cli("stats", "--by", "country", env=cli_env(database_url=ledger)).stdout.splitlines()
    assert shown[0] == "calls by country"
    assert [line.split()[0] for line in shown[1:]] == ["FR", "DE", "TR"]


def test_status_and_metrics_count_unreadable_calls(ledger: str) -> None:
    engine = make_engine(ledger)
    status = read_status(engine)
    assert (status.calls, status.unreadable_calls) == (4, 1)
    with TestClient(health_app(engine, interval=600, started_at=utcnow(), is_leader=lambda: True)) as client:
        exposition = client.get("/metrics").text
    assert "\nkremlin_watch_unreadable_calls 1.0\n" in exposition
    engine.dispose()
    shown = run_cli("status", env=cli_env(database_url=ledger)).stdout
    assert ": 4 items, 4 phone calls (1 unreadable)" in shown
    as_json = json.loads(run_cli("status", "--format", "json", env=cli_env(database_url=ledger)).stdout)
    assert as_json["unreadable_calls"] == 1


# --- language versions: a record per version, one ledger entry per call -----------------------------

MACRON_EN = {"name": "Emmanuel Macron", "office": "President of France", "country": "FR"}
SCHOLZ_EN = {"name": "Olaf Scholz", "office": "Federal Chancellor of Germany", "country": "DE"}

#: English versions of two calls of `LEDGER`, published hours after the Russian ones. 204's Russian
#: record is unreadable, its English one names Scholz.
TWINS = (
    (
        record(
            201,
            "Telephone conversation with President of France Emmanuel Macron",
            datetime(2022, 1, 10, 14, tzinfo=UTC),
            lang="en",
        ),
        [MACRON_EN],
        ["FR"],
    ),
    (
        record(204, "Telephone conversation with Olaf Scholz", datetime(2022, 4, 1, 15, tzinfo=UTC), lang="en"),
        [SCHOLZ_EN],
        [],
    ),
)


@pytest.fixture
def twins(ledger: str) -> str:
    engine = make_engine(ledger)
    store = ArchiveStore(engine)
    with Session(engine) as session:
        for item, counterparts, initiated_by in TWINS:
            assert store.store(item).lang == "en"
            session.add(
                CallEntry(
                    item_id=item.id,
                    lang="en",
                    item_version=1,
                    counterparts=counterparts,
                    countries=sorted({c["country"] for c in counterparts}),
                    initiated_by=initiated_by,
                    readable=bool(counterparts),
                    reader=READER_VERSION,
                )
            )
        session.commit()
    engine.dispose()
    return ledger


def listed(database_url: str, *args: str) -> list[dict[str, object]]:
    result = run_cli("calls", "--format", "json", *args, env=cli_env(database_url=database_url))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_the_ledger_lists_a_call_once_with_its_english_twin(twins: str) -> None:
    everything = listed(twins)
    assert [(call["id"], call["lang"]) for call in everything] == [
        (204, "ru"),
        (203, "ru"),
        (202, "en"),
        (201, "ru"),
    ]
    macron = everything[3]
    assert macron["url"] == "http://kremlin.ru/events/president/news/201"
    assert macron["counterparts"] == [MACRON]  # the shown version's record, in its language
    assert (macron["en_title"], macron["en_url"]) == (
        "Telephone conversation with President of France Emmanuel Macron",
        "http://en.kremlin.ru/events/president/news/201",
    )
    assert "en_title" not in everything[1] and "en_url" not in everything[1]  # 203: no English version
    assert everything[2]["en_url"] == "http://en.kremlin.ru/events/president/news/202"  # English only

    english = listed(twins, "--lang", "en")
    assert [(call["id"], call["lang"]) for call in english] == [(204, "en"), (202, "en"), (201, "en")]
    assert english[0]["counterparts"] == [SCHOLZ_EN] and english[0]["published_at"] == "2022-04-01T15:00:00+00:00"
    assert [call["id"] for call in listed(twins, "--lang", "ru")] == [204, 203, 201]


def test_filters_match_the_record_of_either_version(twins: str) -> None:
    # Neither Russian record writes "Macron" or "Scholz": the English twins do.
    assert [call["id"] for call in listed(twins, "--counterpart", "Macron")] == [202, 201]
    found = listed(twins, "--counterpart", "Scholz")
    assert [(call["id"], call["lang"]) for call in found] == [(204, "ru"), (202, "en")]
    assert found[0]["counterparts"] == []  # shown as the Russian version is: unreadable
    assert [call["id"] for call in listed(twins, "--counterpart", "Макрона")] == [201]
    assert [call["id"] for call in listed(twins, "--country", "DE")] == [204, 202]
    assert [call["id"] for call in listed(twins, "--country", "DE", "--lang", "en")] == [204, 202]
    assert [call["id"] for call in listed(twins, "--initiated-by", "foreign")] == [201]
    # A day filter applies to the version shown: 201's English page is on the same Moscow day.
    assert [call["id"] for call in listed(twins, "--since", "2022-01-10", "--until", "2022-01-10")] == [201]


def test_csv_and_table_carry_the_english_twin(twins: str) -> None:
    env = cli_env(database_url=twins)
    rows = list(csv.DictReader(io.StringIO(run_cli("calls", "--format", "csv", env=env).stdout)))
    assert list(rows[0]) == [
        "id",
        "url",
        "lang",
        "published_at",
        "title",
        "counterparts",
        "countries",
        "initiated_by",
        "en_title",
        "en_url",
    ]
    assert (rows[3]["id"], rows[3]["en_url"]) == ("201", "http://en.kremlin.ru/events/president/news/201")
    assert (rows[1]["en_title"], rows[1]["en_url"]) == ("", "")
    table = run_cli("calls", env=env).stdout.splitlines()
    assert table[4].split()[:4] == ["201", "10.01.2022", "12:00", "ru+en"]
    assert table[2].split()[3] == "ru"
    assert table[-1] == "4 matching call(s)"


def test_each_version_gets_its_own_languages_record_and_unreadable_counts_versions(twins: str) -> None:
    engine = make_engine(twins)
    store, recorder = ArchiveStore(engine), CallRecorder()
    ru = record(
        301,
        "Телефонный разговор с Президентом Франции Эммануэлем Макроном",
        datetime(2022, 5, 1, 9, tzinfo=UTC),
    )
    en = replace(
        record(
            301,
            "Telephone conversation with President of France Emmanuel Macron",
            datetime(2022, 5, 1, 13, tzinfo=UTC),
            lang="en",
        ),
        text="The sanctions were discussed.",
    )
    store.store(ru, recorder)
    store.store(en, recorder)
    with Session(engine) as session:
        by_lang = {entry.lang: entry for entry in session.exec(select(CallEntry).where(CallEntry.item_id == 301))}
    assert by_lang["ru"].counterparts == [MACRON]
    assert by_lang["en"].counterparts == [MACRON_EN]
    # The rebuild reads every version: 4 + 2 + 1 Russian and English rows.
    assert fill_calls(engine, everything=True).read == len(LEDGER) + len(TWINS) + 2
    # Unreadable is counted per version: 204 is unreadable in Russian, read in English.
    assert read_status(engine).unreadable_calls == 1
    engine.dispose()
