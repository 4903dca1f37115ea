"""The calls on the web side: the ``/calls`` page and its chart, ``/api/calls``, and the feeds of calls
with one country, on SQLite and PostgreSQL.

The calls are real ones (titles, times and wording from en.kremlin.ru, 2021–2022, and Russian ones in
the site's own patterns), stored through the archive; their call records are written straight into
the call table, labelled by hand, so these tests do not depend on the call readers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from lxml import etree, html
from sqlmodel import Session

from archive.models import CallEntry
from archive.store import ArchiveStore
from tests.test_web import (
    ATOM,
    ENGLISH,
    MACRON,
    TWIN_EN,
    TWIN_EN_EDITED_TITLE,
    check_atom,
    feedparser_check,
    make_client,
    record,
    seed_twins,
)

SVG = "{http://www.w3.org/2000/svg}"
MOSCOW = timedelta(hours=3)


def call(
    item_id: int,
    lang: str,
    moscow: str,
    title: str,
    counterparts: list[tuple[str, str | None, str | None]],
    initiated_by: tuple[str, ...] = (),
    lead: str | None = None,
) -> tuple[Any, list[dict[str, str | None]], list[str]]:
    """A call item published at ``moscow`` (the site's wall clock), with its hand-made record."""
    host = "http://en.kremlin.ru" if lang == "en" else "http://kremlin.ru"
    published = datetime.fromisoformat(moscow).replace(tzinfo=UTC) - MOSCOW
    item = record(
        item_id,
        title,
        published,
        kind="call",
        lang=lang,
        url=f"{host}/events/president/news/{item_id}",
        lead=lead,
        text=(lead or title) + "\n\nThe conversation continued.",
    )
    people = [{"name": name, "office": office, "country": country} for name, office, country in counterparts]
    return item, people, list(initiated_by)


MICHEL = "Telephone conversation with European Council President Charles Michel"
ERDOGAN = "Telephone conversation with President of Turkey Recep Tayyip Erdogan"
CALLS = [
    call(
        67189,
        "en",
        "2021-11-24 19:20",
        MICHEL,
        [("Charles Michel", "President of the European Council", "EU")],
    ),
    call(67549, "en", "2022-01-02 15:50", ERDOGAN, [("Recep Tayyip Erdogan", "President of Turkey", "TR")]),
    call(
        70001,
        "ru",
        "2022-02-20 12:00",
        "Телефонный разговор с Президентом Франции Эммануэлем Макроном",
        [("Эммануэль Макрон", "Президент Франции", "FR")],
    ),
    call(
        70002,
        "ru",
        "2022-02-25 18:10",
        "Телефонный разговор с Президентом Турецкой Республики Реджепом Тайипом Эрдоганом",
        [("Реджеп Тайип Эрдоган", "Президент Турецкой Республики", "TR")],
        ("RU",),
        "По инициативе российской стороны состоялся телефонный разговор Владимира Путина с Президентом "
        "Турецкой Республики Реджепом Тайипом Эрдоганом.",
    ),
    # 00:30 on 1 March in Moscow is still 28 February in UTC: the month is Moscow's.
    call(
        70003,
        "ru",
        "2022-03-01 00:30",
        "Телефонный разговор с губернатором Белгородской области Вячеславом Гладковым",
        [("Вячеслав Гладков", "губернатор Белгородской области", "RU")],
    ),
    call(
        67896,
        "en",
        "2022-03-02 20:20",
        "Telephone conversation with Prime Minister of Israel Naftali Bennett",
        [("Naftali Bennett", "Prime Minister of Israel", "IL")],
        ("IL",),
        "Vladimir Putin had a telephone conversation with Prime Minister of Israel Naftali Bennett, at the "
        "Israeli side's initiative.",
    ),
    call(
        67955,
        "en",
        "2022-03-10 14:20",
        "Telephone conversation with Olaf Scholz and Emmanuel Macron",
        [
            ("Olaf Scholz", "Federal Chancellor of Germany", "DE"),
            ("Emmanuel Macron", "President of France", "FR"),
        ],
    ),
    call(
        68017,
        "en",
        "2022-03-18 19:55",
        "Telephone conversation with President of France Emmanuel Macron",
        [("Emmanuel Macron", "President of France", "FR")],
        ("FR",),
        "Vladimir Putin had a telephone conversation with President of the French Republic Emmanuel Macron "
        "at the French side's initiative.",
    ),
    call(68118, "en", "2022-04-01 17:45", ERDOGAN, [("Recep Tayyip Erdogan", "President of Turkey", "TR")]),
    call(
        68260,
        "en",
        "2022-04-22 15:25",
        MICHEL,
        [("Charles Michel", "President of the European Council", "EU")],
    ),
    # A row that went wrong somewhere: markup in the title, the name and the country must stay text.
    call(
        70005,
        "ru",
        "2022-05-05 10:00",
        "Телефонный разговор <script>alert('x')</script>",
        [("<img src=x onerror=alert(1)>", None, "Q<1>")],
    ),
    call(
        68436,
        "en",
        "2022-05-17 19:25",
        "Telephone conversation with UAE President Mohammed bin Zayed Al Nahyan",
        [("Mohammed bin Zayed Al Nahyan", "President of the United Arab Emirates", "AE")],
    ),
    call(
        68662,
        "en",
        "2022-06-15 17:45",
        "Telephone conversation with President of South Africa Cyril Ramaphosa",
        [("Cyril Ramaphosa", "President of the Republic of South Africa", "ZA")],
        ("ZA",),
    ),
    # A page whose counterpart could not be read.
    call(70004, "ru", "2022-06-20 21:00", "Телефонный разговор", []),
]
NEWEST_FIRST = [item.id for item, _, _ in sorted(CALLS, key=lambda c: c[0].published_at, reverse=True)]
NOT_A_CALL = record(
    70100, "Совещание с членами Правительства", datetime(2022, 3, 5, 9, tzinfo=UTC), kind="meeting"
)


def seed_calls(engine: sa.Engine) -> None:
    """Store the calls (and a meeting) through the archive, and their call records in the call table."""
    store = ArchiveStore(engine)
    for item, _, _ in CALLS:
        store.store(item)
    store.store(NOT_A_CALL)
    with Session(engine) as session:
        for item, people, initiated_by in CALLS:
            countries = sorted({person["country"] for person in people if person["country"]})
            session.add(
                CallEntry(
                    item_id=item.id,
                    lang=item.lang,
                    item_version=1,
                    counterparts=people,
                    countries=countries,
                    initiated_by=initiated_by,
                    readable=bool(people),
                    reader=1,
                )
            )
        session.commit()


@pytest.fixture(scope="module")
def lemmatizer() -> Any:
    from query.morphology import Lemmatizer

    return Lemmatizer()


@pytest.fixture
def client(engine: sa.Engine, database_url: str, lemmatizer: Any) -> Iterator[Any]:
    seed_calls(engine)
    yield from make_client(database_url, lemmatizer)


def page_of(answer: Any) -> Any:
    return html.fromstring(answer.text)


def row_ids(answer: Any) -> list[int]:
    return [int(row.get("data-id")) for row in page_of(answer).cssselect("table.calls tbody tr")]


def chart(answer: Any) -> Any:
    """The page's chart, parsed as the SVG document it is (None when the page has none)."""
    found = re.search(r"<svg.*?</svg>", answer.text, re.DOTALL)
    return etree.fromstring(found.group(0)) if found else None


def bars(answer: Any) -> list[Any]:
    """The chart's bars (``<g class="bar">``)."""
    svg = chart(answer)
    return [] if svg is None else svg.findall(f"{SVG}g[@class='bar']")


# --- /calls ------------------------------------------------------------------------------------------


def test_calls_page_lists_every_call_newest_first(client: Any) -> None:
    answer = client.get("/calls")
    assert answer.status_code == 200
    assert "default-src 'none'" in answer.headers["content-security-policy"]
    page = page_of(answer)
    assert row_ids(answer) == NEWEST_FIRST and NOT_A_CALL.id not in row_ids(answer)
    assert page.get_element_by_id("count").text_content().split()[:2] == ["14", "calls;"]
    macron = page.cssselect("tr[data-id='68017']")[0]
    cells = [" ".join(cell.text_content().split()) for cell in macron.cssselect("td")]
    assert cells == [
        "18.03.2022 19:55",  # Moscow time, as the site dates it
        "Telephone conversation with President of France Emmanuel Macron en",
        "Emmanuel Macron, President of France · France (FR)",
        "France",
    ]
    assert macron.cssselect("td.title a")[0].get("href") == "/items/68017#lang-en"
    group = page.cssselect("tr[data-id='67955'] .counterpart")
    assert [" ".join(c.text_content().split()) for c in group] == [
        "Olaf Scholz, Federal Chancellor of Germany · Germany (DE)",
        "Emmanuel Macron, President of France · France (FR)",
    ]
    assert page.cssselect("tr[data-id='70002'] td.initiative")[0].text == "Russia"
    assert page.cssselect("tr[data-id='67955'] td.initiative")[0].text == "not stated"
    assert "counterpart not read" in page.cssselect("tr[data-id='70004']")[0].text_content()
    assert page.cssselect("tr[data-id='70003'] td.when")[0].text == "01.03.2022 00:30"


def test_calls_page_escapes_what_the_records_hold(client: Any) -> None:
    text = client.get("/calls").text
    assert "<script>" not in text and "<img src=x" not in text
    assert "&lt;script&gt;alert(" in text and "&lt;img src=x onerror=alert(1)&gt;" in text
    assert "Q&lt;1&gt;" in text and "Q<1>" not in text  # in the table and in the chart's legend


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"country": "FR"}, [68017, 67955, 70001]),
        ({"country": " fr "}, [68017, 67955, 70001]),
        ({"country": "EU"}, [68260, 67189]),
        ({"country": "RU"}, [70003]),
        ({"initiated_by": "foreign"}, [68662, 68017, 67896]),
        ({"initiated_by": "russia"}, [70002]),
        ({"initiated_by": "IL"}, [67896]),
        ({"counterpart": "Макроном"}, [70001]),
        ({"counterpart": "Macron"}, [68017, 67955]),
        ({"counterpart": "Erdogan", "since": "2022-03-01"}, [68118]),
        ({"since": "2022-03-01", "until": "2022-03-10"}, [67955, 67896, 70003]),
        ({"until": "2022-02-28"}, [70002, 70001, 67549, 67189]),
        ({"lang": "ru", "country": "TR"}, [70002]),
        ({"country": "JP"}, []),
    ],
)
def test_calls_page_filters(client: Any, params: dict[str, str], expected: list[int]) -> None:
    answer = client.get("/calls", params=params)
    assert answer.status_code == 200, answer.text
    assert row_ids(answer) == expected
    if not expected:
        assert "No calls found." in answer.text and bars(answer) == []


