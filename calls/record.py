"""The call record: counterparts (name, office, country), their countries, and who asked for the call.

Countries are ISO 3166-1 alpha-2 codes (``FR``), plus ``EU`` for the institutions of the European
Union and ``RU`` for a Russian counterpart (a governor, a commander, a citizen).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Counterpart:
    """One person on the other end of the line."""

    #: In the nominative, as a person would write it: «Эммануэль Макрон», "Emmanuel Macron".
    name: str
    #: As the page writes it: «Президент Франции», "Federal Chancellor of Germany"; None when unstated.
    office: str | None
    #: ISO 3166-1 alpha-2, ``EU`` or ``RU``; None when the page does not say.
    country: str | None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "office": self.office, "country": self.country}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Counterpart:
        return cls(str(data["name"]), data.get("office"), data.get("country"))


@dataclass(frozen=True)
class CallRecord:
    """What an item of kind ``call`` says about the call."""

    counterparts: tuple[Counterpart, ...] = ()
    #: The codes of the side that asked for the call, as the page states it; empty when it does not.
    initiated_by: tuple[str, ...] = ()

    @property
    def countries(self) -> tuple[str, ...]:
        """The counterparts' countries, each once, sorted."""
        return tuple(sorted({c.country for c in self.counterparts if c.country}))

    @property
    def readable(self) -> bool:
        """False when no counterpart could be read (a site change, or a wording not yet known)."""
        return bool(self.counterparts)

    def to_json(self) -> dict[str, Any]:
        return {
            "counterparts": [c.to_json() for c in self.counterparts],
            "countries": list(self.countries),
            "initiated_by": list(self.initiated_by),
        }


@dataclass(frozen=True)
class CallText:
    """What the reader looks at: one language version of a call item."""

    lang: str
    title: str
    lead: str | None = None
    text: str | None = None
    #: The page's Persons tags (e.g. «Макрон Эммануэль»), None when the page has none.
    persons: Sequence[str] | None = None
    #: The page's Geography tags (e.g. «Франция»), None when the page has none.
    geography: Sequence[str] | None = None

    @classmethod
    def of(cls, item: Any) -> CallText:
        """From anything with the item attributes (an archived item or a parsed record)."""
        return cls(item.lang, item.title, item.lead, item.text, item.persons, item.geography)
