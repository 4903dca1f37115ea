"""What kind of item a title (and lead) describes: a phone call, a decree, a meeting, …

kremlin.ru has no tag or section for phone calls (the project's main interest), nor for most other
kinds: only the wording of the title says what an item is, and for calls the lead often says it
too («30 декабря состоялся телефонный разговор Владимира Путина с …»). The wordings are kept in one
table so that a new phrasing the site starts to use is a one-line change.

Matching is case-insensitive, with ё folded to е and \\xa0 to a space, because the site writes both
«Телефонный разговор» and «телефонный разговор», «Поздравление» and «поздравление», and uses ё
inconsistently. Order matters: the first matching row wins, title rows before lead rows, so that a
title that names the kind («Meeting with …») is not overridden by a lead that mentions a call.
"""

from __future__ import annotations

import re

#: (kind, where, pattern): `where` is "title" or "lead"; patterns are written lower case with е for ё.
PATTERNS: tuple[tuple[str, str, str], ...] = (
    # Phone calls.
    ("call", "title", r"^телефонн(?:ый|ые) разговор"),
    ("call", "title", r"\bпоговорил[аи]? по телефону\b"),
    ("call", "title", r"\bпровел[аи]? телефонн\w* разговор"),
    ("call", "title", r"^(?:tele)?phone (?:conversation|call)s?\b"),
    ("call", "title", r"\bhad (?:a |an )?(?:tele)?phone (?:conversation|call)s?\b"),
    ("call", "title", r"\bheld (?:a |an )?(?:tele)?phone (?:conversation|call)s?\b"),
    ("call", "title", r"\bspoke (?:on|by) (?:the )?(?:tele)?phone\b"),
    ("call", "title", r"\btalked (?:on|by) (?:the )?(?:tele)?phone\b"),
    # Kinds the title names.
    ("decree", "title", r"^указы?\b"),
    ("decree", "title", r"^executive orders?\b"),
    ("greeting", "title", r"^(?:поздравлени[ея]|приветстви[ея]|поздравительн\w+)\b"),
    ("greeting", "title", r"^(?:greetings?|congratulations|message of (?:greetings|congratulations))\b"),
    ("interview", "title", r"^интервью\b"),
    ("interview", "title", r"^interview\b"),
    ("address", "title", r"^обращени[ея]\b"),
    ("address", "title", r"^address(?:es)?\b"),
    ("meeting", "title", r"^(?:[\w-]+ ){0,2}(?:встреч[аи]|совещани[ея]|заседани[ея])\b"),
    ("meeting", "title", r"^(?:[\w-]+ ){0,3}meetings?\b"),
    # Leads of phone-call items whose title does not say so.
    ("call", "lead", r"\bсостоял(?:ся|ись) телефонн(?:ый|ые) разговор"),
    ("call", "lead", r"\bпоговорил[аи]? по телефону\b"),
    ("call", "lead", r"\b(?:had|held) (?:a |an )?(?:tele)?phone (?:conversation|call)s?\b"),
    ("call", "lead", r"\b(?:tele)?phone (?:conversation|call)s? (?:was|were) held\b"),
    ("call", "lead", r"\bspoke (?:on|by) (?:the )?(?:tele)?phone\b"),
)

_COMPILED = tuple((kind, where, re.compile(pattern)) for kind, where, pattern in PATTERNS)
_SPACES = re.compile(r"[\s\xa0]+")


def fold(text: str) -> str:
    """Lower case, ё → е, every whitespace run → one space: the form the patterns are written in."""
    return _SPACES.sub(" ", text).strip().lower().replace("ё", "е")


def classify(title: str, lead: str | None) -> str:
    """The item's kind (one of `KINDS`) from its title and, where known, its lead; "news" otherwise."""
    texts = {"title": fold(title), "lead": fold(lead) if lead else ""}
    for kind, where, pattern in _COMPILED:
        if texts[where] and pattern.search(texts[where]):
            return kind
    return "news"
