"""Which page answers which address: the site's URL scheme, without any HTTP machinery.

Kept apart from the server so that the mapping can be called (and tested) directly. Query strings
are ignored, as on the site (``?page=3`` does not page). An item answers under
``/events/president/news/<id>`` and under each of its own sections (``/acts/news/<id>``,
``/events/president/transcripts/<id>``), always with its canonical address in the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from replica import render
from replica.chrome import Site
from replica.corpus import PAGE_SIZE, Corpus
from replica.dates import moscow_date
from replica.layout import redesign

HTML = "text/html; charset=utf-8"
#: The feeds' media type; the real site's exact header is unknown, this is what Atom readers expect.
ATOM = "application/atom+xml; charset=utf-8"
TEXT = "text/plain; charset=utf-8"

#: A fixed Last-Modified for pages that do not depend on the corpus (robots.txt, search).
STATIC_MODIFIED = datetime.fromisoformat("2020-08-01T00:00:00+00:00")

_LIST = re.compile(r"^/events/president/news(?:/page/(?P<page>\d+))?/?$")
_BY_DATE = re.compile(r"^/events/president/news/by-date/(?P<d>\d{2})\.(?P<m>\d{2})\.(?P<y>\d{4})/?$")
_FEED = re.compile(r"^/events/(?P<which>president/news|all)/feed(?:/page/(?P<page>\d+))?/?$")
_ITEM = re.compile(r"^/(?P<section>[a-z][a-z_/-]*?)/(?P<id>\d+)(?P<print>/print)?/?$")
_COPY = re.compile(r"^/(?P<section>[a-z][a-z_/-]*?)/copy/(?P<id>\d+)/?$")
_SHORT = re.compile(r"^/d/(?P<id>\d+)/?$")


@dataclass
class Response:
    """What to answer, before conditional-request and fault handling."""

    status: int
    content_type: str
    body: bytes
    #: Newest `updated` of what the page shows; the Last-Modified header.
    last_modified: datetime | None = None
    headers: dict[str, str] = field(default_factory=dict)


class Router:
    """Renders the page for an address from the corpus."""

    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus

    def handle(self, path: str, site: Site, redesigned: bool = False, empty_feed: bool = False) -> Response:
        """The response for a GET of `path` (query string allowed, and ignored); `empty_feed`
        serves feed pages without entries."""
        path = path.split("?", 1)[0].split("#", 1)[0]
        if path == "/robots.txt":
            return Response(200, TEXT, render.robots_txt().encode(), STATIC_MODIFIED)
        if match := _LIST.match(path):
            return self._list(int(match["page"] or 1), site, redesigned)
        if match := _BY_DATE.match(path):
            try:
                day = date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                return self.not_found(site)
            page = self.corpus.position_of_day(day) // PAGE_SIZE + 1
            return self._list(page, site, redesigned)
        if match := _FEED.match(path):
            return self._feed(int(match["page"] or 1), site, match["which"] == "all", empty_feed)
        if match := _SHORT.match(path):
            item = self.corpus.get(int(match["id"]))
            if item is None:
                return self.not_found(site)
            location = f"{site.origin}{item.path}"
            return Response(302, HTML, b"", None, {"Location": location})
        if match := _COPY.match(path):
            item = self.corpus.get(int(match["id"]))
            if item is None or match["section"] not in item.sections:
                return self.not_found(site)
            return Response(200, HTML, render.text_version_page(item, site).encode(), item.updated)
        if match := _ITEM.match(path):
            item = self.corpus.get(int(match["id"]))
            if item is None or match["section"] not in (*item.sections, "events/president/news"):
                return self.not_found(site)
            if withdrawn := self.corpus.withdrawn_status(item.id):
                return Response(withdrawn, HTML, self.not_found(site).body)
            page = render.print_page(item, site) if match["print"] else render.article_page(item, site)
            return Response(200, HTML, self._layout(page, redesigned).encode(), item.updated)
        if path.rstrip("/") == "/search":
            title = "Поиск" if site.lang == "ru" else "Search"
            return Response(200, HTML, render.simple_page(site, title, "").encode(), STATIC_MODIFIED)
        return self.not_found(site)

    def not_found(self, site: Site) -> Response:
        """The 404 page."""
        body = render.simple_page(site, site.labels.not_found, "404").encode()
        return Response(404, HTML, body)

    def _list(self, page: int, site: Site, redesigned: bool) -> Response:
        pages = self.corpus.pages(PAGE_SIZE)
        if page < 1 or page > pages:
            return self.not_found(site)
        offset = (page - 1) * PAGE_SIZE
        window = self.corpus.newest(PAGE_SIZE + 1, offset - 1) if offset else self.corpus.newest(PAGE_SIZE)
        above, items = (window[0], window[1:]) if offset else (None, window)
        day_before = moscow_date(above.published) if above else None
        newest = self.corpus.newest(1)
        oldest = self.corpus.newest(1, len(self.corpus) - 1)
        calendar = (
            (moscow_date(oldest[0].published), moscow_date(newest[0].published))
            if newest and oldest
            else None
        )
        html = render.list_page(items, page, pages, site, day_before, calendar)
        return Response(200, HTML, self._layout(html, redesigned).encode(), render.newest_updated(items))

    def _feed(self, page: int, site: Site, all_sections: bool, empty: bool = False) -> Response:
        pages = self.corpus.pages(PAGE_SIZE)
        if page < 1 or page > pages:
            return self.not_found(site)
        items = [] if empty else self.corpus.newest(PAGE_SIZE, (page - 1) * PAGE_SIZE)
        body = render.feed_page(items, page, pages, site, all_sections).encode()
        return Response(200, ATOM, body, render.newest_updated(items))

    @staticmethod
    def _layout(html: str, redesigned: bool) -> str:
        return redesign(html) if redesigned else html
