"""What a parsed page is, and the one entry point that parses any kremlin.ru page.

The spider does not always know what a response is (a by-date address answers with a list page,
a redirect may land on an article, a feed may come back as an HTML error page), so `parse_page`
looks at the content, not at the address, and raises `LayoutError` for anything it does not
recognise instead of guessing: an unrecognised page must never read as "no news".

The address helpers live here too because every parser needs them: the site links items as
``/<section>/<id>``, but saved copies (``wget --convert-links``) rewrite links to ``../63907.html``
and the crawler may run against a local replica, so every address a parser returns is rebuilt on
the origin (scheme and host) of the address the page was fetched from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit, urlunsplit

import lxml.html
from lxml import etree
from lxml.etree import _Element

from archive.records import ItemRecord
from crawler.errors import LayoutError

#: ``/<section>/<id>`` with an optional ``/print`` (print pages share the item's address).
_ITEM_PATH = re.compile(r"^/(?P<section>[a-z][a-z_-]*(?:/[a-z][a-z_-]*)*)/(?P<id>\d+)(?:/print)?/?$")
#: Last section segments that mean "not an item": list pages, short links, text versions, feeds.
_NOT_SECTIONS = frozenset({"page", "d", "copy", "feed", "by-date", "photos", "videos", "audios"})
#: Tails of a list or feed address, cut off to find the section it lists.
_LIST_TAIL = re.compile(r"/(?:feed(?:/page/\d+)?|page/\d+|by-date/[\d.]+)/?$")
_HTML_PARSER = lxml.html.HTMLParser(encoding="utf-8")


@dataclass
class ItemPage:
    """A page listing several items: a news list, by-date page or Atom feed page."""

    items: list[ItemRecord] = field(default_factory=list)
    #: Absolute address of the page with OLDER items, None on the last page.
    next_url: str | None = None
    #: This page's number and the number of pages, where the page says them.
    page: int | None = None
    pages: int | None = None


def origin(url: str) -> str:
    """``scheme://host[:port]`` of `url`, the base every returned address is built on."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme or "http", parts.netloc, "", "", ""))


def _path(href: str, base_url: str) -> str:
    """Path of `href` resolved against `base_url`, with a wget-style ``.html`` suffix removed."""
    path = urlsplit(urljoin(base_url, href.strip())).path
    if path.endswith(".html"):
        path = path[: -len(".html")]
    return path


def split_item_path(href: str, base_url: str) -> tuple[str, int] | None:
    """(section, id) of an item address such as ``/acts/news/80518``; None for anything else."""
    match = _ITEM_PATH.match(_path(href, base_url))
    if match is None or match["section"].rsplit("/", 1)[-1] in _NOT_SECTIONS:
        return None
    return match["section"], int(match["id"])


def list_section(href: str, base_url: str) -> str | None:
    """The section a list or feed address lists (``/events/president/news/page/3`` → its section)."""
    path = _LIST_TAIL.sub("", _path(href, base_url)).strip("/")
    return path or None


def item_url(base_url: str, section: str, item_id: int) -> str:
    """Canonical item address ``<origin>/<section>/<id>`` on the origin of `base_url`."""
    return f"{origin(base_url)}/{section.strip('/')}/{item_id}"


def rebase(href: str, base_url: str) -> str:
    """Absolute address of `href` on the origin of `base_url` (kept on a replica, ``.html`` removed)."""
    parts = urlsplit(urljoin(base_url, href.strip()))
    scheme, netloc = urlsplit(origin(base_url))[:2]
    return urlunsplit((scheme, netloc, _path(href, base_url), parts.query, ""))


def host_lang(url: str) -> str:
    """Language implied by the host: ``en.kremlin.ru`` is English, everything else Russian."""
    host = urlsplit(url).hostname or ""
    return "en" if host.startswith("en.") else "ru"


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


def parse_html(body: str | bytes, url: str) -> _Element:
    """Parse a whole HTML page. The site serves UTF-8, so text is handed to lxml as UTF-8 bytes
    (which also copes with an XML declaration that lxml refuses in a str); an empty or unparseable
    body raises `LayoutError`."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    if not data.strip():
        raise LayoutError(url, "empty response body")
    try:
        return lxml.html.document_fromstring(data, parser=_HTML_PARSER)
    except (ValueError, etree.ParserError) as exc:
        raise LayoutError(url, f"not parseable as HTML ({exc})") from exc


def looks_like_feed(body: str | bytes) -> bool:
    """True when the body is an Atom feed (a ``<feed>`` root in the Atom namespace)."""
    head = body[:4096]
    if isinstance(head, bytes):
        head = head.decode("utf-8", errors="replace")
    return re.search(r"<feed\b[^>]*http://www\.w3\.org/2005/Atom", head) is not None


def parse_page(body: str | bytes, url: str) -> ItemRecord | ItemPage:
    """Parse any kremlin.ru page: an Atom feed or list page gives an `ItemPage`, an article (or
    print) page an `ItemRecord`. Raises `LayoutError` when the page is none of these."""
    from crawler.parse_article import article_from_doc, is_article
    from crawler.parse_feed import parse_feed
    from crawler.parse_list import is_list, list_from_doc

    if looks_like_feed(body):
        return parse_feed(body, url)
    doc = parse_html(body, url)
    if is_article(doc):
        return article_from_doc(doc, body, url)
    if is_list(doc):
        return list_from_doc(doc, url)
    raise LayoutError(
        url,
        "neither an Atom feed, nor an article (article#event-<id>, h1.entry-title), "
        "nor a list (div.hentry[data-id])",
    )
