"""What a search asks and what it gets back: shared by the command line, the web API and the pages.

Dates are Moscow calendar days, both ends inclusive. ``query`` is the rules' query language
(`alerts.query`); an empty query with filters lists items newest first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

SORTS = ("date", "relevance")


@dataclass(frozen=True)
class SearchRequest:
    """A search: the query, the filters, the order and the page."""

    query: str = ""
    since: date | None = None
    until: date | None = None
    kind: str | None = None
    lang: str | None = None
    #: Matches an entry of the item's persons list, case-insensitively, by substring («Макрон»).
    person: str | None = None
    #: Matches an entry of the item's topics list, case-insensitively, by substring.
    topic: str | None = None
    limit: int = 20
    offset: int = 0
    #: "date" (newest first) or "relevance".
    sort: str = "date"


@dataclass(frozen=True)
class Highlight:
    """A matched word in context: ``text[start:end]`` is highlighted; ``field`` says where."""

    field: str
    text: str
    start: int
    end: int


@dataclass
class SearchHit:
    """One found item: its export object (`archive.export.item_object`) plus snippets and a score."""

    item: dict[str, Any]
    highlights: list[Highlight] = field(default_factory=list)
    score: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """The item object with ``snippets`` (text, field, highlight offsets) and ``score`` added."""
        return {
            **self.item,
            "snippets": [
                {"field": h.field, "text": h.text, "highlights": [[h.start, h.end]]} for h in self.highlights
            ],
            "score": self.score,
        }


@dataclass
class SearchResult:
    """A page of hits; ``total`` counts every match (not only this page)."""

    hits: list[SearchHit]
    total: int
    request: SearchRequest
