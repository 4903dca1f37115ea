"""The item record: what a parser read from one page, before it meets the archive.

It lives in `archive` because the archive is the lowest layer: the crawler produces records, the
archive stores them, and neither the archive nor its readers need to know which page a record came
from. Fields a page does not carry are ``None`` ("this page does not say"), which is different from an
empty list ("the page says: no topics"); merging relies on that difference.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime

#: Where a record came from, from the least to the most complete source.
SOURCES = ("list", "feed", "article")

#: The fields that make up an item's content: a change in any of them is an edit by the site.
CONTENT_FIELDS = ("title", "lead", "text", "published_at", "place", "topics", "geography", "persons")


@dataclass
class ItemRecord:
    """One kremlin.ru item as read from a page (article, print, list, by-date page or Atom feed)."""

    id: int
    url: str
    lang: str
    section: str
    title: str
    kind: str = "news"
    lead: str | None = None
    text: str | None = None
    published_at: datetime | None = None
    place: str | None = None
    topics: list[str] | None = None
    geography: list[str] | None = None
    persons: list[str] | None = None
    #: "article" (the item's own page), "feed" (Atom entry) or "list" (a list or by-date page).
    source: str = "article"
    #: When the site says it last changed the item (the feed's <updated>, a list item's hidden date).
    site_updated_at: datetime | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        """True when the record carries everything the archive keeps (only article pages do)."""
        return self.source == "article"

    def content_hash(self) -> str:
        """A stable digest of the content fields, so an edit on the site is one comparison away."""
        return content_hash({name: getattr(self, name) for name in CONTENT_FIELDS})

    def to_json(self) -> dict[str, object]:
        """The record as the JSON object `kremlin-watch parse` prints (ISO 8601 times with offset)."""
        data = asdict(self)
        data.pop("extra")
        for key in ("published_at", "site_updated_at"):
            value = data[key]
            data[key] = value.isoformat() if value is not None else None
        return data


def content_hash(fields: dict[str, object]) -> str:
    """Digest of content fields in a fixed order; datetimes as ISO strings, lists as given."""
    normal = {
        key: (value.isoformat() if isinstance(value, datetime) else value)
        for key, value in sorted(fields.items())
    }
    blob = json.dumps(normal, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()