def test_calls_page_keeps_the_filters_in_the_form(client: Any) -> None:
    page = page_of(client.get("/calls", params={"country": "fr", "initiated_by": "foreign", "lang": "en"}))
    assert page.cssselect("input[name=country]")[0].get("value") == "fr"
    assert page.cssselect("input[name=initiated_by]")[0].get("value") == "foreign"
    assert page.cssselect("select[name=lang] option[selected]")[0].get("value") == "en"
    assert [link.get("href") for link in page.cssselect("#count a")] == ["/feeds/calls/FR.atom?lang=en"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"country": "XX"}, "country: unknown country code 'XX' (ISO 3166 alpha-2 such as FR, or EU, RU)."),
        ({"country": "France"}, "country: unknown country code 'France'"),
        ({"initiated_by": "abroad"}, "initiated_by: unknown initiative 'abroad'"),
        ({"since": "2022-03-01", "until": "2022-02-01"}, "since (2022-03-01) is after until (2022-02-01)."),
        ({"since": "yesterday"}, "since: expected a day as YYYY-MM-DD, got 'yesterday'."),
        ({"lang": "de"}, "lang: 'de' is not a language of the archive (ru, en)."),
    ],
)
def test_calls_page_shows_bad_filters_next_to_the_form(
    client: Any, params: dict[str, str], message: str
) -> None:
    answer = client.get("/calls", params=params)
    assert answer.status_code == 422
    errors = [p.text for p in page_of(answer).cssselect("div.errors p")]
    assert len(errors) == 1 and errors[0].startswith(message)
    assert row_ids(answer) == [] and bars(answer) == []
    for name, value in params.items():
        if name != "lang":
            assert f'value="{value}"' in answer.text


