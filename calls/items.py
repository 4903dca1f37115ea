"""The archived items behind ledger rows, for readers that show a call in full (the Atom feeds)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, select
from sqlmodel import Session

from archive.export import item_object
from archive.models import Item


def call_items(engine: Engine, ids: Sequence[int]) -> list[dict[str, Any]]:
    """The item objects (`archive.export.item_object`) of ``ids``, in that order; one query."""
    if not ids:
        return []
    with Session(engine) as session:
        rows = session.exec(select(Item).where(Item.id.in_(ids))).scalars()  # type: ignore[call-overload, union-attr]
        found = {row.id: item_object(row) for row in rows}
    return [found[item_id] for item_id in ids if item_id in found]
