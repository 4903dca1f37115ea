"""What goes into the index for an item version, and which query words the index can answer.

The index stores, per language version of an item, the set of lemmas of its words
(`IndexedDocument.vocabulary`: the very sets the exact matcher compares) and the spellings a prefix
query needs on top. For the index to give the same answer as the matcher, every term written must
come back from the backend's tokenizer as exactly that one token. SQLite's unicode61 and
PostgreSQL's default parser disagree on unusual characters (PostgreSQL drops «²» from «x²», FTS5
keeps it; PostgreSQL ignores words over 2 KB), so only *indexable* terms — lower-case Latin, Latin-1
and Cyrillic letters and ASCII digits, at most `MAX_TERM` characters — are written as they are. Both
tokenizers keep such a string as one token on both backends, which is what makes the answers of the
two backends identical.

A lemma that is not indexable is not written; a query word with such a lemma cannot be decided by
the index (`search.plan` treats it as "maybe everywhere" and the matcher decides). For prefix
queries the leading indexable run of such a string is written among the forms, which keeps prefix
answers exact: a prefix made of indexable characters begins a string exactly when it begins that
string's leading indexable run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from importlib import metadata
from operator import itemgetter
from typing import NamedTuple

from query.document import FIELDS, FieldValue
from query.morphology import Lemmatizer
from query.words import WORD, fold

#: Bump when what `TermAnalyser` writes or how rows are keyed changes: every row with another format
#: is then stale. 2: one row per language version, the language in the sort key. 3: word positions
#: (`Positional`), for phrases, the title scope and the engines' ranking (migration 0009).
INDEX_FORMAT = 3
#: How much more a word in the title counts than one elsewhere: in the engines' ranking (bm25()'s
#: column weight, ts_rank_cd's weight A) and in a hit's score (`search.engine.score`).
TITLE_WEIGHT = 3
#: Longest term written as it is (PostgreSQL ignores words over 2047 bytes; Cyrillic takes 2 each).
MAX_TERM = 200
_INDEXABLE = re.compile(r"[0-9a-zß-öø-ÿа-яѐ-џ]+")


def _analyser_signature() -> str:
    """Index format and the versions of everything that decides lemmas: a change makes rows stale."""
    versions = []
    for package in ("pymorphy3", "pymorphy3-dicts-ru", "snowballstemmer"):
        try:
            versions.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{package} ?")
    return f"format {INDEX_FORMAT}; " + ", ".join(versions)


#: Stored with every index row; rows made by another analyser are treated as not indexed.
ANALYSER = _analyser_signature()


def indexable(term: str) -> bool:
    """True when both backends' tokenizers keep ``term`` as exactly this one token."""
    return 0 < len(term) <= MAX_TERM and _INDEXABLE.fullmatch(term) is not None


def indexable_head(term: str) -> str:
    """The longest indexable prefix of ``term`` (possibly empty)."""
    found = _INDEXABLE.match(term)
    return found.group()[:MAX_TERM] if found else ""


#: The token written where a word has no indexable lemma and between fields and list entries (FTS5):
#: no query word can ask for it (`query.words.WORD` never holds «_», and no lemma does), so a phrase
#: never runs across a gap, as the matcher's never runs from one field or list entry into the next.
GAP = "_"
#: Joins the lemmas of a word that has several into one FTS5 token (``сталь_стать``): FTS5 keeps one
#: token per position, and a phrase query must still find the word by any of its lemmas
#: (`search.plan.fts5_positional` asks for every token that holds a lemma; ``item_search_token``
#: says which tokens hold which lemma).
JOIN = "_"
#: PostgreSQL keeps positions up to 16,383 and at most 256 of them per lexeme (the rest are clamped or
#: dropped); a row beyond either is marked ``capped`` and its positional answers are checked.
PG_MAX_POSITION = 16_383
PG_MAX_POSITIONS = 256
#: Longest ``pairs`` text written (a tsvector must stay under 1 MB); a longer one is left out: capped.
PG_MAX_PAIRS = 400_000


class Positional(NamedTuple):
    """Where the words of an item version stand, as each backend indexes them.

    SQLite (FTS5, one token per position): ``title`` and ``body`` (every other field of `FIELDS`, in
    order, a `GAP` between fields and between list entries) are the tokens, space-separated (the
    analyser's ``compounds`` says which lemmas a compound token holds). PostgreSQL (a tsvector may
    hold several lexemes at one position): ``vector`` is the tsvector text, every indexable lemma at
    its word's position, title positions weighted A, a position skipped before each field and list
    entry; ``pairs`` every two lemmas of adjacent words as one lexeme ``a_b`` (a two-word phrase is
    then answered by the GIN index alone); ``capped`` when PostgreSQL's limits lose positions (or
    pairs) of this row.
    """

    title: str
    body: str
    vector: str
    pairs: str
    capped: bool


