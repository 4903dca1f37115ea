"""Matched words in context: the one snippet type and the one highlighter every output uses.

Alerts store snippets with the outbox (as JSON) and print them in e-mail, Slack and text; search
returns them to the command line, the API and the search page. All of them carry a `Snippet` and
all of them mark it with `mark`, giving the escaping function and the markers of their format
(``**…**``, ``<mark>…</mark>``), so page text is escaped the same way everywhere and a bad offset
can never cut an escape sequence in half.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from query.document import IndexedDocument
from query.evaluate import Hit, Match

#: Characters of context shown either side of a matched span (within its paragraph).
CONTEXT = 60


@dataclass(frozen=True)
class Snippet:
    """A piece of one field: ``text`` with the matched spans ``highlights`` as (start, end) offsets,
    and the matched ``words`` as they stand there."""

    field: str
    text: str
    highlights: tuple[tuple[int, int], ...]
    words: tuple[str, ...] = ()

    def marked(self, escape: Callable[[str], str] = str, before: str = "**", after: str = "**") -> str:
        """The text through ``escape`` with each highlight wrapped in ``before``/``after``."""
        return mark(self.text, self.highlights, escape, before, after)

    def to_json(self) -> dict[str, object]:
        """The stored form (the outbox keeps snippets with each pending alert)."""
        return {
            "field": self.field,
            "words": list(self.words),
            "text": self.text,
            "highlights": [list(span) for span in self.highlights],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Snippet:
        """Read the stored form back (``words`` and ``highlights`` may be missing in old rows)."""
        return cls(
            field=str(data["field"]),
            text=str(data["text"]),
            highlights=tuple((int(start), int(end)) for start, end in data.get("highlights", ())),
            words=tuple(str(word) for word in data.get("words", ())),
        )


def mark(
    text: str,
    spans: Iterable[tuple[int, int]] | Iterable[list[int]],
    escape: Callable[[str], str] = str,
    before: str = "**",
    after: str = "**",
) -> str:
    """``text`` through ``escape``, each ``[start, end)`` span wrapped in ``before``/``after``.

    Spans are offsets into ``text``; overlapping or out-of-range spans are clipped rather than
    trusted (they may come back from a stored row or a URL).
    """
    out: list[str] = []
    position = 0
    for start, end in sorted((max(0, int(s)), min(len(text), int(e))) for s, e in spans):
        start = max(start, position)
        if end <= start:
            continue
        out.append(str(escape(text[position:start])))
        out.append(before + str(escape(text[start:end])) + after)
        position = end
    out.append(str(escape(text[position:])))
    return "".join(out)


def snippets(match: Match, doc: IndexedDocument, width: int = CONTEXT) -> list[Snippet]:
    """One snippet per distinct matched span: about ``width`` characters either side, within the
    span's paragraph (a line of the field), cut at spaces, with «…» where the paragraph goes on."""
    result: list[Snippet] = []
    seen: set[tuple[str, int, int]] = set()
    for hit in match.hits:
        key = (hit.field, hit.start, hit.end)
        if key not in seen:
            seen.add(key)
            result.append(_snippet(hit, doc.fields[hit.field].text, width))
    return result


def _snippet(hit: Hit, text: str, width: int) -> Snippet:
    start, end = hit.start, hit.end
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    if line_end < 0:
        line_end = len(text)
    left = max(line_start, start - width)
    if left > line_start and not text[left - 1].isspace():
        # Inside a word: start after the next space, or at the hit itself if there is none.
        left = next((i + 1 for i in range(left, start) if text[i].isspace()), start)
    right = min(line_end, end + width)
    if right < line_end and not text[right].isspace():
        right = next((i for i in range(right - 1, end - 1, -1) if text[i].isspace()), end)
    head, tail = text[left:start].lstrip(), text[end:right].rstrip()
    prefix = "…" if text[line_start : start - len(head)].strip() else ""
    suffix = "…" if text[end + len(tail) : line_end].strip() else ""
    span_start = len(prefix) + len(head)
    return Snippet(
        hit.field,
        prefix + head + text[start:end] + tail + suffix,
        ((span_start, span_start + end - start),),
        hit.words,
    )
