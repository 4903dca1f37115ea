"""Properties of the page parsers over mutations of the real saved pages (Hypothesis).

A crawl meets cut-off downloads, pages with a block missing or repeated, bodies in the wrong
encoding, stray control characters and addresses that name another item. Whatever the page, a
parser either returns records that are true — a non-empty title, the id the page states for the
item, text a database can store — or raises `LayoutError` with a reason the crawl log shows. Any
other exception would end the crawl of that page with a traceback instead of a logged finding.

Examples are derandomized (the `parsers` profile), so a failure found in CI is found again locally.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import lxml.html
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from archive.records import ItemRecord
from crawler.addresses import origin
from crawler.errors import LayoutError
from crawler.page import parse_page
from crawler.page_parts import ItemPage
from crawler.parse_article import parse_article
from crawler.parse_feed import parse_feed
from crawler.parse_list import parse_list

settings.register_profile(
    "parsers",
    max_examples=120,
    deadline=None,
    derandomize=True,
    database=None,  # derandomized: the same examples every run, nothing to remember between runs
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PROPERTIES = settings.get_profile("parsers")

FIXTURES = Path(__file__).parent / "fixtures"
#: Characters no text field may carry: C0 controls (a NUL cannot even be stored in PostgreSQL), DEL,
#: and the non-characters U+FFFE/U+FFFF. Newlines stay: they separate paragraphs.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\ufffe\uffff]")
#: Control characters and byte sequences that are not UTF-8, as a broken server or proxy sends them.
CONTROL_CHARS = [chr(c) for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F)] + [
    "\ufeff",
    "\ufffe",
    "\uffff",
    "\u2028",
]
INVALID_UTF8 = [
    b"\xff",
    b"\xfe",
    b"\x80",
    b"\xc3",
    b"\xe2\x82",
    b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80",
    b"\xc0\xaf",
]


@dataclass(frozen=True)
class Page:
    """A saved real page, the address it was fetched from, its parser and the ids it states."""

    name: str
    url: str
    parser: Callable[[bytes | str, str], ItemRecord | ItemPage]
    xml: bool = False

    @property
    def body(self) -> bytes:
        return _read(self.name)

    @property
    def ids(self) -> frozenset[int]:
        """Every item id the unmutated page holds: no mutation may make up another."""
        return _ids(self.name, self.url, self.parser)


@cache
def _read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@cache
def _ids(name: str, url: str, parser: Callable[[bytes | str, str], ItemRecord | ItemPage]) -> frozenset[int]:
    return frozenset(record.id for record in records_of(parser(_read(name), url)))


PAGES = [
    Page("ru_article_77329.html", "http://kremlin.ru/events/president/news/77329", parse_article),
    Page("en_article_63907_call.html", "http://en.kremlin.ru/events/president/news/63907", parse_article),
    Page("en_list_page2.html", "http://en.kremlin.ru/events/president/news/page/2", parse_list),
    Page("ru_list_item_fragment.html", "http://kremlin.ru/events/president/news", parse_list),
    Page(
        "en_feed_president_news.xml", "http://en.kremlin.ru/events/president/news/feed", parse_feed, xml=True
    ),
]
ARTICLES = [page for page in PAGES if page.parser is parse_article]


def records_of(result: ItemRecord | ItemPage) -> list[ItemRecord]:
    return [result] if isinstance(result, ItemRecord) else result.items


# -- mutations ----------------------------------------------------------------------------------------


class Mutated:
    """A mutated page body and what was done to it (the short form Hypothesis reports on failure)."""

    def __init__(self, body: bytes, steps: tuple[str, ...] = ()) -> None:
        self.body = body
        self.steps = steps

    def __repr__(self) -> str:
        return f"Mutated({len(self.body)} bytes: {'; '.join(self.steps)})"

    def then(self, body: bytes, step: str) -> Mutated:
        return Mutated(body, (*self.steps, step))


def _tree(body: bytes, xml: bool) -> etree._Element | None:
    """The page's element tree, parsed leniently; None when nothing is left to parse."""
    try:
        if xml:
            return etree.fromstring(body, etree.XMLParser(recover=True, resolve_entities=False))
        return lxml.html.document_fromstring(body, parser=lxml.html.HTMLParser(encoding="utf-8"))
    except (ValueError, etree.ParserError, etree.XMLSyntaxError):
        return None


@st.composite
def truncated(draw: st.DrawFn, page: Mutated) -> Mutated:
    """The body cut off at any byte (a dropped connection with a Content-Length that matched)."""
    at = draw(st.integers(0, len(page.body)))
    return page.then(page.body[:at], f"cut at byte {at}")


