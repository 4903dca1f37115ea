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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
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
        #: (lemma sets of the name's words, code), longest names first so «Южная Корея» beats «Корея».
        self._names: tuple[tuple[tuple[frozenset[str], ...], str, bool], ...] = tuple(sorted(
            ((tuple(self.lemmas(word) for word in name.split()), code, name.isupper())
             for name, code in names.items()),
            key=lambda entry: -len(entry[0]),
        ))  # fmt: skip
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
        """The folded word and every pymorphy3 normal form of it."""
        folded = fold(word)
        return frozenset({folded, *(fold(parse.normal_form) for parse in self.morph.parse(folded))})

    def find(self, words: Sequence[str]) -> list[CountryMatch]:
        """Every country name in ``words`` (left to right, longest first, not overlapping).

        A name's first word must be capitalised in the text, so «того» is not Togo; an acronym
        (США) must be written in capitals.
        """
        word_lemmas = [self.lemmas(word) for word in words]
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

    def _match_at(
        self, words: Sequence[str], word_lemmas: Sequence[frozenset[str]], at: int
    ) -> CountryMatch | None:
        if not words[at][:1].isupper():
            return None
        for name, code, acronym in self._names:
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
        """«французской» → ``FR``, «российской» → ``RU``; None for any other word."""
        for parse in self.morph.parse(fold(word)):
            if parse.tag.POS in ("ADJF", "ADJS"):
                code = self._adjectives.get(fold(parse.normal_form))
                if code is not None:
                    return code
        return None
