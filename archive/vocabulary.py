"""The item vocabulary every layer shares: the kinds of items, and the Moscow clock items are dated by.

The archive is the floor every other package stands on, so the words it stores (``Item.kind``) and the
calendar its filters use (Moscow days) are defined here once: the crawler's classifier, the rules'
filters, the web pages and the API all take them from this module.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from types import MappingProxyType
from zoneinfo import ZoneInfo

#: The site's own clock: every date on kremlin.ru is Moscow wall-clock time.
MOSCOW = ZoneInfo("Europe/Moscow")

#: The kind the project exists for: a telephone conversation of the President (it has a call record).
CALL = "call"
#: Item kinds, as stored in ``Item.kind`` (from the wording of titles and leads: `crawler.kinds`).
KINDS = (CALL, "decree", "meeting", "greeting", "interview", "address", "news")

#: The site's two editions, as stored in ``Item.lang``.
LANGS = ("ru", "en")

#: The largest item id a filter or an address may name: the site's ids are small, and a larger
#: number cannot be a stored id (nor fit the databases' 64-bit integers).
ITEM_ID_MAX = 2**62

#: What people read for each kind (the codes are English words already; a call is a phone call).
KIND_LABELS: Mapping[str, str] = MappingProxyType({kind: kind for kind in KINDS} | {CALL: "phone call"})


def moscow_date(moment: datetime) -> date:
    """The Moscow calendar day of an aware time (what ``--since`` and ``until`` mean)."""
    return moment.astimezone(MOSCOW).date()


def moscow_day_start(day: date) -> datetime:
    """The first instant of a Moscow calendar day, as an aware time."""
    return datetime.combine(day, time(0), tzinfo=MOSCOW)


def moscow_clock(moment: datetime | str | None) -> str:
    """``31.12.2021 02:20``: an aware time (or its ISO 8601 text) as the site's clock shows it; empty
    when there is none. For a page that says "Moscow time" once."""
    if not moment:
        return ""
    value = moment if isinstance(moment, datetime) else datetime.fromisoformat(moment)
    return value.astimezone(MOSCOW).strftime("%d.%m.%Y %H:%M")


def moscow_stamp(moment: datetime | str | None) -> str:
    """``31.12.2021 02:20 (Moscow)``, or ``time unknown``: for a line that stands alone (a message,
    a terminal), where the reader's own clock would otherwise be assumed."""
    clock = moscow_clock(moment)
    return f"{clock} (Moscow)" if clock else "time unknown"


def period_problem(since: date | None, until: date | None) -> str | None:
    """What is wrong with a range of Moscow days, or None. A range that ends before it starts is a
    mistake worth saying, not an empty answer."""
    if since is not None and until is not None and since > until:
        return f"since ({since}) is after until ({until})"
    return None


def lang_problem(lang: str) -> str | None:
    """What is wrong with a language filter, or None: only the site's editions (`LANGS`) exist, and a
    filter naming another would quietly find nothing."""
    if lang not in LANGS:
        return f"{lang!r} is not a language of the archive ({', '.join(LANGS)})"
    return None


def kind_problem(kind: str) -> str | None:
    """What is wrong with a kind filter, or None: only `KINDS` are stored, and a filter naming
    another (``phonecall``) would quietly find nothing."""
    if kind not in KINDS:
        return f"{kind!r} is not a kind of item ({', '.join(KINDS)})"
    return None


def item_id_problem(item_id: int) -> str | None:
    """What is wrong with an item id, or None: ids are whole numbers from 0 to `ITEM_ID_MAX`."""
    if not 0 <= item_id <= ITEM_ID_MAX:
        return f"{item_id} is not an item id (0 to {ITEM_ID_MAX})"
    return None
