"""Alert messages: an e-mail (HTML with highlights; Apprise adds the plain-text part), Slack, others.

Page text is untrusted: it is escaped for each format, so an item cannot inject HTML into an e-mail
or ping a Slack channel (``<!channel>``). Times are shown in Moscow time, which is what the site
shows and what readers expect.

A call names who was on the line, in the subject and the body, when the page lets the call reader
say (`calls.record.CallRecord`)::

    [kremlin-watch] calls: Телефонный разговор с Президентом Франции Эммануэлем Макроном
        — Эммануэль Макрон (FR), at the initiative of France            (one line in the subject)
    Call with: Эммануэль Макрон (Президент Франции, FR)
    Initiative: France (FR)

Names stay as the page's language writes them (nominative); countries are codes in the list and
English names for the initiative (`calls.codes`). Nothing is said about the initiative when the
page does not state it, and an unreadable call leaves the message as for any other item.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType

import apprise

from archive.vocabulary import moscow_stamp
from calls.codes import country_name
from calls.record import CallRecord, Counterpart
from query.snippets import Snippet

SUBJECT_PREFIX = "[kremlin-watch]"


@dataclass(frozen=True)
class AlertItem:
    """What a message says about one item."""

    id: int
    title: str
    url: str
    published_at: datetime | None
    lead: str | None
    kind: str
    snippets: tuple[Snippet, ...]
    #: The call record of an item of kind ``call`` (`alerts.selectors.call_record_of`); else None.
    call: CallRecord | None = None


@dataclass(frozen=True)
class Message:
    """A message ready for Apprise."""

    title: str
    body: str
    body_format: str


def _initiative(codes: tuple[str, ...]) -> str:
    names = [country_name(code) for code in codes]
    return " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)


def call_summary(call: CallRecord | None) -> str:
    """``Эммануэль Макрон (FR), Олаф Шольц (DE), at the initiative of France``; empty when unreadable."""
    if call is None or not call.readable:
        return ""
    people = ", ".join(c.name + (f" ({c.country})" if c.country else "") for c in call.counterparts)
    return people + (f", at the initiative of {_initiative(call.initiated_by)}" if call.initiated_by else "")


def _counterpart_line(counterpart: Counterpart) -> str:
    details = [part for part in (counterpart.office, counterpart.country) if part]
    return counterpart.name + (f" ({', '.join(details)})" if details else "")


def call_lines(call: CallRecord | None) -> list[str]:
    """The body's lines about a call (unescaped): who, and whose initiative when the page says."""
    if call is None or not call.readable:
        return []
    lines = ["Call with: " + "; ".join(_counterpart_line(c) for c in call.counterparts)]
    if call.initiated_by:
        lines.append(
            "Initiative: " + ", ".join(f"{country_name(code)} ({code})" for code in call.initiated_by)
        )
    return lines


def subject(rule: str, items: list[AlertItem]) -> str:
    """``[kremlin-watch] <rule>: <item title>`` (a call: ``— <call_summary>``), or the count for a digest."""
    if len(items) == 1:
        summary = call_summary(items[0].call)
        return f"{SUBJECT_PREFIX} {rule}: {items[0].title}" + (f" — {summary}" if summary else "")
    return f"{SUBJECT_PREFIX} {rule}: {len(items)} new items"


def matched_words(snippets: tuple[Snippet, ...]) -> list[str]:
    """The distinct matched words as they stand in the text, in order of appearance."""
    seen: dict[str, None] = {}
    for snippet in snippets:
        for start, end in snippet.highlights:
            seen.setdefault(snippet.text[start:end], None)
    return list(seen)


def render_text(rule: str, description: str, items: list[AlertItem]) -> str:
    """The plain-text form (webhooks and other text services); matches in ``**…**``.

    Not «…»: Russian text uses those quotes itself («масштабных» санкций).
    """
    blocks = []
    for item in items:
        lines = [
            item.title,
            moscow_stamp(item.published_at),
            item.url,
            f"Rule: {rule}" + (f" — {description}" if description else ""),
            *call_lines(item.call),
        ]
        words = matched_words(item.snippets)
        if words:
            lines.append("Matched: " + ", ".join(words))
        for snippet in item.snippets:
            lines.append(f"  [{snippet.field}] " + snippet.marked(str, "**", "**"))
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
            f'<p style="margin:0;color:#555">{esc(moscow_stamp(item.published_at))} · '
            f'<a href="{esc(item.url, quote=True)}">{esc(item.url)}</a></p>',
            f"<p>Rule: <b>{esc(rule)}</b>{(' — ' + esc(description)) if description else ''}</p>",
            *(f"<p>{esc(line)}</p>" for line in call_lines(item.call)),
        ]
        words = matched_words(item.snippets)
        if words:
            parts.append(f"<p>Matched: {esc(', '.join(words))}</p>")
        if item.snippets:
            parts.append("<ul>")
            for snippet in item.snippets:
                parts.append(
                    f"<li><small>{esc(snippet.field)}</small> "
                    f"{snippet.marked(esc, '<mark>', '</mark>')}</li>"
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
            f"{moscow_stamp(item.published_at)} · rule **{slack_escape(rule)}**"
            + (f" — {slack_escape(description)}" if description else ""),
            *(slack_escape(line) for line in call_lines(item.call)),
        ]
        for snippet in item.snippets:
            lines.append("> " + snippet.marked(slack_escape, "**", "**").strip())
        if item.lead:
            lines.append(slack_escape(item.lead).strip())
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


@dataclass(frozen=True)
class Format:
    """How messages for one kind of destination are written."""

    render: Callable[[str, str, list[AlertItem]], str]
    body_format: str
    #: Applied to the subject line (Slack would read ``<…>`` in a title as a link or a mention).
    title: Callable[[str], str] = str


def _slack_title(title: str) -> str:
    return title.replace("<", "‹").replace(">", "›")


#: Destination kind (`alerts.destinations.Destination.kind`) → its message format; others get TEXT.
FORMATS: Mapping[str, Format] = MappingProxyType(
    {
        "email": Format(render_html, apprise.NotifyFormat.HTML),
        "slack": Format(render_slack, apprise.NotifyFormat.MARKDOWN, _slack_title),
        "other": Format(render_text, apprise.NotifyFormat.TEXT),
    }
)


def compose(kind: str, rule: str, description: str, items: list[AlertItem]) -> Message:
    """The message for a destination kind (a key of `FORMATS`; unknown kinds get plain text)."""
    form = FORMATS.get(kind, FORMATS["other"])
    return Message(form.title(subject(rule, items)), form.render(rule, description, items), form.body_format)
