"""A simulated redesign: the same pages with renamed classes and ids.

kremlin.ru has changed its markup before; the crawler must then report "layout changed" instead of
quietly finding no news. The fault switch `Faults.change_layout` makes the server pass article and
list pages through `redesign`, which renames every class the parsers key on, the ``event-<id>``
article id and the list's ``data-*`` attributes (a new front end renames those too) while keeping
the content, so the pages still look like news pages to a human but no longer match any selector
written for the real markup.
"""

from __future__ import annotations

import re

#: Old class → new class. Everything a parser might select on.
RENAMES: tuple[tuple[str, str], ...] = (
    ("read__in", "material__wrap"),
    ("hentry", "news-card"),
    ("h-entry", "card-entry"),
    ("hentry_event", "news-card_event"),
    ("hentry_doc", "news-card_doc"),
    ("hentry__title", "news-card__heading"),
    ("hentry__title_special", "news-card__heading_accent"),
    ("hentry__meta", "news-card__info"),
    ("hentry__location", "news-card__where"),
    ("entry-title", "material-heading"),
    ("p-name", "material-name"),
    ("read__lead", "material__intro"),
    ("entry-summary", "material-intro"),
    ("p-summary", "material-abstract"),
    ("read__meta", "material__info"),
    ("read__published", "material__date"),
    ("read__time", "material__clock"),
    ("read__place", "material__where"),
    ("p-location", "material-where"),
    ("entry-content", "material-body"),
    ("e-content", "material-text"),
    ("read__internal_content", "material__text"),
    ("read__bottommeta", "material__footer"),
    ("read__tags", "material__labels"),
    ("read__tagscol", "material__labelgroup"),
    ("read__taglist", "material__labellist"),
    ("read__status", "material__state"),
    ("read__tooltip", "material__hint"),
    ("masha-ignore", "no-quote"),
    ("lister-page", "stream-page"),
    ("events__title", "stream__day"),
    ("published", "card-date"),
    ("dt-published", "card-dt"),
    ("updated", "card-changed"),
)

#: Old data attribute → new one: the list element's paging data and the items' ids.
DATA_RENAMES: tuple[tuple[str, str], ...] = (
    ("data-id", "data-material"),
    ("data-url-template", "data-pager-template"),
    ("data-base-url", "data-pager-base"),
    ("data-path", "data-pager-path"),
    ("data-page", "data-pager-current"),
    ("data-pages", "data-pager-total"),
)

_CLASS_ATTR = re.compile(r'class="([^"]*)"')
_DATA_ATTR = re.compile(r' (data-[a-z-]+)="')
_ARTICLE_ID = re.compile(r'id="event-(\d+)"')


def redesign(html: str) -> str:
    """`html` with the classes of `RENAMES` and the attributes of `DATA_RENAMES` renamed, and
    ``id="event-<id>"`` → ``id="material-<id>"``."""
    renames = dict(RENAMES)
    data_renames = dict(DATA_RENAMES)

    def rename(match: re.Match[str]) -> str:
        return 'class="' + " ".join(renames.get(token, token) for token in match[1].split(" ")) + '"'

    def rename_data(match: re.Match[str]) -> str:
        return f' {data_renames.get(match[1], match[1])}="'

    html = _DATA_ATTR.sub(rename_data, _CLASS_ATTR.sub(rename, html))
    return _ARTICLE_ID.sub(r'id="material-\1"', html)
