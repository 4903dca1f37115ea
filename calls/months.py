"""Calls per Moscow month and country: what the chart of ``/calls`` draws.

A call is counted once in its month's total and once for each of its countries, so a call with
France and Germany adds one to each country and one to the month; a call whose country could not be
read counts under None. Months without a call between the first and the last are kept (with no
calls): a gap in the talks is part of the picture.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from archive.vocabulary import moscow_date
from calls.ledger import StoredCall


@dataclass(frozen=True)
class MonthCount:
    """One Moscow month: how many calls, and how many per counterpart country."""

    #: ``YYYY-MM``.
    month: str
    calls: int
    #: ``(country, calls)``, most calls first, then by code; None is a call with no country read.
    by_country: tuple[tuple[str | None, int], ...]


def calls_per_month(calls: Iterable[StoredCall]) -> list[MonthCount]:
    """Every month from the first call's to the last call's, oldest first (calls without a time are
    left out: they belong to no month)."""
    totals: Counter[tuple[int, int]] = Counter()
    countries: dict[tuple[int, int], Counter[str | None]] = {}
    for call in calls:
        if call.published_at is None:
            continue
        day = moscow_date(call.published_at)
        key = (day.year, day.month)
        totals[key] += 1
        countries.setdefault(key, Counter()).update(call.countries or (None,))
    if not totals:
        return []
    months = []
    year, month = min(totals)
    while (year, month) <= max(totals):
        counted = countries.get((year, month), Counter())
        ordered = sorted(counted.items(), key=lambda pair: (-pair[1], pair[0] or "~"))
        months.append(MonthCount(f"{year:04d}-{month:02d}", totals[(year, month)], tuple(ordered)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months
