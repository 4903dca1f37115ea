"""Dates and times written the way kremlin.ru writes them.

The site shows Moscow wall-clock time with no offset («30 июня 2025 года», «17:25»; «August 18,
2020, 14:40»), puts only the DATE into ``datetime`` attributes of pages, and labels the same
wall-clock time "+04:00" in its Atom feeds (a leftover of Moscow's 2011–2014 offset). The replica
must reproduce all three quirks, because the crawler's time handling is tested against them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from email.utils import format_datetime
from zoneinfo import ZoneInfo

MOSCOW = ZoneInfo("Europe/Moscow")

RU_MONTHS_GENITIVE = (
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
)  # fmt: skip
RU_MONTHS = (
    "Январь", "Февраль", "Март", "Апрель", "Май", "Июнь",
    "Июль", "Август", "Сентябрь", "Октябрь", "Ноябрь", "Декабрь",
)  # fmt: skip
EN_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
RU_WEEKDAYS = ("понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье")
EN_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

#: The offset the feeds write after Moscow wall-clock time, whatever the real offset was.
FEED_OFFSET_LABEL = "+04:00"


def moscow(moment: datetime) -> datetime:
    """`moment` on the Moscow wall clock (the only clock the site shows)."""
    return moment.astimezone(MOSCOW)


def moscow_date(moment: datetime) -> date:
    """The Moscow calendar day of `moment`: what decides the day headers and by-date pages."""
    return moscow(moment).date()


def date_text(moment: datetime | date, lang: str) -> str:
    """«30 июня 2025 года» / «August 18, 2020», as in ``time.read__published``."""
    day = moscow(moment).date() if isinstance(moment, datetime) else moment
    if lang == "ru":
        return f"{day.day} {RU_MONTHS_GENITIVE[day.month - 1]} {day.year} года"
    return f"{EN_MONTHS[day.month - 1]} {day.day}, {day.year}"


def clock_text(moment: datetime) -> str:
    """«17:25», as in ``div.read__time``."""
    return moscow(moment).strftime("%H:%M")


def date_time_text(moment: datetime, lang: str) -> str:
    """«12 августа 2026 года, 16:30» / «August 18, 2020, 14:40», as in list items and status blocks."""
    return f"{date_text(moment, lang)}, {clock_text(moment)}"


def day_header_text(day: date, lang: str) -> str:
    """«18 августа, вторник» / «August 18, Tuesday», the text of a list page's day header."""
    if lang == "ru":
        return f"{day.day} {RU_MONTHS_GENITIVE[day.month - 1]}, {RU_WEEKDAYS[day.weekday()]}"
    return f"{EN_MONTHS[day.month - 1]} {day.day}, {EN_WEEKDAYS[day.weekday()]}"


def month_text(day: date, lang: str) -> str:
    """«Ноябрь, 2026» / «August, 2020», the label of a list page's calendar button."""
    names = RU_MONTHS if lang == "ru" else EN_MONTHS
    return f"{names[day.month - 1]}, {day.year}"


def iso_date(moment: datetime | date) -> str:
    """``2020-08-18``: the only thing the site puts into ``datetime`` attributes of its pages."""
    day = moscow(moment).date() if isinstance(moment, datetime) else moment
    return day.isoformat()


def dotted_date(day: date) -> str:
    """``18.08.2020``, the form used in by-date addresses."""
    return day.strftime("%d.%m.%Y")


def feed_stamp(moment: datetime) -> str:
    """``2020-08-27T15:20:00+04:00``: Moscow wall-clock time with the feed's literal "+04:00"."""
    return moscow(moment).strftime("%Y-%m-%dT%H:%M:%S") + FEED_OFFSET_LABEL


def http_date(moment: datetime) -> str:
    """RFC 9110 date (``Tue, 18 Aug 2020 11:40:00 GMT``) for Last-Modified headers."""
    return format_datetime(moment.astimezone(UTC).replace(microsecond=0), usegmt=True)
