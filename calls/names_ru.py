"""The nominative of a person's name and office written in the instrumental («с Эммануэлем Макроном»).

Call titles and leads name the other side after «с», in the instrumental case. Foreign names are
mostly unknown to pymorphy3's dictionary, and its guesses for them can change the stem
(«Шольцем» → «шолец»), so a word is turned into the nominative in this order of trust:

1. the page itself: a word of the page's Persons tags («Шольц Олаф») that this word is a case form of;
2. pymorphy3, for words its dictionary knows as a first name or surname, when the nominative it
   gives keeps the word's stem (what the ending rules below would strip);
3. the regular endings of the Russian instrumental (-ом, -ем, -ой, -ей, -ым, -ским …);
   a word without such an ending is indeclinable and stays as written («Абэ», «Болсонару», «Инасиу»).

Only the last part of a hyphenated given name declines («Касым-Жомартом» → «Касым-Жомарт»);
particles (да, фон, бен, аль …) and Roman numerals stay.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Any

import pymorphy3

from calls.countries_ru import fold

#: Lower-case parts of names: «Лула да Силва», «фон дер Ляйен», «бен Заид Аль Нахайян».
PARTICLES = frozenset({
    "да", "де", "ди", "дель", "дос", "ду", "фон", "дер", "ван", "бен", "бин", "ибн", "аль", "ас", "эль",
    "ла", "ле", "ель",
})  # fmt: skip

_ROMAN = re.compile(r"^[IVXLC]+$")
#: Words whose nominative a `NameReader` keeps (each entry a short tuple: a few MB at most).
WORD_CACHE = 8192
_VOWELS = "аеёиоуыэюя"
_HUSHING = "жшщчц"
#: Instrumental endings of declinable names, longest first.
_ENDINGS = ("ским", "цким", "ской", "цкой", "ом", "ем", "ём", "ой", "ей", "ёй", "ым")


def _ending(word: str) -> str | None:
    folded = word.lower()
    for ending in _ENDINGS:
        if folded.endswith(ending) and len(folded) > len(ending) + 1:
            return ending
    return None


def _by_rule(word: str, ending: str) -> str:
    """The nominative by the regular endings («Шольцем» → «Шольц», «Майей» → «Майя»)."""
    stem = word[: len(word) - len(ending)]
    before = stem[-1:].lower()
    if ending in ("ским", "цким"):
        return stem + "ий"
    if ending in ("ской", "цкой"):
        return stem + "ая"
    if ending in ("ом", "ым"):
        return stem
    if ending in ("ем", "ём"):
        if before in _VOWELS:
            return stem + "й"
        return stem if before in _HUSHING else stem + "ь"
    if ending == "ой":
        return stem + "а"
    # «ей», «ёй»: «Майей» → «Майя», «Джорджей» → «Джорджа».
    return stem + ("а" if before in _HUSHING else "я")


def _same_word(tag_word: str, word: str) -> bool:
    """Whether ``word`` (as written in the text) is a case form of ``tag_word`` (nominative)."""
    tag, text = fold(tag_word), fold(word)
    if tag == text:
        return True
    stem = tag[:-1] if tag[-1:] in "аяьйо" else tag
    if len(stem) < 2 or not text.startswith(stem):
        return False
    rest = text[len(stem) :]
    return rest in ("ом", "ем", "ой", "ей", "ым", "ою", "ею", "м") or (tag.endswith("ий") and rest == "им")


class NameReader:
    """Nominative names and offices, checked against the page's Persons tags."""

    def __init__(self, morph: pymorphy3.MorphAnalyzer) -> None:
        self.morph = morph
        # pymorphy3's analysis and inflection are most of a call's reading, and the words of
        # offices and names repeat from call to call: each answer is kept (per reader, bounded).
        self._office_word: Callable[[str, str | None], tuple[str, str, str] | None] = lru_cache(
            maxsize=WORD_CACHE
        )(self._office_word_uncached)
        self._dictionary_nominative: Callable[[str, str], str | None] = lru_cache(maxsize=WORD_CACHE)(
            self._dictionary_nominative_uncached
        )

    def name(self, words: Sequence[str], persons: Iterable[str] = ()) -> str:
        """«Луисом Инасиу Лулой да Силвой» → «Луис Инасиу Лула да Силва»."""
        tag_words = [word for tag in persons for word in tag.split()]
        return " ".join(self._name_word(word, tag_words) for word in words)

    def _name_word(self, word: str, tag_words: Sequence[str]) -> str:
        if (word.lower() in PARTICLES and word.islower()) or _ROMAN.match(word) or word.isupper():
            return word
        for tag_word in tag_words:
            if _same_word(tag_word, word):
                return tag_word
        head, dash, last = word.rpartition("-")
        if dash:
            # «Касым-Жомартом»: only the last part declines; «Фостеном-Арканжем»: both do.
            if _ending(head) in ("ом", "ем", "ой", "ей"):
                head = self._name_word(head, ())
            return head + dash + self._name_word(last, ())
        ending = _ending(word)
        if ending is None:
            return word
        stem = word[: len(word) - len(ending)]
        known = self._dictionary_nominative(word, stem)
        return known if known is not None else _by_rule(word, ending)

    def _dictionary_nominative_uncached(self, word: str, stem: str) -> str | None:
        """pymorphy3's nominative of a first name or surname it knows, when it keeps ``stem``."""
        for parse in self.morph.parse(word.lower()):
            tag = parse.tag
            if not ({"Name", "Surn"} & set(tag.grammemes)) or "ablt" not in tag or "sing" not in tag:
                continue
            if not parse.is_known:
                continue
            nominative = parse.inflect({"nomn"})
            if nominative is None:
                continue
            form = nominative.word
            if fold(form[: len(stem)]) == fold(stem):
                return stem + form[len(stem) :]
        return None

    def office(self, words: Sequence[str]) -> str:
        """«Федеральным канцлером Германии» → «Федеральный канцлер Германии».

        The head of each comma-separated office (the leading words in the instrumental) turns
        into the nominative; its complement («Германии», «Государства Катар») stays as written.
        """
        parts: list[list[str]] = [[]]
        for word in words:
            if word == ",":
                parts.append([])
            else:
                parts[-1].append(word)
        return ", ".join(" ".join(self._office_part(part)) for part in parts if part)

    def _office_part(self, words: Sequence[str]) -> list[str]:
        """Words up to the head noun turn nominative, then only adjectives agreeing with it
        («Папой Римским» → «Папа Римский»; «губернатором Белгородской области» keeps «Белгородской»)."""
        out: list[str] = []
        head_gender: str | None = None
        for index, word in enumerate(words):
            found = self._office_word(word, head_gender)
            if found is None:
                out.extend(words[index:])
                break
            nominative, pos, gender = found
            out.append(nominative)
            if head_gender is None and pos == "NOUN":
                head_gender = gender
        return out

    def _office_word_uncached(self, word: str, head_gender: str | None) -> tuple[str, str, str] | None:
        """(nominative, part of speech, gender) of an instrumental noun, adjective or participle;
        after the head noun (``head_gender`` set) only an adjective of that gender qualifies."""
        head, dash, last = word.rpartition("-")
        candidates = [
            parse for parse in self.morph.parse(word.lower())
            if "ablt" in parse.tag and parse.tag.POS in ("NOUN", "ADJF", "PRTF") and parse.is_known
            and (head_gender is None or (parse.tag.POS != "NOUN" and _gender(parse) == head_gender))
        ]  # fmt: skip
        candidates.sort(key=lambda parse: ("masc" not in parse.tag, "sing" not in parse.tag))
        for parse in candidates:
            nominative = parse.inflect({"nomn"})
            if nominative is not None:
                return _cased_like(word, nominative.word), str(parse.tag.POS), _gender(parse)
        if dash and head:
            rest = self._office_word(last, head_gender)
            return None if rest is None else (head + dash + rest[0], rest[1], rest[2])
        return None


def _gender(parse: Any) -> str:
    """«masc» for masculine and common-gender words («папа»), else the parse's gender."""
    for gender in ("femn", "neut"):
        if gender in parse.tag and "ms-f" not in parse.tag:
            return gender
    return "masc"


def _cased_like(original: str, word: str) -> str:
    """``word`` with ``original``'s capitals and «ё» (pymorphy3 answers in lower case)."""
    letters = []
    for index, char in enumerate(word):
        source = original[index] if index < len(original) else ""
        if source.lower() == "ё" and char == "е":
            char = "ё"
        letters.append(char.upper() if source.isupper() else char)
    return "".join(letters)
