"""One item in full: every language version, each with its earlier versions and what each edit
changed (read-only).

kremlin.ru and en.kremlin.ru give an item the same id, and the archive keeps each language version
as a row of its own (``item``, keyed ``(id, lang)``), with the contents it replaced in
``itemrevision`` (see `archive.store`). Version *n* of a language version was replaced by version
*n+1*: the next revision of that language, or the current row for the newest revision. What changed
is worked out here, field by field; for the title, lead and text a word diff in short (the changed
words with a little context), because an edit on kremlin.ru is usually a corrected name or date in a
long text.
"""

from __future__ import annotations

import difflib
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlmodel import Session

from archive.export import item_object
from archive.models import Item, ItemRevision
from archive.records import CONTENT_FIELDS
from archive.vocabulary import LANGS

#: Words of unchanged text shown either side of a change.
CONTEXT_WORDS = 4
#: A diff longer than this (characters) is cut, with «…».
DIFF_LIMIT = 300
_TEXT_FIELDS = ("title", "lead", "text")
_LIST_FIELDS = ("topics", "geography", "persons")


def item_versions(engine: Engine, item_id: int) -> dict[str, Any] | None:
    """``{"id": item_id, "versions": [...]}``: every language version the archive holds of the item,
    the Russian (primary) one first, each as `version_with_revisions` makes it; None when the archive
    holds no version of the item."""
    with Session(engine) as session:
        items = list(session.exec(select(Item).where(Item.id == item_id)).scalars())  # type: ignore[call-overload,arg-type]
        statement = (
            select(ItemRevision)
            .where(ItemRevision.item_id == item_id)  # type: ignore[arg-type]
            .order_by(ItemRevision.lang, ItemRevision.version)  # type: ignore[arg-type]
        )
        revisions = list(session.exec(statement).scalars())  # type: ignore[call-overload]
        if not items:
            return None
        items.sort(key=lambda item: (_language_order(item.lang), item.lang))
        versions = [
            version_with_revisions(item, [revision for revision in revisions if revision.lang == item.lang])
            for item in items
        ]
    return {"id": item_id, "versions": versions}


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
    ``revisions`` (the version's own, given oldest first), each with its content and the ``changes``
    that the next version made.

    A change is ``{"field", "before", "after", "diff"}``; ``diff`` is a short word diff for the
    title, lead and text (``[-removed-]{+added+}``), and ``None`` for other fields.
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
                **_json_content(content),
                "changes": changes(content, following),
            }
        )
    data["revisions"] = entries
    return data


def _language_order(lang: str) -> int:
    """The site's editions in `LANGS` order (Russian, the primary one, first); others after them."""
    return LANGS.index(lang) if lang in LANGS else len(LANGS)


def _content(row: Item | ItemRevision) -> dict[str, Any]:
    return {name: getattr(row, name) for name in CONTENT_FIELDS}


def _json_content(content: dict[str, Any]) -> dict[str, Any]:
    return {
        name: value.isoformat() if isinstance(value, datetime) else value for name, value in content.items()
    }


def changes(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """What differs between two contents, in `CONTENT_FIELDS` order."""
    found = []
    for name in CONTENT_FIELDS:
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        diff = word_diff(old or "", new or "") if name in _TEXT_FIELDS else None
        if name in _LIST_FIELDS:
            diff = list_diff(old or [], new or [])
        found.append(
            {
                "field": name,
                "before": old.isoformat() if isinstance(old, datetime) else old,
                "after": new.isoformat() if isinstance(new, datetime) else new,
                "diff": diff,
            }
        )
    return found


def word_diff(before: str, after: str, context: int = CONTEXT_WORDS, limit: int = DIFF_LIMIT) -> str:
    """The changed words in short: ``…a few words [-old words-]{+new words+} a few words…``, the
    pieces of a long text joined with `` … ``, cut at ``limit`` characters."""
    old, new = before.split(), after.split()
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    pieces = []
    for tag, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if tag == "equal":
            continue
        head = old[max(0, old_start - context) : old_start]
        tail = old[old_end : old_end + context]
        removed = f"[-{' '.join(old[old_start:old_end])}-]" if old_end > old_start else ""
        added = f"{{+{' '.join(new[new_start:new_end])}+}}" if new_end > new_start else ""
        prefix = "…" if old_start - context > 0 else ""
        suffix = "…" if old_end + context < len(old) else ""
        pieces.append(prefix + " ".join([*head, removed + added, *tail]) + suffix)
    text = " ".join(pieces) if pieces else "(whitespace only)"
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def list_diff(before: list[str], after: list[str]) -> str:
    """Entries removed and added: ``-Old entry; +New entry``."""
    removed = [f"-{entry}" for entry in before if entry not in after]
    added = [f"+{entry}" for entry in after if entry not in before]
    return "; ".join(removed + added) or "(order only)"
