"""Plain text out of kremlin.ru HTML: whitespace normalisation and cleaning of body fragments.

Article pages, print pages and Atom feed entries carry the same item body in slightly different
wrappers. Every one of them goes through one walk of an lxml tree (`element_text`; `fragment_text`
parses a fragment and hands its tree on), so that the text of one item read from its feed entry and
from its article page compares equal wherever the site's content is the same: the archive detects
edits by comparing texts, and a difference that came from our own cleaning would look like an edit
on every item.

Rules, all taken from the real pages:

* ``.masha-ignore`` elements are not content: person tooltips inside speaker labels
  (``<b><a>М.Хуснуллин<span class="read__tooltip tooltip_person hidden masha-ignore">Хуснуллин
  Марат Шакирзянович …</span></a>:</b>``), video containers and their descriptions, «Смотрите
  также» boxes, the tag and status blocks. The text that follows a dropped element is kept, so
  the speaker label comes out as «М.Хуснуллин: …».
* ``.read__bottommeta`` (tags plus «Дата публикации / Опубликован в разделах / Текстовая версия»)
  sits INSIDE the body div and is dropped as a whole.
* scripts, styles, images and media elements carry no text.
* a paragraph is a block element (``p``, ``div``, headings, list items, …); inside it the site's
  hard line breaks (newlines in the source, ``<br>``) and ``\\xa0`` become single spaces;
  paragraphs are joined by a blank line (``"\\n\\n"``); empty paragraphs disappear.

Cleaning walks the page's own lxml tree, the one the parsers read the structure from: one parse
per page. It used to serialise the body and clean it with BeautifulSoup, which cost ~60 % of an
article's parse; the walk gives the same text, character for character (tests/test_text_cleaning.py
keeps the BeautifulSoup cleaning as the reference and compares every element of every saved page,
every feed entry and 300 replica pages). What keeps it identical: a fragment is fed to lxml's HTML
push parser wrapped in a ``div``, as BeautifulSoup fed it (`parse_fragment`); classes are split at
Unicode whitespace, as BeautifulSoup splits them; comments and processing instructions give no text
but their tails do. Measured on 2026-12-07 (2 busy cores, CPU time, old and new code against plain
``lxml.html.fromstring`` + ``text_content()`` in one run): `parse_page` of the two real articles
(ru 77329, 116 KB, and en 63907) took 9.6 ms a page with the BeautifulSoup cleaning and takes 2.2 ms
now, 0.11x → 0.49x the plain parse (``make bench`` section 2: 0.13x → 0.46x; with lxml's plain
element class and leaf paragraphs taken without a call, 0.53x on a quiet machine). `normalize_space`
settles the common paragraph (single spaces, \\xa0 and line breaks only) without a regular
expression: the two it used were a third of what remained after the walk replaced BeautifulSoup.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lxml import etree
from lxml.etree import _Element

#: Classes whose elements (with everything inside) are not item content.
DROP_CLASSES = frozenset({"masha-ignore", "read__bottommeta"})
#: Tags that never carry item text.
DROP_TAGS = frozenset(
    {"script", "style", "noscript", "template", "img", "picture", "video", "audio", "source",
     "iframe", "object", "embed", "svg", "button", "form", "input", "select", "textarea", "meta",
     "link"}
)  # fmt: skip
#: Tags that start and end a paragraph; everything else is inline and joins its neighbours.
BLOCK_TAGS = frozenset(
    {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd",
     "blockquote", "pre", "table", "thead", "tbody", "tfoot", "tr", "section", "article", "aside",
     "header", "footer", "figure", "figcaption", "hr", "address", "main", "nav", "center"}
)  # fmt: skip
#: Inline tags that still separate words (table cells, line breaks).
SPACE_TAGS = frozenset({"br", "td", "th", "wbr"})

#: A class name, as BeautifulSoup splits the ``class`` attribute into names.
_CLASS_NAME = re.compile(r"\S+")
#: Control characters that are not whitespace, and the non-characters U+FFFE/U+FFFF: never text on
#: the site, only the mark of a broken response (PostgreSQL cannot even store a NUL).
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x7f\ufffe\uffff]")


def normalize_space(text: str) -> str:
    """Collapse every run of whitespace (newlines, tabs, \\xa0, narrow no-break spaces) to one space.

    The site puts \\xa0 after short words and hard line breaks inside paragraphs; neither is
    content, and both would make two copies of the same text compare unequal. Control characters
    (a NUL, an escape) are removed: a response that carries them must not become a title that looks
    non-empty but shows nothing, or text the database refuses.
    """
    # The common case, decided in C without a regular expression: once the site's \\xa0 and line
    # breaks are spaces, a printable text (no other whitespace, no control character, no BOM:
    # `str.isprintable` is false for every one of them) without two spaces in a row is normal
    # but for its ends.
    spaced = text.replace("\xa0", " ").replace("\n", " ")
    if spaced.isprintable() and "  " not in spaced:
        return spaced.strip(" ")
    if _CONTROL.search(text) is not None:
        text = _CONTROL.sub("", text)
    # `str.split` splits at exactly the characters a regular expression's ``\s`` matches (\\xa0 and
    # the narrow no-break spaces among them), and is several times faster than a `re.sub` over a
    # text full of \\xa0; only the BOM, which Python does not count as whitespace, is replaced first.
    return " ".join(text.replace("\ufeff", " ").split())


def join_paragraphs(paragraphs: Iterable[str]) -> str:
    """Normalise each paragraph, drop the empty ones and join the rest with a blank line."""
    return "\n\n".join(p for p in (normalize_space(p) for p in paragraphs) if p)


def _class_names(element: _Element) -> list[str]:
    """The element's classes, split as BeautifulSoup splits a multi-valued ``class`` attribute."""
    return _CLASS_NAME.findall(element.get("class") or "")


