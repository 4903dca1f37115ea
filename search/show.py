"""One item in full: every language version, each with its earlier versions and what each edit
changed (read-only).

kremlin.ru and en.kremlin.ru give an item the same id, and the archive keeps each language version
as a row of its own (``item``, keyed ``(id, lang)``), with the contents it replaced in
``itemrevision`` (see `archive.store`). Version *n* of a language version was replaced by version
*n+1*: the next revision of that language, or the current row for the newest revision. What changed
is `edits.diff.diff_versions`, the project's one diff (sentences, then words), as its structured
JSON (`edits.diff.EditDiff.to_json`): readers render it for their medium with `edits.render`, so
no marked-up string is ever parsed back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlmodel import Session

from archive.export import item_object
from archive.models import Item, ItemRevision
from archive.records import CONTENT_FIELDS
from archive.vocabulary import LANGS
from edits.diff import diff_versions


def item_versions(engine: Engine, item_id: int) -> dict[str, Any] | None:
    """``{"id": item_id, "versions": [...]}``: every language version the archive holds of the item,
    the Russian (primary) one first, each as `version_with_revisions` makes it; None when the archive
    holds no version of the item."""
    found = _held(engine, item_id)
    if found is None:
        return None
    return {"id": item_id, "versions": [version_with_revisions(item, revisions) for item, revisions in found]}


def item_history(engine: Engine, item_id: int) -> dict[str, Any] | None:
    """``{"id": item_id, "versions": [...]}``: per language version (Russian first) its ``lang``,
    ``url``, ``kind``, current ``title`` and ``version``, ``withdrawn_at``, and ``history``: every
    version from the first, each with its times and the edit that made it (`version_history`);
    None when the archive holds no version of the item."""
    found = _held(engine, item_id)
    if found is None:
        return None
    versions = []
    for item, revisions in found:
        versions.append(
            {
                "lang": item.lang,
                "url": item.url,
                "kind": item.kind,
                "title": item.title,
                "version": item.version,
                "withdrawn_at": _json_time(item.gone_at),
                "history": version_history(item, revisions),
            }
        )
    return {"id": item_id, "versions": versions}


def _held(engine: Engine, item_id: int) -> list[tuple[Item, list[ItemRevision]]] | None:
    """The item's language versions (in `LANGS` order), each with its revisions oldest first."""
    with Session(engine) as session:
        items = list(session.exec(select(Item).where(Item.id == item_id)).scalars())  # type: ignore[call-overload,arg-type]
        if not items:
            return None
        statement = (
            select(ItemRevision)
            .where(ItemRevision.item_id == item_id)  # type: ignore[arg-type]
            .order_by(ItemRevision.lang, ItemRevision.version)  # type: ignore[arg-type]
        )
        revisions = list(session.exec(statement).scalars())  # type: ignore[call-overload]
    items.sort(key=lambda item: (_language_order(item.lang), item.lang))
    return [(item, [revision for revision in revisions if revision.lang == item.lang]) for item in items]


def item_with_revisions(engine: Engine, item_id: int, lang: str | None = None) -> dict[str, Any] | None:
    """One language version of the item with its revisions (see `version_with_revisions`): the one in
    ``lang``, or without it the primary one (Russian when held, else English); None when the archive
    does not hold it."""
    found = item_versions(engine, item_id)
    if found is None:
        return None
    if lang is None:
        return found["versions"][0]
    return next((version for version in found["versions"] if version["lang"] == lang), None)


def version_with_revisions(item: Item, revisions: list[ItemRevision]) -> dict[str, Any]:
    """The version's export object (`archive.export.item_object`: with its ``lang`` and ``url``) with
    ``revisions`` (the version's own, given oldest first), each with its content, ``replaced_at``,
    ``site_updated_at`` (the site's stated time of that version), ``cosmetic`` (the edit that
    replaced it changed typography only) and ``changes``: what the next version changed, as
    `edits.diff.EditDiff.to_json` (``{"summary", "cosmetic", "fields": [...]}``).
    """
    data = item_object(item)
    current = _content(item)
    entries = []
    for position, revision in enumerate(revisions):
        content = _content(revision)
        following = _content(revisions[position + 1]) if position + 1 < len(revisions) else current
        entries.append(
            {
                "version": revision.version,
                "replaced_at": revision.replaced_at.isoformat(),
                "site_updated_at": _json_time(revision.site_updated_at),
                "cosmetic": revision.cosmetic,
                **_json_content(content),
                "changes": diff_versions(content, following).to_json(),
            }
        )
    data["revisions"] = entries
    return data


def version_history(item: Item, revisions: list[ItemRevision]) -> list[dict[str, Any]]:
    """Every version of a language version, oldest first: ``version``, ``title``, ``seen_at`` (when
    the archive first held it), ``site_updated_at`` (when the site says it was last changed),
    ``replaced_at`` (None for the current one), ``cosmetic`` (the edit that made it changed
    typography only) and ``changes``, the edit that made it from its predecessor
    (`edits.diff.EditDiff.to_json`; None for version 1)."""
    rows: list[Item | ItemRevision] = [*revisions, item]
    found = []
    for position, row in enumerate(rows):
        previous = rows[position - 1] if position else None
        replaced = row.replaced_at if isinstance(row, ItemRevision) else None
        found.append(
            {
                "version": row.version if isinstance(row, ItemRevision) else item.version,
                "title": row.title,
                "seen_at": _json_time(item.first_seen_at if previous is None else _replaced_at(previous)),
                "site_updated_at": _json_time(row.site_updated_at),
                "replaced_at": _json_time(replaced),
                "cosmetic": bool(previous is not None and _cosmetic(previous)),
                "changes": None
                if previous is None
                else diff_versions(_content(previous), _content(row)).to_json(),
            }
        )
    return found


def _diff_json(before: Item | ItemRevision, after: Item | ItemRevision) -> dict[str, Any]:
    return diff_versions(_content(before), _content(after)).to_json()


def _replaced_at(row: Item | ItemRevision) -> datetime | None:
    return row.replaced_at if isinstance(row, ItemRevision) else None


def _cosmetic(row: Item | ItemRevision) -> bool:
    return isinstance(row, ItemRevision) and row.cosmetic


def _json_time(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _language_order(lang: str) -> int:
    """The site's editions in `LANGS` order (Russian, the primary one, first); others after them."""
    return LANGS.index(lang) if lang in LANGS else len(LANGS)


def _content(row: Item | ItemRevision) -> dict[str, Any]:
    return {name: getattr(row, name) for name in CONTENT_FIELDS}


def _json_content(content: dict[str, Any]) -> dict[str, Any]:
    return {
        name: value.isoformat() if isinstance(value, datetime) else value for name, value in content.items()
    }
