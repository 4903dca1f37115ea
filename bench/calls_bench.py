"""Precision and recall of the call readers on the labelled evaluation sets, against the tags alone.

The sets (`tests/fixtures/calls_eval_en.json`, `calls_eval_ru.json`) are real kremlin.ru calls, and
Russian titles and leads written in the site's own patterns, each labelled by reading it. Scores are
micro-averaged over (item, value) pairs: a country, an initiating side, a counterpart's name.

The baseline, measured in the same run, is what the page's own tags give without reading the text:
the Persons tags as names (as the tag writes them: «Макрон Эммануэль»), nothing for countries (the
Geography tags name places, not sides) and nothing for the initiative.

Usage: ``python -m bench.calls_bench``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from calls.reader import CallReader
from calls.record import CallRecord, CallText, Counterpart

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
SETS = ("calls_eval_en.json", "calls_eval_ru.json")
Reader = Callable[[CallText], CallRecord]


@dataclass(frozen=True)
class Score:
    """Precision and recall over (item, value) pairs."""

    found: int
    expected: int
    right: int

    @property
    def precision(self) -> float | None:
        """None when nothing was found (no precision to speak of)."""
        return self.right / self.found if self.found else None

    @property
    def recall(self) -> float:
        return self.right / self.expected if self.expected else 1.0


def load_set(name: str) -> list[dict[str, Any]]:
    """One labelled set (empty when the file is absent)."""
    path = FIXTURES / name
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else []


def call_text(entry: dict[str, Any]) -> CallText:
    return CallText(
        lang=entry["lang"],
        title=entry["title"],
        lead=entry.get("lead"),
        text=entry.get("text"),
        persons=entry.get("persons"),
        geography=entry.get("geography"),
    )


def expected_record(entry: dict[str, Any]) -> CallRecord:
    wanted = entry["expected"]
    return CallRecord(
        tuple(Counterpart.from_json(c) for c in wanted["counterparts"]), tuple(wanted["initiated_by"])
    )


def _pairs(
    entries: Iterable[dict[str, Any]], records: Iterable[CallRecord], part: str
) -> set[tuple[Any, str]]:
    pairs: set[tuple[Any, str]] = set()
    for entry, record in zip(entries, records, strict=True):
        if part == "countries":
            values: Iterable[str] = record.countries
        elif part == "initiated_by":
            values = record.initiated_by
        else:
            values = (c.name for c in record.counterparts)
        pairs.update((entry["id"], value) for value in values)
    return pairs


def score(entries: list[dict[str, Any]], reader: Reader) -> dict[str, Score]:
    """Scores of ``reader`` on ``entries`` for countries, initiated_by and names."""
    got = [reader(call_text(entry)) for entry in entries]
    wanted = [expected_record(entry) for entry in entries]
    result = {}
    for part in ("countries", "initiated_by", "names"):
        found, expected = _pairs(entries, got, part), _pairs(entries, wanted, part)
        result[part] = Score(len(found), len(expected), len(found & expected))
    return result


def _percent(value: float | None) -> str:
    return "   n/a" if value is None else f"{value:6.1%}"


def tags_only(call: CallText) -> CallRecord:
    """The baseline: the Persons tags as names, nothing else."""
    return CallRecord(tuple(Counterpart(name, None, None) for name in call.persons or ()))


def main() -> None:
    for name in SETS:
        entries = load_set(name)
        if not entries:
            print(f"{name}: no labelled set")
            continue
        reader = CallReader()
        reader.read(call_text(entries[0]))  # loads the dictionaries: not part of reading a call
        started = time.perf_counter()
        ours = score(entries, reader.read)
        seconds = time.perf_counter() - started
        base = score(entries, tags_only)
        print(f"{name}: {len(entries)} labelled calls, read at {len(entries) / seconds:,.0f} calls/s")
        for part in ours:
            o, b = ours[part], base[part]
            print(
                f"   {part:<13} precision {_percent(o.precision)} recall {_percent(o.recall)}"
                f"   (tags alone: precision {_percent(b.precision)} recall {_percent(b.recall)})"
            )


if __name__ == "__main__":
    main()
