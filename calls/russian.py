"""Reading calls from the Russian edition of kremlin.ru: who, from where, and whose initiative.

The site names the other side after «с», in the instrumental: «Телефонный разговор с Президентом
Франции Эммануэлем Макроном». Each person there is an office (its head in the instrumental, then a
complement: a country, an institution, a region) followed by a name, and persons are joined by «и»
or commas («… Макроном и Федеральным канцлером Германии Олафом Шольцем»). Sources in order of trust:
the Persons tags correct a name's spelling (`calls.names_ru`), the title gives the persons and their
short office; when the title names no one («с лидерами Франции и Германии») the lead, then the text,
then the Persons tags give the names; the Geography tags give a country the office does not.

Who asked for the call is read from the sentence that says so: «по инициативе французской стороны»,
«по инициативе французской и германской сторон», «по инициативе Президента Франции», «инициатором
разговора выступила турецкая сторона», «по просьбе собеседника» (the counterparts' countries).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import overload

import pymorphy3

from calls.countries_ru import RussianCountries, fold
from calls.names_ru import PARTICLES, NameReader
from calls.record import CallRecord, CallText, Counterpart
from query.morphology import russian_analyzer

#: Lemmas of the words an office is made of (capitalised or not), so that they are never read as a name.
OFFICE_LEMMAS = frozenset({
    "президент", "премьер-министр", "премьер", "канцлер", "федеральный", "председатель", "король",
    "королева", "эмир", "принц", "наследный", "генеральный", "секретарь", "генсек", "султан", "папа",
    "римский", "глава", "губернатор", "мэр", "министр", "вице-президент", "вице-премьер", "избранный",
    "исполнять", "исполняющий", "обязанность", "временно", "заместитель", "командующий", "командир",
    "верховный", "лидер", "шейх", "государственный", "руководитель", "главнокомандующий", "спикер",
    "вице-канцлер", "великий", "герцог", "князь", "правитель", "действующий", "бывший",
})  # fmt: skip

#: Words of an office that place its holder in Russia (a region, a city, a ministry).
DOMESTIC_LEMMAS = frozenset({
    "губернатор", "мэр", "область", "край", "округ", "житель", "жительница", "участник", "участница",
    "военнослужащий", "командир", "командующий", "ветеран", "школьник", "школьница", "мать",
    "воспитанник", "глава",
})  # fmt: skip

#: Institutions with no country: their officers get ``country = None``.
INTERNATIONAL = frozenset({"оон", "мок", "магатэ", "оэср", "вто", "воз", "юнеско"})

_TITLE_PREFIX = re.compile(
    r"^(?:Телефонн\w+ разговор\w*(?: Владимира Путина(?: и .+?)?)? с |"
    r"Владимир Путин (?:поговорил по телефону|провёл телефонн\w+ разговор\w*) с )"
)
#: Where a sentence names the other side in the instrumental.
_WITH = re.compile(
    r"(?:разговор\w*|бесед\w*) (?:Владимира Путина |Президента России )?(?:и .+? )?с |"
    r"поговорил\w* по телефону с |созвонил\w* с "
)
#: Where a sentence names those on the call in the nominative.
_NOMINATIVE = re.compile(r"(?:принял\w* участие|участвовал\w*|присоединил\w*(?: к разговору)?) ")
_DOMESTIC_TITLE = re.compile(r"^Владимир Путин поговорил по телефону")
_TOKEN = re.compile(r"[0-9A-Za-zА-Яа-яЁё’'\-]+|,")
_SPACES = re.compile(r"\s+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_INITIATIVE = re.compile(
    r"(?:[Пп]о (?:\w+ )?(?:инициативе|просьбе)|[Ии]нициир\w*|[Ии]нициатор\w*|"
    r"[Ии]нициатив\w* (?:выступил\w*|проявил\w*|принадлежал\w*))"
)
_ABOUT_THE_CALL = re.compile(r"разговор|бесед|звон|контакт|[Ии]нициатор", re.IGNORECASE)
_INITIATIVE_STOP = re.compile(r"^(?:состоял\w*|провед\w*|провёл\w*|прош\w+|Владимир\w*|был\w*|с)$")
#: «по просьбе собеседника», «по инициативе последнего»: the counterparts asked.
_THE_OTHER = frozenset({"собеседник", "партнёр", "партнер", "последний", "коллега", "гость"})
_MUTUAL = frozenset({"обоюдный", "взаимный", "совместный"})


@dataclass
class _Person:
    office: list[str] = field(default_factory=list)
    name: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    #: Named in the nominative («приняли участие Президент Франции Эммануэль Макрон»).
    nominative: bool = False


class RussianReader:
    """Reads Russian call items; build one and reuse it (it holds the lemma forms of every country
    name; pymorphy3's analyser is the process's one, `query.morphology.russian_analyzer`)."""

    def __init__(self, morph: pymorphy3.MorphAnalyzer | None = None) -> None:
        self.morph = morph or russian_analyzer()
        self.countries = RussianCountries(self.morph)
        self.names = NameReader(self.morph)

    # --- the record -----------------------------------------------------------------------------

    def read(self, call: CallText) -> CallRecord:
        """The record of one call item (empty counterparts when no one can be read)."""
        call = CallText(
            call.lang, _clean(call.title), _clean(call.lead), _clean(call.text), call.persons, call.geography
        )
        persons = [_clean(tag) or "" for tag in call.persons or ()]
        counterparts = self._counterparts(call, persons)
        return CallRecord(tuple(counterparts), tuple(self._initiative(call, counterparts)))

    def _counterparts(self, call: CallText, persons: Sequence[str]) -> list[Counterpart]:
        in_text = [self._people_in(text) for text in (call.lead or "", call.text or "")]
        found = self._people_after(call.title, _TITLE_PREFIX, whole=True)
        if not any(person.name for person in found):
            found = next((people for people in in_text if any(p.name for p in people)), [])
        named = [person for person in found if person.name]
        if not named:
            named = [_Person(name=tag_name(tag).split(), nominative=True) for tag in persons]
        geography = [self.countries.code_of_name(place) for place in call.geography or ()]
        counterparts = []
        for index, person in enumerate(named):
            name = self._name_of(person, persons)
            fuller = self._same_person(name, [p for people in in_text for p in people], persons)
            if fuller is not None and not person.countries:
                person.countries = fuller.countries
                person.office = person.office or fuller.office
            office = None
            if person.office:
                office = " ".join(person.office) if person.nominative else self.names.office(person.office)
            country = self._country(person, index, len(named), geography, call)
            counterparts.append(Counterpart(name, office, country))
        return counterparts

    def _name_of(self, person: _Person, persons: Sequence[str]) -> str:
        return " ".join(person.name) if person.nominative else self.names.name(person.name, persons)

    def _same_person(self, name: str, others: Sequence[_Person], persons: Sequence[str]) -> _Person | None:
        """The person of the lead or text with ``name``'s surname and a country («Меркель» in the lead)."""
        surname = fold(name.split()[-1])
        for other in others:
            if other.countries and other.name:
                other_name = self._name_of(other, persons)
                if fold(other_name.split()[-1]) == surname:
                    return other
        return None

    def _country(
        self, person: _Person, index: int, count: int, geography: Sequence[str | None], call: CallText
    ) -> str | None:
        if person.countries:
            return person.countries[-1]
        office = [fold(word) for word in person.office]
        if any(word in INTERNATIONAL for word in office):
            return None
        known = [code for code in geography if code]
        if len(known) == count:
            return known[index]
        if len(set(known)) == 1:
            return known[0]
        if not person.office:
            # «с Ангелой Меркель, завершившей … работу на посту Федерального канцлера … Германия».
            mentioned = {m.code for m in self.countries.find(_TOKEN.findall(call.lead or ""))} - {"RU"}
            if len(mentioned) == 1:
                return mentioned.pop()
        lemmas = {lemma for word in person.office for lemma in self.countries.lemmas(word)}
        if lemmas & DOMESTIC_LEMMAS or _DOMESTIC_TITLE.match(call.title) or not person.office:
            return "RU"
        return None

    # --- persons in a sentence ----------------------------------------------------------------------

    def _people_after(self, text: str, prefix: re.Pattern[str], whole: bool = False) -> list[_Person]:
        match = prefix.match(text) if whole else prefix.search(text)
        if match is None:
            return []
        return self._people(_TOKEN.findall(text[match.end() :]))

    def _people_in(self, text: str) -> list[_Person]:
        """The persons named after «разговор … с» (instrumental) or «приняли участие» (nominative)."""
        for sentence in _SENTENCE.split(text):
            match = _WITH.search(sentence)
            if match is not None:
                people = self._people(_TOKEN.findall(sentence[match.end() :]))
                if any(person.name for person in people):
                    return people
            match = _NOMINATIVE.search(sentence)
            if match is not None:
                people = self._people(_TOKEN.findall(sentence[match.end() :]))
                for person in people:
                    person.nominative = True
                if any(person.name for person in people):
                    return people
        return []

    def _people(self, tokens: Sequence[str]) -> list[_Person]:
        """Split «Президентом Франции Эммануэлем Макроном и Федеральным канцлером …» into persons."""
        words = [token for token in tokens if token != ","]
        spans = {match.start: match for match in self.countries.find(words)}
        people = [_Person()]
        at = 0
        index = 0
        while index < len(tokens):
            token = tokens[index]
            person = people[-1]
            if token in (",", "и"):
                if person.name:
                    if token == "," and not _starts_person(tokens, index + 1):
                        break
                    people.append(_Person())
                elif token == ",":
                    person.office.append(",")
                else:
                    person.office.append(token)
                index += 1
                if token != ",":
                    at += 1
                continue
            match = spans.get(at)
            if match is not None and not person.name:
                length = match.end - match.start
                person.office.extend(words[match.start : match.end])
                if match.code:
                    person.countries.append(match.code)
                index += length
                at += length
                continue
            kind = self._kind(token, person)
            if kind == "stop":
                break
            (person.name if kind == "name" else person.office).append(token)
            index += 1
            at += 1
        return [person for person in people if person.name or person.office]

    def _kind(self, token: str, person: _Person) -> str:
        """ "office", "name" or "stop" for one token at this point of a person."""
        lower = token.lower()
        if person.name:
            if token[:1].isupper() or lower.split("-")[0] in PARTICLES or re.match(r"^[IVX]+$", token):
                return "name"
            return "stop"
        if not token[:1].isupper() or token.isupper():
            return "office"
        lemmas = self.countries.lemmas(token)
        if lemmas & OFFICE_LEMMAS:
            return "office"
        if person.countries:
            return "name"
        parses = [parse for parse in self.morph.parse(lower) if parse.is_known]
        if any({"Name", "Surn", "Patr"} & set(parse.tag.grammemes) for parse in parses):
            return "name"
        for parse in parses:
            grammemes = set(parse.tag.grammemes)
            if parse.tag.POS in ("ADJF", "PRTF") or "Geox" in grammemes or "Orgn" in grammemes:
                return "office"
            if parse.tag.POS == "NOUN" and "gent" in grammemes and parse.score >= 0.3:
                return "office"
        return "name"

    # --- who asked ----------------------------------------------------------------------------------

    def _initiative(self, call: CallText, counterparts: Sequence[Counterpart]) -> list[str]:
        for text in (call.lead or "", call.text or ""):
            codes = self._initiative_in(text, counterparts)
            if codes:
                return codes
        return []

    def _initiative_in(self, text: str, counterparts: Sequence[Counterpart]) -> list[str]:
        for sentence in _SENTENCE.split(text):
            if not _ABOUT_THE_CALL.search(sentence):
                continue  # «предложения, выдвинутые по инициативе России» is not about the call
            for match in _INITIATIVE.finditer(sentence):
                window = []
                for token in _TOKEN.findall(sentence[match.end() :])[:10]:
                    if _INITIATIVE_STOP.match(token):
                        break
                    window.append(token)
                codes = self._sides(match.group(0), window, counterparts)
                if codes:
                    return codes
        return []

    def _sides(self, phrase: str, window: Sequence[str], counterparts: Sequence[Counterpart]) -> list[str]:
        theirs = list(dict.fromkeys(c.country for c in counterparts if c.country))
        words = [token for token in window if token != ","]
        codes: list[str] = []
        for word in [*phrase.split(), *words]:
            lemmas = self.countries.lemmas(word)
            if lemmas & _MUTUAL:
                codes.extend(["RU", *theirs])
            elif lemmas & _THE_OTHER:
                codes.extend(theirs)
            elif fold(word).startswith("путин"):
                codes.append("RU")
            else:
                code = self.countries.code_of_adjective(word)
                if code is not None:
                    codes.append(code)
        codes.extend(match.code for match in self.countries.find(words))
        for counterpart in counterparts:
            surname = counterpart.name.split()[-1] if counterpart.name else ""
            if counterpart.country and surname and any(_is_form(surname, word) for word in words):
                codes.append(counterpart.country)
        return list(dict.fromkeys(codes))


