"""Moscow wall-clock times as the site shows them, turned into aware UTC datetimes.

kremlin.ru never states an offset on its pages: «30 июня 2025 года» and «17:25» are Moscow
wall-clock time. Its Atom feeds label the same wall-clock time "+04:00", a leftover from Moscow's
2011–2014 offset that the site never updated (``2020-08-27T15:20:00+04:00`` was published at 15:20
Moscow time, 12:20 UTC). The only rule that gives right answers across the whole archive is
therefore: keep the wall-clock part, ignore any offset written beside it, and let the tz database
(``Europe/Moscow``) decide the offset that was in force on that day (UTC+3 before 2011 and since
October 2014, UTC+4 in between, with summer time before 2011). Everything is stored in UTC.
"""

from __future__ import annotations

import re
from datetime import MAXYEAR, MINYEAR, UTC, date, datetime, time

from archive.vocabulary import MOSCOW

#: Month names as they appear in dates: Russian genitive («30 июня») and nominative forms, English
#: full names and the usual abbreviations. Keys are lower case with ё folded to е.
MONTHS: dict[str, int] = {
    "января": 1, "январь": 1, "февраля": 2, "февраль": 2, "марта": 3, "март": 3,
    "апреля": 4, "апрель": 4, "мая": 5, "май": 5, "июня": 6, "июнь": 6,
    "июля": 7, "июль": 7, "августа": 8, "август": 8, "сентября": 9, "сентябрь": 9,
    "октября": 10, "октябрь": 10, "ноября": 11, "ноябрь": 11, "декабря": 12, "декабрь": 12,
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip

_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DOTTED_DATE = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b")
#: «12 августа 2026 года» / «12 August 2026»
_DAY_MONTH_YEAR = re.compile(r"\b(\d{1,2})\s+([a-zа-я]+)\.?\s+(\d{4})\b")
#: «August 18, 2020»
_MONTH_DAY_YEAR = re.compile(r"\b([a-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})\b")
_TIME_OF_DAY = re.compile(r"(?<![\d:])([01]?\d|2[0-3]):([0-5]\d)(?!\d)")


def moscow_to_utc(wall_clock: datetime) -> datetime:
    """Read a naive (or wrongly labelled) datetime as Moscow wall-clock time and return it in UTC.

    Any tzinfo on the argument is discarded on purpose: the site's offsets are not to be trusted
    (see the module docstring), its wall-clock digits are.
    """
    local = wall_clock.replace(tzinfo=None).replace(tzinfo=MOSCOW)
    return local.astimezone(UTC)


def moscow_datetime(day: date, time_of_day: time | None = None) -> datetime:
    """UTC instant of `time_of_day` Moscow time on `day`; midnight Moscow when the time is unknown."""
    return moscow_to_utc(datetime.combine(day, time_of_day or time(0, 0)))


def parse_feed_time(value: str) -> datetime:
    """Convert an Atom timestamp such as ``2020-08-27T15:20:00+04:00`` to UTC by the wall-clock rule.

    The "+04:00" is ignored and the wall-clock part is localised in Europe/Moscow, so the result is
    right both for 2020 (UTC+3: 12:20 UTC) and for 2012 (when Moscow really was UTC+4).
    """
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1]
    try:
        return moscow_to_utc(datetime.fromisoformat(text))
    except (ValueError, OverflowError) as exc:
        raise ValueError(f"not an ISO 8601 timestamp: {value!r}") from exc


def _fold(text: str) -> str:
    return text.replace("\xa0", " ").lower().replace("ё", "е")


def parse_date(text: str) -> date | None:
    """Find a calendar date in a site date text; None when there is none (or the digits name no day).

    Understands ISO dates (``2020-08-18``, the ``datetime`` attributes), ``18.08.2020`` (by-date
    addresses), «30 июня 2025 года», «12 August 2026» and «August 18, 2020».
    """
    folded = _fold(text)
    if m := _ISO_DATE.search(folded):
        return _calendar_date(m[1], m[2], m[3])
    if m := _DOTTED_DATE.search(folded):
        return _calendar_date(m[3], m[2], m[1])
    if (m := _DAY_MONTH_YEAR.search(folded)) and m[2] in MONTHS:
        return _calendar_date(m[3], MONTHS[m[2]], m[1])
    if (m := _MONTH_DAY_YEAR.search(folded)) and m[1] in MONTHS:
        return _calendar_date(m[3], MONTHS[m[1]], m[2])
    return None


def _calendar_date(year: str, month: str | int, day: str) -> date | None:
    """The date the digits name, None when they name none («31.02.2020», «2020-13-01»). The first
    and last years of the calendar are left out too: moving them to UTC would leave it."""
    try:
        found = date(int(year), int(month), int(day))
    except ValueError:
        return None
    return found if MINYEAR < found.year < MAXYEAR else None


def parse_time_of_day(text: str) -> time | None:
    """Find a time of day («17:25», «14:40») in a site text; None when there is none."""
    if m := _TIME_OF_DAY.search(_fold(text)):
        return time(int(m[1]), int(m[2]))
    return None


def parse_site_datetime(text: str, time_text: str | None = None, day: str | None = None) -> datetime | None:
    """UTC instant of a date as the pages show it, None when no date can be found.

    `text` is the visible date («12 августа 2026 года, 16:30», «August 18, 2020, 14:40» or just
    «30 июня 2025 года»); `time_text` is a separately shown time of day («17:25», article pages);
    `day` is a machine-readable date (a ``datetime`` attribute) that wins over the date in `text`
    because it does not depend on the language. The time of day comes from `time_text`, else from
    `text`; when neither has one the item is dated 00:00 Moscow.
    """
    parsed_day = (parse_date(day) if day else None) or parse_date(text)
    if parsed_day is None:
        return None
    time_of_day = parse_time_of_day(time_text) if time_text else None
    if time_of_day is None:
        time_of_day = parse_time_of_day(text)
    return moscow_datetime(parsed_day, time_of_day)