def _paragraphs(root: _Element, drop_classes: frozenset[str]) -> list[str]:
    """Cut the text of `root` into paragraphs at block elements, leaving dropped elements out.

    A dropped element, a comment or a processing instruction loses its content but not its tail:
    the text after it belongs to its parent. (The names the walk needs are bound locally: this is
    the loop every page's text runs through.)
    """
    paragraphs: list[str] = []
    buffer: list[str] = []
    add = buffer.append
    block_tags, space_tags, drop_tags, class_names = BLOCK_TAGS, SPACE_TAGS, DROP_TAGS, _CLASS_NAME.findall

    def walk(element: _Element) -> None:
        name = element.tag
        block = name in block_tags
        spaced = not block and name in space_tags
        if block:
            if buffer:
                paragraphs.append("".join(buffer))
                buffer.clear()
        elif spaced:
            add(" ")
        # Each read of .text or .tail decodes the node's text anew: read once.
        text = element.text
        if text:
            add(text)
        for child in element:
            tag = child.tag
            if tag.__class__ is str and tag not in drop_tags:
                classes = child.get("class")
                if not classes or drop_classes.isdisjoint(class_names(classes)):
                    if len(child):
                        walk(child)
                    elif tag in block_tags:  # a leaf block (most paragraphs): a paragraph of its own
                        if buffer:
                            paragraphs.append("".join(buffer))
                            buffer.clear()
                        text = child.text
                        if text:
                            paragraphs.append(text)
                    elif tag in space_tags:  # a leaf line break or cell: its text between spaces
                        add(" ")
                        text = child.text
                        if text:
                            add(text)
                        add(" ")
                    else:  # an inline leaf: its text
                        text = child.text
                        if text:
                            add(text)
            tail = child.tail
            if tail:
                add(tail)
        if block:
            if buffer:
                paragraphs.append("".join(buffer))
                buffer.clear()
        elif spaced:
            add(" ")

    tag = root.tag
    if isinstance(tag, str) and tag not in DROP_TAGS and drop_classes.isdisjoint(_class_names(root)):
        walk(root)
    if buffer:
        paragraphs.append("".join(buffer))
    return paragraphs


def fragment_text(html: str, drop_classes: Iterable[str] = ()) -> str:
    """Cleaned, normalised text of an HTML fragment (a feed entry's content, a body div).

    `drop_classes` names further classes to leave out, e.g. ``c-summary`` in feed content, whose
    first block repeats the lead. The fragment is parsed by `parse_fragment`.
    """
    if not html.strip():
        return ""
    root = parse_fragment(html)
    body = root.find("body")
    return element_text(body if body is not None else root, drop_classes)


def parse_fragment(html: str) -> _Element:
    """The lxml tree of an HTML fragment, wrapped in a ``div`` and fed to lxml's HTML push parser as
    BeautifulSoup fed it when it did the cleaning, so that the tree (and the text) is the one the
    archive's texts were made from. Returns the ``html`` root; the fragment is in its ``body``."""
    parser = etree.HTMLParser(recover=True)
    parser.feed(f"<div>{html}</div>")
    root: _Element = parser.close()
    return root


def element_text(element: _Element, drop_classes: Iterable[str] = ()) -> str:
    """Cleaned, normalised text of an lxml element (an article's body or lead div), read from the
    page's own tree: nothing is serialised or parsed again, and the tree is left untouched (its tag
    block, which sits inside the body div, is still read by the article parser)."""
    return join_paragraphs(_paragraphs(element, DROP_CLASSES | frozenset(drop_classes)))


#: Every text node below an element, in order: what lxml.html's ``text_content()`` reads, for the
#: plain elements of `crawler.page_parts.parse_html`; plain strings, not "smart" ones that keep the
#: whole tree alive.
_STRING = etree.XPath("string()", smart_strings=False)


def text_content(element: _Element) -> str:
    """All the text inside ``element`` (not its tail), unnormalised: the whole text of a small
    element (a date, a heading, a link), read in one call."""
    return str(_STRING(element))


def inline_text(element: _Element | None) -> str | None:
    """Normalised one-line text of a small lxml element (title, place, tag name); None if absent.

    These elements hold no tooltips or scripts, so lxml's own text extraction is enough.
    """
    if element is None:
        return None
    return normalize_space(text_content(element))
