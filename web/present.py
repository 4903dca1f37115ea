"""Small presentation helpers for the HTML pages: Moscow times, highlighted snippets, pagination.

Kept out of the templates so they are plain functions with tests, and so escaping is done in one
place: `marked` escapes the page text itself and only adds the ``<mark>`` tags.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

MOSCOW = ZoneInfo("Europe/Moscow")

#: Labels for the kinds of items (the archive's codes are English words already).
KIND_LABELS = {
    "call": "phone call",
    "decree": "decree",
    "meeting": "meeting",
    "greeting": "greeting",
    "interview": "interview",
    "address": "address",
    "news": "news",
}


def moscow_time(value: Any) -> str:
    """An ISO 8601 time as Moscow wall-clock time, the way the site itself shows it."""
    if not value:
        return ""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.astimezone(MOSCOW).strftime("%d.%m.%Y %H:%M")


def marked(text: str, spans: list[list[int]] | list[tuple[int, int]]) -> Markup:
    """``text`` escaped, with each ``[start, end)`` span wrapped in ``<mark>``.

    Spans come from the search engine as offsets into ``text``; overlapping or out-of-range spans are
    clipped rather than trusted, so a bad offset can never cut an escape sequence in half.
    """
    out: list[str] = []
    position = 0
    for start, end in sorted((max(0, int(s)), min(len(text), int(e))) for s, e in spans):
        start = max(start, position)
        if end <= start:
            continue
        out.append(str(escape(text[position:start])))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        position = end
    out.append(str(escape(text[position:])))
    return Markup("".join(out))


_REMOVED = re.compile(r"\[-(.*?)-\]", re.DOTALL)
_ADDED = re.compile(r"\{\+(.*?)\+\}", re.DOTALL)


def diff_markup(diff: str | None) -> Markup:
    """A word diff (``[-removed-]{+added+}``, as `search.show` writes it) with <del> and <ins>.

    The text is escaped first and the markers are looked for in the escaped text, so whatever the
    diff holds, only these two tags can come out of it.
    """
    if not diff:
        return Markup("")
    text = str(escape(diff))
    text = _REMOVED.sub(r"<del>\1</del>", text)
    return Markup(_ADDED.sub(r"<ins>\1</ins>", text))


def paragraphs(text: str | None) -> list[str]:
    """The archive's text as paragraphs (they are separated by a blank line)."""
    if not text:
        return []
    return [part.strip() for part in text.split("\n\n") if part.strip()]


@dataclass(frozen=True)
class PageLink:
    """One link of the pagination bar; ``number`` None is a gap (…)."""

    number: int | None
    current: bool = False


def page_links(total: int, page: int, per_page: int, around: int = 2) -> list[PageLink]:
    """Page numbers to offer: the first, the last, and a few around the current one."""
    last = last_page(total, per_page)
    wanted = {1, last, *range(max(1, page - around), min(last, page + around) + 1)}
    links: list[PageLink] = []
    previous = 0
    for number in sorted(wanted):
        if number - previous > 1:
            links.append(PageLink(None))
        links.append(PageLink(number, number == page))
        previous = number
    return links


def last_page(total: int, per_page: int) -> int:
    """The number of the last page (1 for an empty result)."""
    return max(1, -(-total // per_page))
