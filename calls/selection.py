"""Which calls, by their records: the one check behind a rule's call fields and the ledger's filters.

A rule says ``countries = ["FR", "DE"]``, ``initiated_by = ["foreign"]``, ``counterparts =
["Макрон"]``; `kremlin-watch calls` and ``/calls`` say ``--country FR``, ``--initiated-by foreign``,
``--counterpart Макрон``. Within a field any value will do, and every field given must hold, so both
are a `CallSelector` and a rule that names France fires on exactly the calls the ledger lists for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from calls.names import NameWords, name_words, names_match
from calls.record import Counterpart
from query.document import FOREIGN, RUSSIA, initiative_words
from query.morphology import Lemmatizer


class Call(Protocol):
    """What a selector looks at: a `calls.record.CallRecord` or a `calls.ledger.StoredCall`."""

    @property
    def countries(self) -> tuple[str, ...]: ...

    @property
    def initiated_by(self) -> tuple[str, ...]: ...

    @property
    def counterparts(self) -> tuple[Counterpart, ...]: ...


@dataclass(frozen=True)
class CallSelector:
    """Countries (codes), initiators (codes, `FOREIGN`, `RUSSIA`) and names (as name lemmas); an empty
    field does not select."""

    countries: tuple[str, ...] = ()
    initiated_by: tuple[str, ...] = ()
    names: tuple[NameWords, ...] = ()

    @classmethod
    def of(
        cls,
        countries: Iterable[str],
        initiated_by: Iterable[str],
        counterparts: Sequence[str],
        lemmatizer: Lemmatizer | None,
    ) -> CallSelector:
        """From what a person wrote (codes in any case); ``lemmatizer`` is needed for counterparts."""
        if counterparts and lemmatizer is None:
            raise ValueError("comparing counterparts' names needs a lemmatizer")
        names = tuple(name_words(name, lemmatizer) for name in counterparts) if lemmatizer else ()
        return cls(
            tuple(code.upper() for code in countries),
            tuple(_initiator(value) for value in initiated_by),
            names,
        )

    def passes(self, call: Call, lemmatizer: Lemmatizer | None) -> bool:
        """Whether ``call`` passes every field given (``lemmatizer`` compares names, when any)."""
        if self.countries and set(self.countries).isdisjoint(call.countries):
            return False
        if self.initiated_by and set(self.initiated_by).isdisjoint(initiative_words(call.initiated_by)):
            return False
        if not self.names or lemmatizer is None:
            return True
        return any(
            names_match(wanted, name_words(counterpart.name, lemmatizer))
            for wanted in self.names
            for counterpart in call.counterparts
        )


def _initiator(value: str) -> str:
    word = value.strip().lower()
    return word if word in (FOREIGN, RUSSIA) else value.strip().upper()
