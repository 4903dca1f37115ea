"""The country codes a call record uses: ISO 3166-1 alpha-2 from pycountry, plus ``EU``.

Commands and filters check what a user typed here, so a typo («--country FRA», «--country XX») is a
one-line error naming the code instead of an empty answer that looks like "no calls".
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import pycountry

#: Codes the call record uses that ISO 3166-1 does not assign to a country.
EXTRA_CODES: Mapping[str, str] = MappingProxyType({"EU": "European Union"})


def country_name(code: str) -> str | None:
    """The English name of a call-record country code (any case), or None when it is not one."""
    wanted = code.strip().upper()
    if wanted in EXTRA_CODES:
        return EXTRA_CODES[wanted]
    if len(wanted) != 2 or not wanted.isalpha():
        return None
    country = pycountry.countries.get(alpha_2=wanted)
    return None if country is None else str(getattr(country, "common_name", country.name))


def country_problem(code: str) -> str | None:
    """What is wrong with a country code a user gave, or None."""
    if country_name(code) is None:
        return f"unknown country code {code!r} (expected ISO 3166-1 alpha-2 such as FR, or EU)"
    return None
