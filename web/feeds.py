"""Atom feeds under ``/feeds``: the newest phone calls (all, or with one country), what each rule
matches, and every edit and withdrawal the archive saw.

The call feeds read the call ledger, like ``/calls``: one entry per call, in its Russian version when
the archive holds it (``?lang=en``: the English ones), with the English twin as a ``rel=related``
link with ``hreflang="en"``. A rule's feed lists what its search finds: language
versions, each an entry of its own. The edits feed has one entry per edit (a new version of a
language version) and per withdrawal, newest first by when the archive saw it, its content the
diff the item page shows (`web.present.shown_edit`); typography-only edits are left out. Every
entry says its language (``xml:lang``).

A feed reader polls, so every feed carries a strong ETag of its body and answers a matching
``If-None-Match`` with 304: an unchanged feed costs the reader no download.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Request, Response

from archive.edit_log import Edit, edits
from archive.export import item_object, load_items
from calls.codes import country_name, is_country_code, normalized_code
from calls.ledger import CallFilter, load_calls
from search.engine import SearchError
from web import atom
from web.api import Kind, Lang
from web.calls_page import english_version
from web.context import WebContext, get_context
from web.pages import LANG_LABELS
from web.present import shown_edit
from web.rules import RulesUnavailable, find_rule, rule_matches

#: Entries per feed: enough for a reader that polls a few times a day.
FEED_SIZE = 50

router = APIRouter(prefix="/feeds", tags=["feeds"])

_ATOM_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/atom+xml": {}}, "description": "an Atom 1.0 feed"},
    304: {"description": "the feed is unchanged since the ETag given in If-None-Match"},
}


@router.get("/calls.atom", response_class=Response, responses={**_ATOM_RESPONSE, 422: {}})
def calls_feed(
    request: Request, context: Annotated[WebContext, Depends(get_context)], lang: Lang | None = None
) -> Response:
    """The newest phone calls from the call ledger: one entry per call, in Russian when the archive
    holds that version (``lang=en``: the English versions), linking the English twin as well."""
    wanted = CallFilter(lang=lang)
    info = atom.FeedInfo(
        id=atom.feed_id(context.base_url, "/feeds/calls" + _lang_part(lang)),
        title="kremlin.ru: phone calls" + _lang_title(lang),
        subtitle="The President's telephone conversations, newest first (kremlin-watch)",
        self_url=str(request.url),
        html_url=f"{request.base_url}calls{_query(lang=lang)}",
    )
    return _feed_response(request, info, _call_entries(context, wanted))


@router.get("/calls/{country}.atom", response_class=Response, responses={**_ATOM_RESPONSE, 404: {}, 422: {}})
def country_calls_feed(
    country: str,
    request: Request,
    context: Annotated[WebContext, Depends(get_context)],
    lang: Lang | None = None,
) -> Response:
    """The newest phone calls with a counterpart from ``country`` (ISO 3166 alpha-2, EU or RU), one
    entry per call as in ``/feeds/calls.atom``."""
    code = normalized_code(country)
    if not is_country_code(code):
        raise HTTPException(404, f"no country with the code {country!r}")
    name = country_name(code)
    info = atom.FeedInfo(
        id=atom.feed_id(context.base_url, f"/feeds/calls/{code}" + _lang_part(lang)),
        title=f"kremlin.ru: phone calls with {name}" + _lang_title(lang),
        subtitle=f"The President's telephone conversations with {name}, newest first (kremlin-watch)",
        self_url=str(request.url),
        html_url=f"{request.base_url}calls{_query(country=code, lang=lang)}",
    )
    return _feed_response(request, info, _call_entries(context, CallFilter(country=code, lang=lang)))


def _call_entries(context: WebContext, wanted: CallFilter) -> list[dict[str, Any]]:
    """The newest `FEED_SIZE` calls of the ledger as item objects, each with its English twin."""
    calls = load_calls(context.engine, wanted, context.lemmatizer)[:FEED_SIZE]
    found = load_items(context.engine, [(call.id, call.lang) for call in calls])
    entries = []
    for call in calls:
        item = found.get((call.id, call.lang))
        if item is None:
            continue
        entry = item_object(item)
        english = english_version(call)
        if english["en_url"] and call.lang != "en":
            entry["other_versions"] = [{"lang": "en", "url": english["en_url"], "title": english["en_title"]}]
        entries.append(entry)
    return entries


def _lang_part(lang: str | None) -> str:
    """A feed of one language is a feed of its own (its own id)."""
    return f"?lang={lang}" if lang else ""


def _lang_title(lang: str | None) -> str:
    return f" ({LANG_LABELS.get(lang, lang)})" if lang else ""


def _query(**fields: str | None) -> str:
    given = {name: value for name, value in fields.items() if value}
    return f"?{urlencode(given)}" if given else ""


@router.get("/rules/{name}.atom", response_class=Response, responses={**_ATOM_RESPONSE, 404: {}})
def rule_feed(name: str, request: Request, context: Annotated[WebContext, Depends(get_context)]) -> Response:
    """The newest items a rule of the rules file matches."""
    try:
        rule = find_rule(context.rules, name)
    except RulesUnavailable as error:
        raise HTTPException(503, f"rules file: {error}") from None
    if rule is None:
        raise HTTPException(404, f"no rule named {name!r}")
    try:
        found = rule_matches(context.engine, rule, FEED_SIZE, context.lemmatizer)
    except SearchError as error:
        raise HTTPException(503, f"rule {rule.name!r}: {error}") from None
    kinds = rule.search_kinds
    page = {"q": rule.search_text, **({"kind": kinds[0]} if len(kinds) == 1 else {})}
    info = atom.FeedInfo(
        id=atom.feed_id(context.base_url, f"/feeds/rules/{rule.name}"),
        title=f"kremlin.ru: {rule.name}",
        subtitle=rule.description or f"Items matching {rule.selector}",
        self_url=str(request.url),
        html_url=f"{request.base_url}?{urlencode(page)}",
    )
    return _feed_response(request, info, (hit.item for hit in found.hits))


@router.get("/edits.atom", response_class=Response, responses={**_ATOM_RESPONSE, 422: {}})
def edits_feed(
    request: Request, context: Annotated[WebContext, Depends(get_context)], kind: Kind | None = None
) -> Response:
    """Every edit and withdrawal the archive saw, newest first (``kind``: of that kind of item only):
    an entry per step, titled ``Edited: <title>`` or ``Withdrawn: <title>``, updated when the archive
    first saw it, with the same rendered diff as the item page. Typography-only edits are left out."""
    found = edits(context.engine, kinds=[kind] if kind else (), limit=FEED_SIZE)
    info = atom.FeedInfo(
        id=atom.feed_id(context.base_url, "/feeds/edits" + (f"?kind={kind}" if kind else "")),
        title="kremlin.ru: edits" + (f" ({kind})" if kind else ""),
        subtitle="Items the site edited or withdrew after publishing them, newest first (kremlin-watch)",
        self_url=str(request.url),
    )
    return _feed_response(request, info, (_edit_entry(step) for step in found))


def _edit_entry(edit: Edit) -> dict[str, Any]:
    """An edit as a feed entry: the item's own fields (language, links, topics) with the entry's id,
    title, time, summary and content those of the edit."""
    shown = shown_edit(edit)
    what = "Withdrawn" if edit.withdrawn else "Edited"
    version = "" if edit.withdrawn else f" (version {edit.version - 1} → {edit.version})"
    return {
        "id": edit.item_id,
        "lang": edit.lang,
        "url": edit.url,
        "title": edit.title,
        "published_at": edit.published_at,
        "topics": edit.after.get("topics"),
        "entry_id": f"{edit.url}#edit-{edit.key}",
        "entry_title": f"{what}: {edit.title}",
        "entry_updated": edit.seen_at,
        "entry_summary": shown.summary + version,
        "entry_html": str(shown.html),
    }


def _feed_response(request: Request, info: atom.FeedInfo, items: Iterable[dict[str, Any]]) -> Response:
    body = atom.render_feed(info, items, item_page=f"{request.base_url}items/{{id}}#lang-{{lang}}")
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if etag in _etags(request.headers.get("if-none-match", "")):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=atom.MEDIA_TYPE, headers=headers)


def _etags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}
