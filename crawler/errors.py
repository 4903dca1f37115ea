"""Errors the page parsers raise.

A parser that meets a page it does not understand must say so loudly instead of returning an empty
or half-filled record: the site changing its markup (or a cut-off download) would otherwise look like
"no news" or like an edit of every item. `LayoutError` is that signal; it names the page and what
was missing so that the person reading the crawl log can open the page and see the change.
"""

from __future__ import annotations


class LayoutError(ValueError):
    """The page is not an article, list page or feed the parsers know, or it lacks a required part."""

    def __init__(self, url: str, missing: str) -> None:
        self.url = url
        self.missing = missing
        super().__init__(f"{url}: page layout not recognised: {missing}")
