"""List pages (``/events/president/news``, ``…/page/N``, ``…/by-date/DD.MM.YYYY``): partial records.

A list item says only what it is (id, address, title, date and time); lead, text, place and tags
are left ``None`` — "this page does not say" — so that merging never mistakes a list record for an
item without text. The records are ``source="list"``; the article page completes them later.

Traps in the real pages:

* ids come from ``data-id`` only. Saved copies (``wget --convert-links``) rewrite item links to
  ``../63911.html``; an href is used only for the item's section, and only when it is a real
  ``/<section>/<id>`` address (the ru list links decrees to ``/acts/news/…`` although they sit in
  another section's list). A real address naming another id than ``data-id`` is a mix-up: the
  page is rejected rather than the item filed under either id.
* ``time[datetime]`` carries only the date; the time of day is in the visible text
  («12 августа 2026 года, 16:30»). ``span.updated`` (hidden) is a date only: 00:00 Moscow.
* the next page comes from the list element's ``data-url-template`` / ``data-page`` /
  ``data-pages``; ``a[rel=next]`` (which points to OLDER items) is the fallback. Every address is
  rebuilt on the origin of the page's own address.
"""

from __future__ import annotations

from lxml.etree import _Element

from archive.records import ItemRecord
from crawler import markup
from crawler.addresses import list_section, rebase, split_item_path
from crawler.errors import LayoutError
from crawler.moscow_time import moscow_datetime, parse_date, parse_site_datetime
from crawler.page_parts import FetchedPage, ItemPage, first, item_record, page_lang
from crawler.text import inline_text, text_content


def is_list(page: FetchedPage) -> bool:
    """True when the page holds list items or the list element (an empty by-date page has no items)."""
    return bool(markup.LIST_ITEMS(page.doc) or markup.LISTER(page.doc))


def _int(value: str | None) -> int | None:
    """A decimal number written in ASCII digits, else None (`int` would also take «١٢» or «1_0»)."""
    text = (value or "").strip()
    return int(text) if text.isascii() and text.isdigit() else None


def _item(node: _Element, url: str, lang: str, default_section: str | None) -> ItemRecord:
    item_id = _int(node.get("data-id"))
    if item_id is None:
        raise LayoutError(url, f"list item with a non-numeric data-id {node.get('data-id')!r}")
    section = default_section
    link = first(markup.ITEM_LINK, node)
    href = (link.get("href") or "") if link is not None else ""
    if href.startswith(("/", "http://", "https://")) and (found := split_item_path(href, url)):
        if found[1] != item_id:
            raise LayoutError(url, f"list item data-id {item_id} links to item {found[1]} ({href})")
        section = found[0]
    if section is None:
        raise LayoutError(url, f"no section for list item {item_id} (href, data-base-url or address)")
    title = inline_text(first(markup.ITEM_TITLE, node))
    if not title:
        raise LayoutError(url, f"list item {item_id} has no title (.entry-title)")

    published = first(markup.ITEM_TIME, node)
    published_at = (
        parse_site_datetime(text_content(published), day=published.get("datetime"))
        if published is not None
        else None
    )
    updated = first(markup.ITEM_UPDATED, node)
    updated_day = parse_date(text_content(updated)) if updated is not None else None
    extra: dict[str, str] = {}
    if place := inline_text(first(markup.ITEM_PLACE, node)):
        # Shown on some list items; kept aside because `place` on a list record must stay None
        # ("not said") — an absent location here does not mean the item has none.
        extra["list_place"] = place
    return item_record(
        url,
        (section, item_id),
        lang=lang,
        title=title,
        lead=None,
        published_at=published_at,
        source="list",
        site_updated_at=moscow_datetime(updated_day) if updated_day is not None else None,
        extra=extra,
    )


def read_list(page: FetchedPage) -> ItemPage:
    """Build the `ItemPage` from a list or by-date page."""
    doc, url = page.doc, page.url
    lister = first(markup.LISTER, doc)
    base = lister.get("data-base-url") if lister is not None else None
    default_section = list_section(base, url) if base else list_section(url, url)
    lang = page_lang(doc, url)
    nodes = markup.LIST_ITEMS(doc)
    if not nodes and lister is None:
        raise LayoutError(url, "no list items (div.hentry[data-id]) and no list element")
    items = [_item(node, url, lang, default_section) for node in nodes]

    page = pages = None
    next_url = None
    if lister is not None:
        page, pages = _int(lister.get("data-page")), _int(lister.get("data-pages"))
        template = lister.get("data-url-template")
        if template and "PAGE" in template and page is not None and pages is not None:
            next_url = rebase(template.replace("PAGE", str(page + 1)), url) if page < pages else None
            return ItemPage(items=items, next_url=next_url, page=page, pages=pages)
    link = first(markup.NEXT, doc)
    if link is not None and link.get("href"):
        next_url = rebase(link.get("href", ""), url)
    return ItemPage(items=items, next_url=next_url, page=page, pages=pages)


def parse_list(html: str | bytes, url: str) -> ItemPage:
    """Parse a list or by-date page (or a saved fragment of one) fetched from `url`.

    Raises `LayoutError` when the page holds neither list items nor the list element.
    """
    return read_list(FetchedPage(html, url))
