"""Small presentation helpers for the HTML pages: highlighted snippets, diffs, paragraphs, pagination.

Kept out of the templates so they are plain functions with tests, and so escaping is done in one
place: `marked` escapes the page text itself and only adds the ``<mark>`` tags.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlencode

from markupsafe import Markup, escape

from query.snippets import Snippet


def marked(snippet: Snippet) -> Markup:
    """The snippet's text escaped, with each matched span in ``<mark>`` (see `query.snippets.mark`)."""
    return Markup(snippet.marked(escape, "<mark>", "</mark>"))


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


def page_address(path: str, fields: dict[str, str], page: int) -> str:
    """A form's address at ``page``: the filled fields (empty ones left out), page 1 unnamed."""
    wanted = {**fields, "page": "" if page == 1 else str(page)}
    query = urlencode({key: value for key, value in wanted.items() if value})
    return f"{path}?{query}" if query else path
