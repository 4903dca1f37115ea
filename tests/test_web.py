"""The web side (`kremlin-watch serve`): JSON API, Atom feeds, HTML pages, read-only enforcement.

In-process through FastAPI's TestClient on SQLite and PostgreSQL, over an archive opened the way
`serve` opens it (read-only); one test runs the server for real and talks HTTP to it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from lxml import etree
from sqlmodel import Session

from archive.models import CallEntry
from archive.records import ItemRecord
from archive.store import ArchiveStore
from settings.schema import Settings
from tests.conftest import ROOT, cli_env, free_port

ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

#: 2021-12-30 23:20 UTC is 31.12.2021 02:20 in Moscow: the Moscow day differs from the UTC day.
BIDEN_AT = datetime(2021, 12, 30, 23, 20, tzinfo=UTC)


def record(item_id: int, title: str, published: datetime, **fields: Any) -> ItemRecord:
    """An article record with sensible defaults."""
    values: dict[str, Any] = {
        "url": f"http://kremlin.ru/events/president/news/{item_id}",
        "lang": "ru",
        "section": "events/president/news",
        "kind": "news",
        "lead": None,
        "text": None,
        "place": None,
        "topics": [],
        "geography": [],
        "persons": [],
        "source": "article",
    }
    values.update(fields)
    return ItemRecord(id=item_id, title=title, published_at=published, **values)


BIDEN = record(
    67487,
    "Телефонный разговор с Президентом США Джозефом Байденом",
    BIDEN_AT,
    kind="call",
    lead="Состоялся телефонный разговор Владимира Путина с Президентом США Джозефом Байденом.",
    text=(
        "30 декабря состоялся телефонный разговор Владимира Путина с Президентом Соединённых Штатов "
        "Америки Джозефом Байденом.\n\n"
        "Владимир Путин подчеркнул, что вариант принятия масштабных санкций против России стал бы "
        "колоссальной ошибкой.\n\n"
        "Обсуждались юридические гарантии, исключающие продвижение НАТО на восток."
    ),
    topics=["Внешняя политика"],
    geography=["США"],
    persons=["Байден Джозеф"],
)
MACRON = record(
    70001,
    "Телефонный разговор с Президентом Франции Эммануэлем Макроном",
    datetime(2022, 2, 20, 9, 0, tzinfo=UTC),
    kind="call",
    lead="Обсуждалась ситуация вокруг Украины.",
    text="Эммануэль Макрон проинформировал о контактах с США и НАТО.\n\nДоговорились продолжить контакты.",
    topics=["Внешняя политика"],
    geography=["Франция"],
    persons=["Макрон Эммануэль"],
)
MEETING = record(
    70010,
    "Совещание с членами Правительства",
    datetime(2022, 3, 1, 11, 0, tzinfo=UTC),
    kind="meeting",
    section="events/president/news",
    place="Москва, Кремль",
    lead="Президент провёл совещание с членами Правительства.",
    text="Обсуждалась экономика в условиях санкционного давления.\n\nВ. Путин: Добрый день, уважаемые коллеги!",
    topics=["Экономика и финансы"],
    persons=[],
)
DECREE = record(
    70020,
    "Указ о мерах по обеспечению финансовой стабильности",
    datetime(2022, 4, 10, 8, 0, tzinfo=UTC),
    kind="decree",
    url="http://kremlin.ru/acts/news/70020",
    section="acts/news",
    text="В связи с введением санкций постановляю: <b>принять</b> меры & обеспечить стабильность.",
)
ENGLISH = record(
    63907,
    "Telephone conversation with President of France Emmanuel Macron",
    datetime(2020, 6, 2, 16, 0, tzinfo=UTC),
    kind="call",
    lang="en",
    url="http://en.kremlin.ru/events/president/news/63907",
    lead="Vladimir Putin had a telephone conversation with President of France Emmanuel Macron.",
    text="The presidents discussed sanctions and the situation in Libya.",
    persons=["Macron Emmanuel"],
)
HOSTILE = record(
    70030,
    "Приветствие <script>alert('x')</script> участникам форума",
    datetime(2022, 5, 5, 7, 0, tzinfo=UTC),
    kind="greeting",
    lead="Текст с <i>разметкой</i> & амперсандом.",
    text="Уважаемые друзья! <img src=x onerror=alert(1)> Желаю успехов.",
)
CORPUS = [BIDEN, MACRON, MEETING, DECREE, ENGLISH, HOSTILE]
#: Filler news items so that paging has pages (all mention «экономика» in some form).
FILLER = [
    record(
        80000 + n,
        f"Новость номер {n} об экономике",
        datetime(2023, 1, 1, tzinfo=UTC) + timedelta(hours=n),
        text=f"Развитие экономики, часть {n}.",
    )
    for n in range(45)
]
BIDEN_EDITED_TITLE = "Телефонный разговор с Президентом Соединённых Штатов Америки Джозефом Байденом"


def add_call_records(engine: sa.Engine, *calls: tuple[ItemRecord, list[dict[str, str | None]]]) -> None:
    """Write call records (the ledger's rows) for stored call versions, made by hand: these tests are
    about what the web shows, not about the call readers."""
    with Session(engine) as session:
        for item, people in calls:
            countries = sorted({person["country"] for person in people if person["country"]})
            session.add(
                CallEntry(
                    item_id=item.id,
                    lang=item.lang,
                    item_version=1,
                    counterparts=people,
                    countries=countries,
                    readable=bool(people),
                    reader=1,
                )
            )
        session.commit()


def person(name: str, office: str | None, country: str | None) -> dict[str, str | None]:
    return {"name": name, "office": office, "country": country}


def seed(engine: sa.Engine, lemmatizer: Any = None) -> None:
    """Store the corpus and index it as the daemon would, then edit the Biden call once.

    The edit makes a revision, and leaves the item's index row stale: searches must still find it
    (the server never indexes; it reads whatever state the daemon left).
    """
    from search.index import IndexWriter

    store = ArchiveStore(engine)
    for item in [*CORPUS, *FILLER]:
        store.store(item)
    add_call_records(
        engine,
        (BIDEN, [person("Джозеф Байден", "Президент США", "US")]),
        (MACRON, [person("Эммануэль Макрон", "Президент Франции", "FR")]),
        (ENGLISH, [person("Emmanuel Macron", "President of France", "FR")]),
    )
    IndexWriter(engine, lemmatizer).update()
    store.store(replace(BIDEN, title=BIDEN_EDITED_TITLE))


@pytest.fixture(scope="session")
def lemmatizer() -> Any:
    from query.morphology import Lemmatizer

    return Lemmatizer()


@pytest.fixture
def archive(engine: sa.Engine, database_url: str, lemmatizer: Any) -> str:
    """A seeded archive; returns its URL."""
    seed(engine, lemmatizer)
    return database_url


RULES = """
[[rule]]
name = "sanctions"
query = 'санкции'
description = "for the Russia desk"
kinds = ["call", "decree"]
notify = ["desk"]

[[rule]]
name = "nato-calls"
query = 'НАТО'
kinds = ["call"]

[[rule]]
name = "economy"
query = 'экономика'

[[rule]]
name = "acts"
query = 'санкции OR экономика'
sections = ["acts/news"]
enabled = false
"""


@pytest.fixture
def rules_file(tmp_path: Path) -> Path:
    path = tmp_path / "rules.toml"
    path.write_text(RULES, encoding="utf-8")
    return path


def make_client(database_url: str, lemmatizer: Any, **settings: Any) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from web.app import create_app
    from web.readonly import readonly_engine

    engine = readonly_engine(database_url)
    configured = Settings(database_url=database_url, **settings)
    app = create_app(engine, configured.base_url, configured.rules, lemmatizer)
    with TestClient(app) as client:
        yield client
    engine.dispose()


@pytest.fixture
def client(archive: str, lemmatizer: Any, rules_file: Path) -> Iterator[Any]:
    """A test client on the seeded archive opened read-only, with the rules file configured."""
    yield from make_client(archive, lemmatizer, rules=str(rules_file))


def ids(payload: dict[str, Any]) -> list[int]:
    return [item["id"] for item in payload["items"]]


# --- /api/items ---------------------------------------------------------------------------------


def test_items_without_query_lists_newest_first(client: Any) -> None:
    answer = client.get("/api/items", params={"limit": 200})
    assert answer.status_code == 200
    payload = answer.json()
    assert payload["total"] == len(CORPUS) + len(FILLER)
    published = [item["published_at"] for item in payload["items"]]
    assert published == sorted(published, reverse=True)
    assert ids(payload)[:2] == [80044, 80043]
    first = payload["items"][0]
    for key in ("id", "url", "lang", "section", "kind", "title", "lead", "text", "published_at", "place"):
        assert key in first
    assert first["snippets"] == [] and "score" in first


def test_items_default_page_size_and_paging(client: Any) -> None:
    page1 = client.get("/api/items").json()
    assert len(page1["items"]) == 20 and page1["total"] == 51
    page2 = client.get("/api/items", params={"offset": 20}).json()
    page3 = client.get("/api/items", params={"offset": 40, "limit": 20}).json()
    seen = ids(page1) + ids(page2) + ids(page3)
    assert len(seen) == 51 and len(set(seen)) == 51
    assert ids(client.get("/api/items", params={"offset": 51}).json()) == []


def test_items_search_finds_other_word_forms_with_highlights(client: Any) -> None:
    payload = client.get("/api/items", params={"q": "санкции"}).json()
    # «санкций» (Biden, decree) match; «санкционного» is another word and does not.
    assert set(ids(payload)) == {67487, 70020}
    assert payload["total"] == 2
    biden = next(item for item in payload["items"] if item["id"] == 67487)
    assert biden["title"] == BIDEN_EDITED_TITLE
    snippet = biden["snippets"][0]
    (start, end), *_ = snippet["highlights"]
    assert snippet["text"][start:end].lower() == "санкций"


def test_items_filters(client: Any) -> None:
    def found(**params: Any) -> set[int]:
        answer = client.get("/api/items", params={"limit": 200, **params})
        assert answer.status_code == 200, answer.text
        return set(ids(answer.json()))

    assert found(kind="call") == {67487, 70001, 63907}
    assert found(kind="call", lang="en") == {63907}
    assert found(q="НАТО", kind="call") == {67487, 70001}
    assert found(person="байден") == {67487}
    assert found(topic="экономика") == {70010}
    # Moscow days: the Biden call was at 02:20 on 31 December in Moscow (30 December in UTC).
    assert 67487 in found(since="2021-12-31", until="2021-12-31")
    assert 67487 not in found(until="2021-12-30")
    assert found(since="2022-01-01", until="2022-04-10") == {70001, 70010, 70020}
    assert found(q="sanctions", lang="en") == {63907}
    relevance = client.get("/api/items", params={"q": "НАТО OR санкции", "sort": "relevance"})
    assert relevance.status_code == 200 and relevance.json()["total"] == 3


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 201},
        {"limit": "ten"},
        {"offset": -1},
        {"since": "2021-13-01"},
        {"until": "31.12.2021"},
        {"kind": "speech"},
        {"lang": "de"},
        {"sort": "popularity"},
    ],
)
def test_items_bad_parameters_are_422(client: Any, params: dict[str, Any]) -> None:
    answer = client.get("/api/items", params=params)
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/json")
    detail = answer.json()["detail"]
    assert detail and detail[0]["msg"]  # FastAPI's list of readable messages
    assert next(iter(params)) in detail[0]["loc"]


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("(санкции", ["column 1"]),
        ("санкции)", ["column"]),
        ("NOT НАТО", ["NOT"]),
        ('"юридические', ["quote"]),
    ],
)
def test_items_bad_query_is_422_with_its_message(client: Any, query: str, words: list[str]) -> None:
    answer = client.get("/api/items", params={"q": query})
    assert answer.status_code == 422
    detail = answer.json()["detail"]
    assert isinstance(detail, str) and detail.startswith("query: ")
    for word in words:
        assert word in detail


def test_items_reversed_days_are_422(client: Any) -> None:
    answer = client.get("/api/items", params={"since": "2022-02-01", "until": "2022-01-01"})
    assert answer.status_code == 422
    assert answer.json() == {"detail": "since (2022-02-01) is after until (2022-01-01)"}


# --- /api/items/{id}, /api/stats ------------------------------------------------------------------


def test_item_with_revisions(client: Any) -> None:
    answer = client.get("/api/items/67487")
    assert answer.status_code == 200
    item = answer.json()
    assert item["id"] == 67487 and item["title"] == BIDEN_EDITED_TITLE and item["version"] == 2
    assert item["published_at"] == "2021-12-30T23:20:00+00:00"
    assert item["persons"] == ["Байден Джозеф"]
    assert [revision["title"] for revision in item["revisions"]] == [BIDEN.title]
    assert [(v["lang"], v["title"]) for v in item["versions"]] == [("ru", BIDEN_EDITED_TITLE)]
    assert client.get("/api/items/70001").json()["revisions"] == []


def test_missing_item_is_404_json(client: Any) -> None:
    answer = client.get("/api/items/999999")
    assert answer.status_code == 404
    assert answer.json() == {"detail": "no item 999999 in the archive"}
    assert client.get("/api/items/abc").status_code == 422


def test_stats(client: Any) -> None:
    by_kind = client.get("/api/stats", params={"by": "kind"})
    assert by_kind.status_code == 200
    counts = {entry["key"]: entry["count"] for entry in by_kind.json()}
    assert counts == {"news": 45, "call": 3, "meeting": 1, "decree": 1, "greeting": 1}
    by_month = {e["key"]: e["count"] for e in client.get("/api/stats", params={"by": "month"}).json()}
    assert sum(by_month.values()) == 51
    assert by_month.get("2021-12") == 1  # Moscow month of the Biden call
    within = client.get("/api/stats", params={"by": "kind", "since": "2022-01-01", "until": "2022-12-31"})
    assert {e["key"]: e["count"] for e in within.json()} == {
        "call": 1,
        "meeting": 1,
        "decree": 1,
        "greeting": 1,
    }
    persons = {e["key"]: e["count"] for e in client.get("/api/stats", params={"by": "person"}).json()}
    assert persons.get("Байден Джозеф") == 1
    assert client.get("/api/stats", params={"by": "colour"}).status_code == 422
    assert client.get("/api/stats", params={"since": "2022-02-01", "until": "2022-01-01"}).status_code == 422


# --- /api/rules ------------------------------------------------------------------------------------


def test_rules_with_their_recent_matches(client: Any) -> None:
    answer = client.get("/api/rules")
    assert answer.status_code == 200
    rules = {rule["name"]: rule for rule in answer.json()}
    assert list(rules) == ["sanctions", "nato-calls", "economy", "acts"]
    sanctions = rules["sanctions"]
    assert sanctions["query"] == "санкции" and sanctions["description"] == "for the Russia desk"
    assert sanctions["kinds"] == ["call", "decree"] and sanctions["notify"] == ["desk"]
    assert [m["id"] for m in sanctions["matches"]] == [70020, 67487]  # newest first
    assert sanctions["total"] == 2
    assert [m["id"] for m in rules["nato-calls"]["matches"]] == [70001, 67487]
    economy = rules["economy"]
    assert economy["total"] == 46 and len(economy["matches"]) == 10  # 45 fillers and the meeting
    assert economy["matches"][0]["id"] == 80044
    acts = rules["acts"]  # sections filter; disabled rules are listed too (they are for trying out)
    assert acts["enabled"] is False and acts["sections"] == ["acts/news"]
    assert [m["id"] for m in acts["matches"]] == [70020] and acts["total"] == 1


def test_rules_without_a_rules_file_is_empty(archive: str, lemmatizer: Any) -> None:
    for client in make_client(archive, lemmatizer):
        assert client.get("/api/rules").json() == []
        assert client.get("/feeds/rules/sanctions.atom").status_code == 404


def test_broken_rules_file_is_503_with_the_problem(archive: str, lemmatizer: Any, tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text('[[rule]]\nname = "x"\nquery = "(санкции"\n', encoding="utf-8")
    for client in make_client(archive, lemmatizer, rules=str(broken)):
        answer = client.get("/api/rules")
        assert answer.status_code == 503
        assert "rules file:" in answer.json()["detail"] and "column" in answer.json()["detail"]


# --- Atom feeds -------------------------------------------------------------------------------------


def check_atom(body: bytes) -> etree._Element:
    """Parse ``body`` and check what RFC 4287 requires of a feed and of each entry."""
    root = etree.fromstring(body)
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert len(root.findall(f"{ATOM}{name}")) == 1, f"feed needs exactly one atom:{name}"
    self_links = [link for link in root.findall(f"{ATOM}link") if link.get("rel") == "self"]
    assert len(self_links) == 1 and self_links[0].get("href", "").startswith("http")
    feed_has_author = root.find(f"{ATOM}author/{ATOM}name") is not None
    for timestamp in root.iter(f"{ATOM}updated", f"{ATOM}published"):
        assert datetime.fromisoformat(timestamp.text.replace("Z", "+00:00")).tzinfo is not None
    for entry in root.findall(f"{ATOM}entry"):
        for name in ("id", "title", "updated"):
            assert len(entry.findall(f"{ATOM}{name}")) == 1, f"entry needs exactly one atom:{name}"
        assert feed_has_author or entry.find(f"{ATOM}author") is not None
        # One alternate: the entry's own version, in the entry's own language.
        alternates = [link for link in entry.findall(f"{ATOM}link") if link.get("rel") == "alternate"]
        assert len(alternates) == 1
        assert alternates[0].get("href") == entry.findtext(f"{ATOM}id")
        assert alternates[0].get("hreflang") == entry.get(XML_LANG) in ("ru", "en")
        content = entry.find(f"{ATOM}content")
        if content is not None:
            assert content.get("type") == "html"
    return root


def feedparser_check(body: bytes) -> Any:
    """What a real feed reader's parser makes of the feed: no complaint ("bozo"), Atom 1.0."""
    import feedparser

    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def test_calls_feed_is_valid_atom(client: Any) -> None:
    answer = client.get("/feeds/calls.atom")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/atom+xml")
    root = check_atom(answer.content)
    assert root.findtext(f"{ATOM}id").startswith("urn:uuid:")
    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}id") for e in entries] == [MACRON.url, BIDEN.url, ENGLISH.url]
    biden = entries[1]
    assert biden.findtext(f"{ATOM}title") == BIDEN_EDITED_TITLE
    assert biden.findtext(f"{ATOM}published") == "2021-12-30T23:20:00Z"
    assert biden.find(f"{ATOM}link[@rel='alternate']").get("href") == BIDEN.url
    assert biden.find(f"{ATOM}link[@rel='related']").get("href") == "http://testserver/items/67487#lang-ru"
    assert biden.get(XML_LANG) == "ru" and entries[2].get(XML_LANG) == "en"
    assert biden.findtext(f"{ATOM}summary") == BIDEN.lead
    content = biden.findtext(f"{ATOM}content")
    assert content.startswith("<p>30 декабря") and content.count("<p>") == 3

    parsed = feedparser_check(answer.content)
    assert [e.link for e in parsed.entries] == [MACRON.url, BIDEN.url, ENGLISH.url]
    assert parsed.entries[1].title == BIDEN_EDITED_TITLE
    assert "санкций" in parsed.entries[1].content[0].value


