"""Reading calls from the English edition of kremlin.ru.

The site names the other end of a call in a few fixed shapes: "President of France Emmanuel Macron",
"Serbian President Aleksandar Vucic", "King Hamad bin Isa Al Khalifa of Bahrain", a bare name
("Olaf Scholz and Emmanuel Macron", the offices then in the lead), or a group ("heads of CSTO member
states", the names then in the text). Who asked for the call is a phrase of the lead or text ("at the
French side's initiative", "at the initiative of the Indonesian side", "at the latter's initiative",
"initiated by the President of the French Republic"). Sources, in order of trust: the Persons and
Geography tags, the title, the lead, the text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from calls.countries_en import EU, country_code, find_countries
from calls.record import CallRecord, CallText, Counterpart

#: Words an office is made of ("Acting Federal Chancellor", "Crown Prince", "Chairperson of the ...").
OFFICE_WORDS = frozenset((
    "President", "Prime", "Minister", "Federal", "Chancellor", "Acting", "King", "Queen", "Crown",
    "Prince", "Princess", "Emir", "Sultan", "Pope", "Chairperson", "Chairman", "Chair", "Deputy",
    "Supreme", "Commander", "Armed", "Forces", "Vice", "Elect", "Secretary", "General", "Head", "Governor",
    "Premier", "Chief", "Executive", "Leader", "Speaker", "High", "Representative", "Grand", "Duke",
    "Caretaker", "Interim", "Council", "Commission", "Union", "African", "European", "Organisation",
    "Collective", "Security", "Treaty", "CSTO", "State", "Foreign", "Affairs", "Defence",
    "Minister-President", "Monarch", "Mr", "Ms", "of", "the", "and", ",",
))
#: Lower-case parts of names: "Mohammed bin Salman Al Saud", "Luiz Inacio Lula da Silva".
NAME_PARTICLES = frozenset((
    "bin", "ibn", "bint", "al", "el", "da", "de", "do", "dos", "van", "von", "der", "den", "la", "le", "ul",
    "ben",
))
#: A title naming a group, not persons: "heads of CSTO member states", "participants in ...".
GROUP_WORDS = frozenset((
    "heads", "leaders", "participants", "members", "winners", "families", "commanders", "servicemen",
))

_SPACE = re.compile(r"\s+")
#: Where a call's other end is named: after these words, up to the end of the clause.
_CALL_WITH = re.compile(
    r"(?:tele)?phone (?:conversations?|calls?|talks?)\s+"
    r"(?:with|between (?:President (?:of Russia )?)?Vladimir Putin and)\s+"
    r"|spoke (?:on|over|by) (?:the )?(?:tele)?phone(?: several times)?\s+(?:with|to)\s+"
    r"|spoke by telephone\s+with\s+|also spoke (?:with|to)\s+",
    re.IGNORECASE,
)
_CLAUSE_END = re.compile(
    r"(?:,\s*(?:at|on|who|which|during|in|as|to)\b|\s+(?:at|on|during|in|as|to|for|from|following|after|"
    r"ahead|about|who|which|that|ended|focused|and discussed)\b|[.;:!?](?:\s|$)|\.?$)"
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_CONVERSATION = re.compile(r"\b(?:conversation|call|phone|telephone|talk)s?\b", re.IGNORECASE)
_INITIATIVE = (
    re.compile(r"\b(?i:at|on|upon)\s+(?:the\s+)?(?P<who>[\w' -]+?)(?:'s|s')\s+initiative\b(?!\s+(?:to|on))"),
    re.compile(r"\b(?i:at|on|upon|by)\s+the\s+initiative\s+of\s+(?P<who>[^,.;]+)"),
    re.compile(r"\binitiated\s+by\s+(?P<who>[^,.;]+)"),
)


@dataclass(frozen=True)
class _Mention:
    """A person as one sentence names them: the name, and office and country when written next to it."""

    name: str
    office: str | None
    country: str | None


def read_english(call: CallText) -> CallRecord:
    """The call record of an English call item; empty counterparts when no person can be read."""
    title = _clean(call.title)
    lead = _clean(call.lead or "")
    text = _clean(call.text or "")
    later = [s for s in _SENTENCE.split(lead) + _SENTENCE.split(text) if s]
    mentions = _title_mentions(title)
    if not mentions:
        mentions = _dedup([m for sentence in later for m in _call_mentions(sentence)])
    context = [m for sentence in later for m in _call_mentions(sentence)]
    codes = {code for code in (country_code(tag) for tag in call.geography or ()) if code}
    tagged = codes.pop() if len(codes) == 1 else None
    counterparts = [_complete(m, context, later, tagged) for m in mentions]
    counterparts = _with_tags(counterparts, call.persons, tagged)
    return CallRecord(tuple(counterparts), _initiative(later, counterparts))


def _clean(text: str) -> str:
    """One line, plain spaces and straight apostrophes: the site uses \\xa0 and curly quotes."""
    return _SPACE.sub(" ", text.replace("\xa0", " ").replace("’", "'")).strip()


def _title_mentions(title: str) -> list[_Mention]:
    """The persons a title names ("Telephone conversation with ..."); none for a group title."""
    found = _CALL_WITH.search(title)
    if found is None:
        return []
    who = title[found.end():]
    if who.split(" ", 1)[0].lower() in GROUP_WORDS:
        return []
    return _mentions(who)


def _call_mentions(sentence: str) -> list[_Mention]:
    """The persons a sentence says Vladimir Putin spoke with on the phone."""
    found: list[_Mention] = []
    for match in _CALL_WITH.finditer(sentence):
        rest = sentence[match.end():]
        # "another participant in the charity campaign, Mark Koblenev"
        apposition = re.match(r"(?:another|a|an|the) [a-z][^,]*, (?=[A-Z])", rest)
        rest = rest[apposition.end():] if apposition else rest
        end = _CLAUSE_END.search(rest)
        found.extend(_mentions(rest[: end.start()] if end else rest))
    return found


def _mentions(who: str) -> list[_Mention]:
    """Split "President of France Emmanuel Macron and Federal Chancellor of Germany Olaf Scholz" into
    persons; a piece without a name ("Crown Prince of Abu Dhabi and ...") belongs to the next one."""
    pieces = re.split(r"(,\s*(?:and\s+)?|\s+and\s+)", who.strip().rstrip("."))
    found: list[_Mention] = []
    pending = ""
    for index in range(0, len(pieces), 2):
        piece = pending + pieces[index]
        mention = _mention(piece)
        if mention is None:
            pending = piece + (pieces[index + 1] if index + 1 < len(pieces) else "")
            continue
        pending = ""
        found.append(mention)
    return found


def _mention(piece: str) -> _Mention | None:
    """One person: office words and country names first, then the name, maybe "of <country>" after."""
    words = piece.split()
    start = _office_end(piece)
    name_words: list[str] = []
    trailing = ""
    for position, word in enumerate(words[start:], start):
        if name_words and word == "of" and country_code(" ".join(words[position + 1:])):
            trailing = " " + " ".join(words[position:])  # "King Hamad bin Isa Al Khalifa of Bahrain"
            break
        if not name_words and not word[:1].isupper():
            continue  # "14-year-old"
        if name_words and not (word[:1].isupper() or word.split("-")[0].lower() in NAME_PARTICLES):
            break
        name_words.append(word.rstrip(","))
    name = " ".join(name_words)
    if not name or country_code(name) or all(w in OFFICE_WORDS for w in name_words):
        return None
    office = (" ".join(words[:start]).rstrip(", ") + trailing).strip() or None
    return _Mention(name, office, _office_country(office))


def _office_end(piece: str) -> int:
    """How many leading words of ``piece`` are its office (office words, countries, adjectives)."""
    spans = find_countries(piece)
    words = piece.split()
    position = 0
    index = 0
    while index < len(words):
        word = words[index]
        start = piece.index(word, position)
        inside = next((end for _, s, end in spans if s <= start < end), None)
        if inside is not None:
            while index < len(words) and piece.index(words[index], position) < inside:
                position = piece.index(words[index], position) + len(words[index])
                index += 1
            continue
        if not all(part in OFFICE_WORDS for part in word.rstrip(",").split("-")) and word != ",":
            break
        position = start + len(word)
        index += 1
    return index


def _office_country(office: str | None) -> str | None:
    """The country an office belongs to: its last country, or ``EU`` for EU institutions."""
    if not office:
        return None
    codes = [code for code, _, _ in find_countries(office)]
    national = [code for code in codes if code != EU]
    return national[-1] if national else (codes[-1] if codes else None)  # "" for a state without a code


def _dedup(mentions: Sequence[_Mention]) -> list[_Mention]:
    seen: set[str] = set()
    return [m for m in mentions if not (m.name in seen or seen.add(m.name))]  # type: ignore[func-returns-value]


def _same_person(a: str, b: str) -> bool:
    """Same person when the surnames (last words) agree: "Olaf Scholz" ~ "Federal Chancellor ... Scholz"."""
    return a.split()[-1].lower() == b.split()[-1].lower()


def _complete(
    mention: _Mention, context: Sequence[_Mention], sentences: Sequence[str], tagged: str | None
) -> Counterpart:
    """Fill a title's missing office or country from the lead and text, then the page's single
    Geography tag; a person nothing places abroad ("Mark Koblenev from the Moscow Region") is Russian."""
    if mention.country == "":
        return Counterpart(mention.name, mention.office, None)  # a state without an ISO code
    if mention.country is None:
        fuller = next((m for m in context if _same_person(m.name, mention.name) and m.country), None)
        if fuller is not None:
            return Counterpart(mention.name, fuller.office, fuller.country)
        surname = mention.name.split()[-1]
        around = [s for s in sentences if surname in s]
        codes = [code for s in around[:1] for code, _, _ in find_countries(s) if code not in ("RU", "")]
        country = codes[0] if codes else tagged or ("VA" if mention.office == "Pope" else "RU")
        return Counterpart(mention.name, mention.office, country)
    return Counterpart(mention.name, mention.office, mention.country)


def _with_tags(
    counterparts: list[Counterpart], persons: Sequence[str] | None, tagged: str | None
) -> list[Counterpart]:
    """Add the tagged persons ("Macron Emmanuel": surname first) that title, lead and text did not name."""
    result = list(counterparts)
    for tag in persons or ():
        words = {w.lower() for w in tag.split()}
        if any(words & {w.lower() for w in c.name.split()} for c in result):
            continue
        parts = tag.split()
        result.append(Counterpart(" ".join(parts[1:] + parts[:1]), None, tagged))
    return result


def _initiative(sentences: Sequence[str], counterparts: Sequence[Counterpart]) -> tuple[str, ...]:
    """The codes of the side that asked for the call, from the first sentence about the call saying so."""
    for sentence in sentences:
        if not _CONVERSATION.search(sentence):
            continue
        for pattern in _INITIATIVE:
            found = pattern.search(sentence)
            if found:
                codes = _side(found.group("who"), sentence[: found.start()], counterparts)
                if codes:
                    return codes
    return ()


def _side(who: str, before: str, counterparts: Sequence[Counterpart]) -> tuple[str, ...]:
    """The codes a side phrase names: "the French and German sides", "the latter", "Emmanuel Macron"."""
    who = who.strip()
    if re.fullmatch(r"(?:the\s+)?(?:latter|former)", who):
        named = [c for c in counterparts if c.name.split()[-1] in before] or list(counterparts)
        chosen = named[0] if who.endswith("former") else named[-1]
        return (chosen.country,) if chosen.country else ()
    codes = [code for code, _, _ in find_countries(who) if code]
    if not codes:
        codes = [c.country for c in counterparts if c.country and _same_person(c.name, who)]
    if not codes:
        codes = [c.country for c in counterparts if c.country and c.office and who.split()[-1] in c.office]
    return tuple(dict.fromkeys(codes))