def test_search_page_links_the_calls_page(client: Any) -> None:
    navigation = page_of(client.get("/")).cssselect("header nav a")
    assert ("Phone calls", "/calls") in [(link.text, link.get("href")) for link in navigation]
    assert client.get("/calls", params={"page": "2"}).status_code == 200


# --- the chart -----------------------------------------------------------------------------------------


def heights(bar: Any) -> list[float]:
    return [float(rect.get("height")) for rect in bar.xpath("./*[local-name()='rect']")]


def test_chart_has_a_bar_per_moscow_month_stacked_by_country(client: Any) -> None:
    svg = chart(client.get("/calls"))
    assert svg.get("role") == "img"
    assert svg.findtext(f"{SVG}title") == "Calls per month by country"
    assert svg.findtext(f"{SVG}desc").startswith("14 calls from November 2021 to June 2022")
    months = svg.findall(f"{SVG}g[@class='bar']")
    titles = [bar.findtext(f"{SVG}title") for bar in months]
    assert titles == [
        "November 2021: 1 call (European Union 1)",
        "December 2021: 0 calls",  # no call that month: an empty bar, not a missing one
        "January 2022: 1 call (Türkiye 1)",
        "February 2022: 2 calls (France 1, Türkiye 1)",
        "March 2022: 4 calls (France 2, Germany 1, Israel 1, Russia 1)",  # 1 March 00:30 Moscow
        "April 2022: 2 calls (European Union 1, Türkiye 1)",
        "May 2022: 2 calls (United Arab Emirates 1, Q<1> 1)",
        "June 2022: 2 calls (South Africa 1, country not read 1)",
    ]
    labels = [bar.findtext(f"{SVG}text[@class='label']") for bar in months]
    assert labels == ["2021-11", "2021-12", "2022-01", "2022-02", "2022-03", "2022-04", "2022-05", "2022-06"]
    assert heights(months[1]) == []
    march = heights(months[4])  # five parts: the Scholz–Macron call counts for Germany and France
    assert len(march) == 4 and sum(march) > 0
    assert sum(heights(months[3])) == pytest.approx(sum(march) * 2 / 5, abs=0.2)
    assert [rect.get("data-series") for rect in months[4].findall(f"{SVG}rect")] == ["FR", "DE", "IL", "RU"]
    legend = [key.findtext(f"{SVG}text") for key in svg.iter(f"{SVG}g") if key.get("class") == "key"]
    assert legend == [
        "France (FR)",
        "Türkiye (TR)",
        "European Union (EU)",
        "United Arab Emirates (AE)",
        "Germany (DE)",
        "Israel (IL)",
        "Q<1>",
        "Russia (RU)",
        "other countries",
    ]
    june = months[7].findall(f"{SVG}rect")
    assert [rect.get("data-series") for rect in june] == ["other"]  # South Africa and the unread call


