"""What every page parser shares: the fetched page, the list-page result, and the record they start.

These sit below the parsers and the `crawler.page` dispatcher, so imports run one way:
``page`` → ``parse_*`` → ``page_parts`` / ``addresses`` / ``markup``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from lxml import etree
from lxml.cssselect import CSSSelector
from lxml.etree import _Element

from archive.records import ItemRecord
from crawler.addresses import host_lang, item_url
from crawler.errors import LayoutError
from crawler.kinds import classify

#: lxml's own HTML parser with its plain element class: lxml.html's parser looks up a Python class for
#: every element the parsers touch (a Python call each, a tenth of an article's parse), and nothing
#: here uses what those classes add (text is read with `crawler.text.text_content`).
_HTML_PARSER = etree.HTMLParser(encoding="utf-8")
#: A ``tag.class[.class…]`` selector, the form `firsts` matches itself.
_TAG_CLASSES = re.compile(r"([a-z][a-z0-9]*)((?:\.[A-Za-z_][A-Za-z0-9_-]*)+)")
#: What XPath's normalize-space, and so a compiled class selector, splits a class attribute at.
_XPATH_SPACE = re.compile(r"[ \t\r\n]+")


@dataclass
class ItemPage:
    """A page listing several items: a news list, by-date page or Atom feed page."""

    items: list[ItemRecord] = field(default_factory=list)
    #: Absolute address of the page with OLDER items, None on the last page.
    next_url: str | None = None
    #: This page's number and the number of pages, where the page says them.
    page: int | None = None
    pages: int | None = None


@dataclass(frozen=True)
class FetchedPage:
    """A response body and the address it came from. The HTML tree is parsed on first use only, so
    a feed (recognised from its bytes) is never parsed as HTML, and an HTML page is parsed once
    however many kinds of page look at it."""

    body: str | bytes
    url: str

    @cached_property
    def doc(self) -> _Element:
        return parse_html(self.body, self.url)


def parse_html(body: str | bytes, url: str) -> _Element:
    """Parse a whole HTML page. The site serves UTF-8, so text is handed to lxml as UTF-8 bytes
    (which also copes with an XML declaration that lxml refuses in a str); an empty or unparseable
    body raises `LayoutError`."""
    data = as_bytes(body)
    if not data.strip():
        raise LayoutError(url, "empty response body")
    try:
        root = etree.fromstring(data, parser=_HTML_PARSER)
    except (ValueError, etree.ParserError, etree.XMLSyntaxError) as exc:
        raise LayoutError(url, f"not parseable as HTML ({exc})") from exc
    if root is None:
        raise LayoutError(url, "not parseable as HTML (Document is empty)")
    return root


def as_bytes(body: str | bytes) -> bytes:
    """The body as the UTF-8 bytes the parsers read. Text that cannot be UTF-8 (lone surrogates, as
    a caller's ``surrogateescape`` decoding leaves them) gets "?" in their place instead of an error."""
    return body.encode("utf-8", errors="replace") if isinstance(body, str) else body


def first(selector: CSSSelector, root: _Element) -> _Element | None:
    """The first element `selector` finds below `root`, None when there is none."""
    found = selector(root)
    return found[0] if found else None


def firsts(selectors: Sequence[CSSSelector], root: _Element) -> list[_Element | None]:
    """`first` of each of `selectors`, in one pass over `root`'s elements for the ``tag.class``
    selectors of an article's parts instead of one XPath scan of the whole page each (the scans
    cost as much as the text walk). A class matches as in the compiled selector: a word of the
    ``class`` attribute split at XPath whitespace. Other selectors are evaluated as they are."""
    wanted: dict[str, list[tuple[int, frozenset[str]]]] = {}
    found: list[_Element | None] = [None] * len(selectors)
    for index, selector in enumerate(selectors):
        simple = _TAG_CLASSES.fullmatch(selector.css)
        if simple is None:
            found[index] = first(selector, root)
        else:
            classes = frozenset(simple[2].split(".")[1:])
            wanted.setdefault(simple[1], []).append((index, classes))
    if wanted:
        for element in root.iter(*wanted):
            names = element.get("class")
            if not names:
                continue
            present = set(_XPATH_SPACE.split(names))
            for index, classes in wanted[element.tag]:
                if found[index] is None and classes <= present:
                    found[index] = element
    return found


def page_lang(doc: _Element, url: str) -> str:
    """Language of an HTML page: ``<html lang>``, else the head's inLanguage, else the host.

    Only the head's ``meta[itemprop=inLanguage]`` counts: the sidebar of every page carries one
    for the OTHER language (the language switch).
    """
    lang = (doc.get("lang") or "").strip()
    if not lang:
        metas = doc.xpath("head/meta[@itemprop='inLanguage']/@content")
        lang = str(metas[0]).strip() if metas else ""
    return lang.split("-")[0].lower() if lang else host_lang(url)


def item_record(
    url: str,
    address: tuple[str, int],
    *,
    lang: str,
    title: str,
    lead: str | None,
    record_class: type[ItemRecord] = ItemRecord,
    **fields: Any,
) -> ItemRecord:
    """A record as every parser builds it: the canonical address on the origin of `url`, and the kind
    classified from title and lead, so feed, list and article records of one item agree on both.
    `fields` are the rest of the record, as far as the page says it (or, for a `record_class` of
    its own, what that class takes)."""
    section, item_id = address
    return record_class(
        id=item_id,
        url=item_url(url, section, item_id),
        lang=lang,
        section=section,
        title=title,
        kind=classify(title, lead),
        lead=lead,
        **fields,
    )
