"""Word → lemmas, so a rule «санкции» finds «санкций» and «санкциями».

Rules and items are compared by lemma, not by spelling: both sides of a comparison go through the same
`Lemmatizer`, and a rule word matches a text word when their lemma sets intersect. Russian words take
every normal form pymorphy3 offers, because a short word is often ambiguous («стали» is a form of both
«сталь» and «стать») and a rule must not silently miss one reading; English words take their Snowball
stem (kremlin.ru has an English edition); anything else (numbers, other scripts) stands for itself.

Names of people are compared more loosely (`Lemmatizer.name_lemmas`): pymorphy3 does not know most
foreign surnames and guesses a different lemma for each case («Шольц» → шольц, «Шольца» → шолец), so
a name word also stands for its Russian Snowball stem («Шольца», «Шольцем» → шольц).

Everything is folded (`query.words.fold`: lower case, «ё» as «е») — the site writes «Соединённых»,
users type «Соединенных» — in the input *and* in pymorphy's lemmas (pymorphy restores «ё»: «еще» → «ещё»).

Analysing a word costs tens of microseconds, but an archive repeats a small vocabulary millions of
times, so results are cached per `Lemmatizer` instance (never at module level: two lemmatizers, e.g.
in tests, do not share state, and dropping the instance frees the memory).
"""

from __future__ import annotations

from functools import cache
from typing import NamedTuple

import pymorphy3
import snowballstemmer

from query.words import fold


def _has_cyrillic(word: str) -> bool:
    return any("\u0400" <= char <= "\u04ff" for char in word)


def _has_latin(word: str) -> bool:
    return any("a" <= char <= "z" or "\u00c0" <= char <= "\u024f" for char in word)


@cache
def russian_analyzer() -> pymorphy3.MorphAnalyzer:
    """The process's one pymorphy3 analyser, shared by every lemmatizer and call reader.

    Each `pymorphy3.MorphAnalyzer` loads its own copy of the dictionaries (about 20 MiB resident), and
    a daemon used to hold four (the lemmatizer and three call readers). After loading, the analyser
    only reads its dictionaries, so threads may share it; the caches that are not made for threads
    are our own (`Lemmatizer`'s, guarded by its users' locks).
    """
    return pymorphy3.MorphAnalyzer()


class CacheInfo(NamedTuple):
    """Cache counters: ``hits`` answered from the cache, ``misses`` analysed; ``size`` entries kept."""

    hits: int
    misses: int
    size: int


class Lemmatizer:
    """Lemma sets of words, with a per-instance cache.

    Create one per process (or per worker) and share it: its cache is what warms up (pymorphy3's
    analyser, with its dictionaries, is one per process anyway: `russian_analyzer`). The cache is a
    plain dict keyed on the word exactly as given (the hot path is one dict lookup), backed by a
    second dict keyed on the folded word, so «Санкции» and «санкции» are analysed once. When
    ``maxsize`` entries are reached the caches are emptied instead of evicting one by one: an LRU
    would cost time on every hit, and refilling a working vocabulary is quick.
    Counters are advisory (not locked) and meant for benchmarks.
    """

    #: Words cached when no ``maxsize`` is given: a crawl's or a command's whole vocabulary.
    MAXSIZE = 1_000_000

    def __init__(self, maxsize: int | None = None) -> None:
        """``maxsize``: words cached before the caches are emptied (None: `MAXSIZE`)."""
        self._morph = russian_analyzer()
        self._stemmer = snowballstemmer.stemmer("english")
        self._russian = snowballstemmer.stemmer("russian")
        self._names: dict[str, frozenset[str]] = {}
        self._maxsize = self.MAXSIZE if maxsize is None else maxsize
        self._by_word: dict[str, frozenset[str]] = {}
        self._by_folded: dict[str, frozenset[str]] = {}
        #: One shared frozenset per distinct lemma set: many word forms share a set ({санкция}).
        self._interned: dict[frozenset[str], frozenset[str]] = {}
        self._hits = 0
        self._misses = 0

    def lemmas(self, word: str) -> frozenset[str]:
        """All lemmas of one word (a token without spaces or hyphens), folded.

        Cyrillic → every pymorphy3 normal form; Latin → English Snowball stem; anything else → the
        folded word itself. Never empty for a non-empty word.
        """
        found = self._by_word.get(word)
        if found is not None:
            self._hits += 1
            return found
        folded = fold(word)
        found = self._by_folded.get(folded)
        if found is None:
            self._misses += 1
            found = self._analyse(folded)
            if len(self._by_folded) >= self._maxsize:
                self._by_folded.clear()
                self._interned.clear()
            found = self._interned.setdefault(found, found)
            self._by_folded[folded] = found
        else:
            self._hits += 1
        if len(self._by_word) >= self._maxsize:
            self._by_word.clear()
        self._by_word[word] = found
        return found

    def lemmas_of(self, words: list[str]) -> list[frozenset[str]]:
        """`lemmas` of each word, in order. A document's words are nearly all cached, so they are
        looked up in one pass at C speed and only the rest go through `lemmas`."""
        found: list[frozenset[str] | None] = list(map(self._by_word.get, words))
        missing = 0
        if None in found:
            for position, lemma_set in enumerate(found):
                if lemma_set is None:
                    missing += 1
                    found[position] = self.lemmas(words[position])
        self._hits += len(words) - missing
        return found  # type: ignore[return-value]  # every None was replaced

    def name_lemmas(self, word: str) -> frozenset[str]:
        """`lemmas` of a word of a person's name, plus its Russian Snowball stem when it is Cyrillic:
        «Шольц», «Шольца» and «Шольцем» then share ``шольц`` though pymorphy3 guesses two lemmas."""
        found = self._names.get(word)
        if found is None:
            found = self.lemmas(word)
            folded = fold(word)
            if _has_cyrillic(folded):
                found = found | {self._russian.stemWord(folded)}
            if len(self._names) >= self._maxsize:
                self._names.clear()
            self._names[word] = found
        return found

    def _analyse(self, folded: str) -> frozenset[str]:
        if _has_cyrillic(folded):
            forms = {fold(parse.normal_form) for parse in self._morph.parse(folded)}
            return frozenset(forms) if forms else frozenset((folded,))
        if _has_latin(folded):
            return frozenset((self._stemmer.stemWord(folded),))
        return frozenset((folded,))

    def cache_info(self) -> CacheInfo:
        """Hits, misses (words actually analysed) and the number of cached spellings."""
        return CacheInfo(self._hits, self._misses, len(self._by_word))
