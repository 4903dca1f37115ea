"""The one diff of the project: two versions of an item's content, compared sentence by sentence.

A readout edited on kremlin.ru usually loses or gains a sentence, or has a word in one sentence
changed (a name, a date, «обсудили» for «обменялись мнениями»). People quote such an edit sentence by
sentence, so the diff first aligns the sentences of the two texts (`sentences`, compared by their
`archive.typography.typographic_form`, so re-typeset quotes and dashes are no change), pairs the
sentences of a replaced stretch that still say mostly the same thing (``changed``, with the changed
words marked), and reports the rest as ``removed`` and ``added``. Title and lead come first, then the
text, then the other fields.

The result is data (`EditDiff`), never marked-up text: every reader (the CLI, the web page, e-mail,
Slack, the API) renders it with `edits.render`, escaping the page's words for its own medium, so a
text that itself contains ``{+…+}`` or ``[-…-]`` or ``<del>`` shows as what it is.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from archive.records import CONTENT_FIELDS
from archive.typography import LIST_FIELDS, same_words, typographic_form

SentenceOp = Literal["removed", "added", "changed"]
SegmentOp = Literal["equal", "removed", "added"]

#: Fields in the order an edit is told: what a reader sees first, first.
FIELD_ORDER = ("title", "lead", "text", "place", "published_at", "topics", "geography", "persons")
#: The fields diffed sentence by sentence (the title and the place as one sentence each).
SENTENCE_FIELDS = ("title", "lead", "text", "place")
#: Two sentences of a replaced stretch are one sentence changed when this share of their words
#: survives (difflib's ratio over words); below it, one was removed and another added.
SAME_SENTENCE = 0.5
#: Words that end in a dot without ending a sentence: initials and the site's abbreviations.
_ABBREVIATIONS = frozenset(
    [
        "т.е",
        "т.д",
        "т.п",
        "т.к",
        "др",
        "пр",
        "г",
        "гг",
        "им",
        "ул",
        "с",
        "стр",
        "см",
        "млн",
        "млрд",
        "тыс",
        "руб",
        "долл",
        "св",
        "проф",
        "акад",
        "mr",
        "mrs",
        "ms",
        "dr",
        "st",
        "jr",
        "sr",
        "no",
        "vs",
        "etc",
        "inc",
        "ltd",
        "co",
        "gen",
        "col",
        "lt",
        "sgt",
        "prof",
        "rev",
    ]
)
#: Abbreviations that end a sentence as often as not («и т.д.», «etc.»): before a capital letter
#: they end it (a reading of «и т.д. Затем» as one sentence would hide the next one in a diff).
_SENTENCE_FINAL = frozenset(["т.д", "т.п", "др", "etc"])
#: One initial: a capital letter, or a two-letter one of a transliterated name («Дж.», «Yu.»). Not
#: any capital and a small letter: «Да.», «Мы.», «Он.» end sentences.
_INITIAL = r"(?:[A-ZА-ЯЁ]|Дж|Ch|Kh|Sh|Th|Ya|Yu|Zh)"
#: One or more initials before the last dot: «В», «В.В», «Дж».
_INITIALS = re.compile(rf"(?:{_INITIAL}\.)*{_INITIAL}")
#: Where a sentence may end: ., !, ?, … (and closing quotes or brackets) before a space.
_BOUNDARY = re.compile(r"(?<=[.!?…])[\"»”’)\]]*\s+(?=[\"«„“(\[—–-]?\s*[A-ZА-ЯЁ0-9])")
#: A word with the space before it, or one punctuation mark with the space before it.
_TOKEN = re.compile(r"\s*(?:[\w\u0301]+(?:[-'’.][\w\u0301]+)*|[^\w\s])", re.UNICODE)


@dataclass(frozen=True)
class Segment:
    """A run of words: kept (``equal``), ``removed`` from the old sentence or ``added`` in the new
    one. ``text`` carries its own spacing, so the segments of a sentence joined are the sentence."""

    op: SegmentOp
    text: str

    def to_json(self) -> dict[str, str]:
        return {"op": self.op, "text": self.text}


@dataclass(frozen=True)
class SentenceChange:
    """One sentence removed, added, or changed (then ``segments`` marks the changed words)."""

    op: SentenceOp
    before: str | None
    after: str | None
    segments: tuple[Segment, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "op": self.op,
            "before": self.before,
            "after": self.after,
            "segments": [segment.to_json() for segment in self.segments],
        }


@dataclass(frozen=True)
class FieldChange:
    """What changed in one content field: sentences for texts, entries for lists, the values for all."""

    field: str
    before: Any
    after: Any
    sentences: tuple[SentenceChange, ...] = ()
    removed_entries: tuple[str, ...] = ()
    added_entries: tuple[str, ...] = ()
    #: The field differs in typography only (quotes, dashes, spaces).
    cosmetic: bool = False

    def summary(self) -> str:
        """``title reworded``, ``text: 1 sentence removed, 2 changed``, ``topics: -Old, +New``."""
        if self.cosmetic:
            return f"{self.field}: typography only"
        if self.field == "title":
            return "title reworded"
        if self.sentences:
            counts = [(sum(s.op == op for s in self.sentences), op) for op in ("removed", "added", "changed")]
            said = [(count, op) for count, op in counts if count]
            first, rest = said[0], said[1:]
            noun = "sentence" if first[0] == 1 else "sentences"
            words = [f"{first[0]} {noun} {first[1]}", *(f"{count} {op}" for count, op in rest)]
            return f"{self.field}: " + ", ".join(words)
        if self.removed_entries or self.added_entries:
            entries = [f"-{entry}" for entry in self.removed_entries]
            entries += [f"+{entry}" for entry in self.added_entries]
            return f"{self.field}: " + ", ".join(entries)
        if self.reordered:
            return f"{self.field}: order changed"
        return f"{self.field} changed"

    @property
    def reordered(self) -> bool:
        """A list field whose entries stayed and only moved (no entry removed or added)."""
        return (
            isinstance(self.before, list)
            and isinstance(self.after, list)
            and not (self.removed_entries or self.added_entries)
            and sorted(map(typographic_form, self.before)) == sorted(map(typographic_form, self.after))
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "summary": self.summary(),
            "before": _json_value(self.before),
            "after": _json_value(self.after),
            "cosmetic": self.cosmetic,
            "sentences": [sentence.to_json() for sentence in self.sentences],
            "removed_entries": list(self.removed_entries),
            "added_entries": list(self.added_entries),
        }


@dataclass(frozen=True)
class EditDiff:
    """Every field one edit changed, in `FIELD_ORDER`."""

    fields: tuple[FieldChange, ...] = field(default_factory=tuple)

    @property
    def cosmetic(self) -> bool:
        """The edit changed typography only (and did change something)."""
        return bool(self.fields) and all(change.cosmetic for change in self.fields)

    @property
    def real(self) -> tuple[FieldChange, ...]:
        """The fields whose words changed (the cosmetic ones left out)."""
        return tuple(change for change in self.fields if not change.cosmetic)

    def summary(self) -> str:
        """One line: ``title reworded; text: 1 sentence removed, 1 changed``; ``typography only``."""
        if not self.fields:
            return "no change"
        if self.cosmetic:
            return "typography only"
        return "; ".join(change.summary() for change in self.real)

    def to_json(self) -> dict[str, Any]:
        return {
            "summary": self.summary(),
            "cosmetic": self.cosmetic,
            "fields": [change.to_json() for change in self.fields],
        }


def diff_versions(before: Mapping[str, Any], after: Mapping[str, Any]) -> EditDiff:
    """What changed from one content (`archive.records.CONTENT_FIELDS` → value) to the next."""
    changes = []
    for name in sorted(CONTENT_FIELDS, key=_field_rank):
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        cosmetic = same_words(old, new)
        if name in SENTENCE_FIELDS:
            whole = name in ("title", "place")
            found = () if cosmetic else diff_sentences(old or "", new or "", whole=whole)
            changes.append(FieldChange(name, old, new, sentences=found, cosmetic=cosmetic))
        elif name in LIST_FIELDS:
            old_list, new_list = list(old or []), list(new or [])
            kept_old = {typographic_form(entry) for entry in new_list}
            kept_new = {typographic_form(entry) for entry in old_list}
            changes.append(
                FieldChange(
                    name,
                    old,
                    new,
                    removed_entries=tuple(e for e in old_list if typographic_form(e) not in kept_old),
                    added_entries=tuple(e for e in new_list if typographic_form(e) not in kept_new),
                    cosmetic=cosmetic,
                )
            )
        else:
            changes.append(FieldChange(name, old, new, cosmetic=cosmetic))
    return EditDiff(tuple(changes))


def sentences(text: str) -> list[str]:
    """The sentences of a text, paragraph by paragraph, each stripped of the space around it.

    A dot after an initial («В.В. Путин», «Э. Макрон») or an abbreviation («т.е.», «г.», «Mr.») does
    not end a sentence; a sentence ends before a capital letter, a digit, a quote or a dash.
    """
    found: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        start = 0
        for boundary in _BOUNDARY.finditer(paragraph):
            head = paragraph[start : boundary.start()]
            if _ends_with_abbreviation(head):
                continue
            found.append(head.strip())
            start = boundary.end()
        found.append(paragraph[start:].strip())
    return [sentence for sentence in found if sentence]


def _ends_with_abbreviation(head: str) -> bool:
    """Whether ``head`` ends with an initial or a known abbreviation and its dot."""
    if not head.endswith("."):
        return False
    last = re.split(r"[\s(«\"„“]+", head[:-1])[-1]
    if last.lower() in _SENTENCE_FINAL:
        return False
    return bool(_INITIALS.fullmatch(last)) or last.lower() in _ABBREVIATIONS


def diff_sentences(before: str, after: str, whole: bool = False) -> tuple[SentenceChange, ...]:
    """The sentences removed, added and changed from ``before`` to ``after``, in the order of the
    new text (a removed sentence where it stood). ``whole``: each text is one sentence (a title)."""
    old = [before.strip()] if whole else sentences(before)
    new = [after.strip()] if whole else sentences(after)
    old = [sentence for sentence in old if sentence]
    new = [sentence for sentence in new if sentence]
    matcher = difflib.SequenceMatcher(
        a=[typographic_form(s) for s in old], b=[typographic_form(s) for s in new], autojunk=False
    )
    found: list[SentenceChange] = []
    for tag, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if tag == "equal":
            continue
        found.extend(_replaced(old[old_start:old_end], new[new_start:new_end]))
    return tuple(found)


def _replaced(old: Sequence[str], new: Sequence[str]) -> list[SentenceChange]:
    """A stretch of old sentences replaced by a stretch of new ones: pair those that are one sentence
    edited (in order, each pair the most alike left), the rest removed or added."""
    pairs: list[tuple[int, int]] = []
    next_new = 0
    for old_index, sentence in enumerate(old):
        best, best_ratio = None, SAME_SENTENCE
        for new_index in range(next_new, len(new)):
            ratio = _likeness(sentence, new[new_index])
            if ratio >= best_ratio:
                best, best_ratio = new_index, ratio
        if best is not None:
            pairs.append((old_index, best))
            next_new = best + 1
    found: list[SentenceChange] = []
    old_at = new_at = 0
    for old_index, new_index in [*pairs, (len(old), len(new))]:
        found.extend(
            SentenceChange("removed", s, None, (Segment("removed", s),)) for s in old[old_at:old_index]
        )
        found.extend(SentenceChange("added", None, s, (Segment("added", s),)) for s in new[new_at:new_index])
        if old_index < len(old):
            found.append(
                SentenceChange(
                    "changed", old[old_index], new[new_index], word_segments(old[old_index], new[new_index])
                )
            )
        old_at, new_at = old_index + 1, new_index + 1
    return found


def _likeness(before: str, after: str) -> float:
    """difflib's ratio over the two sentences' words (in typographic form)."""
    old = [typographic_form(token).lower() for token in _TOKEN.findall(before)]
    new = [typographic_form(token).lower() for token in _TOKEN.findall(after)]
    return difflib.SequenceMatcher(a=old, b=new, autojunk=False).ratio()


def word_segments(before: str, after: str) -> tuple[Segment, ...]:
    """The words of ``after`` with those that replaced words of ``before`` marked: runs of kept,
    removed and added words (each with the spacing it had), removed before added where both."""
    old, new = _TOKEN.findall(before), _TOKEN.findall(after)
    matcher = difflib.SequenceMatcher(
        a=[typographic_form(token) for token in old],
        b=[typographic_form(token) for token in new],
        autojunk=False,
    )
    segments: list[Segment] = []
    for tag, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if tag == "equal":
            _append(segments, "equal", "".join(new[new_start:new_end]))
            continue
        removed = "".join(old[old_start:old_end])
        added = "".join(new[new_start:new_end])
        if removed and added:
            # The space before a replaced run belongs to the sentence, not to what was removed.
            lead = added[: len(added) - len(added.lstrip())]
            _append(segments, "equal", lead)
            removed, added = removed.lstrip(), added.lstrip()
        _append(segments, "removed", removed)
        _append(segments, "added", added)
    return tuple(segments)


def _append(segments: list[Segment], op: SegmentOp, text: str) -> None:
    if not text:
        return
    if segments and segments[-1].op == op:
        segments[-1] = Segment(op, segments[-1].text + text)
    else:
        segments.append(Segment(op, text))


def _field_rank(name: str) -> int:
    return FIELD_ORDER.index(name) if name in FIELD_ORDER else len(FIELD_ORDER)


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value