def test_chart_follows_the_filters(client: Any) -> None:
    answer = client.get("/calls", params={"country": "TR"})
    titles = [bar.findtext(f"{SVG}title") for bar in bars(answer)]
    assert titles == [
        "January 2022: 1 call (Türkiye 1)",
        "February 2022: 1 call (Türkiye 1)",
        "March 2022: 0 calls",
        "April 2022: 1 call (Türkiye 1)",
    ]
    assert [len(heights(bar)) for bar in bars(answer)] == [1, 1, 0, 1]


# --- /api/calls ----------------------------------------------------------------------------------------


def test_api_calls(client: Any) -> None:
    answer = client.get("/api/calls")
    assert answer.status_code == 200
    payload = answer.json()
    assert payload["total"] == 14 and [c["id"] for c in payload["calls"]] == NEWEST_FIRST
    group = next(c for c in payload["calls"] if c["id"] == 67955)
    assert group == {
        "id": 67955,
        "url": "http://en.kremlin.ru/events/president/news/67955",
        "lang": "en",
        "published_at": "2022-03-10T11:20:00+00:00",
        "title": "Telephone conversation with Olaf Scholz and Emmanuel Macron",
        "counterparts": [
            {"name": "Olaf Scholz", "office": "Federal Chancellor of Germany", "country": "DE"},
            {"name": "Emmanuel Macron", "office": "President of France", "country": "FR"},
        ],
        "countries": ["DE", "FR"],
        "initiated_by": [],
        # An English call is its own English version.
        "en_title": "Telephone conversation with Olaf Scholz and Emmanuel Macron",
        "en_url": "http://en.kremlin.ru/events/president/news/67955",
    }
    russian = next(c for c in payload["calls"] if c["id"] == 70001)
    assert russian["en_title"] is None and russian["en_url"] is None  # no English version archived
    page = client.get("/api/calls", params={"limit": 5, "offset": 10}).json()
    assert page["total"] == 14 and [c["id"] for c in page["calls"]] == NEWEST_FIRST[10:]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"country": "fr"}, [68017, 67955, 70001]),
        ({"initiated_by": "foreign", "lang": "en"}, [68662, 68017, 67896]),
        ({"counterpart": "Эрдоган", "initiated_by": "russia"}, [70002]),
        ({"since": "2022-03-01", "until": "2022-03-01"}, [70003]),
        ({"country": "EU", "limit": 1}, [68260]),
    ],
)
def test_api_calls_filters(client: Any, params: dict[str, Any], expected: list[int]) -> None:
    answer = client.get("/api/calls", params=params)
    assert answer.status_code == 200, answer.text
    assert [c["id"] for c in answer.json()["calls"]] == expected


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({"country": "XX"}, "country: unknown country code 'XX' (ISO 3166 alpha-2 such as FR, or EU, RU)"),
        (
            {"initiated_by": "them"},
            "initiated_by: unknown initiative 'them' (a country code such as FR, or foreign or russia)",
        ),
        ({"since": "2022-02-01", "until": "2022-01-01"}, "since (2022-02-01) is after until (2022-01-01)"),
        (
            {"country": "ZZ", "since": "2022-02-01", "until": "2022-01-01"},
            "country: unknown country code 'ZZ' (ISO 3166 alpha-2 such as FR, or EU, RU); "
            "since (2022-02-01) is after until (2022-01-01)",
        ),
    ],
)
def test_api_calls_bad_filters_are_422_with_a_readable_detail(
    client: Any, params: dict[str, str], detail: str
) -> None:
    answer = client.get("/api/calls", params=params)
    assert answer.status_code == 422
    assert answer.json() == {"detail": detail}


