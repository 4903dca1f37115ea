"""The kremlin.ru replica: corpus, markup faithful to the saved real pages, HTTP behaviour and faults.

Everything goes over real HTTP on 127.0.0.1 (urllib, with a User-Agent), as the crawler will.
"""

from __future__ import annotations

import http.client
import re
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import lxml.html
import pytest
from lxml import etree

from crawler.errors import LayoutError
from crawler.page import parse_page
from replica.chrome import Site
from replica.corpus import PAGE_SIZE, Corpus, ReplicaItem
from replica.dates import MOSCOW
from replica.server import ReplicaServer

FIXTURES = Path(__file__).parent / "fixtures"
UA = "kremlin-watch-tests/1.0 (+tests@example.org)"
NEWS = "/events/president/news"
FEED = "/events/president/news/feed"
ATOM = {"a": "http://www.w3.org/2005/Atom"}
SPACES = re.compile(r"\s+")


def fetch(server: ReplicaServer, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    """GET `path` with a User-Agent; (status, lower-cased headers, body), errors included."""
    request = Request(server.base_url + path, headers={"User-Agent": UA, **headers})
    try:
        with urlopen(request, timeout=10) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def raw_get(server: ReplicaServer, path: str, headers: dict[str, str]) -> http.client.HTTPResponse:
    """GET without urllib's additions (no default User-Agent, no redirect following)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def html(body: bytes) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(body.decode("utf-8"))


def norm(value: str) -> str:
    return SPACES.sub(" ", value).strip()


def classes(element: lxml.html.HtmlElement) -> set[str]:
    return set((element.get("class") or "").split())


@pytest.fixture(scope="module")
def server() -> Iterator[ReplicaServer]:
    """A read-only replica: 300 generated Russian items plus the real ones."""
    with ReplicaServer(Corpus.with_real_items(300, lang="ru", seed=1)) as running:
        yield running


@pytest.fixture
def fresh() -> Iterator[ReplicaServer]:
    """A replica of its own, for tests that publish, edit or switch faults on."""
    with ReplicaServer(Corpus.generate(60, lang="ru", seed=2)) as running:
        yield running


# --- corpus ----------------------------------------------------------------------------------------


def test_generation_is_deterministic_fast_and_ordered() -> None:
    started = time.perf_counter()
    corpus = Corpus.generate(5000, seed=4)
    assert time.perf_counter() - started < 2.0
    again = Corpus.generate(5000, seed=4)
    assert [(i.id, i.title, i.published) for i in corpus] == [(i.id, i.title, i.published) for i in again]
    items = list(corpus)
    assert len(items) == 5000 and len({item.id for item in items}) == 5000
    assert all(a.published <= b.published for a, b in pairwise(items))
    # Ids grow overall but are NOT in publication order everywhere.
    assert items[-1].id > items[0].id
    assert any(a.id > b.id for a, b in pairwise(items))
    assert all(item.published.tzinfo is not None and item.updated >= item.published for item in items)
    assert items[-1].published < datetime.now(MOSCOW)
    per_day = Counter(item.published.astimezone(MOSCOW).date() for item in items)
    assert 3 <= sum(per_day.values()) / len(per_day) <= 7
    gaps = [(b.published - a.published) for a, b in pairwise(items)]
    same_day = [gap for gap in gaps if gap < timedelta(hours=12)]
    assert min(same_day) >= timedelta(minutes=20)


def test_generated_items_look_like_the_site() -> None:
    items = list(Corpus.generate(3000, seed=5))
    kinds = Counter(item.kind for item in items)
    assert 0.10 < kinds["call"] / len(items) < 0.15
    assert set(kinds) == {"call", "meeting", "transcript", "decree", "greeting"}
    calls = [item for item in items if item.kind == "call"]
    title = re.compile(
        r"^(Телефонный разговор (Владимира Путина )?с |Телефонные разговоры с |Владимир Путин поговорил)"
    )
    assert all(title.match(item.title) for item in calls)
    assert all("телефонн" in item.lead.lower() for item in calls)
    assert all(item.place is None for item in calls)
    assert "Телефонный разговор с Президентом Франции Эммануэлем Макроном" in {item.title for item in calls}
    meetings = [item for item in items if item.kind == "meeting"]
    assert all(item.place for item in meetings)
    assert {"Москва, Кремль", "Ново-Огарёво, Московская область"} <= {item.place for item in meetings}
    decrees = [item for item in items if item.kind == "decree"]
    assert all(item.title.startswith("Указ о") for item in decrees)
    assert {item.section for item in decrees} == {"acts/news", "events/president/news"}
    transcripts = [item for item in items if item.kind == "transcript"]
    assert all("events/president/transcripts" in item.sections for item in transcripts)
    labels = {label for item in transcripts for label, _ in item.paragraphs if label}
    assert {"В.Путин", "М.Хуснуллин"} <= labels
    text = " ".join(f"{item.title} {item.lead} {item.text}" for item in items)
    for word in ("санкции", "санкций", "санкциями", "НАТО", "безопасности", "юридических гарантий",
                 "Байденом", "Макроном", "Макрон", "Эммануэлю Макрону"):  # fmt: skip
        assert word in text, word


def test_english_corpus() -> None:
    items = list(Corpus.generate(800, lang="en", seed=6))
    assert all(item.lang == "en" for item in items)
    calls = [item for item in items if item.kind == "call"]
    assert calls and all(
        item.title.startswith(("Telephone conversation", "Vladimir Putin had", "Vladimir Putin spoke"))
        for item in calls
    )
    assert any(item.place == "Novo-Ogaryovo, Moscow Region" for item in items)


def test_real_items() -> None:
    ru = Corpus.with_real_items(100, lang="ru")
    seed = ru.get(67487)
    assert seed is not None and seed.kind == "call" and seed.place is None
    assert seed.title == "Телефонный разговор с Президентом США Джозефом Байденом"
    assert seed.published == datetime(2021, 12, 31, 2, 20, tzinfo=MOSCOW)
    assert seed.lead.startswith("30 декабря состоялся телефонный разговор Владимира Путина")
    assert "юридических гарантий" in seed.text and "санкций" in seed.text
    meeting = ru.get(77329)
    assert meeting is not None and meeting.real_page and meeting.place == "Москва, Кремль"
    assert meeting.published == datetime(2025, 6, 30, 17, 25, tzinfo=MOSCOW)
    assert meeting.also_in == ("events/president/transcripts",)
    assert ("В.Путин", "Уважаемые коллеги, добрый день!") in meeting.paragraphs
    assert any(label == "М.Хуснуллин" for label, _ in meeting.paragraphs)
    en = Corpus.with_real_items(10, lang="en").get(63907)
    assert en is not None and en.place is None and en.persons == ["Macron Emmanuel"]
    assert en.published == datetime(2020, 8, 18, 14, 40, tzinfo=MOSCOW)


def test_corpus_queries_and_changes() -> None:
    corpus = Corpus.generate(50, seed=8)
    newest = corpus.newest(5)
    assert newest == list(corpus)[-5:][::-1]
    assert corpus.newest(5, 5) == list(corpus)[-10:-5][::-1]
    day = newest[0].published.astimezone(MOSCOW).date()
    assert corpus.by_date(day) and all(
        i.published.astimezone(MOSCOW).date() == day for i in corpus.by_date(day)
    )
    item = corpus.publish_generated(kind="call")
    assert corpus.newest(1) == [item] and item.kind == "call" and corpus.get(item.id) == item
    with pytest.raises(ValueError):
        corpus.publish(item)
    edited = corpus.edit(item.id, title="Новый заголовок")
    assert edited.title == "Новый заголовок" and edited.updated > item.updated
    assert corpus.get(item.id) == edited and len(corpus) == 51
    corpus.remove(item.id)
    assert corpus.get(item.id) is None


def test_concurrent_publishing_and_reading() -> None:
    corpus = Corpus.generate(40, seed=9)
    base = max(item.id for item in corpus) + 1000
    start = corpus.newest(1)[0].published
    errors: list[BaseException] = []

    def publisher(offset: int) -> None:
        try:
            for n in range(50):
                template = corpus.next_item(published=start + timedelta(minutes=offset + 7 * n))
                corpus.publish(ReplicaItem(**{**_fields(template), "id": base + offset * 100 + n}))
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    def reader() -> None:
        try:
            for _ in range(200):
                page = corpus.newest(PAGE_SIZE, 10)
                assert all(a.published >= b.published for a, b in pairwise(page))
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=publisher, args=(k,)) for k in range(4)]
    threads += [threading.Thread(target=reader) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(corpus) == 240
    items = list(corpus)
    assert all(a.published <= b.published for a, b in pairwise(items))


def _fields(item: ReplicaItem) -> dict[str, object]:
    return {name: getattr(item, name) for name in ReplicaItem.__dataclass_fields__}


# --- pages: markup -----------------------------------------------------------------------------------


def test_article_page_markup(server: ReplicaServer) -> None:
    item = next(i for i in server.corpus.newest(300) if i.kind == "meeting" and not i.real_page)
    status, headers, body = fetch(server, item.path)
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    doc = html(body)
    assert doc.get("lang") == "ru"
    assert doc.xpath("head/meta[@itemprop='inLanguage']/@content") == ["ru"]
    assert doc.xpath("head/link[@rel='canonical']/@href") == [server.base_url + item.path]
    assert doc.xpath("head/link[@rel='alternate'][@hreflang='en']/@href") == [
        f"http://en.kremlin.ru{item.path}"
    ]
    [article] = doc.cssselect(f"article.read__in.hentry.h-entry#event-{item.id}")
    assert norm(article.cssselect("h1.entry-title.p-name")[0].text_content()) == item.title
    assert norm(article.cssselect("div.read__lead.entry-summary > div > p")[0].text_content()) == item.lead
    [published] = article.cssselect("div.read__meta time.read__published")
    local = item.published.astimezone(MOSCOW)
    assert published.get("datetime") == local.date().isoformat()
    assert article.cssselect("div.read__time")[0].text == local.strftime("%H:%M")
    assert norm(article.cssselect("div.read__place.p-location")[0].text_content()) == item.place
    [content] = article.cssselect("div.entry-content.e-content.read__internal_content")
    paragraphs = [norm(p.text_content()) for p in content.xpath("./p")]
    assert paragraphs == [f"{label}: {text}" if label else text for label, text in item.paragraphs]
    [bottom] = content.xpath("./div[contains(@class, 'read__bottommeta')]")  # inside the body: a trap
    assert classes(bottom) == {"read__bottommeta", "hidden-copy"}
    headings = [norm(h.text_content()) for h in bottom.cssselect("div.read__tagscol > h3")]
    assert "Темы" in headings
    assert [norm(a.text_content()) for a in bottom.cssselect("div.read__tagscol a[rel=tag]")][-1]
    status_block = norm(bottom.cssselect("div.read__status")[0].text_content())
    assert "Опубликован в разделах" in status_block and "Дата публикации" in status_block
    assert bottom.cssselect("a.print_link")[0].get("href") == f"{server.base_url}/d/{item.id}"
    assert bottom.cssselect("a.text_version_link")[0].get("href") == f"/events/president/news/copy/{item.id}"
    assert "\xa0" in body.decode()  # the site's typography
    assert fetch(server, item.path + "/print")[2] == body


def test_call_page_has_no_place_and_tooltips_are_traps(server: ReplicaServer) -> None:
    call = next(i for i in server.corpus.newest(300) if i.kind == "call")
    doc = html(fetch(server, call.path)[2])
    assert doc.cssselect("div.read__meta") and not doc.cssselect("div.read__place")
    transcript = next(
        i
        for i in server.corpus.newest(300)
        if i.kind == "transcript" and any(lb not in (None, "В.Путин") for lb, _ in i.paragraphs)
    )
    doc = html(fetch(server, transcript.path)[2])
    tooltips = doc.cssselect(
        "p > b > a.person_tag.read__tag > span.read__tooltip.tooltip_person.hidden.masha-ignore"
    )
    assert tooltips
    label = tooltips[0].getparent()
    naive = norm(label.text_content())
    assert len(naive) > len(label.text or "") + 10  # «М.ХуснуллинХуснуллин Марат Шакирзянович…»


def test_real_pages_are_served_verbatim(server: ReplicaServer) -> None:
    status, _, body = fetch(server, f"{NEWS}/77329")
    real = (FIXTURES / "ru_article_77329.html").read_text(encoding="utf-8")
    assert status == 200
    assert body.decode() == real.replace("http://kremlin.ru/", server.base_url + "/").replace(
        ">kremlin.ru/d/", f">{server.base_url.split('://')[1]}/d/"
    )
    doc = html(body)
    assert doc.xpath("head/link[@rel='canonical']/@href") == [f"{server.base_url}{NEWS}/77329"]
    assert fetch(server, "/events/president/transcripts/77329")[0] == 200


def test_edited_real_item_is_rendered_from_templates() -> None:
    corpus = Corpus.with_real_items(20)
    with ReplicaServer(corpus) as replica:
        corpus.edit(77329, title="Совещание (обновлено)")
        doc = html(fetch(replica, f"{NEWS}/77329")[2])
        assert norm(doc.cssselect("h1.entry-title")[0].text_content()) == "Совещание (обновлено)"
        assert doc.cssselect("span.read__tooltip.tooltip_person")  # the speakers keep their tooltips


def test_markup_matches_the_saved_real_pages(server: ReplicaServer) -> None:
    """Every selector that finds something in the saved real article finds it in a replica page."""
    selectors = (
        "html[lang] > head > meta[itemprop=inLanguage]", "head > link[rel=canonical]",
        "head > link[rel=alternate][hreflang]", "div.read[data-href][data-stream-url]",
        "article.read__in.hentry.h-entry", "h1.entry-title.p-name", "div.read__lead.entry-summary.p-summary > div > p",
        "div.read__meta > time.read__published[datetime]", "div.read__meta > div.read__time",
        "div.entry-content.e-content.read__internal_content > p",
        "div.read__internal_content > div.read__bottommeta.hidden-copy div.read__tags.masha-ignore",
        "div.read__tagscol > h3", "ul.read__taglist a[rel=tag]", "div.read__status.masha-ignore time[datetime]",
        "a.print_link", "a.text_version_link[rel=nofollow]", "a.share_print_link", "div.read__updated > time",
    )  # fmt: skip
    real = html((FIXTURES / "en_article_63907_call.html").read_bytes())
    call = next(i for i in server.corpus.newest(300) if i.kind == "call")
    ours = html(fetch(server, call.path)[2])
    for selector in selectors:
        assert real.cssselect(selector), selector
        assert ours.cssselect(selector), selector
    list_selectors = (
        "div.entry-content.lister-page[role=list][data-url-template][data-base-url][data-path][data-page][data-pages]",
        "h2.events__title > span > time[datetime]", "div.hentry.h-entry.hentry_event[data-id][role=listitem]",
        "h3.hentry__title > a[rel=bookmark] > span.entry-title.p-name",
        "span.hentry__meta > time.published.dt-published[datetime]", "span.hentry__meta > span.updated.hidden",
        "span.hentry__meta > span.hentry__location.p-location", "a.more-prev[rel=prev]", "a.more-next[rel=next]",
        "head > link[rel=first]", "head > link[rel=last]", "head > link[rel=prev]", "head > link[rel=next]",
        "head > link[rel=alternate][type='application/atom+xml']", "a.dateblock[data-date-url]",
    )  # fmt: skip
    real_list = html((FIXTURES / "en_list_page2.html").read_bytes())
    our_list = html(fetch(server, f"{NEWS}/page/2")[2])
    for selector in list_selectors:
        assert real_list.cssselect(selector), selector
        assert our_list.cssselect(selector), selector


def test_list_pages_and_pagination(server: ReplicaServer) -> None:
    corpus = server.corpus
    pages = -(-len(corpus) // PAGE_SIZE)
    first = html(fetch(server, NEWS)[2])
    [lister] = first.cssselect("div.entry-content.lister-page")
    assert lister.get("data-url-template") == f"{NEWS}/page/PAGE" and lister.get("data-base-url") == NEWS
    assert (lister.get("data-page"), lister.get("data-pages")) == ("1", str(pages))
    assert (
        not first.cssselect("a[rel=prev]")
        and first.cssselect("a[rel=next]")[0].get("href") == f"{NEWS}/page/2"
    )
    assert first.cssselect("h2.events__title")  # page 1 opens with its day
    ids = [int(node.get("data-id")) for node in first.cssselect("div.hentry[data-id]")]
    assert ids == [item.id for item in corpus.newest(PAGE_SIZE)]
    second = html(fetch(server, f"{NEWS}/page/2")[2])
    assert second.cssselect("a[rel=prev]")[0].get("href") == NEWS
    assert second.cssselect("a[rel=next]")[0].get("href") == f"{NEWS}/page/3"
    assert second.cssselect("div.lister-page")[0].get("data-page") == "2"
    items = corpus.newest(PAGE_SIZE, PAGE_SIZE)
    node = second.cssselect("div.hentry[data-id]")[0]
    meta = node.cssselect("time.published.dt-published")[0]
    local = items[0].published.astimezone(MOSCOW)
    assert meta.get("datetime") == local.date().isoformat()
    assert re.fullmatch(r"\d{1,2} [а-я]+ \d{4} года, \d{2}:\d{2}", meta.text) and meta.text.endswith(
        local.strftime("%H:%M")
    )
    assert (
        node.cssselect("span.updated.hidden")[0].text
        == items[0].updated.astimezone(MOSCOW).date().isoformat()
    )
    # A day header exactly where the day changes, counting the last item of the previous page.
    above = corpus.newest(1, PAGE_SIZE - 1)[0]
    headers = second.cssselect("h2.events__title time")
    changes = [item for prev, item in zip([above, *items], items, strict=False)
               if prev.published.astimezone(MOSCOW).date() != item.published.astimezone(MOSCOW).date()]  # fmt: skip
    assert [h.get("datetime") for h in headers] == [
        i.published.astimezone(MOSCOW).date().isoformat() for i in changes
    ]
    last = html(fetch(server, f"{NEWS}/page/{pages}")[2])
    assert not last.cssselect("a[rel=next]") and last.cssselect("a[rel=prev]")
    assert fetch(server, f"{NEWS}/page/{pages + 1}")[0] == 404
    assert fetch(server, f"{NEWS}?page=3")[2] == fetch(server, NEWS)[2]  # ?page=N does not page


def test_decrees_link_to_acts_and_are_served_there(server: ReplicaServer) -> None:
    decree = next(i for i in server.corpus.newest(300) if i.section == "acts/news")
    page = next(n for n in range(1, 20) if decree in server.corpus.newest(PAGE_SIZE, (n - 1) * PAGE_SIZE))
    doc = html(fetch(server, f"{NEWS}/page/{page}")[2])
    [node] = doc.cssselect(f"div.hentry[data-id='{decree.id}']")
    assert "hentry_doc" in classes(node)
    assert node.cssselect("a[rel=bookmark]")[0].get("href") == f"/acts/news/{decree.id}"
    assert fetch(server, f"/acts/news/{decree.id}")[0] == 200
    assert fetch(server, f"{NEWS}/{decree.id}")[0] == 200


def test_by_date_page_holds_the_day(server: ReplicaServer) -> None:
    item = server.corpus.newest(1, 137)[0]
    day = item.published.astimezone(MOSCOW).date()
    doc = html(fetch(server, f"{NEWS}/by-date/{day:%d.%m.%Y}")[2])
    dates = [t.get("datetime") for t in doc.cssselect("div.hentry time.published")]
    assert day.isoformat() in dates
    ids = {int(n.get("data-id")) for n in doc.cssselect("div.hentry[data-id]")}
    newest_of_day = server.corpus.by_date(day)[0]
    assert newest_of_day.id in ids
    assert fetch(server, f"{NEWS}/by-date/31.02.2024")[0] == 404


def test_feed_is_shaped_like_the_real_one(server: ReplicaServer) -> None:
    status, headers, body = fetch(server, FEED)
    assert status == 200 and headers["content-type"].startswith("application/atom+xml")
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8" ?><?xml-stylesheet type="text/xsl"')
    real = etree.fromstring((FIXTURES / "en_feed_president_news.xml").read_bytes())
    root = etree.fromstring(body)
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "ru"

    def shape(feed: etree._Element) -> list[str]:
        return [etree.QName(child).localname for child in feed if etree.QName(child).localname != "entry"]

    assert shape(root) == shape(real)
    assert [link.get("rel") for link in root.findall("a:link", ATOM)] == [
        "self",
        "first",
        "next",
        "last",
        "alternate",
    ]
    entries = root.findall("a:entry", ATOM)
    assert len(entries) == 20
    real_entry = [etree.QName(child).localname for child in real.find("a:entry", ATOM)]
    assert [etree.QName(child).localname for child in entries[0]] == real_entry
    newest = server.corpus.newest(20)
    for entry, item in zip(entries, newest, strict=True):
        assert entry.findtext("a:id", namespaces=ATOM) == f"{server.base_url}{item.path}"
        published = entry.findtext("a:published", namespaces=ATOM)
        assert published == item.published.astimezone(MOSCOW).strftime("%Y-%m-%dT%H:%M:%S") + "+04:00"
        assert entry.find("a:summary", ATOM).get("type") == "html"
        content = entry.findtext("a:content", namespaces=ATOM)
        assert content.startswith('<div class="c-summary" style="font-size: 1.2em"><p>')
        assert norm(lxml.html.fromstring(content).text_content()).startswith(item.lead)
    assert root.findtext("a:updated", namespaces=ATOM) == max(i.updated for i in newest).astimezone(
        MOSCOW
    ).strftime("%Y-%m-%dT%H:%M:%S+04:00")
    assert root.find("a:link[@rel='next']", ATOM).get("href") == f"{server.base_url}{FEED}/page/2"
    second = etree.fromstring(fetch(server, f"{FEED}/page/2")[2])
    ids = [e.findtext("a:id", namespaces=ATOM) for e in second.findall("a:entry", ATOM)]
    assert ids == [f"{server.base_url}{i.path}" for i in server.corpus.newest(20, 20)]
    assert etree.fromstring(fetch(server, "/events/all/feed")[2]).findall("a:entry", ATOM)


def test_robots_short_links_copy_search_and_404(server: ReplicaServer) -> None:
    status, _, body = fetch(server, "/robots.txt")
    assert status == 200 and body == (FIXTURES / "en_robots.txt").read_bytes()
    item = server.corpus.newest(1)[0]
    redirect = raw_get(server, f"/d/{item.id}", {"User-Agent": UA})
    assert redirect.status == 302 and redirect.getheader("Location") == server.base_url + item.path
    server.clear_log()
    assert fetch(server, f"{NEWS}/copy/{item.id}")[0] == 200
    assert fetch(server, "/search?query=x")[0] == 200
    assert [r.path for r in server.disallowed_requests()] == [f"{NEWS}/copy/{item.id}", "/search?query=x"]
    assert [r.path for r in server.requests_to(f"{NEWS}/copy")] == [f"{NEWS}/copy/{item.id}"]
    assert fetch(server, "/nothing/here")[0] == 404
    assert fetch(server, f"{NEWS}/1")[0] == 404


def test_public_origin_makes_absolute_links_look_real() -> None:
    with ReplicaServer(Corpus.generate(30), public_origin="http://kremlin.ru") as replica:
        item = replica.corpus.newest(1)[0]
        doc = html(fetch(replica, item.path)[2])
        assert doc.xpath("head/link[@rel='canonical']/@href") == [f"http://kremlin.ru{item.path}"]
        assert doc.cssselect("a.print_link")[0].text == f"kremlin.ru/d/{item.id}"


# --- HTTP behaviour ----------------------------------------------------------------------------------


def test_conditional_requests(server: ReplicaServer) -> None:
    for path in (FEED, NEWS, server.corpus.newest(1)[0].path, "/robots.txt"):
        status, headers, _ = fetch(server, path)
        assert status == 200 and headers["etag"] and headers["last-modified"]
        assert fetch(server, path, **{"If-None-Match": headers["etag"]})[0] == 304
        assert fetch(server, path, **{"If-None-Match": '"other"'})[0] == 200
        assert fetch(server, path, **{"If-Modified-Since": headers["last-modified"]})[0] == 304
        assert fetch(server, path, **{"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})[0] == 200
    server.clear_log()
    fetch(server, FEED, **{"If-None-Match": fetch(server, FEED)[1]["etag"]})
    full, conditional = server.requests_to(FEED)
    assert (full.status, conditional.status, conditional.bytes) == (200, 304, 0) and full.bytes > 1000


def test_feed_changes_after_publish_and_edit(fresh: ReplicaServer) -> None:
    _, headers, _ = fetch(fresh, FEED)
    item = fresh.corpus.publish_generated(kind="call")
    status, after, body = fetch(fresh, FEED, **{"If-None-Match": headers["etag"]})
    assert status == 200 and after["etag"] != headers["etag"]
    assert etree.fromstring(body).find("a:entry/a:id", ATOM).text == fresh.base_url + item.path
    assert after["last-modified"] != headers["last-modified"]
    fresh.corpus.edit(item.id, lead="Состоялся телефонный разговор, текст уточнён.")
    status, edited, _ = fetch(fresh, FEED, **{"If-None-Match": after["etag"]})
    assert status == 200 and edited["etag"] != after["etag"]
    doc = html(fetch(fresh, item.path)[2])
    assert (
        norm(doc.cssselect("div.read__lead")[0].text_content())
        == "Состоялся телефонный разговор, текст уточнён."
    )


def test_no_user_agent_gets_403(server: ReplicaServer) -> None:
    assert raw_get(server, NEWS, {}).status == 403
    assert raw_get(server, NEWS, {"User-Agent": ""}).status == 403
    assert raw_get(server, NEWS, {"User-Agent": UA}).status == 200


def test_request_log(fresh: ReplicaServer) -> None:
    fetch(fresh, FEED)
    fetch(fresh, NEWS, **{"X-Test": "1"})
    records = fresh.log.records()
    assert [(r.method, r.path, r.status) for r in records] == [("GET", FEED, 200), ("GET", NEWS, 200)]
    assert records[0].bytes > 1000 and records[1].header("x-test") == "1"
    assert records[1].header("User-Agent") == UA
    assert [r.path for r in fresh.log] == [FEED, NEWS]
    fresh.clear_log()
    assert len(fresh.log) == 0


# --- faults ------------------------------------------------------------------------------------------


def test_forbid_after(fresh: ReplicaServer) -> None:
    fresh.faults.forbid_after(3)
    statuses = [fetch(fresh, NEWS)[0] for _ in range(6)]
    assert statuses == [200, 200, 200, 403, 403, 403]
    fresh.faults.clear_forbid()
    assert fetch(fresh, NEWS)[0] == 200


def test_rate_limit(fresh: ReplicaServer) -> None:
    fresh.faults.rate_limit(2, retry_after=7)
    first, second, third = (fetch(fresh, FEED) for _ in range(3))
    assert (first[0], first[1]["retry-after"]) == (429, "7")
    assert second[0] == 429 and third[0] == 200


def test_server_errors(fresh: ReplicaServer) -> None:
    item = fresh.corpus.newest(1)[0]
    fresh.faults.server_errors(2, path_prefix=item.path)
    assert fetch(fresh, FEED)[0] == 200
    assert [fetch(fresh, item.path)[0] for _ in range(3)] == [500, 500, 200]
    fresh.faults.server_errors(1)
    assert fetch(fresh, "/robots.txt")[0] == 500


def test_slow(fresh: ReplicaServer) -> None:
    fresh.faults.slow(0.3, path_prefix=FEED)
    started = time.perf_counter()
    assert fetch(fresh, NEWS)[0] == 200
    assert time.perf_counter() - started < 0.3
    started = time.perf_counter()
    assert fetch(fresh, FEED)[0] == 200
    assert time.perf_counter() - started >= 0.3
    fresh.faults.clear_slow()


def test_truncate(fresh: ReplicaServer) -> None:
    item = fresh.corpus.newest(1)[0]
    whole = fetch(fresh, item.path)[2]
    fresh.faults.truncate(item.path)
    status, headers, body = fetch(fresh, item.path)
    assert status == 200 and int(headers["content-length"]) == len(body) < len(whole)
    assert whole.startswith(body) and b"</html>" not in body
    assert fetch(fresh, FEED)[2].endswith(b"</feed>")
    fresh.faults.clear_truncate()
    assert fetch(fresh, item.path)[2] == whole


def test_change_layout(fresh: ReplicaServer) -> None:
    item = fresh.corpus.newest(1)[0]
    fresh.faults.change_layout(True)
    article = html(fetch(fresh, item.path)[2])
    listing = html(fetch(fresh, NEWS)[2])
    assert norm(article.xpath("//h1")[0].text_content()) == item.title  # same content …
    assert not article.cssselect(
        "article.read__in, h1.entry-title, div.read__internal_content"
    )  # … new markup
    assert not listing.cssselect("div.hentry, div.lister-page, [data-url-template], [data-id]")
    assert etree.fromstring(fetch(fresh, FEED)[2]).findall("a:entry", ATOM)  # feeds unchanged
    fresh.faults.change_layout(False)
    assert html(fetch(fresh, item.path)[2]).cssselect("article.read__in")
    fresh.faults.forbid_after(0)
    fresh.faults.clear()
    assert fetch(fresh, NEWS)[0] == 200


def test_withdrawn_item_answers_404_or_410_while_the_feed_lists_it(fresh: ReplicaServer) -> None:
    item = fresh.corpus.newest(2)[1]
    fresh.corpus.withdraw(item.id, 410)
    assert fetch(fresh, item.path)[0] == 410
    assert fetch(fresh, item.path + "/print")[0] == 410
    assert f"/{item.id}</id>".encode() in fetch(fresh, FEED)[2]
    assert f'href="{item.path}"'.encode() in fetch(fresh, NEWS)[2]
    fresh.corpus.restore(item.id)
    assert fetch(fresh, item.path)[0] == 200
    with pytest.raises(ValueError, match="404 or 410"):
        fresh.corpus.withdraw(item.id, 500)


def test_redirects_on_the_same_host_and_to_another(fresh: ReplicaServer) -> None:
    fresh.faults.redirect(FEED, 302)
    response = raw_get(fresh, FEED, {"User-Agent": UA})
    assert (response.status, response.getheader("Location")) == (302, f"{fresh.base_url}{FEED}/")
    assert fetch(fresh, FEED)[0] == 200  # followed: the address with "/" is served
    fresh.faults.redirect(FEED, 301, origin="http://localhost:9")
    assert raw_get(fresh, FEED, {"User-Agent": UA}).getheader("Location") == f"http://localhost:9{FEED}/"


def test_reset_challenge_oversize_encoding_empty_feed_and_fixed_status(fresh: ReplicaServer) -> None:
    item = fresh.corpus.newest(1)[0]
    fresh.faults.reset(item.path)
    with pytest.raises(OSError):
        fetch(fresh, item.path)
    assert [entry.status for entry in fresh.log][-1] == 0
    fresh.faults.clear()
    fresh.faults.challenge(FEED)
    status, _, body = fetch(fresh, FEED)
    assert status == 200 and b"captcha" in body and b"<feed" not in body
    fresh.faults.clear()
    fresh.faults.oversize(3_000_000, item.path)
    assert len(fetch(fresh, item.path)[2]) >= 3_000_000
    fresh.faults.clear()
    fresh.faults.bad_encoding(item.path)
    status, headers, body = fetch(fresh, item.path)
    assert "utf-8" in headers["content-type"]
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert body.decode("cp1251").count(item.title[:10]) >= 1
    fresh.faults.clear()
    fresh.faults.empty_feed()
    feed = etree.fromstring(fetch(fresh, FEED)[2])
    assert feed.findall("a:entry", ATOM) == [] and feed.find("a:title", ATOM) is not None
    fresh.faults.clear()
    fresh.faults.answer_status(404, FEED)
    assert (fetch(fresh, FEED)[0], fetch(fresh, NEWS)[0]) == (404, 200)
    fresh.faults.clear()
    assert fetch(fresh, FEED)[0] == 200


# --- with the crawler's parsers ----------------------------------------------------------------------


def test_crawler_parsers_read_the_replica(server: ReplicaServer) -> None:
    from archive.records import ItemRecord

    for item in [*server.corpus.newest(60), server.corpus.get(77329), server.corpus.get(67487)]:
        assert item is not None
        url = server.base_url + item.path
        record = parse_page(fetch(server, item.path)[2], url)
        assert isinstance(record, ItemRecord)
        assert (record.id, record.title, record.lead, record.place) == (
            item.id,
            item.title,
            item.lead,
            item.place,
        )
        assert record.published_at == item.published
        expected = [f"{label}: {text}" if label else text for label, text in item.paragraphs]
        assert [norm(p) for p in (record.text or "").split("\n\n")] == expected
        assert (record.topics, record.geography, record.persons) == (
            item.topics,
            item.geography,
            item.persons,
        )
        assert (record.kind == "call") == (item.kind == "call"), item.title
    listing = parse_page(fetch(server, f"{NEWS}/page/2")[2], f"{server.base_url}{NEWS}/page/2")
    assert [r.id for r in listing.items] == [i.id for i in server.corpus.newest(20, 20)]
    assert listing.next_url == f"{server.base_url}{NEWS}/page/3"
    assert [r.published_at for r in listing.items] == [i.published for i in server.corpus.newest(20, 20)]
    feed = parse_page(fetch(server, FEED)[2], server.base_url + FEED)
    assert [r.id for r in feed.items] == [i.id for i in server.corpus.newest(20)]
    assert [r.published_at for r in feed.items] == [i.published for i in server.corpus.newest(20)]
    assert feed.next_url == f"{server.base_url}{FEED}/page/2"


def test_crawler_rejects_the_redesign(fresh: ReplicaServer) -> None:
    fresh.faults.change_layout(True)
    for path in (NEWS, fresh.corpus.newest(1)[0].path):
        with pytest.raises(LayoutError):
            parse_page(fetch(fresh, path)[2], fresh.base_url + path)


def test_dates_are_moscow_wall_clock() -> None:
    corpus = Corpus([_item_at(datetime(2014, 6, 1, 12, 0, tzinfo=MOSCOW))])
    site = Site("en", "http://x")
    from replica import render

    page = render.feed_page(corpus.newest(1), 1, 1, site)
    assert "<published>2014-06-01T12:00:00+04:00</published>" in page  # Moscow was UTC+4 then
    assert "June 1, 2014, 12:00" in render.list_page(
        corpus.newest(1), 1, 1, site, None, (date(2014, 6, 1),) * 2
    )


def _item_at(moment: datetime) -> ReplicaItem:
    return ReplicaItem(
        id=1, lang="en", section="events/president/news", title="Meeting", lead="Lead.", paragraphs=[(None, "Text.")],
        published=moment, place=None, topics=[], geography=[], persons=[], updated=moment,
    )  # fmt: skip


# --- the English twin ----------------------------------------------------------------------------------


def test_corpora_of_one_seed_are_twins() -> None:
    """kremlin.ru and en.kremlin.ru: one id, one time, one kind and one counterpart per item."""
    ru, en = list(Corpus.generate(400, "ru", seed=4)), list(Corpus.generate(400, "en", seed=4))
    assert [(i.id, i.published, i.section, i.kind) for i in ru] == [(i.id, i.published, i.section, i.kind) for i in en]
    from replica.catalog import geography_path, person_id

    for russian, english in zip(ru, en, strict=True):
        assert [geography_path(g) for g in russian.geography] == [geography_path(g) for g in english.geography]
        assert [person_id(p) for p in russian.persons] == [person_id(p) for p in english.persons]
        assert russian.title != english.title and len(russian.paragraphs) == len(english.paragraphs)
    macron = next(
        (r, e) for r, e in zip(ru, en, strict=True) if r.kind == "call" and "Макрон Эммануэль" in r.persons
    )
    assert macron[1].persons == ["Macron Emmanuel"] and "Macron" in macron[1].title


def test_twin_published_later_shares_the_id_and_moves_the_english_feed() -> None:
    with (
        ReplicaServer(Corpus.generate(40, "ru", seed=2)) as ru,
        ReplicaServer(Corpus.generate(40, "en", seed=2)) as en,
    ):
        ru.link(en)
        _, before, _ = fetch(en, FEED)
        _, headers, _ = fetch(en, FEED)
        item = ru.corpus.publish_generated(kind="call")
        assert en.corpus.get(item.id) is None
        assert fetch(en, FEED, **{"If-None-Match": headers["etag"]})[0] == 304
        twin = en.corpus.publish_twin(item)
        assert (twin.id, twin.lang, twin.kind, twin.published, twin.section) == (
            item.id, "en", "call", item.published, item.section
        )  # fmt: skip
        assert twin.updated > item.updated and twin.title.startswith(("Telephone", "Vladimir Putin"))
        status, _, body = fetch(en, FEED, **{"If-None-Match": headers["etag"]})
        assert status == 200 and body != before
        first = etree.fromstring(body).find("a:entry", ATOM)
        assert first is not None and first.findtext("a:id", namespaces=ATOM) == en.base_url + item.path
        assert parse_page(fetch(en, item.path)[2], en.base_url + item.path).title == twin.title  # type: ignore[union-attr]
        with pytest.raises(ValueError, match="already in the corpus"):
            en.corpus.publish_twin(item)
        with pytest.raises(ValueError, match="no recipe"):
            en.corpus.twin_of(next(iter(ru.corpus)))


def test_linked_replicas_link_each_other_with_hreflang() -> None:
    with (
        ReplicaServer(Corpus.with_real_items(30, "ru", seed=3)) as ru,
        ReplicaServer(Corpus.with_real_items(30, "en", seed=3)) as en,
    ):
        ru.link(en)
        item = ru.corpus.newest(1)[0]
        russian = html(fetch(ru, item.path)[2])
        assert russian.xpath("head/link[@rel='alternate'][@hreflang='en']/@href") == [en.base_url + item.path]
        english = html(fetch(en, item.path)[2])
        assert english.xpath("head/link[@rel='alternate'][@hreflang='ru']/@href") == [ru.base_url + item.path]
        assert parse_page(fetch(en, item.path)[2], en.base_url + item.path).id == item.id  # type: ignore[union-attr]
        # The real English page, served verbatim, links the Russian replica too.
        real = html(fetch(en, "/events/president/news/63907")[2])
        assert real.xpath("head/link[@rel='alternate'][@hreflang='ru']/@href") == [
            ru.base_url + "/events/president/news/63907"
        ]
        with pytest.raises(ValueError, match="other language"):
            ru.link(ReplicaServer(Corpus.generate(1, "ru")))


def test_python_m_replica_serves_both_languages(tmp_path: Path) -> None:
    import subprocess
    import sys

    from tests.conftest import ROOT, free_port

    port, twin_port = free_port(), free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "replica", "--port", str(port), "--twin-port", str(twin_port), "--items", "30"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        lines = [process.stdout.readline() for _ in range(4)]  # type: ignore[union-attr]
        assert "(ru, " in lines[0] and "(en, " in lines[2], lines
        feeds = []
        for number in (port, twin_port):
            request = Request(f"http://127.0.0.1:{number}{FEED}", headers={"User-Agent": UA})
            with urlopen(request, timeout=10) as response:
                feeds.append(etree.fromstring(response.read()))
        ids = [[entry.findtext("a:id", namespaces=ATOM).rsplit("/", 1)[1] for entry in feed.findall("a:entry", ATOM)] for feed in feeds]
        assert ids[0] == ids[1] and [feed.get("{http://www.w3.org/XML/1998/namespace}lang") for feed in feeds] == ["ru", "en"]
    finally:
        process.terminate()
        process.wait(timeout=10)
