"""Country codes as the call ledger, the command line, the web pages, the API and the feeds accept and
show them.

The codes are ISO 3166-1 alpha-2 from pycountry (a maintained copy of the standard, not a hand
list), plus the two the call records add: ``EU`` for the institutions of the European Union and
``RU`` for a Russian counterpart, which people read as "Russia" rather than the standard's
"Russian Federation".
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import pycountry

#: Codes outside ISO 3166-1, or whose standard name is not what a reader expects.
_OWN_NAMES: Mapping[str, str] = MappingProxyType({"EU": "European Union", "RU": "Russia"})


def normalized_code(text: str) -> str:
    """``" fr "`` → ``"FR"``: how a person may type a code, as the records store it."""
    return text.strip().upper()


def is_country_code(code: str) -> bool:
    """Whether ``code`` (already `normalized_code`) names a country a call can be with."""
    if code in _OWN_NAMES:
        return True
    return len(code) == 2 and code.isalpha() and pycountry.countries.get(alpha_2=code) is not None


def country_name(code: str | None) -> str:
    """``FR`` → ``France``; the code itself when no name is known, "country not read" for None."""
    if not code:
        return "country not read"
    if code in _OWN_NAMES:
        return _OWN_NAMES[code]
    country = pycountry.countries.get(alpha_2=code) if len(code) == 2 else None
    if country is None:
        return code
    return str(getattr(country, "common_name", None) or country.name)


def country_label(code: str | None) -> str:
    """``France (FR)``: the name and the code, or just the code when no name is known."""
    name = country_name(code)
    return name if code is None or name == code else f"{name} ({code})"


def code_problem(field: str, text: str) -> str | None:
    """What is wrong with a typed country code, or None."""
    code = normalized_code(text)
    if is_country_code(code):
        return None
    return f"{field}: {text.strip()!r} is not a country code (ISO 3166 alpha-2 such as FR, or EU, RU)"
