"""Country codes as call records hold them, and as every door accepts and shows them.

The codes are ISO 3166-1 alpha-2 from pycountry (a maintained copy of the standard, not a hand list),
plus ``EU`` for the institutions of the European Union; ``RU`` (a Russian counterpart) reads as
"Russia" rather than the standard's "Russian Federation". The `calls` command, the rules file, the
query scopes ``country:`` / ``initiated_by:``, the web pages, the API and the feeds all check what a
person typed here, so a typo («FRA», «UK») is one line naming it instead of an empty answer that looks
like "no calls".
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import pycountry

from query.document import FOREIGN, RUSSIA
from query.syntax import Query, QuerySyntaxError, parse_query

#: Codes outside ISO 3166-1, or whose standard name is not what a reader expects.
_OWN_NAMES: Mapping[str, str] = MappingProxyType({"EU": "European Union", "RU": "Russia"})
#: What ``initiated_by`` accepts besides a country code.
INITIATIVES = (FOREIGN, RUSSIA)


def normalized_code(text: str) -> str:
    """``" fr "`` → ``"FR"``: how a person may type a code, as the records store it."""
    return text.strip().upper()


def is_country_code(code: str) -> bool:
    """Whether ``code`` (any case, spaces around allowed) names a country a call can be with."""
    code = normalized_code(code)
    if code in _OWN_NAMES:
        return True
    return len(code) == 2 and code.isalpha() and pycountry.countries.get(alpha_2=code) is not None


def country_name(code: str | None) -> str:
    """``FR`` → ``France``, ``KR`` → ``South Korea``; the code itself when no name is known, "country
    not read" for None."""
    if not code:
        return "country not read"
    code = normalized_code(code)
    if code in _OWN_NAMES:
        return _OWN_NAMES[code]
    country = pycountry.countries.get(alpha_2=code) if len(code) == 2 and code.isalpha() else None
    if country is None:
        return code
    return str(getattr(country, "common_name", None) or country.name)


def country_label(code: str | None) -> str:
    """``France (FR)``: the name and the code, or just the code when no name is known."""
    name = country_name(code)
    return name if code is None or name == code else f"{name} ({code})"


def code_problem(value: str) -> str | None:
    """Why ``value`` is not a country code a call record can hold, or None."""
    if is_country_code(value):
        return None
    return f"unknown country code {value.strip()!r} (ISO 3166 alpha-2 such as FR, or EU, RU)"


def initiative_problem(value: str) -> str | None:
    """Why ``value`` cannot say who asked for a call (a code, ``foreign`` or ``russia``), or None."""
    if value.strip().lower() in INITIATIVES or is_country_code(value):
        return None
    return f"unknown initiative {value.strip()!r} (a country code such as FR, or {FOREIGN} or {RUSSIA})"


def parse_call_query(text: str) -> Query:
    """`query.syntax.parse_query`, and a ``country:`` or ``initiated_by:`` word no call can have is a
    `QuerySyntaxError` at its column too, like any other mistake in a query (rules, `rules test` and
    search all parse this way)."""
    query = parse_query(text)
    checks = {"country": code_problem, "initiated_by": initiative_problem}
    for term in query.terms():
        check = checks.get(term.field or "")
        if check is None:
            continue
        for part in term.parts:
            problem = None if part.prefix else check(part.text)
            if problem is not None:
                where = f"{term.field}:{term.source} at column {term.column}"
                raise QuerySyntaxError(f"{where}: {problem}", term.column)
    return query
