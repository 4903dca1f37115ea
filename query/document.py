"""Items as documents a query is evaluated against: per field, the words, their lemmas and positions.

A document is indexed once and then matched against every rule, so the work that does not depend on
the rule happens here: splitting into words (`query.words`), lemmatising each word (through the
shared, cached `Lemmatizer`) and the union of a field's lemmas (`IndexedField.vocabulary`). A rule
word absent from a field is then one set test; where it occurs, its positions are picked once and
kept, and character offsets can be worked out for every word so matches can be shown in context.

Two kinds of document answer the same `field(name)` question: `IndexedDocument` analyses every field
up front (alerts look at every field anyway), `LazyDocument` analyses a field the first time a term
asks for it (a search that counts phrase matches rarely needs the text once the title decided).

List fields (persons, topics, geography) are joined with ``"; "`` for display, and a phrase never
runs from one list entry into the next («"Emmanuel France"» must not match two separate tags).

Call fields (`CALL_FIELDS`: ``country``, ``counterpart``, ``initiated_by``) are scope-only: a rule
reaches them only as ``country:FR``, never with an unscoped word (an item does not *say* «FR»), and
the caller supplies their values (`call_fields`), read from the call record, which this package
knows nothing about.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from itertools import compress, count, repeat
from operator import contains, not_

from query.morphology import Lemmatizer
from query.words import WORD, Token, fold, tokenize

#: Every field a rule can name, in display order; an unscoped rule word searches all of them.
FIELDS = ("title", "lead", "text", "place", "persons", "topics", "geography")
#: Scope-only fields of call items; their values come from the call record (`call_fields`).
CALL_FIELDS = ("country", "counterpart", "initiated_by")
#: Fields of people's names: their words compare by `Lemmatizer.name_lemmas`.
NAME_FIELDS = frozenset({"counterpart"})
#: Every field a scope (``name:``) may name: the searchable fields, then the call fields.
SCOPES = FIELDS + CALL_FIELDS
#: Fields that hold a list of tags rather than running text.
LIST_FIELDS = frozenset({"persons", "topics", "geography"})
#: The ``initiated_by`` words beside the country codes: the other side asked, the Russian side asked.
FOREIGN = "foreign"
RUSSIA = "russia"
#: The code of the Russian side.
RUSSIA_CODE = "RU"
#: What list entries are joined with in a field's display text.
LIST_SEPARATOR = "; "

FieldValue = str | list[str] | tuple[str, ...] | None


class IndexedField:
    """One field of a document: its text, tokens, per-token lemma sets and their union.

    Positions are token indices. ``breaks`` holds the positions that start a new list entry: a phrase
    may not cross them. Indexing does only what runs at C speed (split, one cached lemma lookup per
    word, the union of the lemma sets); the positions of a lemma set are found the first time a term
    asks and kept: most terms of most rules are not in the field, which the union answers at once.
    Character offsets (`tokens`) and the full lemma → positions map (`index`) are likewise only worked
    out when asked for: most documents match no rule.
    """

    __slots__ = (
        "_index",
        "_positions",
        "_prefix_cache",
        "_spans",
        "_surfaces",
        "_tokens",
        "breaks",
        "lemmas",
        "name",
        "text",
        "vocabulary",
        "words",
    )

    def __init__(
        self,
        name: str,
        text: str,
        breaks: Iterable[int],
        lemmatizer: Lemmatizer,
        words: list[str] | None = None,
    ) -> None:
        self.name = name
        self.text = text
        #: The words as written, by position (``words``, when the caller split the text already).
        self.words: list[str] = WORD.findall(text) if words is None else words
        self.breaks = frozenset(breaks)
        if name in NAME_FIELDS:
            self.lemmas: list[frozenset[str]] = list(map(lemmatizer.name_lemmas, self.words))
        else:
            self.lemmas = lemmatizer.lemmas_of(self.words)
        #: Every lemma of the field.
        self.vocabulary: frozenset[str] = frozenset().union(*self.lemmas)
        self._index: dict[str, list[int]] | None = None
        self._positions: dict[frozenset[str], list[int]] = {}
        self._tokens: list[Token] | None = None
        self._spans: list[re.Match[str]] | None = None
        self._surfaces: dict[str, list[int]] | None = None
        self._prefix_cache: dict[str, list[int]] = {}

    @property
    def tokens(self) -> list[Token]:
        """The words with their character offsets, by position."""
        if self._tokens is None:
            self._tokens = tokenize(self.text)
        return self._tokens

    def span(self, first: int, last: int) -> tuple[int, int]:
        """Character offsets of the words at positions ``first`` .. ``last`` in `text`: where a hit
        stands. The matches of `WORD` are kept, not turned into `tokens` (a hit needs two offsets)."""
        if self._spans is None:
            self._spans = list(WORD.finditer(self.text))
        return self._spans[first].start(), self._spans[last].end()

    @property
    def index(self) -> dict[str, list[int]]:
        """Lemma → sorted positions of the tokens that have it (built on first use)."""
        if self._index is None:
            index: dict[str, list[int]] = {}
            for position, lemma_set in enumerate(self.lemmas):
                for lemma in lemma_set:
                    positions = index.get(lemma)
                    if positions is None:
                        index[lemma] = [position]
                    else:
                        positions.append(position)
            self._index = index
        return self._index

    def positions(self, lemmas: frozenset[str]) -> list[int]:
        """Sorted positions of tokens that share at least one lemma with ``lemmas``."""
        found = self._positions.get(lemmas)
        if found is None:
            if lemmas.isdisjoint(self.vocabulary):
                found = []
            elif len(lemmas) == 1:  # the tokens whose lemma set holds the lemma, picked at C speed
                found = list(compress(count(), map(contains, self.lemmas, repeat(next(iter(lemmas))))))
            else:  # the tokens whose lemma set is not disjoint from ``lemmas``
                found = list(compress(count(), map(not_, map(lemmas.isdisjoint, self.lemmas))))
            self._positions[lemmas] = found
        return found

    def prefix_positions(self, prefix: str) -> list[int]:
        """Sorted positions of tokens whose folded spelling or any lemma starts with ``prefix``.

        This scans the field's vocabulary (not its tokens), once per prefix; the answer is cached
        on the field, which lives as long as the document.
        """
        cached = self._prefix_cache.get(prefix)
        if cached is not None:
            return cached
        if self._surfaces is None:
            surfaces: dict[str, list[int]] = {}
            for position, word in enumerate(self.words):
                surfaces.setdefault(fold(word), []).append(position)
            self._surfaces = surfaces
        found: set[int] = set()
        for vocabulary in (self._surfaces, self.index):
            for key, positions in vocabulary.items():
                if key.startswith(prefix):
                    found.update(positions)
        result = sorted(found)
        self._prefix_cache[prefix] = result
        return result

    def adjacent(self, first: int, length: int) -> bool:
        """True when positions ``first`` .. ``first + length - 1`` exist and share one list entry."""
        if first + length > len(self.words):
            return False
        return not any(first < position < first + length for position in self.breaks)


class IndexedDocument:
    """An item ready for matching: one `IndexedField` per non-empty field."""

    __slots__ = ("_vocabulary", "fields")

    def __init__(self, fields: dict[str, IndexedField]) -> None:
        self.fields = fields
        self._vocabulary: frozenset[str] | None = None

    def field(self, name: str) -> IndexedField | None:
        """The analysed field, or None when it is empty or absent."""
        return self.fields.get(name)

    @classmethod
    def from_fields(cls, fields: Mapping[str, FieldValue], lemmatizer: Lemmatizer) -> IndexedDocument:
        """Index the given fields (names from `SCOPES`; strings, or lists for the tag and call fields)."""
        unknown = set(fields) - set(SCOPES)
        if unknown:
            raise ValueError(f"unknown field(s) {sorted(unknown)}; known: {', '.join(SCOPES)}")
        indexed: dict[str, IndexedField] = {}
        for name in SCOPES:
            value = fields.get(name)
            if not value:
                continue
            if isinstance(value, str):
                field = IndexedField(name, value, (), lemmatizer)
            else:
                text, breaks, words = _join_entries(value)
                field = IndexedField(name, text, breaks, lemmatizer, words)
            if field.words:
                indexed[name] = field
        return cls(indexed)

    @classmethod
    def from_item(cls, item: object, lemmatizer: Lemmatizer) -> IndexedDocument:
        """Index anything with the item attributes (an archived item or a freshly parsed record)."""
        return cls.from_fields({name: getattr(item, name, None) for name in FIELDS}, lemmatizer)

    @property
    def vocabulary(self) -> frozenset[str]:
        """Every lemma in any field: what the search index holds for the item (`search.terms`)."""
        if self._vocabulary is None:
            self._vocabulary = frozenset().union(*(field.vocabulary for field in self.fields.values()))
        return self._vocabulary

    def may_hold(self, lemmas: frozenset[str]) -> bool:
        """Whether some field holds one of ``lemmas`` (a term of them cannot match otherwise)."""
        return not lemmas.isdisjoint(self.vocabulary)


def call_fields(
    countries: Iterable[str], counterparts: Iterable[str], initiated_by: Iterable[str]
) -> dict[str, list[str]]:
    """The call fields' values of one call: the counterparts' country codes, their names, and the
    initiating codes plus `FOREIGN` when a non-Russian side asked and `RUSSIA` when the Russian one did.

    One definition, so a rule's ``initiated_by = ["foreign"]``, the scope ``initiated_by:foreign`` and a
    search mean the same calls.
    """
    return {
        "country": [code.upper() for code in countries],
        "counterpart": [name for name in counterparts if name.strip()],
        "initiated_by": initiative_words(initiated_by),
    }


def initiative_words(initiated_by: Iterable[str]) -> list[str]:
    """The initiating codes, plus `FOREIGN` when a non-Russian side asked and `RUSSIA` when the
    Russian one did: what ``initiated_by`` may name."""
    codes = [code.upper() for code in initiated_by]
    words = ([FOREIGN] if any(code != RUSSIA_CODE for code in codes) else []) + (
        [RUSSIA] if RUSSIA_CODE in codes else []
    )
    return codes + words


def _join_entries(entries: Iterable[str]) -> tuple[str, list[int], list[str]]:
    """Display text of a list field, the token positions where a new entry begins and the words
    (those of the entries in turn: `LIST_SEPARATOR` holds no word character, so they are the words
    of the text, found without splitting it again)."""
    parts: list[str] = []
    breaks: list[int] = []
    words: list[str] = []
    for entry in entries:
        entry = entry.strip()
        if not entry:
            continue
        if parts:
            breaks.append(len(words))
        parts.append(entry)
        words += WORD.findall(entry)
    return LIST_SEPARATOR.join(parts), breaks, words


class LazyDocument:
    """An item's fields, each analysed (as `IndexedDocument` would) on first use. A list field may
    be given as its JSON text (as the archive stores it): it is decoded only if a term looks at it."""

    __slots__ = ("_analysed", "_lemmatizer", "_values")

    def __init__(self, values: Mapping[str, FieldValue], lemmatizer: Lemmatizer) -> None:
        self._values = values
        self._lemmatizer = lemmatizer
        self._analysed: dict[str, IndexedField | None] = {}

    def may_hold(self, lemmas: frozenset[str]) -> bool:
        """Always True: saying no would need every field analysed, which is what this avoids."""
        return True

    def field(self, name: str) -> IndexedField | None:
        """The analysed field, or None when it is empty or absent."""
        if name in self._analysed:
            return self._analysed[name]
        value = self._values.get(name)
        if isinstance(value, str) and name in LIST_FIELDS:
            value = json.loads(value)
        found: IndexedField | None = None
        if isinstance(value, str):
            found = IndexedField(name, value, (), self._lemmatizer)
            found = found if found.words else None
        elif value:
            found = IndexedDocument.from_fields({name: value}, self._lemmatizer).fields.get(name)
        self._analysed[name] = found
        return found
