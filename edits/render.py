"""An edit written for people: one walk over `edits.diff.EditDiff`, in the style of each medium.

The CLI and plain-text messages use `TEXT`, the web page and e-mail use `HTML`, Slack its own style
(`alerts.messages`, which owns Slack's escaping). Every style gets the same lines in the same order:
per changed field a header (``Text — 1 sentence removed, 1 changed``), then each sentence removed
(``−``), added (``+``) or changed (``~``, the changed words marked). The page's words always pass
through the style's ``escape`` and only the style's own marks are added, so text that contains diff
markup renders as text.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from archive.vocabulary import moscow_stamp
from edits.diff import EditDiff, FieldChange, Segment, SentenceChange

#: What each field is called in a header.
FIELD_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "title": "Title",
        "lead": "Lead",
        "text": "Text",
        "place": "Place",
        "published_at": "Published",
        "topics": "Topics",
        "geography": "Geography",
        "persons": "Persons",
    }
)
#: The sign of each kind of line (the text style shows it; the others may).
SIGNS: Mapping[str, str] = MappingProxyType({"removed": "−", "added": "+", "changed": "~"})
COSMETIC_LINE = "typography only (quotes, dashes, spaces): not an edit"


@dataclass(frozen=True)
class Style:
    """How one medium writes an edit."""

    escape: Callable[[str], str]
    #: Marks around removed and added words (and around whole removed/added sentences when
    #: ``mark_sentences``).
    removed: tuple[str, str]
    added: tuple[str, str]
    #: A field's block: its header and its lines.
    block: Callable[[str, list[str]], str]
    #: One line: its kind (``removed``, ``added``, ``changed``, ``note``) and its escaped content.
    line: Callable[[str, str], str]
    separator: str = "\n"
    mark_sentences: bool = False


def render(diff: EditDiff, style: Style) -> str:
    """The whole edit in ``style``: the fields whose words changed; a typography-only edit says so."""
    if diff.cosmetic:
        return style.block("Typography", [style.line("note", style.escape(COSMETIC_LINE))])
    return style.separator.join(
        style.block(header(change), field_lines(change, style)) for change in diff.real
    )


def header(change: FieldChange) -> str:
    """``Text — 1 sentence removed, 1 changed`` (not escaped: labels and counts only, plus list
    entries, which the styles escape with the rest of the header)."""
    label = FIELD_LABELS.get(change.field, change.field)
    if change.field == "title":
        return f"{label} — reworded"
    if change.removed_entries or change.added_entries:
        counts = [(len(change.removed_entries), "removed"), (len(change.added_entries), "added")]
        return f"{label} — " + ", ".join(f"{count} {what}" for count, what in counts if count)
    summary = change.summary()
    return f"{label} — {summary.split(': ', 1)[1]}" if ": " in summary else f"{label} — changed"


def field_lines(change: FieldChange, style: Style) -> list[str]:
    """The lines of one field's block, content escaped and marked for ``style``."""
    if change.sentences:
        return [style.line(sentence.op, sentence_content(sentence, style)) for sentence in change.sentences]
    if change.removed_entries or change.added_entries:
        return [
            style.line("removed", _whole(entry, "removed", style)) for entry in change.removed_entries
        ] + [style.line("added", _whole(entry, "added", style)) for entry in change.added_entries]
    if change.reordered:
        return [style.line("note", style.escape("now: " + "; ".join(change.after)))]
    return [
        style.line("removed", _whole(_value_text(change.before), "removed", style)),
        style.line("added", _whole(_value_text(change.after), "added", style)),
    ]


def sentence_content(sentence: SentenceChange, style: Style) -> str:
    """A sentence with its changed words marked (a removed or added sentence: whole, marked when the
    style marks sentences)."""
    if sentence.op != "changed":
        return _whole(
            (sentence.before if sentence.op == "removed" else sentence.after) or "", sentence.op, style
        )
    return "".join(segment_content(segment, style) for segment in sentence.segments)


def segment_content(segment: Segment, style: Style) -> str:
    """A run of words, escaped, marked as removed or added (the spacing before it outside the mark)."""
    if segment.op == "equal":
        return style.escape(segment.text)
    body = segment.text.lstrip()
    space = segment.text[: len(segment.text) - len(body)]
    return style.escape(space) + _marked(body, segment.op, style)


def _whole(text: str, op: str, style: Style) -> str:
    """A whole line's content (a sentence, a list entry, a value): marked when the style marks them."""
    return _marked(text, op, style) if style.mark_sentences else style.escape(text)


def _marked(text: str, op: str, style: Style) -> str:
    opening, closing = style.removed if op == "removed" else style.added
    return f"{opening}{style.escape(text)}{closing}"


def _value_text(value: Any) -> str:
    if value is None:
        return "(none)"
    if hasattr(value, "isoformat"):
        return moscow_stamp(value)
    return str(value)


def text_escape(text: str) -> str:
    """Plain text cannot escape, so the marks of `TEXT` are made inert where the page's own text
    holds them: a backslash before ``[-``, ``-]``, ``{+`` and ``+}`` (and before a backslash)."""
    text = text.replace("\\", "\\\\")
    for mark in ("[-", "-]", "{+", "+}"):
        text = text.replace(mark, "\\" + mark)
    return text


def _text_block(title: str, lines: list[str]) -> str:
    return "\n".join([title, *(f"  {line}" for line in lines)])


def _text_line(kind: str, content: str) -> str:
    return f"{SIGNS[kind]} {content}" if kind in SIGNS else content


#: Plain text (the CLI, webhooks and other text services): wdiff's ``[-removed-]{+added+}``.
TEXT = Style(
    escape=text_escape,
    removed=("[-", "-]"),
    added=("{+", "+}"),
    block=lambda title, lines: _text_block(text_escape(title), lines),
    line=_text_line,
)

_DEL = '<del style="background:#fde2e1;color:#8a1c1c">'
_INS = '<ins style="background:#dff5e1;color:#14532d;text-decoration:none">'
_HTML_CLASSES = MappingProxyType(
    {"removed": "removed", "added": "added", "changed": "changed", "note": "note"}
)


def _html_block(title: str, lines: list[str]) -> str:
    items = "".join(lines)
    heading = f'<p style="margin:8px 0 2px"><b>{html.escape(title)}</b></p>'
    return f'<div class="edit-field">{heading}<ul style="margin:0">{items}</ul></div>'


def _html_line(kind: str, content: str) -> str:
    sign = html.escape(SIGNS.get(kind, ""))
    shown = f"{sign} {content}" if sign else content
    return f'<li class="{_HTML_CLASSES.get(kind, "note")}">{shown}</li>'


#: HTML (the web item page and e-mail; inline styles, since mail clients drop style sheets).
HTML = Style(
    escape=html.escape,
    removed=(_DEL, "</del>"),
    added=(_INS, "</ins>"),
    block=_html_block,
    line=_html_line,
    separator="\n",
    mark_sentences=True,
)