class TermAnalyser:
    """The index terms of items: (lemmas, forms) per item, with a per-instance cache by word.

    ``lemmas``: every indexable lemma of every word — the indexable part of what
    `IndexedDocument.vocabulary` holds, which is what the matcher compares. ``forms``: what a prefix
    query must see beyond them: the folded spelling of words whose spelling is none of their lemmas
    («санкциями», «sanctions»), and the indexable heads of strings that are not indexable.

    Words are split with `query.words.WORD` as documents split them (list entries one by one),
    without the per-field position maps the matcher builds: indexing needs only the words. What a word
    contributes is worked out once per analyser (an archive repeats a small vocabulary), and the
    cache is emptied when it reaches ``maxsize`` words, as `Lemmatizer`'s is.
    """

    #: Words cached when no ``maxsize`` is given.
    MAXSIZE = 500_000

    def __init__(self, lemmatizer: Lemmatizer, maxsize: int | None = None) -> None:
        """``maxsize``: words cached before the cache is emptied (None: `MAXSIZE`)."""
        self.lemmatizer = lemmatizer
        self._maxsize = self.MAXSIZE if maxsize is None else maxsize
        #: word -> (indexable lemmas, forms, FTS5 token): everything the index takes from a word.
        self._by_word: dict[str, _WordTerms] = {}
        #: Every compound token made so far (`JOIN`), with its lemmas: a writer records the new ones.
        self.compounds: dict[str, tuple[str, ...]] = {}

    def terms(self, values: Mapping[str, FieldValue]) -> tuple[list[str], list[str]]:
        """(lemmas, forms) of an item's searchable fields (names from `FIELDS`), sorted, distinct."""
        title_words, segments = _split(values)
        return self._bag(title_words, segments)

    def analyse(
        self, values: Mapping[str, FieldValue], tsvector: bool
    ) -> tuple[list[str], list[str], Positional]:
        """`terms` and the words' positions (`Positional`: FTS5 tokens, or with ``tsvector``
        PostgreSQL's text), the fields split into words once."""
        title_words, segments = _split(values)
        lemmas, forms = self._bag(title_words, segments)
        if tsvector:
            return lemmas, forms, self._vector(title_words, segments)
        title = " ".join(map(_TOKEN, self._entries(title_words)))
        body = f" {GAP} ".join(" ".join(map(_TOKEN, self._entries(segment))) for segment in segments)
        return lemmas, forms, Positional(title, body, "", "", False)

    def _bag(self, title_words: list[str], segments: list[list[str]]) -> tuple[list[str], list[str]]:
        entries = self._entries(set(title_words).union(*segments))
        lemmas: set[str] = set().union(*map(_LEMMAS, entries))
        forms = set().union(*map(_FORMS, entries)) - lemmas
        return sorted(lemmas), sorted(forms)

    def _entries(self, words: Iterable[str]) -> list[_WordTerms]:
        """What each of ``words`` contributes, in their order. Nearly every word is cached, so they
        are looked up in one pass at C speed and only the new ones are worked out."""
        words = words if isinstance(words, list) else list(words)
        found: list[_WordTerms | None] = list(map(self._by_word.get, words))
        if None in found:
            for place, entry in enumerate(found):
                if entry is None:
                    found[place] = self._word(words[place])
        return found  # type: ignore[return-value]  # every None was replaced

    def _vector(self, title_words: list[str], segments: list[list[str]]) -> Positional:
        """PostgreSQL's text: the tsvector of positions, and the adjacent lemma pairs."""
        places: dict[str, list[str]] = {}
        pairs: set[str] = set()
        position = 0
        stretches = [(title_words, "A"), *((segment, "") for segment in segments)]
        for words, weight in stretches:
            position += 1  # a gap before each stretch: a phrase stays within one
            previous: frozenset[str] = frozenset()
            for entry in self._entries(words):
                position += 1
                lemmas = entry[0]
                mark = f"{position}{weight}"
                for lemma in lemmas:
                    places.setdefault(lemma, []).append(mark)
                for first in previous:
                    for second in lemmas:
                        pairs.add(f"{first}{JOIN}{second}")
                previous = lemmas
        capped = position > PG_MAX_POSITION or any(len(found) > PG_MAX_POSITIONS for found in places.values())
        vector = " ".join(
            f"'{lemma}':{','.join(found[:PG_MAX_POSITIONS])}" for lemma, found in sorted(places.items())
        )
        adjacent = " ".join(sorted(pairs))
        if len(adjacent) > PG_MAX_PAIRS:
            adjacent, capped = "", True
        return Positional("", "", vector, adjacent, capped)

    def _word(self, word: str) -> _WordTerms:
        """Works out and caches what ``word`` contributes (its lemmas are the lemmatizer's)."""
        lemma_set = self.lemmatizer.lemmas(word)
        lemmas = frozenset(lemma for lemma in lemma_set if indexable(lemma))
        forms = {indexable_head(lemma) for lemma in lemma_set - lemmas}
        spelling = fold(word)
        if spelling not in lemma_set:
            forms.add(spelling if indexable(spelling) else indexable_head(spelling))
        forms.discard("")
        ordered = tuple(sorted(lemmas))
        token = JOIN.join(ordered) if ordered else GAP
        if len(ordered) > 1:
            self.compounds[token] = ordered
        found = _WordTerms(lemmas, frozenset(forms), token)
        if len(self._by_word) >= self._maxsize:
            self._by_word.clear()
        self._by_word[word] = found
        return found