def test_feeds_escape_markup_in_items(client: Any, engine: sa.Engine) -> None:
    hostile = replace(HOSTILE, id=70031, kind="call", url="http://kremlin.ru/d/70031")
    ArchiveStore(engine).store(hostile)
    add_call_records(engine, (hostile, []))
    body = client.get("/feeds/calls.atom").content
    root = check_atom(body)
    entry = root.find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == HOSTILE.title  # text, not markup
    assert "&lt;img src=x" in entry.findtext(f"{ATOM}content")  # escaped inside the HTML content
    assert b"<script>" not in body and b"<img" not in body


def test_feed_etag_answers_304(client: Any) -> None:
    first = client.get("/feeds/calls.atom")
    etag = first.headers["etag"]
    again = client.get("/feeds/calls.atom", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert client.get("/feeds/calls.atom", headers={"If-None-Match": '"other"'}).status_code == 200


def test_rule_feed(client: Any) -> None:
    answer = client.get("/feeds/rules/sanctions.atom")
    assert answer.status_code == 200
    root = check_atom(answer.content)
    assert [e.findtext(f"{ATOM}id") for e in root.findall(f"{ATOM}entry")] == [DECREE.url, BIDEN.url]
    assert root.findtext(f"{ATOM}title") == "kremlin.ru: sanctions"
    economy = check_atom(client.get("/feeds/rules/economy.atom").content)
    assert len(economy.findall(f"{ATOM}entry")) == 46
    feedparser_check(answer.content)
    missing = client.get("/feeds/rules/nothing.atom")
    assert missing.status_code == 404 and missing.json() == {"detail": "no rule named 'nothing'"}


def test_empty_feed_is_still_valid(engine: sa.Engine, database_url: str, lemmatizer: Any) -> None:
    for client in make_client(database_url, lemmatizer):
        root = check_atom(client.get("/feeds/calls.atom").content)
        assert root.findall(f"{ATOM}entry") == []


# --- HTML pages --------------------------------------------------------------------------------------


def test_search_page_shows_highlighted_results(client: Any) -> None:
    page = client.get("/", params={"q": "санкции"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "<strong>2</strong> items found" in html
    assert BIDEN_EDITED_TITLE in html and DECREE.title in html
    assert "<mark>санкций</mark>" in html
    # The decree's own markup is shown as text, never interpreted.
    assert "&lt;b&gt;принять&lt;/b&gt;" in html and "<b>принять" not in html
    assert 'href="/items/67487#lang-ru"' in html
    assert "default-src 'none'" in page.headers["content-security-policy"]


def test_search_page_escapes_hostile_titles(client: Any) -> None:
    html = client.get("/", params={"kind": "greeting"}).text
    assert "&lt;script&gt;alert(" in html and "<script>" not in html
    item = client.get("/items/70030").text
    assert "<script>" not in item and "<img src=x" not in item and "&lt;img src=x" in item


def test_search_page_pagination(client: Any) -> None:
    first = client.get("/").text
    assert "<strong>51</strong> items; showing 1–20." in first
    assert 'href="/?page=2"' in first and 'href="/?page=3"' in first
    third = client.get("/", params={"page": 3}).text
    assert "showing 41–51." in third and "Новость номер 0 об экономике" in third
    filtered = client.get("/", params={"q": "экономика", "page": 2}).text
    assert 'href="/?q=%D1%8D%D0%BA%D0%BE%D0%BD%D0%BE%D0%BC%D0%B8%D0%BA%D0%B0&amp;page=3"' in filtered


def test_search_page_shows_mistakes_next_to_the_form(client: Any) -> None:
    page = client.get("/", params={"q": "(санкции", "since": "2022-01-01"})
    assert page.status_code == 422
    assert "query: " in page.text and "column 1" in page.text
    assert 'value="(санкции"' in page.text and 'value="2022-01-01"' in page.text
    dates = client.get("/", params={"since": "yesterday"})
    assert dates.status_code == 422 and "expected a day as YYYY-MM-DD" in dates.text
    empty = client.get("/", params={"q": "", "since": "", "until": "", "kind": "", "lang": ""})
    assert empty.status_code == 200


def test_item_page(client: Any) -> None:
    page = client.get("/items/67487")
    assert page.status_code == 200
    html = page.text
    assert f"<h1>{BIDEN_EDITED_TITLE}</h1>" in html
    assert "31.12.2021 02:20" in html  # Moscow time
    assert f'href="{BIDEN.url}"' in html
    assert "<p>Обсуждались юридические гарантии, исключающие продвижение НАТО на восток.</p>" in html
    assert "Earlier versions" in html and "Version 1" in html
    # What the edit changed: the title reworded, only the changed words marked.
    from lxml import html as lxml_html

    edit = lxml_html.fromstring(html).cssselect("#edit-ru-2")[0]
    assert "Version 1 → 2" in edit.cssselect("h3")[0].text_content()
    assert "title reworded" in edit.cssselect(".summary")[0].text_content()
    assert [d.text for d in edit.cssselect("del")] == ["США"]
    assert [i.text for i in edit.cssselect("ins")] == ["Соединённых Штатов Америки"]
    meeting = client.get("/items/70010").text
    assert "Москва, Кремль" in meeting and "Экономика и финансы" in meeting
    missing = client.get("/items/424242")
    assert missing.status_code == 404 and "no item 424242" in missing.text.replace("holds no item", "no item")
    assert client.get("/items/nope").status_code == 404


def test_item_page_tags_lead_to_searches(client: Any) -> None:
    import re
    from html import unescape

    html = client.get("/items/67487").text
    links = {
        unescape(text): unescape(href) for href, text in re.findall(r'<a href="(/\?[^"]+)">([^<]+)</a>', html)
    }
    assert set(links) >= {"Внешняя политика", "США", "Байден Джозеф"}
    for tag, href in links.items():
        page = client.get(href)
        assert page.status_code == 200, (tag, page.text)
        assert BIDEN_EDITED_TITLE in page.text, tag


# --- both language versions of an item -------------------------------------------------------------

#: The English version of the Macron call: same id, its own page on en.kremlin.ru; edited once.
TWIN_EN = record(
    70001,
    "Telephone conversation with President of France Emmanuel Macron",
    MACRON.published_at,
    kind="call",
    lang="en",
    url="http://en.kremlin.ru/events/president/news/70001",
    lead="The situation around Ukraine was discussed.",
    text="Emmanuel Macron informed about his contacts with the United States and NATO.\n\n"
    "They agreed to continue the contacts.",
    topics=["Foreign policy"],
    persons=["Macron Emmanuel"],
)
TWIN_EN_EDITED_TITLE = "Telephone conversation with President of the French Republic Emmanuel Macron"


def seed_twins(engine: sa.Engine) -> None:
    """An archive with both versions of the Macron call (the English one edited), a Russian-only
    meeting and an English-only call, with call records for every call version. Not indexed: the
    server must find versions the daemon has not indexed yet."""
    store = ArchiveStore(engine)
    for item in (MACRON, TWIN_EN, MEETING, ENGLISH):
        store.store(item)
    store.store(replace(TWIN_EN, title=TWIN_EN_EDITED_TITLE))
    add_call_records(
        engine,
        (MACRON, [person("Эммануэль Макрон", "Президент Франции", "FR")]),
        (TWIN_EN, [person("Emmanuel Macron", "President of France", "FR")]),
        (ENGLISH, [person("Emmanuel Macron", "President of France", "FR")]),
    )


@pytest.fixture
def twins(engine: sa.Engine, database_url: str, lemmatizer: Any, tmp_path: Path) -> Iterator[Any]:
    """A client on the two-language archive, with a rule on the Macron calls in either language."""
    seed_twins(engine)
    rules = tmp_path / "rules.toml"
    rules.write_text("[[rule]]\nname = \"macron\"\nquery = 'Макрон OR Macron'\n", encoding="utf-8")
    yield from make_client(database_url, lemmatizer, rules=str(rules))


def versions(payload: dict[str, Any]) -> set[tuple[int, str]]:
    return {(item["id"], item["lang"]) for item in payload["items"]}


def test_item_page_shows_every_version(twins: Any) -> None:
    from lxml import html

    answer = twins.get("/items/70001")
    assert answer.status_code == 200
    page = html.fromstring(answer.text)
    articles = page.cssselect("article.item")
    assert [(a.get("id"), a.get("lang")) for a in articles] == [("lang-ru", "ru"), ("lang-en", "en")]
    russian, english = articles
    assert russian.cssselect("h1")[0].text == MACRON.title
    assert english.cssselect("h2.title")[0].text == TWIN_EN_EDITED_TITLE
    assert [a.get("href") for a in russian.cssselect("dl.facts dd a[rel=noreferrer]")] == [MACRON.url]
    assert [a.get("href") for a in english.cssselect("dl.facts dd a[rel=noreferrer]")] == [TWIN_EN.url]
    assert "On en.kremlin.ru" in english.text_content() and "On kremlin.ru" in russian.text_content()
    assert "Emmanuel Macron informed about his contacts" in english.text_content()
    assert [a.text for a in english.cssselect(".tags a")] == ["Foreign policy", "Macron Emmanuel"]
    # The English edit is listed under the English version, with the title it replaced.
    revisions = page.cssselect("section.revisions")
    assert len(revisions) == 1 and revisions[0].getprevious() is english
    assert "Earlier versions (English)" in revisions[0].text_content()
    assert TWIN_EN.title in revisions[0].cssselect("summary")[0].text_content()
    jumps = [(a.text, a.get("href")) for a in page.cssselect("p.meta a")][1:]
    assert jumps == [("Russian", "#lang-ru"), ("English", "#lang-en")]
    # One version only: one article, in its language, and no choice of languages.
    single = html.fromstring(twins.get("/items/63907").text)
    assert [a.get("lang") for a in single.cssselect("article.item")] == ["en"]
    assert len(single.cssselect("p.meta a")) == 1


def test_api_item_has_every_version(twins: Any) -> None:
    item = twins.get("/api/items/70001").json()
    assert (item["lang"], item["title"], item["url"]) == ("ru", MACRON.title, MACRON.url)
    assert item["revisions"] == []
    assert [(v["lang"], v["url"]) for v in item["versions"]] == [("ru", MACRON.url), ("en", TWIN_EN.url)]
    english = item["versions"][1]
    assert english["title"] == TWIN_EN_EDITED_TITLE and english["version"] == 2
    assert [r["title"] for r in english["revisions"]] == [TWIN_EN.title]
    chosen = twins.get("/api/items/70001", params={"lang": "en"}).json()
    assert (chosen["lang"], chosen["title"]) == ("en", TWIN_EN_EDITED_TITLE)
    assert chosen["versions"] == item["versions"]
    only_english = twins.get("/api/items/63907").json()
    assert only_english["lang"] == "en" and [v["lang"] for v in only_english["versions"]] == ["en"]
    missing = twins.get("/api/items/70010", params={"lang": "en"})
    assert missing.status_code == 404 and missing.json() == {
        "detail": "no en version of item 70010 in the archive"
    }
    assert twins.get("/api/items/70001", params={"lang": "de"}).status_code == 422


def test_api_items_list_versions_with_their_language(twins: Any) -> None:
    def found(**params: Any) -> set[tuple[int, str]]:
        answer = twins.get("/api/items", params={"limit": 50, **params})
        assert answer.status_code == 200, answer.text
        return versions(answer.json())

    everything = twins.get("/api/items", params={"limit": 50}).json()
    assert everything["total"] == 4
    assert versions(everything) == {(70001, "ru"), (70001, "en"), (70010, "ru"), (63907, "en")}
    english = twins.get("/api/items", params={"lang": "en"}).json()
    assert versions(english) == {(70001, "en"), (63907, "en")}
    assert all(item["url"].startswith("http://en.kremlin.ru/") for item in english["items"])
    assert found(lang="ru") == {(70001, "ru"), (70010, "ru")}
    # Each version is found by its own words.
    assert found(q="Macron") == {(70001, "en"), (63907, "en")}
    assert found(q="Макрон") == {(70001, "ru")}
    assert found(q="Макрон OR Macron", kind="call") == {(70001, "ru"), (70001, "en"), (63907, "en")}


def test_search_page_says_the_language_of_each_hit(twins: Any) -> None:
    from lxml import html

    page = html.fromstring(twins.get("/", params={"q": "Макрон OR Macron"}).text)
    hits = {
        li.cssselect("h2 a")[0].get("href"): (
            li.cssselect(".lang")[0].text,
            li.cssselect("h2")[0].get("lang"),
        )
        for li in page.cssselect("ol.results li")
    }
    assert hits == {
        "/items/70001#lang-ru": ("ru", "ru"),
        "/items/70001#lang-en": ("en", "en"),
        "/items/63907#lang-en": ("en", "en"),
    }


def test_call_feeds_have_an_entry_per_call_in_its_language_with_the_twin(twins: Any) -> None:
    answer = twins.get("/feeds/calls.atom")
    root = check_atom(answer.content)
    entries = root.findall(f"{ATOM}entry")
    assert [(e.findtext(f"{ATOM}id"), e.get(XML_LANG)) for e in entries] == [
        (MACRON.url, "ru"),
        (ENGLISH.url, "en"),
    ]
    related = [
        (a.get("href"), a.get("hreflang"), a.get("title"))
        for a in entries[0].findall(f"{ATOM}link[@rel='related']")
    ]
    assert related == [
        ("http://testserver/items/70001#lang-ru", None, None),
        (TWIN_EN.url, "en", TWIN_EN_EDITED_TITLE),  # the English twin
    ]
    parsed = feedparser_check(answer.content)
    assert parsed.entries[0].link == MACRON.url
    in_english = twins.get("/feeds/calls.atom", params={"lang": "en"})
    english = check_atom(in_english.content)
    entries = english.findall(f"{ATOM}entry")
    assert [(e.findtext(f"{ATOM}id"), e.get(XML_LANG)) for e in entries] == [
        (TWIN_EN.url, "en"),
        (ENGLISH.url, "en"),
    ]
    assert entries[0].findtext(f"{ATOM}title") == TWIN_EN_EDITED_TITLE
    assert len(entries[0].findall(f"{ATOM}link[@rel='related']")) == 1  # the item page only
    assert english.findtext(f"{ATOM}title") == "kremlin.ru: phone calls (English)"
    assert english.findtext(f"{ATOM}id") != root.findtext(f"{ATOM}id")
    feedparser_check(in_english.content)
    france = check_atom(twins.get("/feeds/calls/FR.atom", params={"lang": "en"}).content)
    assert [e.findtext(f"{ATOM}id") for e in france.findall(f"{ATOM}entry")] == [TWIN_EN.url, ENGLISH.url]
    assert twins.get("/feeds/calls.atom", params={"lang": "de"}).status_code == 422


def test_rule_feed_has_an_entry_per_version(twins: Any) -> None:
    root = check_atom(twins.get("/feeds/rules/macron.atom").content)
    entries = {(e.findtext(f"{ATOM}id"), e.get(XML_LANG)) for e in root.findall(f"{ATOM}entry")}
    assert entries == {(MACRON.url, "ru"), (TWIN_EN.url, "en"), (ENGLISH.url, "en")}


def test_both_versions_over_http(engine: sa.Engine, database_url: str) -> None:
    from lxml import html

    seed_twins(engine)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with running_server(database_url, port):
        wait_for(f"{base}/openapi.json")
        with urllib.request.urlopen(f"{base}/items/70001") as answer:
            page = html.fromstring(answer.read())
        with urllib.request.urlopen(f"{base}/api/calls") as answer:
            calls = json.loads(answer.read())["calls"]
    titles = [heading.text for heading in page.cssselect("article.item h1, article.item h2.title")]
    assert titles == [MACRON.title, TWIN_EN_EDITED_TITLE]
    links = {a.get("href") for a in page.cssselect("article.item a[rel=noreferrer]")}
    assert {MACRON.url, TWIN_EN.url} <= links
    macron = next(call for call in calls if call["id"] == 70001)
    assert (macron["url"], macron["en_url"], macron["en_title"]) == (
        MACRON.url,
        TWIN_EN.url,
        TWIN_EN_EDITED_TITLE,
    )


# --- read-only --------------------------------------------------------------------------------------


def test_serve_engine_refuses_writes(archive: str) -> None:
    from web.readonly import check_schema, readonly_engine

    engine = readonly_engine(archive)
    try:
        check_schema(engine)
        with engine.connect() as connection:
            assert connection.execute(sa.text("SELECT count(*) FROM item")).scalar_one() == 51
        statements = [
            "UPDATE item SET title = 'x' WHERE id = 67487",
            "DELETE FROM item",
            "CREATE TABLE intruder (x INTEGER)",
        ]
        for statement in statements:
            with pytest.raises(sa.exc.DBAPIError) as caught, engine.begin() as connection:
                connection.execute(sa.text(statement))
            assert "read" in str(caught.value.orig).lower()  # "readonly database" / "read-only transaction"
        with pytest.raises(sa.exc.DBAPIError):
            ArchiveStore(engine).store(replace(BIDEN, id=1))
        # Twice through the pool: the setting survives a connection's return and reuse.
        for _ in range(2):
            with pytest.raises(sa.exc.DBAPIError), engine.begin() as connection:
                connection.execute(sa.text("DELETE FROM item"))
        with engine.connect() as connection:
            assert connection.execute(sa.text("SELECT count(*) FROM item")).scalar_one() == 51
    finally:
        engine.dispose()


def concrete(path: str) -> str:
    return path.replace("{item_id}", "67487").replace("{name}", "sanctions").replace("{country}", "FR")


def all_routes(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, set[str], Any]]:
    """(path, methods, route) of every route, also inside included routers (FastAPI ≥ 0.13x keeps
    them nested instead of copying their routes into the app)."""
    for route in routes:
        nested = getattr(route, "original_router", None)
        if nested is not None:
            yield from all_routes(nested.routes, prefix + getattr(route.include_context, "prefix", ""))
        elif hasattr(route, "methods"):
            path = route.path if route.path.startswith(prefix) else prefix + route.path
            yield path, set(route.methods), route


def test_only_get_and_head_anywhere(client: Any) -> None:
    from fastapi.routing import APIRoute

    routes = list(all_routes(client.app.routes))
    for path, methods, _route in routes:
        assert methods <= {"GET", "HEAD"}, path
    paths = {concrete(path) for path, _methods, _route in routes} | {"/", "/items/67487", "/no/such/path"}
    assert {"/api/items", "/api/items/67487", "/feeds/calls.atom", "/feeds/rules/sanctions.atom"} <= paths
    for path in sorted(paths):
        for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS"):
            answer = client.request(method, path)
            assert answer.status_code == 405, (method, path)
            assert answer.headers["allow"] == "GET, HEAD"
    for path, _methods, route in routes:
        if isinstance(route, APIRoute) or path in ("/", "/openapi.json"):
            get = client.get(concrete(path))
            head = client.head(concrete(path))
            assert head.status_code == 200 and head.content == b"", path
            assert head.headers["content-length"] == get.headers["content-length"]
            assert head.headers["content-type"] == get.headers["content-type"]


def test_openapi_and_docs(client: Any) -> None:
    spec = client.get("/openapi.json")
    assert spec.status_code == 200
    paths = spec.json()["paths"]
    assert {"/api/items", "/api/items/{item_id}", "/api/stats", "/api/rules"} <= set(paths)
    assert "/feeds/calls.atom" in paths and "/feeds/rules/{name}.atom" in paths
    for operations in paths.values():
        assert set(operations) == {"get"}
    parameters = {p["name"] for p in paths["/api/items"]["get"]["parameters"]}
    assert parameters == {"q", "since", "until", "kind", "lang", "person", "topic", "limit", "offset", "sort"}
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


def test_docs_load_every_asset_from_the_server_itself(archive: str) -> None:
    """/docs over real HTTP: every script, stylesheet and icon it references, and every url() in the
    stylesheet, is served by this server (or inline data), so the page works without the internet."""
    from urllib.parse import urljoin, urlsplit

    from lxml import html

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with ServerThread(archive, port):
        wait_for(f"{base}/openapi.json")
        with urllib.request.urlopen(f"{base}/docs") as answer:
            page = answer.read().decode()
        tree = html.fromstring(page)
        references = [*tree.xpath("//script/@src"), *tree.xpath("//link/@href")]
        assert len(references) >= 3  # the Swagger UI script, its stylesheet, the icon
        assert "https://" not in page and "http://" not in page
        assert '"validatorUrl": null' in page  # no badge fetched from the validator service
        fetched: dict[str, bytes] = {}
        for reference in references:
            url = urljoin(f"{base}/docs", reference)
            assert urlsplit(url).netloc == f"127.0.0.1:{port}", reference
            with urllib.request.urlopen(url) as answer:
                assert answer.status == 200
                fetched[urlsplit(url).path] = answer.read()
    script = next(body for path, body in fetched.items() if path.endswith(".js"))
    assert b"SwaggerUIBundle" in script and len(script) > 100_000  # the real bundle, not a stub
    css = next(body for path, body in fetched.items() if path.endswith(".css")).decode()
    urls = re.findall(r"url\(\s*['\"]?([^'\")]*)", css)
    assert urls and all(url.startswith("data:") for url in urls), urls


# --- the command -------------------------------------------------------------------------------------


def test_serve_refuses_an_archive_it_cannot_serve(tmp_path: Path) -> None:
    from kremlin_watch.errors import UserError
    from kremlin_watch.serve_cli import cmd_serve

    args = argparse.Namespace(host="127.0.0.1", port=free_port())
    missing = Settings(database_url=f"sqlite:///{tmp_path / 'absent.sqlite3'}")
    with pytest.raises(UserError, match=r"no archive at .*absent\.sqlite3; run `kremlin-watch crawl`") as caught:
        cmd_serve(args, missing)
    assert caught.value.status == 2  # a wrong database_url, as for every read command
    assert not (tmp_path / "absent.sqlite3").exists()  # read-only: not even created
    empty = tmp_path / "empty.sqlite3"
    sa.create_engine(f"sqlite:///{empty}").connect().close()
    with pytest.raises(UserError, match=r"no archive at .*empty\.sqlite3"):  # no tables: not an archive
        cmd_serve(args, Settings(database_url=f"sqlite:///{empty}"))


def serve_wired() -> bool:
    from kremlin_watch import cli

    return "serve" in cli.COMMANDS


def wait_for(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


class ServerThread:
    """The app under a real uvicorn in a thread (until `kremlin-watch serve` is wired in the CLI)."""

    def __init__(self, database_url: str, port: int, **settings: Any) -> None:
        import uvicorn

        from web.app import create_app
        from web.readonly import readonly_engine

        self.engine = readonly_engine(database_url)
        configured = Settings(database_url=database_url, **settings)
        app = create_app(self.engine, configured.base_url, configured.rules)
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> ServerThread:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.engine.dispose()


class ServeProcess:
    """`kremlin-watch serve` as a subprocess; stopped with SIGTERM."""

    def __init__(self, database_url: str, port: int, **settings: str) -> None:
        self.command = [sys.executable, "-m", "kremlin_watch", "serve", "--port", str(port)]
        self.env = cli_env(database_url=database_url, **settings)
        self.process: subprocess.Popen[str] | None = None

    def __enter__(self) -> ServeProcess:
        self.process = subprocess.Popen(
            self.command, env=self.env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        return self

    def __exit__(self, *_exc: object) -> None:
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        self.stdout, self.stderr = self.process.communicate(timeout=20)
        self.returncode = self.process.returncode


def running_server(database_url: str, port: int, **settings: str) -> ServerThread | ServeProcess:
    """The real command when the CLI has it, else the same app under uvicorn in a thread."""
    if serve_wired() and os.environ.get("KREMLIN_WATCH_SERVE_IN_THREAD") != "1":
        return ServeProcess(database_url, port, **settings)
    return ServerThread(database_url, port, **settings)


def test_serve_over_http(archive: str, rules_file: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with running_server(archive, port, rules=str(rules_file)) as server:
        wait_for(f"{base}/openapi.json")
        with urllib.request.urlopen(
            f"{base}/api/items?q=%D1%81%D0%B0%D0%BD%D0%BA%D1%86%D0%B8%D0%B8"
        ) as answer:
            assert answer.status == 200
            assert answer.headers["content-type"] == "application/json"
            payload = json.loads(answer.read())
        assert payload["total"] == 2 and {item["id"] for item in payload["items"]} == {67487, 70020}
        with urllib.request.urlopen(f"{base}/feeds/calls.atom") as answer:
            check_atom(answer.read())
        request = urllib.request.Request(f"{base}/api/items", method="POST", data=b"{}")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request)
        assert refused.value.code == 405
    if isinstance(server, ServeProcess):
        assert server.returncode == 0, server.stderr
        assert "read-only" in server.stderr


def test_rule_sections_are_filtered_across_pages(
    archive: str, lemmatizer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from alerts.rules import Rule
    from query.syntax import parse_query
    from web import rules
    from web.readonly import readonly_engine

    monkeypatch.setattr(rules, "_PAGE", 7)  # the 46 matches span 7 search pages
    rule = Rule(
        name="economy-news",
        query_text="экономика",
        query=parse_query("экономика"),
        sections=("events/president/news",),
        kinds=("news", "meeting"),
    )
    engine = readonly_engine(archive)
    try:
        found = rules.rule_matches(engine, rule, 10, lemmatizer)
    finally:
        engine.dispose()
    assert found.total == 46
    assert [hit.item["id"] for hit in found.hits] == list(range(80044, 80034, -1))


def test_marked_escapes_and_clips() -> None:
    from query.snippets import Snippet
    from web.present import marked, page_links

    def shown(text: str, spans: list[tuple[int, int]]) -> str:
        return str(marked(Snippet("text", text, tuple(spans))))

    assert shown("a <b> санкций & c", [(6, 13)]) == "a &lt;b&gt; <mark>санкций</mark> &amp; c"
    # Overlapping, reversed and out-of-range spans never cut an escape in half or repeat text.
    assert (
        shown("<<>>", [(0, 2), (1, 3), (3, 99), (2, 1)])
        == "<mark>&lt;&lt;</mark><mark>&gt;</mark><mark>&gt;</mark>"
    )
    assert shown("", [(0, 5)]) == ""
    numbers = [link.number for link in page_links(total=200, page=5, per_page=20)]
    assert numbers == [1, None, 3, 4, 5, 6, 7, None, 10]
    assert [link.number for link in page_links(0, 1, 20)] == [1]
