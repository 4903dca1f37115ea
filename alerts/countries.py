"""Country codes as rules and messages use them: ISO 3166-1 alpha-2 from pycountry, plus ``EU``.

A call record names countries by code (`calls.record`); a rule's ``countries = ["FR"]`` and the
scope ``country:FR`` must name a code the records can hold, so `rules check` rejects the others
(``FRA``, ``UK``) instead of letting the rule stay silent forever.
"""

from __future__ import annotations

from types import MappingProxyType

import pycountry

from query.document import FOREIGN, RUSSIA
from query.syntax import Query

#: Codes beyond ISO 3166-1, and the names messages use where pycountry's reads badly in a sentence.
_NAMES = MappingProxyType({"EU": "European Union", "RU": "Russia"})


def known_code(code: str) -> bool:
    """Whether ``code`` (any case) is an ISO 3166-1 alpha-2 code, or ``EU``."""
    code = code.upper()
    return code in _NAMES or (len(code) == 2 and pycountry.countries.get(alpha_2=code) is not None)


def country_name(code: str) -> str:
    """The short English name («FR» → "France", «KR» → "South Korea"); the code itself when unknown."""
    code = code.upper()
    if code in _NAMES:
        return _NAMES[code]
    country = pycountry.countries.get(alpha_2=code) if len(code) == 2 else None
    if country is None:
        return code
    return str(getattr(country, "common_name", None) or country.name)


def initiative_problem(value: str) -> str | None:
    """Why ``value`` cannot be an ``initiated_by`` value (a code, ``foreign`` or ``russia``), or None."""
    if value.lower() in (FOREIGN, RUSSIA) or known_code(value):
        return None
    return f"unknown initiative {value!r} (a country code such as FR, or {FOREIGN} or {RUSSIA})"


def code_problem(value: str) -> str | None:
    """Why ``value`` is not a country code a call record can hold, or None."""
    if known_code(value):
        return None
    return f"unknown country code {value!r} (ISO 3166 alpha-2 such as FR or US, or EU)"


def call_scope_problem(query: Query) -> str | None:
    """The first ``country:`` or ``initiated_by:`` word of ``query`` that no call can have, or None."""
    checks = {"country": code_problem, "initiated_by": initiative_problem}
    for term in query.terms():
        check = checks.get(term.field or "")
        if check is None:
            continue
        for part in term.parts:
            problem = None if part.prefix else check(part.text)
            if problem is not None:
                return f"{term.field}:{term.source} at column {term.column}: {problem}"
    return None