class _WordTerms(NamedTuple):
    """What one word gives the index: its indexable lemmas, the forms a prefix query needs on top,
    and its FTS5 token (its one lemma, its lemmas joined with `JOIN`, or `GAP`)."""

    lemmas: frozenset[str]
    forms: frozenset[str]
    token: str


_LEMMAS = itemgetter(0)
_FORMS = itemgetter(1)
_TOKEN = itemgetter(2)


#: Bits of `sort_key` that hold the item id (ids of kremlin.ru items are five-digit numbers).
ID_BITS = 29
#: Bits below the time: the id, then one for the language.
_LOW_BITS = ID_BITS + 1
_ID_MASK = (1 << ID_BITS) - 1
#: The language bit: set for the Russian version, so that of two versions published in the same
#: second the primary (Russian) one comes first when newest come first.
_LANG_BIT = {"ru": 1, "en": 0}
_BIT_LANG = {bit: lang for lang, bit in _LANG_BIT.items()}
#: 63 bits (a positive signed 64-bit integer, SQLite's rowid) less `_LOW_BITS` leave 33 bits of
#: seconds: from 1900 that reaches 2172. Earlier or later times are clamped (order within the clamped
#: ones is by id then; keys stay unique).
_EPOCH = datetime(1900, 1, 1, tzinfo=UTC)
_MAX_SECONDS = (1 << (63 - _LOW_BITS)) - 2
#: The smallest sort key of a dated version: undated ones have smaller keys.
FIRST_DATED = 1 << _LOW_BITS


def sort_key(published_at: datetime | None, item_id: int, lang: str) -> int:
    """Publication time (to the second), id and language as one integer that sorts like
    (published_at, id, Russian after English): unique per version (`key_version` reads it back).

    Undated versions get the smallest keys (they come last, newest first). Every search orders by
    this key, so SQLite's FTS5 (where it is the rowid) can hand out matches newest first and stop.
    """
    if not 0 <= item_id < 1 << ID_BITS:
        raise ValueError(f"item id {item_id} does not fit the search index's sort key")
    if lang not in _LANG_BIT:
        raise ValueError(f"language {lang!r} has no place in the search index's sort key")
    low = item_id << 1 | _LANG_BIT[lang]
    if published_at is None:
        return low
    return (_seconds(published_at) + 1) << _LOW_BITS | low


def key_version(key: int) -> tuple[int, str]:
    """The (id, lang) of the version whose sort key is ``key``."""
    return (key >> 1) & _ID_MASK, _BIT_LANG[key & 1]


def first_key(moment: datetime) -> int:
    """The smallest sort key of a version published at or after ``moment`` (to the second)."""
    return (_seconds(moment) + 1) << _LOW_BITS


def _seconds(moment: datetime) -> int:
    return min(max((moment - _EPOCH) // timedelta(seconds=1), 0), _MAX_SECONDS)


def _split(values: Mapping[str, FieldValue]) -> tuple[list[str], list[list[str]]]:
    """The title's words, and the words of every other field, field by field and list entry by list
    entry: the stretches a phrase must stay within (as `query.document` keeps phrases within list
    entries)."""
    title = values.get("title")
    title_words = WORD.findall(title) if isinstance(title, str) else []
    segments: list[list[str]] = []
    for name in FIELDS[1:]:
        value = values.get(name)
        if isinstance(value, str):
            segments.append(WORD.findall(value))
        elif value:
            segments.extend(WORD.findall(entry) for entry in value)
    return title_words, [words for words in segments if words]


def folded_entries(entries: Iterable[str] | None) -> str:
    """List entries folded (`query.words.fold`) and joined with newlines: a folded needle
    without a newline is a substring of this text exactly when it is one of an entry."""
    return "\n".join(fold(entry) for entry in entries or ())
