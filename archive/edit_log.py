"""The edits the archive saw, as one list: every new version of an item next to the one it replaced,
and every item the site withdrew (read-only).

Version *n* of an item's language version is kept in ``itemrevision`` once version *n+1* replaced it
(`archive.store`); the newest version is the ``item`` row itself. An `Edit` puts the two contents of
one step side by side, with the two times a reader wants: when the site says it changed the item (the
new version's ``site_updated_at``, from the feed's ``<updated>``) and when the archive first saw the
change (the revision's ``replaced_at``). A withdrawn item (its page answered 404/410, ``gone_at``) is
an `Edit` too, ``withdrawn`` and with its last text on both sides. What changed is for `edits.diff`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select, tuple_
from sqlmodel import Session

from archive.models import Item, ItemRevision
from archive.records import CONTENT_FIELDS

WITHDRAWN = "withdrawn"
#: Keys per IN list (SQLite caps the variables of one statement).
_CHUNK = 300


@dataclass(frozen=True)
class Edit:
    """One step of an item's history: version ``version`` replacing ``version - 1`` (or, when
    ``withdrawn``, the site withdrawing the item at ``version``)."""

    item_id: int
    lang: str
    #: The version the step made (for a withdrawal: the last version the archive holds).
    version: int
    kind: str
    url: str
    #: The new version's title (the one readers know the item by now).
    title: str
    #: When the archive first saw the change (or first found the page withdrawn).
    seen_at: datetime
    #: When the site says it changed the item (the new version's ``<updated>``); None if not stated.
    site_at: datetime | None
    #: Typography only (quotes, dashes, spaces): kept, never notified.
    cosmetic: bool
    before: dict[str, Any]
    after: dict[str, Any]
    withdrawn: bool = False
    published_at: datetime | None = None

    @property
    def key(self) -> str:
        """``123:ru:3`` (``123:ru:withdrawn``): names the step in feeds and links."""
        return f"{self.item_id}:{self.lang}:{WITHDRAWN if self.withdrawn else self.version}"


def _content(row: Item | ItemRevision) -> dict[str, Any]:
    return {name: getattr(row, name) for name in CONTENT_FIELDS}


def edits(
    engine: Engine,
    *,
    since: datetime | None = None,
    kinds: Iterable[str] = (),
    lang: str | None = None,
    item_id: int | None = None,
    cosmetic: bool = False,
    withdrawn: bool = True,
    limit: int | None = None,
) -> list[Edit]:
    """The edits seen since ``since`` (by when the archive saw them), newest first; of ``kinds``
    (any when empty), of one ``lang`` or item when given; typography-only ones only with
    ``cosmetic``; withdrawals unless ``withdrawn`` is False; at most ``limit``."""
    kinds = tuple(kinds)
    with Session(engine) as session:
        statement = select(ItemRevision)
        if since is not None:
            statement = statement.where(ItemRevision.replaced_at >= since)  # type: ignore[arg-type]
        if not cosmetic:
            statement = statement.where(ItemRevision.cosmetic.is_(False))  # type: ignore[attr-defined]
        if lang is not None:
            statement = statement.where(ItemRevision.lang == lang)  # type: ignore[arg-type]
        if item_id is not None:
            statement = statement.where(ItemRevision.item_id == item_id)  # type: ignore[arg-type]
        if kinds:
            statement = statement.join(
                Item,
                (Item.id == ItemRevision.item_id) & (Item.lang == ItemRevision.lang),  # type: ignore[arg-type]
            ).where(Item.kind.in_(kinds))  # type: ignore[attr-defined]
        statement = statement.order_by(ItemRevision.replaced_at.desc(), ItemRevision.id.desc())  # type: ignore[union-attr,attr-defined]
        if limit is not None:
            statement = statement.limit(limit)
        revisions = list(session.exec(statement).scalars())  # type: ignore[call-overload]
        found = _steps(session, revisions)
        if withdrawn:
            found.extend(_withdrawals(session, since, kinds, lang, item_id, limit))
    found.sort(key=lambda edit: (edit.seen_at, edit.version), reverse=True)
    return found[:limit] if limit is not None else found


def edit_of(engine: Engine, item_id: int, lang: str, version: int) -> Edit | None:
    """The step that made ``version`` of the item's ``lang`` version (None: no such version, or it is
    the first one, which replaced nothing)."""
    with Session(engine) as session:
        revision = (
            session.exec(  # type: ignore[call-overload]
                select(ItemRevision).where(
                    ItemRevision.item_id == item_id,  # type: ignore[arg-type]
                    ItemRevision.lang == lang,  # type: ignore[arg-type]
                    ItemRevision.version == version - 1,  # type: ignore[arg-type]
                )
            )
            .scalars()
            .first()
        )
        if revision is None:
            return None
        steps = _steps(session, [revision])
    return steps[0] if steps else None


def withdrawal_of(engine: Engine, item_id: int, lang: str) -> Edit | None:
    """The item's withdrawal, when the site withdrew it (its page answers 404/410); else None."""
    with Session(engine) as session:
        found = _withdrawals(session, None, (), lang, item_id, None)
    return found[0] if found else None


