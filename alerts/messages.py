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

Items come in language versions (kremlin.ru, and en.kremlin.ru hours later with the same id). An
alert about a Russian version links the English one when it is already archived (``English version:
<title> <url>``). The follow-up of a rule's ``follow_translation`` is short: its subject is
``[kremlin-watch] RULE: English version — <English title>`` and its body the English title and link
and the title and link of the version that alerted. A digest lists follow-ups among its items, each
as the short block, and counts them apart in its subject.

An **edit notice** (a rule's ``edits = true``) is ``[kremlin-watch] RULE: edited — <title>``: the
title and link, ``Changed on the site: <the feed's time> · first seen <when the archive saw it>``, the
one-line summary (``title reworded; text: 1 sentence removed``), then the changes sentence by
sentence as `edits.render` writes them: `edits.render.HTML` in e-mail (``<del>``/``<ins>``),
`edits.render.TEXT` for plain-text services (``[-removed-]{+added+}``), and `SLACK` for Slack
(removed words struck ``~…~``, added ones bold). A **withdrawal notice** is ``… RULE: withdrawn —
<title>``: the site withdrew the item (its page answers 404/410), when that was first found, and
``kremlin-watch show ID`` for the last text kept. Notices are never part of a digest.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType

import apprise

from archive.edit_log import Edit
from archive.outbox import EDIT_NOTICE, WITHDRAWN_NOTICE
from archive.vocabulary import moscow_stamp
from calls.codes import country_name
from calls.record import CallRecord, Counterpart
from edits import render as edit_render
from edits.diff import EditDiff
from query.snippets import Snippet

SUBJECT_PREFIX = "[kremlin-watch]"
#: How messages name a version's language ("English version — …").
LANGUAGE_NAMES: Mapping[str, str] = MappingProxyType({"ru": "Russian", "en": "English"})


def language_name(lang: str) -> str:
    """``English`` for ``en``; an unknown code as itself."""
    return LANGUAGE_NAMES.get(lang, lang)


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
    #: The language of the version the message is about (``ru``, ``en``).
    lang: str = "ru"
    #: The English version's title and url, when the message is about another version and the English
    #: one is archived: the alert links it.
    en_title: str | None = None
    en_url: str | None = None
    #: A follow-up (`alerts.trigger`): this version appeared after another version of the item alerted.
    follow_up: bool = False
    #: For a follow-up: the title and url of the version that alerted (the original).
    original_title: str | None = None
    original_url: str | None = None
    #: An edit or withdrawal notice (`alerts.trigger`): ``edit`` or ``withdrawn``; None for an alert.
    notice: str | None = None
    #: What the notice tells of, as the archive lists it (`archive.edit_log`).
    edit: Edit | None = None
    #: The changes of an edit notice (`edits.diff.diff_versions` of ``edit``).
    diff: EditDiff | None = None

    @property
    def english_link(self) -> tuple[str, str] | None:
        """(title, url) of the English version to link from an alert about another version, or None."""
        if self.follow_up or self.lang == "en" or not self.en_url:
            return None
        return (self.en_title or self.en_url, self.en_url)


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
    """``[kremlin-watch] <rule>: <item title>`` (a call: ``— <call_summary>``), ``… <rule>: English
    version — <title>`` for a follow-up, or the counts for a digest."""
    if len(items) == 1:
        item = items[0]
        if item.notice is not None:
            return f"{SUBJECT_PREFIX} {rule}: {NOTICE_WORDS.get(item.notice, item.notice)} — {item.title}"
        if item.follow_up:
            return f"{SUBJECT_PREFIX} {rule}: {language_name(item.lang)} version — {item.title}"
        summary = call_summary(item.call)
        return f"{SUBJECT_PREFIX} {rule}: {item.title}" + (f" — {summary}" if summary else "")
    follow_ups = sum(item.follow_up for item in items)
    alerts = len(items) - follow_ups
    parts = [f"{alerts} new item{'s' if alerts != 1 else ''}"] if alerts else []
    if follow_ups:
        parts.append(f"{follow_ups} translation{'s' if follow_ups != 1 else ''}")
    return f"{SUBJECT_PREFIX} {rule}: {', '.join(parts)}"


#: How a subject names each notice.
NOTICE_WORDS: Mapping[str, str] = MappingProxyType({EDIT_NOTICE: "edited", WITHDRAWN_NOTICE: "withdrawn"})


def notice_lines(item: AlertItem) -> list[str]:
    """The lines (unescaped) that say what a notice is about, the same in every medium: for an edit
    the two times and the summary, for a withdrawal what the site did and where the text is kept."""
    edit = item.edit
    if edit is None:
        return []
    if item.notice == WITHDRAWN_NOTICE:
        return [
            "The site withdrew this item: its page answers 404/410 (not found / gone).",
            f"First found withdrawn: {moscow_stamp(edit.seen_at)}",
            f"The last text is kept: kremlin-watch show {edit.item_id}",
        ]
    lines = [f"Changed on the site: {moscow_stamp(edit.site_at)} · first seen {moscow_stamp(edit.seen_at)}"]
    if item.diff is not None:
        lines.append(f"What changed: {item.diff.summary()}")
    return lines


def follow_up_lines(rule: str, item: AlertItem) -> list[str]:
    """The short body of a follow-up (unescaped): the new version's title and link, then the original."""
    lines = [
        f"{language_name(item.lang)} version of an item rule {rule} alerted on:",
        item.title,
        item.url,
    ]
    if item.original_title or item.original_url:
        lines.append(f"Original: {item.original_title or ''}".rstrip())
        if item.original_url:
            lines.append(item.original_url)
    return lines


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
        if item.follow_up:
            blocks.append("\n".join(follow_up_lines(rule, item)))
            continue
        if item.notice is not None:
            lines = [item.title, item.url, f"Rule: {rule}" + (f" — {description}" if description else "")]
            lines += notice_lines(item)
            if item.diff is not None:
                lines += ["", edit_render.render(item.diff, edit_render.TEXT)]
            blocks.append("\n".join(lines))
            continue
        english = item.english_link
        lines = [
            item.title,
            moscow_stamp(item.published_at),
            item.url,
            *([f"English version: {english[0]}", english[1]] if english else []),
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
        if item.follow_up:
            blocks.append(_follow_up_html(rule, item))
            continue
        if item.notice is not None:
            blocks.append(_notice_html(rule, description, item))
            continue
        english = item.english_link
        parts = [
            f'<h2 style="margin:0 0 4px"><a href="{esc(item.url, quote=True)}">{esc(item.title)}</a></h2>',
            f'<p style="margin:0;color:#555">{esc(moscow_stamp(item.published_at))} · '
            f'<a href="{esc(item.url, quote=True)}">{esc(item.url)}</a></p>',
            *(
                [f"<p>English version: {_link(english[1], english[0])} · {_link(english[1], english[1])}</p>"]
                if english
                else []
            ),
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
                    f"<li><small>{esc(snippet.field)}</small> {snippet.marked(esc, '<mark>', '</mark>')}</li>"
                )
            parts.append("</ul>")
        if item.lead:
            parts.append(f"<p>{esc(item.lead)}</p>")
        blocks.append("\n".join(parts))
    return "\n<hr>\n".join(blocks)


def _link(url: str, text: str) -> str:
    """An escaped HTML link (the visible ``text`` too: the plain-text part Apprise derives keeps only it)."""
    return f'<a href="{html.escape(url, quote=True)}">{html.escape(text)}</a>'


def _follow_up_html(rule: str, item: AlertItem) -> str:
    esc = html.escape
    parts = [
        f"<p>{esc(language_name(item.lang))} version of an item rule <b>{esc(rule)}</b> alerted on:</p>",
        f'<h2 style="margin:0 0 4px">{_link(item.url, item.title)}</h2>',
        f"<p>{_link(item.url, item.url)}</p>",
    ]
    if item.original_url:
        original = _link(item.original_url, item.original_title or item.original_url)
        parts.append(f"<p>Original: {original} · {_link(item.original_url, item.original_url)}</p>")
    return "\n".join(parts)


def _notice_html(rule: str, description: str, item: AlertItem) -> str:
    esc = html.escape
    parts = [
        f'<h2 style="margin:0 0 4px">{_link(item.url, item.title)}</h2>',
        f"<p>{_link(item.url, item.url)}</p>",
        f"<p>Rule: <b>{esc(rule)}</b>{(' — ' + esc(description)) if description else ''}</p>",
        *(f"<p>{esc(line)}</p>" for line in notice_lines(item)),
    ]
    if item.diff is not None:
        parts.append(edit_render.render(item.diff, edit_render.HTML))
    return "\n".join(parts)


_SLACK_UNSAFE = str.maketrans(
    {"<": "‹", ">": "›", "&": "＆", "*": "∗", "_": "＿", "~": "∼", "`": "ʹ", "[": "［", "]": "］"}
)


def slack_escape(text: str) -> str:
    """Page text made inert for Slack: no ``<!channel>``, no links (``<…>``, ``[…](…)``) or formatting
    from the page."""
    return re.sub(r"\s+", " ", text.translate(_SLACK_UNSAFE))


#: Signs of a sentence line in Slack: ``~`` would read as the start of a strike, so a changed
#: sentence is ``≈``.
_SLACK_SIGNS: Mapping[str, str] = MappingProxyType({"removed": "−", "added": "+", "changed": "≈"})

#: An edit in Slack's Markdown as Apprise turns it into Slack's own (``**…**`` becomes bold ``*…*``,
#: ``~…~`` passes as Slack's strike-through): removed words and sentences struck, added ones bold,
#: each field's header bold. Page text goes through `slack_escape`, so no mark comes from the page.
SLACK = edit_render.Style(
    escape=slack_escape,
    removed=("~", "~"),
    added=("**", "**"),
    block=lambda title, lines: "\n".join([f"**{slack_escape(title).strip()}**", *lines]),
    line=lambda kind, content: f"{_SLACK_SIGNS.get(kind, '')} {content.strip()}".strip(),
    separator="\n\n",
    mark_sentences=True,
)


def render_slack(rule: str, description: str, items: list[AlertItem]) -> str:
    """Slack's own formatting (Apprise's Markdown mode turns ``[text](url)`` into ``<url|text>``)."""
    blocks = []
    for item in items:
        if item.follow_up:
            lines = [
                f"{language_name(item.lang)} version of an item rule **{slack_escape(rule)}** alerted on:",
                f"**[{slack_escape(item.title).strip()}]({item.url})**",
            ]
            if item.original_url:
                original = slack_escape(item.original_title or item.original_url).strip()
                lines.append(f"Original: [{original}]({item.original_url})")
            blocks.append("\n".join(lines))
            continue
        if item.notice is not None:
            lines = [
                f"**[{slack_escape(item.title).strip()}]({item.url})**",
                f"rule **{slack_escape(rule)}**" + (f" — {slack_escape(description)}" if description else ""),
                *(slack_escape(line) for line in notice_lines(item)),
            ]
            if item.diff is not None:
                lines += ["", edit_render.render(item.diff, SLACK)]
            blocks.append("\n".join(lines))
            continue
        english = item.english_link
        lines = [
            f"**[{slack_escape(item.title).strip()}]({item.url})**",
            f"{moscow_stamp(item.published_at)} · rule **{slack_escape(rule)}**"
            + (f" — {slack_escape(description)}" if description else ""),
            *([f"English version: [{slack_escape(english[0]).strip()}]({english[1]})"] if english else []),
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
