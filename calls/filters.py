"""Call filters as people type them, checked once for every door: the `calls` command, ``/calls`` and
``/api/calls``.

The page receives text (an empty field is an empty string), the API typed values and the command
line options, but what is wrong with a country code, an initiative or a range of days must read the
same everywhere, so all of them build their `calls.ledger.CallFilter` here.
"""

from __future__ import annotations

from datetime import date

from archive.vocabulary import lang_problem, period_problem
from calls.codes import INITIATIVES, code_problem, initiative_problem, normalized_code
from calls.ledger import CallFilter


class CallFilterError(ValueError):
    """A filter that cannot be applied; the message has one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _named(field: str, problem: str | None) -> str | None:
    return None if problem is None else f"{field}: {problem}"


def call_filter(
    country: str = "",
    counterpart: str = "",
    initiated_by: str = "",
    since: date | None = None,
    until: date | None = None,
    lang: str = "",
) -> CallFilter:
    """The filter the fields ask for (empty: any); `CallFilterError` names every wrong field."""
    problems = []
    if country.strip():
        problems.append(_named("country", code_problem(country)))
    initiative = initiated_by.strip()
    if initiative.lower() in INITIATIVES:
        initiative = initiative.lower()
    elif initiative:
        problems.append(_named("initiated_by", initiative_problem(initiative)))
        initiative = normalized_code(initiative)
    problems.append(period_problem(since, until))
    if lang.strip():
        problems.append(_named("lang", lang_problem(lang.strip())))
    found = [problem for problem in problems if problem is not None]
    if found:
        raise CallFilterError(found)
    return CallFilter(
        country=normalized_code(country) or None,
        counterpart=counterpart.strip() or None,
        initiated_by=initiative or None,
        since=since,
        until=until,
        lang=lang.strip() or None,
    )