@overload
def _clean(text: str) -> str: ...
@overload
def _clean(text: str | None) -> str | None: ...
def _clean(text: str | None) -> str | None:
    """Whitespace runs (U+00A0, line breaks) as one space: the site's text has both."""
    return None if text is None else _SPACES.sub(" ", text).strip()


def _is_form(nominative: str, word: str) -> bool:
    """Whether ``word`` is a case form of the name ``nominative`` («Макрона» of «Макрон»)."""
    base, text = fold(nominative), fold(word)
    stem = base[:-1] if base[-1:] in "аяьйо" else base
    return len(stem) >= 3 and text.startswith(stem) and len(text) - len(stem) <= 3


def _starts_person(tokens: Sequence[str], index: int) -> bool:
    """After a name, a comma goes on to another person only when a capitalised word follows."""
    return index < len(tokens) and tokens[index][:1].isupper()


def tag_name(tag: str) -> str:
    """A Persons tag «Эрдоган Реджеп Тайип» as a name: «Реджеп Тайип Эрдоган»."""
    words = tag.split()
    return " ".join([*words[1:], words[0]]) if len(words) > 1 else tag


def read_russian(call: CallText, reader: RussianReader | None = None) -> CallRecord:
    """The call record of a Russian call item; pass a `RussianReader` when reading many."""
    return (reader or RussianReader()).read(call)

