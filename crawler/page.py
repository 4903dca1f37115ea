"""The one entry point that parses any kremlin.ru page, by a table of the kinds of page there are.

The spider does not always know what a response is (a by-date address answers with a list page,
a redirect may land on an article, a feed may come back as an HTML error page), so `parse_page`
looks at the content, not at the address, and raises `LayoutError` for anything it does not
recognise instead of guessing: an unrecognised page must never read as "no news".

A new kind of page is one more row in `PAGE_KINDS`; the parsers themselves know nothing of this
module (they build on `crawler.page_parts` and `crawler.addresses`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from archive.records import ItemRecord
from crawler.errors import LayoutError
from crawler.page_parts import FetchedPage, ItemPage
from crawler.parse_article import is_article, read_article
from crawler.parse_feed import looks_like_feed, read_feed
from crawler.parse_list import is_list, read_list


@dataclass(frozen=True)
class PageKind:
    """One kind of page: how to recognise it, and the parser that reads it."""

    #: What the page would look like, as the error says when no kind recognises a page.
    described: str
    recognises: Callable[[FetchedPage], bool]
    read: Callable[[FetchedPage], ItemRecord | ItemPage]


#: Tried in this order: the feed is recognised from its bytes, the HTML kinds from the parsed tree.
PAGE_KINDS: tuple[PageKind, ...] = (
    PageKind("an Atom feed", looks_like_feed, read_feed),
    PageKind("an article (article#event-<id>, h1.entry-title)", is_article, read_article),
    PageKind("a list (div.hentry[data-id])", is_list, read_list),
)


def parse_page(body: str | bytes, url: str) -> ItemRecord | ItemPage:
    """Parse any kremlin.ru page: an Atom feed or list page gives an `ItemPage`, an article (or
    print) page an `ItemRecord`. Raises `LayoutError` when the page is none of these."""
    page = FetchedPage(body, url)
    for kind in PAGE_KINDS:
        if kind.recognises(page):
            return kind.read(page)
    raise LayoutError(url, "neither " + ", nor ".join(kind.described for kind in PAGE_KINDS))