@st.composite
def tree_edit(draw: st.DrawFn, page: Mutated, xml: bool) -> Mutated:
    """One element of the page deleted, or repeated right after itself (a block lost or doubled)."""
    root = _tree(page.body, xml)
    if root is None:
        return page
    elements = [el for el in root.iter() if el.getparent() is not None]
    if not elements:
        return page
    index = draw(st.integers(0, len(elements) - 1))
    element = elements[index]
    parent = element.getparent()
    name = f"<{element.tag}> #{index}" if isinstance(element.tag, str) else f"node #{index}"
    if draw(st.booleans()):
        step = f"deleted {name}"
        tail = element.tail
        parent.remove(element)  # lxml drops the tail with the element; keep the text that followed
        if tail and len(parent):
            parent[-1].tail = (parent[-1].tail or "") + tail
    else:
        step = f"duplicated {name}"
        element.addnext(copy.deepcopy(element))
    body = etree.tostring(root, encoding="utf-8") if xml else lxml.html.tostring(root, encoding="utf-8")
    return page.then(body, step)


#: What a garbled value is made of: digits and the separators of dates, times and ids.
GARBLE = st.one_of(
    st.text(alphabet="0123456789-:.T+ Zevnt_/абв\x00", max_size=24),
    st.from_regex(r"\A[0-9]{1,5}-[0-9]{1,3}-[0-9]{1,3}(T[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}\+04:00)?\Z"),
    st.from_regex(r"\A[0-9]{1,2} (августа|июня|August|June) [0-9]{1,5}( года)?, [0-9]{1,2}:[0-9]{2}\Z"),
)


def _has_digit(value: str | None) -> bool:
    return value is not None and any(c.isdigit() for c in value)


@st.composite
def garbled(draw: st.DrawFn, page: Mutated, xml: bool) -> Mutated:
    """A value that holds a number (a date, a time, an id, a page number) replaced by a near miss:
    ``2020-13-45``, ``event-``, ``99:99``."""
    root = _tree(page.body, xml)
    if root is None:
        return page
    places = [
        (element, name)
        for element in root.iter()
        if isinstance(element.tag, str)
        for name, value in [(None, element.text), *element.items()]
        if _has_digit(value)
    ]
    if not places:
        return page
    element, name = places[draw(st.integers(0, len(places) - 1))]
    value = draw(GARBLE).replace("\x00", "")  # lxml refuses a NUL in the tree; inserted() sends those
    try:
        if name is None:
            element.text = value
        else:
            element.set(name, value)
    except ValueError:  # an attribute name an earlier mutation garbled: lxml will not write it
        return page
    body = etree.tostring(root, encoding="utf-8") if xml else lxml.html.tostring(root, encoding="utf-8")
    return page.then(body, f"garbled <{element.tag}> {name or 'text'} to {value!r}")


@st.composite
def inserted(draw: st.DrawFn, page: Mutated, pieces: list[bytes]) -> Mutated:
    """One to five `pieces` put in at any byte (inside a tag, an id, a UTF-8 sequence)."""
    body = page.body
    steps = []
    for _ in range(draw(st.integers(1, 5))):
        at = draw(st.integers(0, len(body)))
        piece = draw(st.sampled_from(pieces))
        body = body[:at] + piece + body[at:]
        steps.append(f"{piece!r} at byte {at}")
    return page.then(body, "inserted " + ", ".join(steps))


@st.composite
def reencoded(draw: st.DrawFn, page: Mutated) -> Mutated:
    """The page's text sent in another encoding than the UTF-8 it declares."""
    codec = draw(st.sampled_from(["cp1251", "latin-1", "koi8-r", "utf-16"]))
    text = page.body.decode("utf-8", errors="replace")
    return page.then(text.encode(codec, errors="replace"), f"re-encoded as {codec}")


def mutation(page: Mutated, xml: bool) -> st.SearchStrategy[Mutated]:
    """One way a page goes wrong between the site and the parser."""
    return st.one_of(
        truncated(page),
        tree_edit(page, xml),
        garbled(page, xml),
        reencoded(page),
        inserted(page, INVALID_UTF8),
        inserted(page, [c.encode("utf-8", "surrogatepass") for c in CONTROL_CHARS]),
    )


@st.composite
def mutated(draw: st.DrawFn, page: Page) -> Mutated:
    """The page after one to three mutations in a row."""
    body = Mutated(page.body)
    for _ in range(draw(st.integers(1, 3))):
        body = draw(mutation(body, page.xml))
    return body


# -- the property -----------------------------------------------------------------------------------


def parsed_or_rejected(
    parser: Callable[[bytes | str, str], ItemRecord | ItemPage], body: bytes | str, url: str
) -> list[ItemRecord] | LayoutError:
    """What `parser` makes of the page: its records, or the `LayoutError` it raised. Any other
    exception propagates, and fails the property."""
    try:
        return records_of(parser(body, url))
    except LayoutError as error:
        return error


