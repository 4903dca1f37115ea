"""The lxml cleaning of `crawler.text` gives exactly the text the BeautifulSoup cleaning gave.

The archive detects edits by comparing texts, so a cleaning that reads one character differently
would look like an edit on every stored item. The BeautifulSoup cleaning the archive was filled with
is kept here, and only here, as the reference: every element of every saved page, every feed entry,
a few hundred replica pages of both languages and the awkward markup the site could send must come
out the same from both.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from html import unescape
from pathlib import Path

import lxml.html
import pytest
from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import CData, Comment, Declaration, Doctype, ProcessingInstruction
from lxml import etree
from lxml.etree import _Element

from archive.records import ItemRecord
from crawler import markup
from crawler.page_parts import first, firsts, parse_html
from crawler.parse_feed import parse_feed
from crawler.text import (
    BLOCK_TAGS,
    DROP_CLASSES,
    DROP_TAGS,
    SPACE_TAGS,
    element_text,
    fragment_text,
    normalize_space,
)
from replica.chrome import Site
from replica.corpus import Corpus
from replica.render import article_page, feed_page, print_page

FIXTURES = Path(__file__).parent / "fixtures"
HTML_FIXTURES = ["ru_article_77329.html", "en_article_63907_call.html", "en_list_page2.html"]
ATOM = "{http://www.w3.org/2005/Atom}"


# --- the reference: the BeautifulSoup cleaning as it was --------------------------------------------

_NOT_TEXT = (Comment, CData, ProcessingInstruction, Declaration, Doctype)
_WHITESPACE = re.compile(r"[\s\xa0\u2007\u202f\ufeff]+")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x7f\ufffe\uffff]")


def regex_normalize_space(text: str) -> str:
    return _WHITESPACE.sub(" ", _CONTROL.sub("", text)).strip()


def regex_join_paragraphs(paragraphs: Iterable[str]) -> str:
    return "\n\n".join(p for p in (regex_normalize_space(p) for p in paragraphs) if p)


def _bs4_paragraphs(root: Tag) -> list[str]:
    paragraphs: list[str] = []
    buffer: list[str] = []

    def flush() -> None:
        if buffer:
            paragraphs.append("".join(buffer))
            buffer.clear()

    def walk(tag: Tag) -> None:
        block = tag.name in BLOCK_TAGS
        if block:
            flush()
        elif tag.name in SPACE_TAGS:
            buffer.append(" ")
        for child in tag.children:
            if isinstance(child, Tag):
                walk(child)
            elif isinstance(child, NavigableString) and not isinstance(child, _NOT_TEXT):
                buffer.append(str(child))
        if block:
            flush()
        elif tag.name in SPACE_TAGS:
            buffer.append(" ")

    walk(root)
    flush()
    return paragraphs


def bs4_fragment_text(html: str, drop_classes: Iterable[str] = ()) -> str:
    if not html.strip():
        return ""
    soup = BeautifulSoup(f"<div>{html}</div>", "lxml")
    drop = DROP_CLASSES | frozenset(drop_classes)
    for tag in soup.find_all(lambda t: t.name in DROP_TAGS or not drop.isdisjoint(t.get("class") or ())):
        if not tag.decomposed:
            tag.decompose()
    return regex_join_paragraphs(_bs4_paragraphs(soup.body or soup))


def bs4_element_text(element: _Element, drop_classes: Iterable[str] = ()) -> str:
    return bs4_fragment_text(lxml.html.tostring(element, encoding="unicode", with_tail=False), drop_classes)


def bs4_feed_lead(summary_html: str, content_html: str) -> str | None:
    """The feed lead as it was read: the c-summary div found in lxml.html's fragment tree,
    serialised and cleaned by BeautifulSoup."""
    for html in (summary_html, content_html):
        if "c-summary" not in html:
            continue
        root = lxml.html.fragment_fromstring(html, create_parent="div")
        found = root.xpath(".//div[contains(concat(' ', normalize-space(@class), ' '), ' c-summary ')]")
        if found:
            return bs4_element_text(found[0]) or None
    return None


# --- what is compared -----------------------------------------------------------------------------


def _elements(doc: _Element) -> Iterator[_Element]:
    return (element for element in doc.iter() if isinstance(element.tag, str))


def _feed_contents(xml: bytes) -> list[str]:
    root = etree.fromstring(xml)
    return [entry.findtext(f"{ATOM}content") or "" for entry in root.iter(f"{ATOM}entry")]


def _assert_feed_as_before(xml: bytes, url: str) -> None:
    """Every record of the feed carries the lead and text the BeautifulSoup cleaning gave."""
    root = etree.fromstring(xml)
    entries = list(root.iter(f"{ATOM}entry"))
    page = parse_feed(xml, url)
    assert len(page.items) == len(entries)
    for record, entry in zip(page.items, entries, strict=True):
        summary, content = entry.findtext(f"{ATOM}summary") or "", entry.findtext(f"{ATOM}content") or ""
        assert record.lead == bs4_feed_lead(summary, content), record.id
        assert record.text == (bs4_fragment_text(content, ("c-summary",)) if content.strip() else None)


def _assert_same_elements(doc: _Element, where: str) -> int:
    compared = 0
    for element in _elements(doc):
        for drop in ((), ("c-summary",)):
            assert element_text(element, drop) == bs4_element_text(element, drop), (where, element.tag)
        compared += 1
    return compared


@pytest.mark.parametrize("name", HTML_FIXTURES)
def test_every_element_of_the_saved_pages(name: str) -> None:
    """Not only the body and lead: every element, so nested blocks, tooltips and tag lists count."""
    doc = parse_html((FIXTURES / name).read_bytes(), "http://kremlin.ru/")
    assert _assert_same_elements(doc, name) > 100


def test_every_entry_of_the_saved_feed() -> None:
    contents = _feed_contents((FIXTURES / "en_feed_president_news.xml").read_bytes())
    assert len(contents) == 20
    for content in contents:
        for drop in ((), ("c-summary",)):
            assert fragment_text(content, drop) == bs4_fragment_text(content, drop)
    _assert_feed_as_before(
        (FIXTURES / "en_feed_president_news.xml").read_bytes(),
        "http://en.kremlin.ru/events/president/news/feed",
    )


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_replica_pages(lang: str) -> None:
    """150 article, print and feed renderings per language (the calls, separators, tooltips and
    typography of the replica's templates)."""
    corpus = Corpus.generate(150, lang=lang, seed=12)
    site = Site(lang, "http://127.0.0.1:8080")
    items = corpus.newest(150)
    for item in items:
        for render in (article_page, print_page):
            doc = parse_html(render(item, site), site.origin + item.path)
            for selector in (".read__lead", ".entry-content.read__internal_content"):
                for element in doc.cssselect(selector):
                    assert element_text(element) == bs4_element_text(element), (item.id, selector)
    for start in range(0, len(items), 20):
        _assert_feed_as_before(
            feed_page(items[start : start + 20], 1, 8, site).encode(), site.origin + "/feed"
        )


AWKWARD = [
    "plain text only",
    "   ",
    "<p>a</p>\n<p>b</p> tail <span>x</span> <i>y</i>",
    "a<img src=x> <b>b</b> <br> c<br/>d<wbr>e",
    '<b><a>М.Хуснуллин<span class="read__tooltip hidden masha-ignore">Марат</span></a>:</b> Уважаемый',
    '<div class="masha-ignore">gone<p>gone too</p></div>after <p class="x  masha-ignore\tq">no</p>kept',
    '<div class="MASHA-IGNORE">case matters</div><div class="c-summary"><p>lead</p></div><p>body</p>',
    "<p>one<!-- a comment --> two<?php echo 1 ?> three</p>",
    "<table><tr><td>a</td><td>b</td></tr><tr><th>c</th></tr></table>after",
    "<ul><li>one<li>two</ul><ol><li>three</ol>",
    "<p>unclosed <b>bold <i>italic</p><p>next",
    "<p>nested<p>paragraphs<div>in a div</div>tail</p>",
    "text&nbsp;with&#160;no-break\u2007spaces\u202fand\ufefffeff",
    "<h2>Head</h2>line one\nline two\r\nline three<hr>after rule",
    "<script>var x = '<p>no</p>';</script><style>p{}</style><noscript>no</noscript>yes",
    "<figure><img><figcaption>Caption</figcaption></figure><video><source>v</video>",
    "<pre>  pre\n  formatted  </pre><blockquote>quoted<br>lines</blockquote>",
    "<o:p>word</o:p> <svg><text>drawn</text></svg><font>font</font><center>centre</center>",
    "<span>inline</span><div>block</div><span>inline again</span>",
    "&lt;p&gt; escaped &amp;amp; &#x41;&#66;",
    "<p>control\x01\x1b chars\x7f</p>",
    "<ruby>漢<rp>(</rp><rt>kan</rt><rp>)</rp></ruby>",
    "<template><p>template</p></template><button>press</button><textarea>area</textarea>after",
    "<html><head><title>t</title></head><body><p>whole document</p></body></html>",
    "<body class='masha-ignore'><p>body dropped?</p></body>",
    "<title>a title</title><meta name=x content=y><link rel=x>text",
    "</div></p>stray closers<div>",
]


@pytest.mark.parametrize("html", AWKWARD)
def test_awkward_markup(html: str) -> None:
    for drop in ((), ("c-summary",)):
        assert fragment_text(html, drop) == bs4_fragment_text(html, drop)
        assert fragment_text(unescape(html), drop) == bs4_fragment_text(unescape(html), drop)
    doc = lxml.html.fragment_fromstring(html, create_parent="div") if html.strip() else None
    if doc is not None:
        assert _assert_same_elements(doc, html) >= 1


def test_normalize_space_equals_the_regular_expressions() -> None:
    """The fast path and the `str.split` path of `normalize_space` against the two regular
    expressions it replaced, for every code point between words, at the ends and in runs."""
    for start in range(0, 0x110000, 64):
        chars = [chr(c) for c in range(start, min(start + 64, 0x110000)) if not 0xD800 <= c <= 0xDFFF]
        for char in chars:
            for text in (f"a{char}b", f"{char} a {char}", f"a {char}{char} b", f"\xa0{char}\n", char):
                assert normalize_space(text) == regex_normalize_space(text), hex(ord(char))
    for text in ("a\xa0\nb", " \xa0a  b\n", "a\x01 \x02b", "\ufeffa\ufeff", "a\u200bb", ""):
        assert normalize_space(text) == regex_normalize_space(text)


def test_feed_text_is_cleaned_when_read() -> None:
    """A feed record cleans its text on first read, once; it equals an `ItemRecord` with the same
    fields, either way round, and a text set on it replaces the pending content."""
    page = parse_feed(
        (FIXTURES / "en_feed_president_news.xml").read_bytes(),
        "http://en.kremlin.ru/events/president/news/feed",
    )
    record = page.items[0]
    assert record.__dict__.get("_content") is not None  # not cleaned yet
    text = record.text
    assert text and record.__dict__.get("_content") is None and record.text is text
    plain = ItemRecord(**{name: getattr(record, name) for name in ItemRecord.__dataclass_fields__})
    assert record == plain and plain == record
    assert record.to_json() == plain.to_json()
    record.text = "replaced"
    assert record.text == "replaced" and record != plain


ARTICLE_PARTS = (markup.TITLE, markup.BODY, markup.LEAD, markup.PUBLISHED, markup.TIME, markup.PLACE)


def test_firsts_finds_what_the_selectors_find() -> None:
    """`firsts` (one pass for the article's ``tag.class`` parts) against each compiled selector, on
    the saved pages, replica pages and class attributes split at every kind of whitespace."""
    docs = [parse_html((FIXTURES / name).read_bytes(), "http://kremlin.ru/") for name in HTML_FIXTURES]
    site = Site("ru", "http://127.0.0.1:8080")
    for item in Corpus.generate(30, lang="ru", seed=3).newest(30):
        docs.append(parse_html(article_page(item, site), site.origin + item.path))
    docs.append(
        lxml.html.document_fromstring(
            '<html><body><h1 class="entry-title\txyz">t</h1><div class="read__lead\xa0x">no</div>'
            '<div class=" x\r\nread__lead ">lead</div><div class="READ__TIME">no</div><div class="read__time">'
            '<div class="entry-content">half</div><div class="read__internal_content entry-content">body</div>'
            '</div><time class="read__published read__published">p</time></body></html>'
        )
    )
    for doc in docs:
        selectors = (*ARTICLE_PARTS, markup.UPDATED, markup.ARTICLE)
        assert firsts(selectors, doc) == [first(selector, doc) for selector in selectors]
