"""The page of phone calls, ``/calls``: filters, the table of calls, and a chart of calls per month.

Like the search page it reads its fields as text (the form sends empty fields as empty strings) and
shows what is wrong with them above the table, with status 422. The chart counts every call the
filters let through, the table shows them a page at a time, newest first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse

from calls.codes import country_label, country_name
from calls.filters import INITIATIVES, CallFilterError, call_filter
from calls.ledger import StoredCall, load_calls
from calls.months import MonthCount, calls_per_month
from web import present
from web.chart import PALETTE, Bar, Series, stacked_bars_svg
from web.context import WebContext, get_context
from web.pages import form_day, render

PER_PAGE = 50
#: Countries the chart colours one by one; the rest share one grey segment.
CHART_COUNTRIES = 8
_OTHER = "other"
_UNREAD = "unread"
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

router = APIRouter(include_in_schema=False)


@dataclass
class CallsForm:
    """The filter form's fields as typed, and what is wrong with them."""

    country: str = ""
    counterpart: str = ""
    initiated_by: str = ""
    since: str = ""
    until: str = ""
    lang: str = ""
    page: int = 1
    errors: list[str] = field(default_factory=list)

    def url(self, page: int) -> str:
        """These filters' address at another page (empty fields left out)."""
        fields = {
            "country": self.country,
            "counterpart": self.counterpart,
            "initiated_by": self.initiated_by,
            "since": self.since,
            "until": self.until,
            "lang": self.lang,
        }
        return present.page_address("/calls", fields, page)


def calls_form(
    country: str = "",
    counterpart: str = "",
    initiated_by: str = "",
    since: str = "",
    until: str = "",
    lang: str = "",
    page: str = "1",
) -> CallsForm:
    """FastAPI dependency: the form's fields, trimmed; a page that is not a number is page 1."""
    number = int(page) if page.strip().isdigit() else 1
    return CallsForm(
        country=country.strip()[:20],
        counterpart=counterpart.strip()[:200],
        initiated_by=initiated_by.strip()[:20],
        since=since.strip(),
        until=until.strip(),
        lang=lang.strip(),
        page=max(1, min(number, 50_000)),
    )


@router.get("/calls", response_class=HTMLResponse)
def calls_page(
    form: Annotated[CallsForm, Depends(calls_form)],
    context: Annotated[WebContext, Depends(get_context)],
) -> HTMLResponse:
    """The calls that pass the filters, newest first, and the chart of them per month."""
    since = form_day("since", form.since, form.errors)
    until = form_day("until", form.until, form.errors)
    page: dict[str, Any] = {"form": form, "calls": None}
    page.update(initiatives=INITIATIVES, initiative=initiative_text, english=english_version)
    try:
        wanted = call_filter(form.country, form.counterpart, form.initiated_by, since, until, form.lang)
    except CallFilterError as error:
        form.errors.extend(f"{problem}." for problem in error.problems)
    if form.errors:
        return render(context, "calls.html", page, 422)
    calls = load_calls(context.engine, wanted, context.lemmatizer)
    first = (form.page - 1) * PER_PAGE
    shown = calls[first : first + PER_PAGE]
    page.update(
        calls=shown,
        total=len(calls),
        first_shown=first + 1,
        links=present.page_links(len(calls), form.page, PER_PAGE),
        last_page=present.last_page(len(calls), PER_PAGE),
        chart=calls_chart(calls_per_month(calls)) if calls else None,
        feed=call_feed_path(wanted.country, wanted.lang),
        feed_country=wanted.country,
    )
    return render(context, "calls.html", page, 200)


def english_version(call: StoredCall) -> dict[str, str | None]:
    """``en_title``, ``en_url``: the call's English version as the ledger names it (the call's own when
    it is listed in English), null while the archive has none; `/api/calls` always carries both."""
    # getattr: calls.ledger.StoredCall gains en_title/en_url with the ledger's language versions.
    url = getattr(call, "en_url", None)
    return {"en_title": getattr(call, "en_title", None) if url else None, "en_url": url}


def call_feed_path(country: str | None, lang: str | None) -> str:
    """The Atom feed of the calls a page shows: with ``country`` its own feed; ``lang`` carried along."""
    path = f"/feeds/calls/{country}.atom" if country else "/feeds/calls.atom"
    return f"{path}?{urlencode({'lang': lang})}" if lang else path


def initiative_text(call: StoredCall) -> str:
    """Who asked for the call, as the table says it."""
    if not call.initiated_by:
        return "not stated"
    return ", ".join(country_name(code) for code in call.initiated_by)


def calls_chart(months: Sequence[MonthCount]) -> str:
    """The SVG chart of calls per month, stacked by country (see `calls.months`)."""
    totals: Counter[str | None] = Counter()
    for month in months:
        totals.update(dict(month.by_country))
    ranked = sorted(totals, key=lambda code: (-totals[code], code or "~"))
    shown = ranked if len(ranked) <= CHART_COUNTRIES + 1 else ranked[:CHART_COUNTRIES]
    series = [_series(code, index) for index, code in enumerate(shown)]
    if len(shown) < len(ranked):
        series.append(Series(_OTHER, "other countries", PALETTE[-1]))
    bars = [_month_bar(month, set(shown)) for month in months]
    span = f"{_month_name(months[0].month)} to {_month_name(months[-1].month)}"
    calls = sum(month.calls for month in months)
    description = (
        f"{calls} {'call' if calls == 1 else 'calls'} from {span}, one bar per month, one coloured part "
        "per counterpart country; a call with several countries counts for each of them."
    )
    return stacked_bars_svg("Calls per month by country", description, bars, series)


def _series(code: str | None, index: int) -> Series:
    if code is None:
        return Series(_UNREAD, "country not read", PALETTE[-1])
    return Series(code, country_label(code), PALETTE[index % (len(PALETTE) - 1)])


def _month_bar(month: MonthCount, shown: set[str | None]) -> Bar:
    segments: list[tuple[str, int]] = []
    other = 0
    for code, count in month.by_country:
        if code not in shown:
            other += count
        else:
            segments.append((code or _UNREAD, count))
    if other:
        segments.append((_OTHER, other))
    parts = ", ".join(f"{country_name(code)} {count}" for code, count in month.by_country)
    noun = "call" if month.calls == 1 else "calls"
    title = f"{_month_name(month.month)}: {month.calls} {noun}" + (f" ({parts})" if parts else "")
    return Bar(month.month, title, tuple(segments), month.calls)


def _month_name(month: str) -> str:
    """``2022-02`` → ``February 2022``."""
    year, number = month.split("-")
    return f"{_MONTHS[int(number) - 1]} {year}"