def assert_true_records(outcome: list[ItemRecord] | LayoutError, page: Page, url: str) -> None:
    """A rejection names the page and a reason; every record has a title, one of the page's own ids
    on the fetched origin, and text a database can store."""
    if isinstance(outcome, LayoutError):
        assert outcome.url == url
        assert outcome.missing.strip()
        return
    for record in outcome:
        assert record.title.strip(), f"empty title on item {record.id}"
        assert record.id in page.ids, f"id {record.id} is not one the page states"
        assert record.url == f"{origin(url)}/{record.section}/{record.id}"
        texts = [record.title, record.lead, record.text, record.place]
        texts += [*(record.topics or []), *(record.geography or []), *(record.persons or [])]
        for text in texts:
            assert text is None or not _CONTROL.search(text), f"control character in {text[:80]!r}"


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_unmutated_pages_are_read(page: Page) -> None:
    """The baseline the properties start from: every real page gives records that pass the checks."""
    outcome = parsed_or_rejected(page.parser, page.body, page.url)
    assert not isinstance(outcome, LayoutError)
    assert outcome
    assert_true_records(outcome, page, page.url)


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
@PROPERTIES
@given(data=st.data())
def test_mutated_page_is_parsed_or_rejected(page: Page, data: st.DataObject) -> None:
    """Truncated, edited, re-encoded or dirtied: the page's own parser and `parse_page` (which must
    first recognise what kind of page it is) either give true records or raise `LayoutError`."""
    body = data.draw(mutated(page), label="page").body
    for parser in (page.parser, parse_page):
        assert_true_records(parsed_or_rejected(parser, body, page.url), page, page.url)
    # The same page handed over as text: decoded with replacement characters, or keeping the bytes
    # that are not UTF-8 as lone surrogates (Python's surrogateescape).
    for errors in ("replace", "surrogateescape"):
        text = body.decode("utf-8", errors=errors)
        assert_true_records(parsed_or_rejected(parse_page, text, page.url), page, page.url)


# -- ids --------------------------------------------------------------------------------------------

#: Where an article page states its id: (name, pattern whose group 1 is the id).
ID_PLACES = {
    "article": re.compile(rb'id="event-(\d+)"'),
    "canonical link": re.compile(rb'<link rel="canonical" href="(?:[^"]*/)?(\d+)(?:\.html)?"'),
    "og:url": re.compile(rb'<meta property="og:url" content="[^"]*/(\d+)"'),
}


def _swap(body: bytes, pattern: re.Pattern[bytes], new_id: int) -> bytes:
    match = pattern.search(body)
    assert match is not None, pattern.pattern
    return body[: match.start(1)] + str(new_id).encode() + body[match.end(1) :]


@pytest.mark.parametrize("page", ARTICLES, ids=lambda page: page.name)
@PROPERTIES
@given(place=st.sampled_from([*ID_PLACES, "address"]), new_id=st.integers(1, 10**7), data=st.data())
def test_article_naming_another_item_is_never_read_as_it(
    page: Page, place: str, new_id: int, data: st.DataObject
) -> None:
    """When the page or the address it came from names another item in one place (a mix-up on the
    site or a redirect to the wrong item), the record is the item the rest of the page states, or the
    page is rejected — never a record under the other id."""
    (true_id,) = page.ids
    new_id += new_id >= true_id  # any id but the page's own
    body, url = page.body, page.url
    if place == "address":
        url = re.sub(r"/\d+$", f"/{new_id}", url) + data.draw(st.sampled_from(["", "/print"]))
    else:
        body = _swap(body, ID_PLACES[place], new_id)
    for parser in (parse_article, parse_page):
        outcome = parsed_or_rejected(parser, body, url)
        if isinstance(outcome, LayoutError):
            assert str(new_id) in outcome.missing and str(true_id) in outcome.missing
            continue
        assert [record.id for record in outcome] == [true_id]


@PROPERTIES
@given(new_id=st.integers(1, 10**7))
def test_list_item_whose_link_names_another_item_is_rejected(new_id: int) -> None:
    """A list item whose ``data-id`` and ``/<section>/<id>`` link disagree cannot say which item it
    is: the page is rejected with both ids named, rather than stored under either."""
    page = PAGES[3]
    new_id += new_id >= 80518
    body = page.body.replace(b'href="/acts/news/80518"', f'href="/acts/news/{new_id}"'.encode())
    with pytest.raises(LayoutError) as error:
        parse_list(body, page.url)
    assert "80518" in error.value.missing and str(new_id) in error.value.missing
