"""One item of the replica: the ground truth a page is rendered from and a parser is checked against.

Texts are stored CLEAN (single spaces, no U+00A0, no line breaks): the renderer adds the site's
typographic noise, so ``normalise(parse(render(item))) == item`` is what a parser test asserts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

LANGS = ("ru", "en")
#: The kinds the generator produces; real items are labelled with the same words.
KINDS = ("call", "meeting", "transcript", "decree", "greeting", "news")


@dataclass(frozen=True, slots=True)
class ReplicaItem:
    """A kremlin.ru item: what the article page, list entry and feed entry are rendered from."""

    id: int
    lang: str
    #: Main section, e.g. "events/president/news" or "acts/news"; the item's address is /<section>/<id>.
    section: str
    title: str
    lead: str
    #: (speaker label or None, text) per paragraph; a label is rendered as ``<b>В.Путин:</b>``.
    paragraphs: list[tuple[str | None, str]]
    #: Aware datetime (Europe/Moscow); pages show its wall-clock time.
    published: datetime
    #: «Москва, Кремль»; None for phone calls, decrees and greetings (no place line on the page).
    place: str | None
    topics: list[str]
    geography: list[str]
    persons: list[str]
    #: When the site last changed the item (list pages' hidden date, feed <updated>, Last-Modified).
    updated: datetime
    #: What the generator made ("call", "meeting", …): ground truth for classifier tests.
    kind: str = "news"
    #: Further sections the item is published in (transcripts also appear in events/president/transcripts).
    also_in: tuple[str, ...] = ()
    #: File in replica/pages/ served verbatim while the item is unedited (real items only).
    real_page: str | None = None
    #: How the generator made the item on its own (the seed of its random stream, and the kind asked
    #: for, None when the stream picked it), so `replica.generate.twin` can make it again in the other
    #: language with the same id. None for items made as part of a corpus and for real items: their
    #: twins are the items of the other language's corpus of the same seed.
    recipe: tuple[str, str | None] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.lang not in LANGS:
            raise ValueError(f"lang must be one of {LANGS}, not {self.lang!r}")
        for name in ("published", "updated"):
            moment = getattr(self, name)
            if moment.tzinfo is None or moment.utcoffset() is None:
                raise ValueError(f"{name} must be an aware datetime, got {moment!r}")

    @property
    def sections(self) -> tuple[str, ...]:
        """Every section the item is published in, the main one first."""
        return (self.section, *self.also_in)

    @property
    def path(self) -> str:
        """The item's address on the site: ``/events/president/news/63907``."""
        return f"/{self.section}/{self.id}"

    @property
    def text(self) -> str:
        """The body as plain text, one paragraph a line, speakers as «В.Путин: …»."""
        return "\n".join(f"{label}: {text}" if label else text for label, text in self.paragraphs)
