"""The call ledger: one archived row per call item, and the questions people ask of it.

"Every call with a NATO country", "calls the other side asked for", "how often did he speak to
Erdogan this year": a `CallFilter` says which calls, `load_calls` reads them newest first. There are
a few hundred calls a year, so filtering happens here in Python, identically on every backend.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Engine, select
from sqlmodel import Session

from archive.models import CallEntry, Item
from archive.vocabulary import moscow_day_start
from calls.record import Counterpart
from query.morphology import Lemmatizer
from query.words import tokenize

#: `CallFilter.initiated_by` values that are not a country code.
FOREIGN = "foreign"
RUSSIA = "russia"


@dataclass(frozen=True)
class StoredCall:
    """A call item with its record, as the ledger, the API and the pages show it."""

    id: int
    url: str
    lang: str
    published_at: datetime | None
    title: str
    counterparts: tuple[Counterpart, ...]
    countries: tuple[str, ...]
    initiated_by: tuple[str, ...]
    readable: bool

    def to_json(self) -> dict[str, object]:
        """``id, url, lang, published_at, title, counterparts, countries, initiated_by``."""
        return {
            "id": self.id,
            "url": self.url,
            "lang": self.lang,
            "published_at": self.published_at.isoformat() if self.published_at else None,
            "title": self.title,
            "counterparts": [c.to_json() for c in self.counterparts],
            "countries": list(self.countries),
            "initiated_by": list(self.initiated_by),
        }


@dataclass(frozen=True)
class CallFilter:
    """Which calls: every given condition must hold (None: any)."""

    #: ISO alpha-2 (or ``EU``/``RU``): a counterpart from that country.
    country: str | None = None
    #: A name in any form and either language («Макроном», "Macron"): a counterpart so named.
    counterpart: str | None = None
    #: A country code, `FOREIGN` (the other side asked) or `RUSSIA` (the Russian side asked).
    initiated_by: str | None = None
    since: date | None = None
    until: date | None = None
    lang: str | None = None


def load_calls(engine: Engine, wanted: CallFilter, lemmatizer: Lemmatizer | None = None) -> list[StoredCall]:
    """Calls that pass ``wanted``, newest first. ``lemmatizer`` (made when needed) compares names."""
    statement = select(Item, CallEntry).join(CallEntry, CallEntry.item_id == Item.id)  # type: ignore[arg-type]
    if wanted.since is not None:
        statement = statement.where(Item.published_at >= moscow_day_start(wanted.since))  # type: ignore[operator]
    if wanted.until is not None:
        statement = statement.where(
            Item.published_at < moscow_day_start(wanted.until + timedelta(days=1))  # type: ignore[operator]
        )
    if wanted.lang is not None:
        statement = statement.where(Item.lang == wanted.lang)
    statement = statement.order_by(Item.published_at.desc(), Item.id.desc())  # type: ignore[union-attr]
    with Session(engine) as session:
        rows = session.exec(statement).all()  # type: ignore[call-overload]
        found = [_stored(item, entry) for item, entry in rows]
    if not wanted.counterpart:
        return [call for call in found if _passes(call, wanted, None, None)]
    morph = lemmatizer or Lemmatizer()
    names = [morph.lemmas(token.surface) for token in tokenize(wanted.counterpart)]
    return [call for call in found if _passes(call, wanted, names, morph)]


def _stored(item: Item, entry: CallEntry) -> StoredCall:
    return StoredCall(
        id=item.id,
        url=item.url,
        lang=item.lang,
        published_at=item.published_at,
        title=item.title,
        counterparts=tuple(Counterpart.from_json(c) for c in entry.counterparts),
        countries=tuple(entry.countries),
        initiated_by=tuple(entry.initiated_by),
        readable=entry.readable,
    )


def names_match(wanted: Sequence[frozenset[str]], name: str, lemmatizer: Lemmatizer) -> bool:
    """True when every wanted word shares a lemma with some word of ``name`` («Макроном» ~ «Эммануэль
    Макрон»)."""
    words = [lemmatizer.lemmas(token.surface) for token in tokenize(name)]
    return all(any(not lemmas.isdisjoint(word) for word in words) for lemmas in wanted)


def _passes(
    call: StoredCall,
    wanted: CallFilter,
    names: list[frozenset[str]] | None,
    lemmatizer: Lemmatizer | None,
) -> bool:
    """Whether ``call`` passes ``wanted``; ``names`` are the lemmas of ``wanted.counterpart``."""
    if wanted.country is not None and wanted.country.upper() not in call.countries:
        return False
    if wanted.initiated_by is not None and not initiative_matches(call, wanted.initiated_by):
        return False
    if names is not None and lemmatizer is not None:
        return any(names_match(names, c.name, lemmatizer) for c in call.counterparts)
    return True


def initiative_matches(call: StoredCall, initiated_by: str) -> bool:
    """`CallFilter.initiated_by` against a call: a code, `FOREIGN` or `RUSSIA`."""
    if initiated_by == FOREIGN:
        return any(code != "RU" for code in call.initiated_by)
    if initiated_by == RUSSIA:
        return "RU" in call.initiated_by
    return initiated_by.upper() in call.initiated_by