def _steps(session: Session, revisions: list[ItemRevision]) -> list[Edit]:
    """Each revision with the version that replaced it (the next revision, or the item row)."""
    if not revisions:
        return []
    keys = sorted({(revision.item_id, revision.lang) for revision in revisions})
    wanted = sorted({(revision.item_id, revision.lang, revision.version + 1) for revision in revisions})
    items: dict[tuple[int, str], Item] = {}
    later: dict[tuple[int, str, int], ItemRevision] = {}
    for start in range(0, max(len(keys), len(wanted)), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        if chunk:
            statement = select(Item).where(tuple_(Item.id, Item.lang).in_(chunk))  # type: ignore[arg-type]
            items.update({(item.id, item.lang): item for item in session.exec(statement).scalars()})  # type: ignore[call-overload]
        steps = wanted[start : start + _CHUNK]
        if steps:
            statement = select(ItemRevision).where(
                tuple_(ItemRevision.item_id, ItemRevision.lang, ItemRevision.version).in_(steps)  # type: ignore[arg-type]
            )
            later.update(
                {(row.item_id, row.lang, row.version): row for row in session.exec(statement).scalars()}  # type: ignore[call-overload]
            )
    found = []
    for revision in revisions:
        item = items.get((revision.item_id, revision.lang))
        if item is None:
            continue
        successor = later.get((revision.item_id, revision.lang, revision.version + 1))
        after: Item | ItemRevision = successor if successor is not None else item
        found.append(
            Edit(
                item_id=revision.item_id,
                lang=revision.lang,
                version=revision.version + 1,
                kind=item.kind,
                url=item.url,
                title=after.title,
                seen_at=revision.replaced_at,
                site_at=after.site_updated_at,
                cosmetic=revision.cosmetic,
                before=_content(revision),
                after=_content(after),
                published_at=item.published_at,
            )
        )
    return found


def _withdrawals(
    session: Session,
    since: datetime | None,
    kinds: tuple[str, ...],
    lang: str | None,
    item_id: int | None,
    limit: int | None,
) -> list[Edit]:
    statement = select(Item).where(Item.gone_at.is_not(None))  # type: ignore[union-attr]
    if since is not None:
        statement = statement.where(Item.gone_at >= since)  # type: ignore[operator]
    if kinds:
        statement = statement.where(Item.kind.in_(kinds))  # type: ignore[attr-defined]
    if lang is not None:
        statement = statement.where(Item.lang == lang)  # type: ignore[arg-type]
    if item_id is not None:
        statement = statement.where(Item.id == item_id)  # type: ignore[arg-type]
    statement = statement.order_by(Item.gone_at.desc())  # type: ignore[union-attr]
    if limit is not None:
        statement = statement.limit(limit)
    found = []
    for item in session.exec(statement).scalars():  # type: ignore[call-overload]
        content = _content(item)
        assert item.gone_at is not None
        found.append(
            Edit(
                item_id=item.id,
                lang=item.lang,
                version=item.version,
                kind=item.kind,
                url=item.url,
                title=item.title,
                seen_at=item.gone_at,
                site_at=None,
                cosmetic=False,
                before=content,
                after=content,
                withdrawn=True,
                published_at=item.published_at,
            )
        )
    return found