@pytest.mark.parametrize(
    "params", [{"limit": 0}, {"limit": 501}, {"offset": -1}, {"lang": "de"}, {"since": "x"}]
)
def test_api_calls_bad_parameters_are_422(client: Any, params: dict[str, Any]) -> None:
    answer = client.get("/api/calls", params=params)
    assert answer.status_code == 422
    assert next(iter(params)) in answer.json()["detail"][0]["loc"]


# --- both language versions of a call ------------------------------------------------------------------


@pytest.fixture
def twins(engine: sa.Engine, database_url: str, lemmatizer: Any) -> Iterator[Any]:
    """A client on an archive with the Russian and the English version of one call (`seed_twins`)."""
    seed_twins(engine)
    yield from make_client(database_url, lemmatizer)


def test_calls_page_shows_a_call_once_with_its_english_version(twins: Any) -> None:
    answer = twins.get("/calls")
    assert row_ids(answer) == [70001, ENGLISH.id]
    row = page_of(answer).cssselect("tr[data-id='70001']")[0]
    title = row.cssselect("td.title > a")[0]
    assert (title.text, title.get("href"), title.get("lang")) == (MACRON.title, "/items/70001#lang-ru", "ru")
    twin = row.cssselect("td.title .twin a")
    assert [(a.text, a.get("href"), a.get("hreflang")) for a in twin] == [
        (TWIN_EN_EDITED_TITLE, TWIN_EN.url, "en")
    ]
    # The English-only call has no second line: it is its own English version.
    assert page_of(answer).cssselect(f"tr[data-id='{ENGLISH.id}'] .twin") == []
    in_english = twins.get("/calls", params={"lang": "en"})
    assert row_ids(in_english) == [70001, ENGLISH.id]
    row = page_of(in_english).cssselect("tr[data-id='70001']")[0]
    title = row.cssselect("td.title > a")[0]
    assert (title.text, title.get("href")) == (TWIN_EN_EDITED_TITLE, "/items/70001#lang-en")
    assert row.cssselect(".twin") == []
    # A name in either language finds the call, shown in its Russian version.
    assert row_ids(twins.get("/calls", params={"counterpart": "Macron", "since": "2022-01-01"})) == [70001]


