"""The site's addresses, as every parser reads and returns them.

The site links items as ``/<section>/<id>``, but saved copies (``wget --convert-links``) rewrite links
to ``../63907.html`` and the crawler may run against a local replica, so every address a parser returns
is rebuilt on the origin (scheme and host) of the address the page was fetched from.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit, urlunsplit

#: ``/<section>/<id>`` with an optional ``/print`` (print pages share the item's address).
_ITEM_PATH = re.compile(r"^/(?P<section>[a-z][a-z_-]*(?:/[a-z][a-z_-]*)*)/(?P<id>\d+)(?:/print)?/?$")
#: Last section segments that mean "not an item": list pages, short links, text versions, feeds.
_NOT_SECTIONS = frozenset({"page", "d", "copy", "feed", "by-date", "photos", "videos", "audios"})
#: Tails of a list or feed address, cut off to find the section it lists.
_LIST_TAIL = re.compile(r"/(?:feed(?:/page/\d+)?|page/\d+|by-date/[\d.]+)/?$")


def origin(url: str) -> str:
    """``scheme://host[:port]`` of `url`, the base every returned address is built on."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme or "http", parts.netloc, "", "", ""))


def _path(href: str, base_url: str) -> str:
    """Path of `href` resolved against `base_url`, with a wget-style ``.html`` suffix removed."""
    path = urlsplit(urljoin(base_url, href.strip())).path
    if path.endswith(".html"):
        path = path[: -len(".html")]
    return path


def split_item_path(href: str, base_url: str) -> tuple[str, int] | None:
    """(section, id) of an item address such as ``/acts/news/80518``; None for anything else."""
    match = _ITEM_PATH.match(_path(href, base_url))
    if match is None or match["section"].rsplit("/", 1)[-1] in _NOT_SECTIONS:
        return None
    return match["section"], int(match["id"])


def list_section(href: str, base_url: str) -> str | None:
    """The section a list or feed address lists (``/events/president/news/page/3`` → its section)."""
    path = _LIST_TAIL.sub("", _path(href, base_url)).strip("/")
    return path or None


def item_url(base_url: str, section: str, item_id: int) -> str:
    """Canonical item address ``<origin>/<section>/<id>`` on the origin of `base_url`."""
    return f"{origin(base_url)}/{section.strip('/')}/{item_id}"


def rebase(href: str, base_url: str) -> str:
    """Absolute address of `href` on the origin of `base_url` (kept on a replica, ``.html`` removed)."""
    parts = urlsplit(urljoin(base_url, href.strip()))
    scheme, netloc = urlsplit(origin(base_url))[:2]
    return urlunsplit((scheme, netloc, _path(href, base_url), parts.query, ""))


def host_lang(url: str) -> str:
    """Language implied by the host: ``en.kremlin.ru`` is English, everything else Russian."""
    host = urlsplit(url).hostname or ""
    return "en" if host.startswith("en.") else "ru"
