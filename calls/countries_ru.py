"""Russian country names in any case form, and the «французской стороны» adjectives, as ISO codes.

kremlin.ru writes a country in the genitive inside an office («Президентом Франции», «Президентом
Соединённых Штатов Америки») and as an adjective in who asked for a call («по инициативе французской
стороны»). The names come from pycountry's Russian translation of ISO 3166 (short, official and
common names); a name matches a run of words when every word shares a pymorphy3 lemma with the
name's word at that place, so «Франции», «Францией» and «Французской Республики» all find ``FR``
without a table of case forms. Adjectives are derived from the names with pymorphy3 where Russian
word formation is regular (Индия → индийский, Иран → иранский) and accepted only when pymorphy3
knows the adjective; what no package has (США, ОАЭ, «эмиратский», the EU's institutions) is kept in
the small tables below.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

import pycountry
import pymorphy3

from query.morphology import russian_analyzer

#: Names the site uses that pycountry's Russian translation lacks, and the EU's institutions.
EXTRA_NAMES: MappingProxyType[str, str] = MappingProxyType({
    "США": "US", "Америка": "US", "ОАЭ": "AE", "Эмираты": "AE", "Абу-Даби": "AE", "КНР": "CN",
    "ЮАР": "ZA", "КНДР": "KP", "ЦАР": "CF", "Белоруссия": "BY", "Великобритания": "GB",
    "Британия": "GB", "Киргизия": "KG", "Кыргызстан": "KG", "Киргизская Республика": "KG",
    "Туркмения": "TM", "Молдавия": "MD", "Ватикан": "VA", "Святой Престол": "VA",
    "Македония": "MK", "Центральноафриканская Республика": "CF", "Папа Римский": "VA",
    "Святейший Престол": "VA", "Чехия": "CZ", "Республика Корея": "KR", "Россия": "RU",
    "Европейский союз": "EU", "Евросоюз": "EU", "ЕС": "EU", "Европейский совет": "EU",
    "Европейская комиссия": "EU", "Еврокомиссия": "EU", "Европейский парламент": "EU",
})  # fmt: skip

#: Adjective lemmas that pymorphy3 cannot derive from a country name (irregular word formation).
EXTRA_ADJECTIVES: MappingProxyType[str, str] = MappingProxyType({
    "американский": "US", "германский": "DE", "немецкий": "DE", "британский": "GB", "эмиратский": "AE",
    "южноафриканский": "ZA", "белорусский": "BY", "турецкий": "TR", "узбекский": "UZ",
    "финляндский": "FI", "финский": "FI", "венгерский": "HU", "итальянский": "IT", "японский": "JP",
    "французский": "FR", "саудовский": "SA", "таджикский": "TJ", "армянский": "AM", "киргизский": "KG",
    "кыргызский": "KG", "туркменский": "TM", "ангольский": "AO", "венесуэльский": "VE",
    "норвежский": "NO", "сербский": "RS", "кубинский": "CU", "никарагуанский": "NI",
    "южнокорейский": "KR", "корейский": "KR", "северокорейский": "KP", "греческий": "GR",
    "польский": "PL", "монгольский": "MN", "бразильский": "BR", "мексиканский": "MX", "испанский": "ES",
    "португальский": "PT", "чешский": "CZ", "словацкий": "SK", "болгарский": "BG", "грузинский": "GE",
    "молдавский": "MD", "литовский": "LT", "эстонский": "EE", "афганский": "AF", "марокканский": "MA",
    "сенегальский": "SN", "швейцарский": "CH", "шведский": "SE", "датский": "DK",
    "новозеландский": "NZ", "филиппинский": "PH", "тайский": "TH", "казахский": "KZ",
    "эмиратовский": "AE", "европейский": "EU", "нидерландский": "NL", "голландский": "NL",
})  # fmt: skip

#: Word-formation patterns tried on single-word names: (name ending, adjective ending).
_ADJECTIVE_SUFFIXES = (("ия", "ийский"), ("я", "йский"), ("а", "ский"), ("", "ский"), ("ь", "ский"))
#: Words whose lemmas (and, apart, whose country as an adjective) a `RussianCountries` keeps.
#: pymorphy3's analysis (~50 µs a word) is most of a call's reading, and the words of call texts
#: repeat (offices, countries, names): bounded caches keep a backfill's thousands of calls from
#: analysing the same words again, at a few MB at most.
LEMMA_CACHE_WORDS = 16_384


def fold(word: str) -> str:
    """Lower case, «ё» as «е», stress marks dropped (pycountry writes «Респу́блика»)."""
    return _strip_marks(word).lower().replace("ё", "е")


def _strip_marks(text: str) -> str:
    """Drop stress accents only (NFD would also split «й» and «ё»)."""
    return text.replace("\u0301", "").replace("\u0300", "")


@dataclass(frozen=True)
class CountryMatch:
    """A country name found in a run of words: ``words[start:end]`` names ``code``."""

    start: int
    end: int
    code: str


class RussianCountries:
    """Russian country names and adjectives → ISO alpha-2 (``EU``, ``RU`` included).

    Build one per reader: it holds the lemma forms of every name (the analyser is shared).
    """

    def __init__(self, morph: pymorphy3.MorphAnalyzer | None = None) -> None:
        self.morph = morph or russian_analyzer()
        names = dict(self._pycountry_names())
        names.update(EXTRA_NAMES)
        # The cache is the instance's own (a class-level one would keep every reader alive).
        self._cached_lemmas: _LemmaLookup = lru_cache(maxsize=LEMMA_CACHE_WORDS)(self._lemmas)
        self._cached_adjective: Callable[[str], str | None] = lru_cache(maxsize=LEMMA_CACHE_WORDS)(
            self._code_of_adjective
        )
        #: (lemma sets of the name's words, code), longest names first so «Южная Корея» beats «Корея».
        self._names: tuple[tuple[tuple[frozenset[str], ...], str, bool], ...] = tuple(sorted(
            ((tuple(self.lemmas(word) for word in name.split()), code, name.isupper())
             for name, code in names.items()),
            key=lambda entry: -len(entry[0]),
        ))  # fmt: skip
        #: The `_names` entries by a lemma of their first word, in `_names` order: a capitalised word
        #: is tried only against the names it can start (a dozen at most, not all ~750).
        self._by_first: dict[str, tuple[int, ...]] = {}
        for position, (name, _code, _acronym) in enumerate(self._names):
            for lemma in name[0]:
                self._by_first[lemma] = (*self._by_first.get(lemma, ()), position)
        adjectives = dict(self._derived_adjectives(names))
        adjectives.update(EXTRA_ADJECTIVES)
        self._adjectives: MappingProxyType[str, str] = MappingProxyType(adjectives)

    @staticmethod
    def _pycountry_names() -> Iterator[tuple[str, str]]:
        translation = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ru"])
        for country in pycountry.countries:
            for attribute in ("name", "official_name", "common_name"):
                english = getattr(country, attribute, None)
                if english:
                    yield _strip_marks(translation.gettext(english)), country.alpha_2

    def _derived_adjectives(self, names: dict[str, str]) -> Iterator[tuple[str, str]]:
        """«Индия» → «индийский» where pymorphy3 knows the adjective (ambiguous ones dropped)."""
        found: dict[str, set[str]] = {}
        for name, code in names.items():
            if " " in name or name.isupper():
                continue
            word = fold(name)
            for ending, suffix in _ADJECTIVE_SUFFIXES:
                if ending and not word.endswith(ending):
                    continue
                candidate = word[: len(word) - len(ending)] + suffix
                if self.morph.word_is_known(candidate) and any(
                    parse.tag.POS == "ADJF" and fold(parse.normal_form) == candidate
                    for parse in self.morph.parse(candidate)
                ):
                    found.setdefault(candidate, set()).add(code)
        for adjective, codes in found.items():
            if len(codes) == 1:
                yield adjective, codes.pop()

    def lemmas(self, word: str) -> frozenset[str]:
        """The folded word and every pymorphy3 normal form of it (cached: `LEMMA_CACHE_WORDS`)."""
        return self._cached_lemmas(word)

    def _lemmas(self, word: str) -> frozenset[str]:
        folded = fold(word)
        return frozenset({folded, *(fold(parse.normal_form) for parse in self.morph.parse(folded))})

    def find(self, words: Sequence[str]) -> list[CountryMatch]:
        """Every country name in ``words`` (left to right, longest first, not overlapping).

        A name's first word must be capitalised in the text, so «того» is not Togo; an acronym
        (США) must be written in capitals.
        """
        # Lemmas only where a name is tried: at a capitalised word and the words after it (most
        # words of a sentence are neither, and analysing them was most of the cost).
        word_lemmas = _LazyLemmas(words, self.lemmas)
        found: list[CountryMatch] = []
        at = 0
        while at < len(words):
            match = self._match_at(words, word_lemmas, at)
            if match is None:
                at += 1
                continue
            found.append(match)
            at = match.end
        return found

    def _match_at(self, words: Sequence[str], word_lemmas: _LazyLemmas, at: int) -> CountryMatch | None:
        """The first of `_names` (longest first) that the words at ``at`` spell, if any."""
        if not words[at][:1].isupper():
            return None
        by_first = self._by_first
        candidates: set[int] = set()
        for lemma in word_lemmas[at]:
            candidates.update(by_first.get(lemma, ()))
        for position in sorted(candidates):
            name, code, acronym = self._names[position]
            end = at + len(name)
            if end > len(words) or (acronym and not words[at].isupper()):
                continue
            if all(not name[i].isdisjoint(word_lemmas[at + i]) for i in range(len(name))):
                return CountryMatch(at, end, code)
        return None

    def code_of_name(self, text: str) -> str | None:
        """The code of a name written alone («Франция», «США»), None when it names no country."""
        words = text.split()
        matches = self.find(words)
        if len(matches) == 1 and matches[0].start == 0 and matches[0].end == len(words):
            return matches[0].code
        return None

    def code_of_adjective(self, word: str) -> str | None:
        """«французской» → ``FR``, «российской» → ``RU``; None for any other word (cached)."""
        return self._cached_adjective(word)

    def _code_of_adjective(self, word: str) -> str | None:
        for parse in self.morph.parse(fold(word)):
            if parse.tag.POS in ("ADJF", "ADJS"):
                code = self._adjectives.get(fold(parse.normal_form))
                if code is not None:
                    return code
        return None


#: A word → lemmas function (`RussianCountries.lemmas`, cached).
_LemmaLookup = Callable[[str], frozenset[str]]


class _LazyLemmas:
    """The lemmas of a run of words, each analysed when first asked for (see `RussianCountries.find`)."""

    __slots__ = ("_lemmas", "_lookup", "_words")

    def __init__(self, words: Sequence[str], lookup: _LemmaLookup) -> None:
        self._words = words
        self._lookup = lookup
        self._lemmas: list[frozenset[str] | None] = [None] * len(words)

    def __getitem__(self, index: int) -> frozenset[str]:
        lemmas = self._lemmas[index]
        if lemmas is None:
            lemmas = self._lemmas[index] = self._lookup(self._words[index])
        return lemmas
