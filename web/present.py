"""Small presentation helpers for the HTML pages: highlighted snippets, edits, paragraphs, pagination.

Kept out of the templates so they are plain functions with tests, and so escaping is done in one
place: `marked` escapes the page text itself and only adds the ``<mark>`` tags; `edit_html` leaves
the escaping of an edit to `edits.render`.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from markupsafe import Markup, escape

from archive.edit_log import Edit
from archive.vocabulary import moscow_stamp
from edits.diff import diff_versions
from edits.render import HTML, render
from query.snippets import Snippet


def marked(snippet: Snippet) -> Markup:
    """The snippet's text escaped, with each matched span in ``<mark>`` (see `query.snippets.mark`)."""
    return Markup(snippet.marked(escape, "<mark>", "</mark>"))


@dataclass(frozen=True)
class ShownEdit:
    """An edit (or a withdrawal) as the item page and the edits feed show it."""

    edit: Edit
    #: One line: `edits.diff.EditDiff.summary` (``typography only`` for a cosmetic one), or
    #: ``withdrawn by the site``.
    summary: str
    #: `edits.render.HTML` of the diff (see `shown_edit`).
    html: Markup


def shown_edit(edit: Edit) -> ShownEdit:
    """One edit for the pages: `edits.render.HTML` of `edits.diff.diff_versions` of its two contents
    (the page's words escaped by the renderer, only its own ``<del>``/``<ins>`` and list tags added);
    a withdrawal says so. The item page and ``/feeds/edits.atom`` both show this, so they show the
    same diff."""
    if edit.withdrawn:
        note = Markup(
            '<p class="withdrawn">Withdrawn by the site: its page answers 404/410 since {}. '
            "The archive keeps its last text.</p>"
        ).format(moscow_stamp(edit.seen_at))
        return ShownEdit(edit, "withdrawn by the site", note)
    diff = diff_versions(edit.before, edit.after)
    return ShownEdit(edit, diff.summary(), Markup(render(diff, HTML)))  # escaped by `render`


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
