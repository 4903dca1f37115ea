"""Alert messages: an e-mail (HTML with highlights; Apprise adds the plain-text part), Slack, others.

Page text is untrusted: it is escaped for each format, so an item cannot inject HTML into an e-mail
or ping a Slack channel (``<!channel>``). Times are shown in Moscow time, which is what the site
shows and what readers expect.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import apprise

MOSCOW = ZoneInfo("Europe/Moscow")
SUBJECT_PREFIX = "[kremlin-watch]"


@dataclass(frozen=True)
class MatchSnippet:
    """A matched word in its context: ``text`` with ``highlights`` as (start, end) offsets in it."""

    field: str
    words: tuple[str, ...]
    text: str
    highlights: tuple[tuple[int, int], ...]

    def to_json(self) -> dict[str, object]:
        return {
            "field": self.field,
            "words": list(self.words),
            "text": self.text,
            "highlights": [list(h) for h in self.highlights],
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> MatchSnippet:
        return cls(
            field=str(data["field"]),
            words=tuple(data.get("words", ())),  # type: ignore[arg-type]
            text=str(data["text"]),
            highlights=tuple(tuple(pair) for pair in data.get("highlights", ())),  # type: ignore[misc,union-attr]
        )


@dataclass(frozen=True)
class AlertItem:
    """What a message says about one item."""

    id: int
    title: str
    url: str
    published_at: datetime | None
    lead: str | None
    kind: str
    snippets: tuple[MatchSnippet, ...]


@dataclass(frozen=True)
class Message:
    """A message ready for Apprise."""

    title: str
    body: str
    body_format: str


def moscow_time(moment: datetime | None) -> str:
    """``30.12.2021 02:20 (Moscow)``: the site's own clock."""
    if moment is None:
        return "time unknown"
    return moment.astimezone(MOSCOW).strftime("%d.%m.%Y %H:%M") + " (Moscow)"


def subject(rule: str, items: list[AlertItem]) -> str:
    """``[kremlin-watch] <rule>: <item title>``, or the count for a digest."""
    if len(items) == 1:
        return f"{SUBJECT_PREFIX} {rule}: {items[0].title}"
    return f"{SUBJECT_PREFIX} {rule}: {len(items)} new items"


def matched_words(snippets: tuple[MatchSnippet, ...]) -> list[str]:
    """The distinct matched words as they stand in the text, in order of appearance."""
    seen: dict[str, None] = {}
    for snippet in snippets:
        for start, end in snippet.highlights:
            seen.setdefault(snippet.text[start:end], None)
    return list(seen)


def marked(snippet: MatchSnippet, escape, before: str, after: str) -> str:  # type: ignore[no-untyped-def]
    """The snippet's text through ``escape``, each highlight wrapped in ``before``/``after``."""
    parts: list[str] = []
    cursor = 0
    for start, end in sorted(snippet.highlights):
        parts.append(escape(snippet.text[cursor:start]))
        parts.append(before + escape(snippet.text[start:end]) + after)
        cursor = end
    parts.append(escape(snippet.text[cursor:]))
    return "".join(parts)


def render_text(rule: str, description: str, items: list[AlertItem]) -> str:
    """The plain-text form (webhooks and other text services); matches in ``**…**``.

    Not «…»: Russian text uses those quotes itself («масштабных» санкций).
    """
    blocks = []
    for item in items:
        lines = [
            item.title,
            moscow_time(item.published_at),
            item.url,
            f"Rule: {rule}" + (f" — {description}" if description else ""),
        ]
        words = matched_words(item.snippets)
        if words:
            lines.append("Matched: " + ", ".join(words))
        for snippet in item.snippets:
            lines.append(f"  [{snippet.field}] " + marked(snippet, str, "**", "**"))
        if item.lead:
            lines.append("")
            lines.append(item.lead)
        blocks.append("\n".join(lines))
    return "\n\n———\n\n".join(blocks)


def render_html(rule: str, description: str, items: list[AlertItem]) -> str:
    """The e-mail form: escaped page text, matches in ``<mark>``."""
    esc = html.escape
    blocks = []
    for item in items:
        parts = [
            f'<h2 style="margin:0 0 4px"><a href="{esc(item.url, quote=True)}">{esc(item.title)}</a></h2>',
            f'<p style="margin:0;color:#555">{esc(moscow_time(item.published_at))} · '
            f'<a href="{esc(item.url, quote=True)}">{esc(item.url)}</a></p>',
            f"<p>Rule: <b>{esc(rule)}</b>{(' — ' + esc(description)) if description else ''}</p>",
        ]
        words = matched_words(item.snippets)
        if words:
            parts.append(f"<p>Matched: {esc(', '.join(words))}</p>")
        if item.snippets:
            parts.append("<ul>")
            for snippet in item.snippets:
                parts.append(
                    f"<li><small>{esc(snippet.field)}</small> "
                    f"{marked(snippet, esc, '<mark>', '</mark>')}</li>"
                )
            parts.append("</ul>")
        if item.lead:
            parts.append(f"<p>{esc(item.lead)}</p>")
        blocks.append("\n".join(parts))
    return "\n<hr>\n".join(blocks)


_SLACK_UNSAFE = str.maketrans({"<": "‹", ">": "›", "&": "＆", "*": "∗", "_": "＿", "~": "∼", "`": "ʹ"})


def slack_escape(text: str) -> str:
    """Page text made inert for Slack: no ``<!channel>``, no links or formatting from the page."""
    return re.sub(r"\s+", " ", text.translate(_SLACK_UNSAFE))


def render_slack(rule: str, description: str, items: list[AlertItem]) -> str:
    """Slack's own formatting (Apprise's Markdown mode turns ``[text](url)`` into ``<url|text>``)."""
    blocks = []
    for item in items:
        lines = [
            f"**[{slack_escape(item.title).strip()}]({item.url})**",
            f"{moscow_time(item.published_at)} · rule **{slack_escape(rule)}**"
            + (f" — {slack_escape(description)}" if description else ""),
        ]
        for snippet in item.snippets:
            lines.append("> " + marked(snippet, slack_escape, "**", "**").strip())
        if item.lead:
            lines.append(slack_escape(item.lead).strip())
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def compose(kind: str, rule: str, description: str, items: list[AlertItem]) -> Message:
    """The message for a destination kind ("email", "slack" or "other")."""
    title = subject(rule, items)
    if kind == "email":
        return Message(title, render_html(rule, description, items), apprise.NotifyFormat.HTML)
    if kind == "slack":
        return Message(
            title.replace("<", "‹").replace(">", "›"),
            render_slack(rule, description, items),
            apprise.NotifyFormat.MARKDOWN,
        )
    return Message(title, render_text(rule, description, items), apprise.NotifyFormat.TEXT)
