"""Atom 1.0 (RFC 4287) feeds of archived items, for feed readers.

Built with lxml rather than a template so every text is escaped by the serializer, never by hand.
Entry ids are the addresses of the item versions on the site (kremlin.ru or en.kremlin.ru: permanent,
and the same in every feed, so a reader that follows two feeds knows an entry it has already seen);
an edit's entry id is that address with ``#edit-`` and `archive.edit_log.Edit.key` (``#edit-123:ru:3``,
``#edit-123:ru:withdrawn``), as permanent as the step it names; feed ids are ``urn:uuid`` names
derived from the watched site and the feed's path, so they stay the same whatever host name the
server is reached under.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from lxml import etree

ATOM_NS = "http://www.w3.org/2005/Atom"
MEDIA_TYPE = "application/atom+xml; charset=utf-8"
_A = f"{{{ATOM_NS}}}"
#: ``xml:lang``: an entry says which language it is in (RFC 4287, section 2).
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: Characters XML 1.0 cannot carry at all (lxml refuses them); a stray one must not break a feed.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class FeedInfo:
    """What a feed says about itself."""

    #: A permanent IRI (see `feed_id`).
    id: str
    title: str
    #: The feed's own absolute address (link rel=self).
    self_url: str
    #: A page showing the same items to people (link rel=alternate), if there is one.
    html_url: str | None = None
    subtitle: str | None = None


def feed_id(site: str, path: str) -> str:
    """A permanent feed id: a name-based UUID of the watched site and the feed's path."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, site.rstrip('/') + '/kremlin-watch' + path)}"


def paragraphs_html(text: str | None) -> str:
    """The item's text as HTML paragraphs (the archive separates paragraphs by a blank line)."""
    if not text:
        return ""
    parts = []
    for paragraph in (part.strip() for part in text.split("\n\n")):
        if paragraph:
            element = etree.Element("p")
            element.text = xml_safe(paragraph)
            parts.append(etree.tostring(element, encoding="unicode"))
    return "\n".join(parts)


def render_feed(info: FeedInfo, items: Iterable[dict[str, Any]], item_page: str | None = None) -> bytes:
    """The feed document as UTF-8 bytes.

    ``items`` are item objects (`archive.export.item_object`) of language versions, newest first:
    each is an entry in its own language (``xml:lang``) linking its own page on the site. An object
    may carry ``other_versions``, ``[{"lang", "url", "title"}]``: the item's pages in other languages,
    linked as rel=related with their ``hreflang`` (a call's English twin). ``item_page`` is
    a format string with ``{id}`` and ``{lang}`` for the server's page of an item, linked as
    rel=related.

    An entry that is not the item itself (an edit of it) carries its own ``entry_id``,
    ``entry_title``, ``entry_updated``, ``entry_summary`` (plain text) and ``entry_html`` (the
    content, HTML already escaped by its maker) in place of the item's url, title, times, lead and
    text.
    """
    entries = list(items)
    feed = etree.Element(_A + "feed", nsmap={None: ATOM_NS})
    _text(feed, "id", info.id)
    _text(feed, "title", info.title)
    if info.subtitle:
        _text(feed, "subtitle", info.subtitle)
    _text(feed, "updated", _rfc3339(max((_updated(entry) for entry in entries), default=None)))
    _link(feed, info.self_url, "self", "application/atom+xml")
    if info.html_url:
        _link(feed, info.html_url, "alternate", "text/html")
    author = etree.SubElement(feed, _A + "author")
    _text(author, "name", "kremlin.ru")
    _text(feed, "generator", "kremlin-watch")
    for item in entries:
        _entry(feed, item, item_page)
    return etree.tostring(feed, xml_declaration=True, encoding="utf-8", pretty_print=True)


def _entry(feed: etree._Element, item: dict[str, Any], item_page: str | None) -> None:
    entry = etree.SubElement(feed, _A + "entry")
    lang = item.get("lang")
    if lang:
        entry.set(XML_LANG, lang)
    _text(entry, "id", item.get("entry_id") or item["url"])
    _text(entry, "title", item.get("entry_title") or item.get("title") or f"#{item['id']}")
    _text(entry, "updated", _rfc3339(_updated(item)))
    published = _time(item.get("published_at"))
    if published is not None:
        _text(entry, "published", _rfc3339(published))
    _link(entry, item["url"], "alternate", "text/html", lang)
    if item_page:
        _link(entry, item_page.format(id=item["id"], lang=lang or ""), "related", "text/html")
    # rel=related, not a second alternate: readers (feedparser among them) take the last alternate for
    # the entry's link, and the entry is the version it is in.
    for other in item.get("other_versions") or ():
        _link(entry, other["url"], "related", "text/html", other["lang"], other.get("title"))
    for topic in item.get("topics") or ():
        etree.SubElement(entry, _A + "category", term=xml_safe(topic))
    summary = item.get("entry_summary") or item.get("lead")
    if summary:
        _text(entry, "summary", summary).set("type", "text")
    body = item["entry_html"] if "entry_html" in item else paragraphs_html(item.get("text"))
    if body:
        _text(entry, "content", body).set("type", "html")


def _updated(item: dict[str, Any]) -> datetime:
    """When the archive last changed the item (an edit on the site moves it), or the entry's own
    ``entry_updated`` (an edit: when it was first seen)."""
    for key in ("entry_updated", "updated_at", "published_at", "first_seen_at"):
        moment = _time(item.get(key))
        if moment is not None:
            return moment
    return datetime.fromtimestamp(0, UTC)


def _time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str) and value:
        moment = datetime.fromisoformat(value)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return None


def _rfc3339(moment: datetime | None) -> str:
    """RFC 3339 in UTC with a Z; an empty feed is "updated" now."""
    moment = (moment or datetime.now(UTC)).astimezone(UTC)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def _text(parent: etree._Element, name: str, value: str) -> etree._Element:
    element = etree.SubElement(parent, _A + name)
    element.text = xml_safe(value)
    return element


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot carry (lxml refuses them)."""
    return _NOT_XML.sub("", text)


def _link(
    parent: etree._Element,
    href: str,
    rel: str,
    media_type: str,
    hreflang: str | None = None,
    title: str | None = None,
) -> None:
    link = etree.SubElement(parent, _A + "link", rel=rel, type=media_type, href=href)
    if hreflang:
        link.set("hreflang", hreflang)
    if title:
        link.set("title", xml_safe(title))