def test_api_calls_carry_the_english_version(twins: Any) -> None:
    calls = twins.get("/api/calls").json()
    assert calls["total"] == 2
    macron = calls["calls"][0]
    assert (macron["id"], macron["lang"], macron["url"]) == (70001, "ru", MACRON.url)
    assert (macron["en_title"], macron["en_url"]) == (TWIN_EN_EDITED_TITLE, TWIN_EN.url)
    english = twins.get("/api/calls", params={"lang": "en"}).json()["calls"]
    assert [(c["id"], c["lang"], c["url"], c["en_url"]) for c in english] == [
        (70001, "en", TWIN_EN.url, TWIN_EN.url),
        (ENGLISH.id, "en", ENGLISH.url, ENGLISH.url),
    ]
    assert [c["id"] for c in twins.get("/api/calls", params={"lang": "ru"}).json()["calls"]] == [70001]
    assert twins.get("/api/calls", params={"lang": "fr"}).status_code == 422


# --- /feeds/calls/{country}.atom -----------------------------------------------------------------------


def test_country_feed(client: Any) -> None:
    answer = client.get("/feeds/calls/FR.atom")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/atom+xml")
    root = check_atom(answer.content)
    assert root.findtext(f"{ATOM}title") == "kremlin.ru: phone calls with France"
    entries = root.findall(f"{ATOM}entry")
    urls = [e.findtext(f"{ATOM}id") for e in entries]
    assert urls == [
        "http://en.kremlin.ru/events/president/news/68017",
        "http://en.kremlin.ru/events/president/news/67955",
        "http://kremlin.ru/events/president/news/70001",
    ]
    assert entries[0].findtext(f"{ATOM}summary").endswith("at the French side's initiative.")
    assert (
        entries[0].find(f"{ATOM}link[@rel='related']").get("href") == "http://testserver/items/68017#lang-en"
    )
    alternate = root.find(f"{ATOM}link[@rel='alternate']").get("href")
    assert alternate == "http://testserver/calls?country=FR"
    parsed = feedparser_check(answer.content)
    assert [e.link for e in parsed.entries] == urls
    lower = check_atom(client.get("/feeds/calls/fr.atom").content)
    assert lower.findtext(f"{ATOM}id") == root.findtext(f"{ATOM}id")
    eu = check_atom(client.get("/feeds/calls/EU.atom").content)
    assert [e.findtext(f"{ATOM}title") for e in eu.findall(f"{ATOM}entry")] == [MICHEL, MICHEL]


def test_country_feed_of_a_country_without_calls_is_empty_and_valid(client: Any) -> None:
    root = check_atom(client.get("/feeds/calls/JP.atom").content)
    assert root.findall(f"{ATOM}entry") == [] and root.findtext(f"{ATOM}title").endswith("with Japan")


@pytest.mark.parametrize("code", ["XX", "FRA", "Q<1>", "1"])
def test_country_feed_of_an_unknown_code_is_404(client: Any, code: str) -> None:
    answer = client.get(f"/feeds/calls/{code}.atom")
    assert answer.status_code == 404
    assert answer.json() == {"detail": f"no country with the code {code!r}"}


def test_country_feed_etag_answers_304(client: Any, engine: sa.Engine) -> None:
    first = client.get("/feeds/calls/TR.atom")
    etag = first.headers["etag"]
    again = client.get("/feeds/calls/TR.atom", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert client.get("/feeds/calls/FR.atom", headers={"If-None-Match": etag}).status_code == 200
    # A new call with Türkiye changes the feed, and so its ETag.
    item, people, _ = call(68700, "en", "2022-06-24 12:00", ERDOGAN, [("Recep Tayyip Erdogan", None, "TR")])
    ArchiveStore(engine).store(item)
    with Session(engine) as session:
        session.add(
            CallEntry(
                item_id=68700, lang="en", item_version=1, counterparts=people, countries=["TR"], reader=1
            )
        )
        session.commit()
    changed = client.get("/feeds/calls/TR.atom", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert len(check_atom(changed.content).findall(f"{ATOM}entry")) == 4


def test_fixture_times_are_moscow_wall_clock() -> None:
    """The dataset dates calls by Moscow wall clock; the fixtures keep that (18.03.2022 19:55 Moscow)."""
    macron = next(item for item, _, _ in CALLS if item.id == 68017)
    assert macron.published_at == datetime(2022, 3, 18, 16, 55, tzinfo=UTC)
    assert Path(__file__).name == "test_web_calls.py"
