"""The replica's items in publication order, changeable while the server runs.

Tests publish and edit items while a crawler is reading the replica, so every operation takes
the corpus lock and hands out immutable items; pages are rendered from those snapshots outside
the lock. Items are kept sorted by publication time (not by id: ids are not in publication order
on the real site), so list and feed pages are slices and a by-date lookup is a bisection.
"""

from __future__ import annotations

import bisect
import dataclasses
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, time, timedelta

from replica import generate, real
from replica.dates import MOSCOW
from replica.item import ReplicaItem

__all__ = ["Corpus", "ReplicaItem"]

#: Items on one list or feed page, as on the site.
PAGE_SIZE = 20


class Corpus:
    """Thread-safe, publication-ordered collection of `ReplicaItem`s of one language.

    Corpora of the two languages generated with the same seed are twins (same ids and times), as
    kremlin.ru and en.kremlin.ru are; `publish_twin` adds the twin of an item published later.
    """

    def __init__(self, items: Iterable[ReplicaItem] = (), lang: str | None = None) -> None:
        ordered = sorted(items, key=lambda item: item.published)
        #: "ru" or "en"; taken from the items when not given.
        self.lang: str = lang or (ordered[0].lang if ordered else "ru")
        self._lock = threading.Lock()
        self._items: list[ReplicaItem] = []
        self._keys: list[tuple[float, int]] = []
        self._by_id: dict[int, ReplicaItem] = {}
        self._sequence = 0
        self._version = 0
        #: Items the site withdrew while its lists and feed still name them: id -> the status
        #: (404 or 410) their pages answer.
        self._withdrawn: dict[int, int] = {}
        #: The latest `updated` ever seen: new items and edits go after it, so that Last-Modified
        #: of every page they appear on moves forward (If-Modified-Since must not hide them).
        self._latest_change: datetime | None = None
        for item in ordered:
            self._check_new(item)
            self._by_id[item.id] = item
            self._items.append(item)
            self._keys.append(self._key(item))
            self._note_change(item)

    # --- construction -------------------------------------------------------------------------

    @classmethod
    def generate(
        cls,
        count: int,
        lang: str = "ru",
        seed: int = 0,
        start: datetime | None = None,
        *,
        first_id: int | None = None,
        real_items: bool = False,
    ) -> Corpus:
        """`count` deterministic generated items (same arguments, same corpus).

        Without `start`, the corpus ends shortly before 2026-11-20 and reaches back as far as
        `count` needs (about five items a day). With `real_items`, the real items of `lang` are
        added at their real publication times (see `replica.real`).
        """
        items = generate.generate_items(count, lang, seed, start, first_id, reserved=real.REAL_IDS)
        if real_items:
            items += real.real_items(lang)
        return cls(items, lang)

    @classmethod
    def with_real_items(cls, count: int = 500, lang: str = "ru", seed: int = 0, **options: object) -> Corpus:
        """`generate(count, lang, seed, real_items=True, ...)`: generated items plus the real ones."""
        return cls.generate(count, lang, seed, real_items=True, **options)  # type: ignore[arg-type]

    # --- reading ------------------------------------------------------------------------------

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def __iter__(self) -> Iterator[ReplicaItem]:
        """Oldest first, over a snapshot."""
        with self._lock:
            return iter(list(self._items))

    @property
    def version(self) -> int:
        """Grows with every change; lets callers notice that pages may have changed."""
        with self._lock:
            return self._version

    def get(self, item_id: int) -> ReplicaItem | None:
        """The item with `item_id`, or None."""
        with self._lock:
            return self._by_id.get(item_id)

    def newest(self, n: int, offset: int = 0) -> list[ReplicaItem]:
        """Up to `n` items newest first, skipping the `offset` newest ones (list and feed pages)."""
        with self._lock:
            high = len(self._items) - max(offset, 0)
            if high <= 0 or n <= 0:
                return []
            return self._items[max(high - n, 0) : high][::-1]

    def by_date(self, day: date) -> list[ReplicaItem]:
        """Items published on Moscow calendar day `day`, newest first."""
        low, high = self._day_bounds(day)
        with self._lock:
            start = bisect.bisect_left(self._keys, (low,))
            end = bisect.bisect_left(self._keys, (high,))
            return self._items[start:end][::-1]

    def position(self, item_id: int) -> int | None:
        """Place of the item counted from the newest (0 = newest), or None when absent."""
        with self._lock:
            item = self._by_id.get(item_id)
            if item is None:
                return None
            index = bisect.bisect_left(self._keys, (item.published.timestamp(),))
            while self._items[index].id != item_id:
                index += 1
            return len(self._items) - 1 - index

    def position_of_day(self, day: date) -> int:
        """Place (from the newest) of the newest item published on or before `day`.

        For a day without items that is the next older item; for a day before the archive, the
        oldest item. This decides which list page a by-date address serves.
        """
        _, high = self._day_bounds(day)
        with self._lock:
            index = bisect.bisect_left(self._keys, (high,)) - 1
            return len(self._items) - 1 - max(index, 0)

    def pages(self, page_size: int = PAGE_SIZE) -> int:
        """Number of list (or feed) pages; at least 1, as an empty list is still a page."""
        return max(1, -(-len(self) // page_size))

    # --- changing -----------------------------------------------------------------------------

    def publish(self, item: ReplicaItem) -> ReplicaItem:
        """Add a new item at its publication time; visible to the next request."""
        if item.lang != self.lang:
            raise ValueError(f"item {item.id} is {item.lang!r}, the corpus is {self.lang!r}")
        with self._lock:
            self._check_new(item)
            self._insert(item)
            self._version += 1
        return item

    def edit(self, item_id: int, **changes: object) -> ReplicaItem:
        """Change fields of an item, as the site's editors do; `updated` moves forward.

        `updated` becomes now (or one second after the latest change in the corpus, if that is
        later) unless given. That one time is what every page shows of the edit, as on the site:
        the feed entry's ``<updated>`` (to the second), the article page's "last updated" line (to
        the minute), the list item's hidden ``span.updated`` (the day), and the Last-Modified of
        each page the item is on; list and feed pages show the new title.
        An edited real item is rendered from the replica's templates from then on, since its
        saved page no longer matches.
        """
        with self._lock:
            return self._edit(item_id, changes)

    def edit_text(
        self,
        item_id: int,
        transform: Callable[[str], str],
        *,
        paragraph: int | None = None,
        **changes: object,
    ) -> ReplicaItem:
        """`edit` the body the way an editor rewrites it: `transform` gets the text of paragraph
        `paragraph` (every paragraph when None; speaker labels stay) and returns the new text, e.g.
        with a sentence removed, a word changed or the quotes retyped (`replica.typography`).
        Further `changes` (``title=…``) go into the same edit. A transform that changes nothing is a
        mistake in the test: ValueError.

        Texts are stored clean (`replica.item`); what a transform puts in (a no-break space, «»)
        is served as it is, with the site's typography added on top as for every text.
        """
        with self._lock:
            old = self._by_id.get(item_id)
            if old is None:
                raise KeyError(item_id)
            if paragraph is not None and not 0 <= paragraph < len(old.paragraphs):
                raise IndexError(f"item {item_id} has {len(old.paragraphs)} paragraphs, not {paragraph + 1}")
            paragraphs = [
                (label, transform(line) if paragraph is None or index == paragraph else line)
                for index, (label, line) in enumerate(old.paragraphs)
            ]
            if paragraphs == old.paragraphs:
                raise ValueError(f"the transform leaves the text of item {item_id} as it was")
            return self._edit(item_id, {**changes, "paragraphs": paragraphs})

    def edit_title(self, item_id: int, transform: Callable[[str], str]) -> ReplicaItem:
        """`edit` the title: `transform` gets the title and returns the new one (ValueError when
        it is the same)."""
        with self._lock:
            old = self._by_id.get(item_id)
            if old is None:
                raise KeyError(item_id)
            title = transform(old.title)
            if title == old.title:
                raise ValueError(f"the transform leaves the title of item {item_id} as it was")
            return self._edit(item_id, {"title": title})

    def remove(self, item_id: int) -> ReplicaItem:
        """Withdraw an item (the site does this now and then); its pages answer 404 afterwards."""
        with self._lock:
            item = self._by_id.get(item_id)
            if item is None:
                raise KeyError(item_id)
            self._remove(item)
            self._version += 1
            return item

    def withdraw(self, item_id: int, status: int = 404) -> ReplicaItem:
        """Withdraw an item the way the site does it: its pages answer `status` (404 or 410) while
        list and feed pages still name it. `restore` brings the page back."""
        if status not in (404, 410):
            raise ValueError(f"a withdrawn page answers 404 or 410, not {status}")
        with self._lock:
            item = self._by_id.get(item_id)
            if item is None:
                raise KeyError(item_id)
            self._withdrawn[item_id] = status
            self._version += 1
            return item

    def restore(self, item_id: int) -> None:
        """Serve a withdrawn item's page again."""
        with self._lock:
            self._withdrawn.pop(item_id, None)
            self._version += 1

    def withdrawn_status(self, item_id: int) -> int | None:
        """The status a withdrawn item's page answers, or None when it is not withdrawn."""
        with self._lock:
            return self._withdrawn.get(item_id)

    def next_item(
        self, kind: str | None = None, published: datetime | None = None, seed: int | None = None
    ) -> ReplicaItem:
        """A new generated item (not yet published) with a fresh id, newer than every item.

        `published` defaults to 35 minutes after the newest item (or after the latest edit, if
        later), so that publishing it puts it on top of the first list and feed page and moves
        their Last-Modified. `kind` is e.g. "call"; random when None.
        """
        with self._lock:
            newest = self._items[-1].published if self._items else None
            latest = max(filter(None, (newest, self._latest_change)), default=None)
            next_id = max(self._by_id, default=generate.estimated_id(date.today())) + 1
            while next_id in real.REAL_IDS:
                next_id += 1
        if published is None:
            base = latest or datetime.now(MOSCOW)
            published = base.astimezone(MOSCOW).replace(second=0, microsecond=0) + timedelta(minutes=35)
        recipe = f"{seed if seed is not None else next_id}:{generate.STREAM_LANG}:next"
        item = generate.made_alone(recipe, self.lang, next_id, published.astimezone(MOSCOW), kind)
        return dataclasses.replace(item, updated=published + timedelta(minutes=3))

    def twin_of(self, item: ReplicaItem, later: timedelta = timedelta(hours=3)) -> ReplicaItem:
        """This corpus' language version of `item` (made by `next_item` in the other language's
        corpus), not yet published: same id, section, publication time and content in this language's
        words (see `replica.generate.twin`).

        Its `updated` is `later` after the item's, and after every change this corpus holds, so the
        pages it appears on get a newer Last-Modified: the English page comes hours after the Russian.
        """
        made = generate.twin(item, self.lang)
        with self._lock:
            latest = self._latest_change
        updated = item.updated + later
        if latest is not None and updated <= latest:
            updated = latest + timedelta(seconds=1)
        return dataclasses.replace(made, updated=updated)

    def publish_twin(self, item: ReplicaItem, later: timedelta = timedelta(hours=3)) -> ReplicaItem:
        """Publish `twin_of(item, later)` and return it: the English page of a Russian item appears."""
        return self.publish(self.twin_of(item, later))

    def publish_generated(self, kind: str | None = None, published: datetime | None = None) -> ReplicaItem:
        """Publish `next_item(kind, published)` and return it: a fresh item on top of page 1."""
        return self.publish(self.next_item(kind, published))

    # --- internals (called with the lock held) ------------------------------------------------

    @staticmethod
    def _day_bounds(day: date) -> tuple[float, float]:
        start = datetime.combine(day, time(0, 0), MOSCOW)
        end = datetime.combine(day + timedelta(days=1), time(0, 0), MOSCOW)
        return start.timestamp(), end.timestamp()

    def _key(self, item: ReplicaItem) -> tuple[float, int]:
        self._sequence += 1
        return (item.published.timestamp(), self._sequence)

    def _check_new(self, item: ReplicaItem) -> None:
        if item.id in self._by_id:
            raise ValueError(f"item {item.id} is already in the corpus")
        if item.lang != self.lang:
            raise ValueError(f"item {item.id} is {item.lang!r}, the corpus is {self.lang!r}")

    def _edit(self, item_id: int, changes: dict[str, object]) -> ReplicaItem:
        """`edit` with the lock held."""
        old = self._by_id.get(item_id)
        if old is None:
            raise KeyError(item_id)
        if "id" in changes and changes["id"] != item_id:
            raise ValueError("an item's id cannot change")
        if "updated" not in changes:
            latest = max(old.updated, self._latest_change or old.updated)
            changes["updated"] = max(datetime.now(MOSCOW), latest + timedelta(seconds=1))
        changes.setdefault("real_page", None)
        new = dataclasses.replace(old, **changes)  # type: ignore[arg-type]
        self._remove(old)
        self._insert(new)
        self._version += 1
        return new

    def _note_change(self, item: ReplicaItem) -> None:
        if self._latest_change is None or item.updated > self._latest_change:
            self._latest_change = item.updated

    def _insert(self, item: ReplicaItem) -> None:
        self._note_change(item)
        key = self._key(item)
        index = bisect.bisect_right(self._keys, key)
        self._keys.insert(index, key)
        self._items.insert(index, item)
        self._by_id[item.id] = item

    def _remove(self, item: ReplicaItem) -> None:
        index = bisect.bisect_left(self._keys, (item.published.timestamp(),))
        while self._items[index].id != item.id:
            index += 1
        del self._keys[index]
        del self._items[index]
        del self._by_id[item.id]
