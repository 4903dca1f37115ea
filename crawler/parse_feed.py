"""Atom feeds (``/events/president/news/feed``, ``…/feed/page/N``, ``/events/all/feed``).

A feed entry carries the full text, so a feed record has title, lead and text, but no place and no
tags (those fields stay ``None``: "the feed does not say"). Its text must equal the article page's
text of the same item wherever the site's content is the same, so the content goes through the same
cleaning (`crawler.text.fragment_text`) minus what only the feed adds: the ``div.c-summary`` block
(the lead, kept separately) and the picture after it.

The text is cleaned when it is first read (`FeedRecord`), not when the feed is parsed: a check
decides from title and times alone which items need their page, and the feed's text is only the
fallback stored when that page fails, so most of the 20 entries' texts are never read at all.

Timestamps follow the wall-clock rule of `crawler.moscow_time`: ``2020-08-27T15:20:00+04:00`` is
15:20 Moscow time (12:20 UTC in 2020), whatever the label says.
"""

from __future__ import annotations

import re
from dataclasses import fields
from datetime import datetime
from typing import Any

from lxml import etree

from archive.records import ItemRecord
from crawler.addresses import host_lang, rebase, split_item_path
from crawler.errors import LayoutError
from crawler.moscow_time import parse_feed_time
from crawler.page_parts import FetchedPage, ItemPage, as_bytes, item_record
from crawler.text import element_text, fragment_text, normalize_space, parse_fragment

ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_PAGE_NUMBER = re.compile(r"/page/(\d+)/?$")
_TRAILING_ID = re.compile(r"([0-9]+)/?$")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
_ATOM_ROOT = re.compile(r"<feed\b[^>]*http://www\.w3\.org/2005/Atom")
_SUMMARY_DIV = etree.XPath(".//div[contains(concat(' ', normalize-space(@class), ' '), ' c-summary ')]")


class FeedRecord(ItemRecord):
    """The record of one feed entry, whose ``text`` is the entry's cleaned content, cleaned on first
    read and kept. Everything else about it is an `ItemRecord` (it compares equal to one with the
    same fields, copies and pickles with the raw content): the text the archive stores, prints or
    compares is the one `fragment_text` gives, only later. Not a dataclass of its own: the
    inherited ``__init__``, ``__repr__`` and ``asdict`` go through the ``text`` property."""

    _content: str | None = None
    _text: str | None = None

    def __init__(self, *args: Any, content_html: str = "", **record: Any) -> None:
        super().__init__(*args, **record)
        if content_html.strip() and "text" not in record:
            self._content = content_html

    @property  # type: ignore[override]
    def text(self) -> str | None:
        """The cleaned content (``None`` when the entry has none), cleaned now if not yet."""
        if self._content is not None:
            self._text = fragment_text(self._content, drop_classes=("c-summary",))
            self._content = None
        return self._text

    @text.setter
    def text(self, value: str | None) -> None:
        self._text, self._content = value, None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ItemRecord):
            return NotImplemented
        names = [field.name for field in fields(ItemRecord)]
        return [getattr(self, name) for name in names] == [getattr(other, name) for name in names]

    __hash__ = None  # type: ignore[assignment]  # mutable, as ItemRecord


def _text(element: etree._Element | None) -> str:
    return (element.text or "") if element is not None else ""


def _links(node: etree._Element) -> dict[str, str]:
    """rel → href of the node's own ``<link>`` children (alternate: the text/html one)."""
    links: dict[str, str] = {}
    for link in node.findall(f"{ATOM}link"):
        rel = link.get("rel", "alternate")
        if rel in links and link.get("type", "text/html") != "text/html":
            continue
        links[rel] = link.get("href", "")
    return links


def _lead(summary_html: str, content_html: str) -> str | None:
    """Text of the ``div.c-summary`` block, from the summary or else from the content."""
    for html in (summary_html, content_html):
        if "c-summary" not in html:
            continue
        found = _SUMMARY_DIV(parse_fragment(html))
        if found:
            return element_text(found[0]) or None
    return None


def _feed_time(entry: etree._Element, name: str, url: str, item_id: int) -> datetime | None:
    """The entry's ``<published>`` or ``<updated>`` in UTC; None when absent. A timestamp that is
    there but unreadable is a broken feed (`LayoutError`), not an undated item."""
    value = _text(entry.find(f"{ATOM}{name}")).strip()
    if not value:
        return None
    try:
        return parse_feed_time(value)
    except ValueError as exc:
        raise LayoutError(url, f"feed entry {item_id}: <{name}> {exc}") from exc


def _entry(entry: etree._Element, url: str, lang: str) -> ItemRecord:
    """The entry's record; its text is cleaned when first read (`FeedRecord`)."""
    raw_id = normalize_space(_text(entry.find(f"{ATOM}id")))
    links = _links(entry)
    address = split_item_path(links.get("alternate", ""), url) or split_item_path(raw_id, url)
    id_match = _TRAILING_ID.search(raw_id)
    if id_match is None:
        raise LayoutError(url, f"feed entry without a numeric <id> ({raw_id!r})")
    item_id = int(id_match[1])
    if address is None or address[1] != item_id:
        raise LayoutError(url, f"feed entry {item_id}: no /<section>/<id> address in <link> or <id>")
    title = normalize_space(_text(entry.find(f"{ATOM}title")))
    if not title:
        raise LayoutError(url, f"feed entry {item_id} has no <title>")
    summary_html = _text(entry.find(f"{ATOM}summary"))
    content_html = _text(entry.find(f"{ATOM}content"))
    lead = _lead(summary_html, content_html)
    published = _feed_time(entry, "published", url, item_id)
    updated = _feed_time(entry, "updated", url, item_id)
    return item_record(
        url,
        address,
        record_class=FeedRecord,
        lang=lang,
        title=title,
        lead=lead,
        content_html=content_html,
        published_at=published,
        source="feed",
        site_updated_at=updated,
    )


def looks_like_feed(page: FetchedPage) -> bool:
    """True when the body is an Atom feed (a ``<feed>`` root in the Atom namespace), judged from its
    first bytes so that a feed is never parsed as HTML."""
    head = page.body[:4096]
    if isinstance(head, bytes):
        head = head.decode("utf-8", errors="replace")
    return _ATOM_ROOT.search(head) is not None


def _page_number(href: str | None) -> int | None:
    if not href:
        return None
    match = _PAGE_NUMBER.search(href)
    return int(match[1]) if match else 1


def parse_feed(xml: str | bytes, url: str) -> ItemPage:
    """Parse one Atom feed page fetched from `url` into records and the address of the next page.

    Raises `LayoutError` when the body is not an Atom feed.
    """
    try:
        root = etree.fromstring(as_bytes(xml), _PARSER)
    except etree.XMLSyntaxError as exc:
        raise LayoutError(url, f"not well-formed XML, expected an Atom feed ({exc})") from exc
    if root.tag != f"{ATOM}feed":
        raise LayoutError(url, f"root element is {root.tag!r}, expected an Atom <feed>")
    lang = (root.get(XML_LANG) or "").split("-")[0].lower() or host_lang(url)
    items = [_entry(entry, url, lang) for entry in root.findall(f"{ATOM}entry")]
    links = _links(root)
    next_href = links.get("next")
    return ItemPage(
        items=items,
        next_url=rebase(next_href, url) if next_href else None,
        page=_page_number(links.get("self")),
        pages=_page_number(links.get("last")),
    )


def read_feed(page: FetchedPage) -> ItemPage:
    """`parse_feed` of a fetched page (the form `crawler.page.parse_page` calls parsers in)."""
    return parse_feed(page.body, page.url)
