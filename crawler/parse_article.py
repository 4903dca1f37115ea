"""Article and print pages (``/<section>/<id>``, ``/<section>/<id>/print``): the complete record.

An article page is the only source that carries everything the archive keeps (lead, full text,
place, tags), so its record is marked ``source="article"`` and treated as complete: a field the page
lacks is really absent (no place line on phone calls: ``place=None``; no tag column: ``[]``). For
the same reason a page that is cut off or whose markup changed must not produce a record at all:
it raises `LayoutError` rather than store a title-less or body-less item as "complete".

Structure is found with lxml (the selectors of `crawler.markup`); the body text goes through
`crawler.text`, the same cleaning the Atom feed parser uses.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml.etree import _Element

from archive.records import ItemRecord
from crawler import markup
from crawler.addresses import list_section, split_item_path
from crawler.errors import LayoutError
from crawler.moscow_time import parse_site_datetime
from crawler.page_parts import FetchedPage, first, firsts, item_record, page_lang
from crawler.text import element_text, inline_text, normalize_space, text_content

_END_OF_PAGE = re.compile(r"</html\s*>", re.IGNORECASE)
# Compiled once: `_Element.xpath` compiles its expression anew on every call.
_CANONICAL = etree.XPath("head/link[@rel='canonical']/@href")
_OG_URL = etree.XPath("head/meta[@property='og:url']/@content")
_HEADING = etree.XPath(".//h3")
_TAG_LINKS = etree.XPath(".//a[@rel='tag']")
_TAG_ITEMS = etree.XPath(".//li")

#: Tag column headings (lower case) → ItemRecord field.
TAG_HEADINGS = {
    "темы": "topics",
    "topics": "topics",
    "география": "geography",
    "geography": "geography",
    "лица": "persons",
    "persons": "persons",
}


def is_article(page: FetchedPage) -> bool:
    """True when the page shows signs of being an article or print page (even a broken one)."""
    doc = page.doc
    return bool(markup.ARTICLE(doc) or markup.TITLE(doc) or markup.BODY(doc))


def _item_address(doc: _Element, url: str) -> tuple[str | None, int | None]:
    """(section, id): id from ``article#event-<id>``; section from the first address that names
    an item — canonical link, og:url, the fetched address — with the category link as fallback.
    An address that is not an item address is passed over: saved copies rewrite the canonical link
    to ``63907.html``, which resolves to no item path against a print-page address.

    Every place that names an item must name the same one: a page that says it is item 200 fetched
    as item 100, or whose canonical link names another item, is a mix-up, and `LayoutError` says so
    rather than file the page under either id.
    """
    article = first(markup.ARTICLE, doc)
    item_id: int | None = None
    if article is not None:
        raw_id = article.get("id", "").removeprefix("event-")
        if not (raw_id.isascii() and raw_id.isdigit()):
            raise LayoutError(url, f"article id {article.get('id')!r} is not event-<number>")
        item_id = int(raw_id)
    candidates = [
        *(("canonical link", href) for href in _CANONICAL(doc)),
        *(("og:url", href) for href in _OG_URL(doc)),
        ("address", url),
    ]
    addresses = [(where, found) for where, href in candidates if (found := split_item_path(str(href), url))]
    named = [("article", item_id)] if item_id is not None else []
    named += [(where, found[1]) for where, found in addresses]
    if len({number for _where, number in named}) > 1:
        said = ", ".join(f"{where} {number}" for where, number in named)
        raise LayoutError(url, f"the page names different items ({said})")
    if addresses:
        return addresses[0][1]

    category = first(markup.CATEGORY, doc)
    section = list_section(category.get("href", ""), url) if category is not None else None
    return section, item_id


def _tags(doc: _Element) -> dict[str, list[str]]:
    """Topics, geography and persons from the tag columns, by each column's heading."""
    tags: dict[str, list[str]] = {"topics": [], "geography": [], "persons": []}
    for column in markup.TAG_COLUMNS(doc):
        heading = _HEADING(column)
        name = TAG_HEADINGS.get(normalize_space(text_content(heading[0])).lower()) if heading else None
        if name is None:
            continue
        links = _TAG_LINKS(column) or _TAG_ITEMS(column)
        tags[name].extend(t for t in (inline_text(link) for link in links) if t)
    return tags


def _refuse_truncated(page: FetchedPage) -> None:
    """A page whose end is missing is a cut-off download, whatever else it lacks: say so."""
    tail = page.body[-4096:]
    if isinstance(tail, bytes):
        tail = tail.decode("utf-8", errors="replace")
    if not _END_OF_PAGE.search(tail):
        raise LayoutError(page.url, "truncated page: no closing </html>")


def read_article(page: FetchedPage) -> ItemRecord:
    """Build the complete record from an article or print page (the raw body is kept for the
    truncation check)."""
    doc, url = page.doc, page.url
    _refuse_truncated(page)

    title_h1, body_div, lead_div, published, time_div, place, updated_block = firsts(
        (
            markup.TITLE,
            markup.BODY,
            markup.LEAD,
            markup.PUBLISHED,
            markup.TIME,
            markup.PLACE,
            markup.UPDATED_BLOCK,
        ),
        doc,
    )
    title = inline_text(title_h1)
    if not title:
        raise LayoutError(url, "no article title (h1.entry-title)")
    if body_div is None:
        raise LayoutError(url, "no article body (div.entry-content.read__internal_content)")
    section, item_id = _item_address(doc, url)
    if item_id is None:
        raise LayoutError(url, "no item id (article#event-<id>, canonical link or /<section>/<id> address)")
    if section is None:
        raise LayoutError(url, "no section (canonical link, og:url, address or a.read__categ)")

    lead = element_text(lead_div) if lead_div is not None else None
    published_at = None
    if published is not None:
        published_at = parse_site_datetime(
            text_content(published),
            text_content(time_div) if time_div is not None else None,
            day=published.get("datetime"),
        )
    # The update time is the first <time> inside a div.read__updated (`markup.UPDATED`): looked for
    # in the first such div, which `firsts` found on its pass; the whole page only if it has none.
    updated = updated_block.find(".//time") if updated_block is not None else None
    if updated is None and updated_block is not None:
        updated = first(markup.UPDATED, doc)
    site_updated_at = (
        parse_site_datetime(text_content(updated), day=updated.get("datetime"))
        if updated is not None
        else None
    )
    tags = _tags(doc)
    return item_record(
        url,
        (section, item_id),
        lang=page_lang(doc, url),
        title=title,
        lead=lead or None,
        text=element_text(body_div),
        published_at=published_at,
        place=inline_text(place) or None,
        topics=tags["topics"],
        geography=tags["geography"],
        persons=tags["persons"],
        source="article",
        site_updated_at=site_updated_at,
    )


def parse_article(html: str | bytes, url: str) -> ItemRecord:
    """Parse an article or print page fetched from `url` into a complete `ItemRecord`.

    Raises `LayoutError` when the page is not an article page or lacks its title or body.
    """
    page = FetchedPage(html, url)
    if not is_article(page):
        # Cut off before the article element: the reason is the cut, not the layout.
        _refuse_truncated(page)
        raise LayoutError(url, "not an article page (no article#event-<id>, h1.entry-title or body div)")
    return read_article(page)
