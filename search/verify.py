"""A yes/no answer to "does this item match?", cheaper than `CompiledQuery.match` when only that counts.

Counting the matches of a query the index cannot decide (a phrase, a field scope) means matching
every candidate, and `CompiledQuery.match` does more than needed for a count: it analyses every
field up front and collects every hit. `Verdict` answers the same question lazily: it analyses a
field only when a term asks for it and stops at the first field where a term holds, the first
failing part of an AND and the first holding part of an OR. A phrase that is in the title never
costs the analysis of the text.

It compares words exactly as `alerts.matching` does (the same lemma sets from the same
`Lemmatizer`, the same `IndexedField` lookups, the same adjacency rule for phrases, NOT as "the
child does not hold"), so the answer is the same; the tests check that on generated items. Hits
and highlights still come from `CompiledQuery.match`, for the items on the page.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from alerts.morphology import Lemmatizer, fold
from alerts.query import And, Node, Not, Query, Term
from alerts.text_index import LIST_FIELDS, FieldValue, IndexedDocument, IndexedField

_Part = frozenset[str] | str


class LazyDocument:
    """An item's fields, each analysed (as `IndexedDocument` would) on first use. A list field may
    be given as its JSON text: it is decoded only if a term looks at it."""

    __slots__ = ("_analysed", "_lemmatizer", "_values")

    def __init__(self, values: Mapping[str, FieldValue], lemmatizer: Lemmatizer) -> None:
        self._values = values
        self._lemmatizer = lemmatizer
        self._analysed: dict[str, IndexedField | None] = {}

    def field(self, name: str) -> IndexedField | None:
        """The analysed field, or None when it is empty or absent."""
        if name in self._analysed:
            return self._analysed[name]
        value = self._values.get(name)
        if isinstance(value, str) and name in LIST_FIELDS:
            value = json.loads(value)
        found: IndexedField | None = None
        if isinstance(value, str):
            # What `IndexedDocument.from_fields` does for a text field, without the wrapper.
            found = IndexedField(name, value, (), self._lemmatizer)
            found = found if found.words else None
        elif value:
            found = IndexedDocument.from_fields({name: value}, self._lemmatizer).fields.get(name)
        self._analysed[name] = found
        return found


class _Term:
    __slots__ = ("fields", "parts")

    def __init__(self, term: Term, lemmatizer: Lemmatizer) -> None:
        self.fields = term.fields
        self.parts: tuple[_Part, ...] = tuple(
            fold(part.text) if part.prefix else lemmatizer.lemmas(part.text) for part in term.parts
        )

    def holds(self, doc: LazyDocument) -> bool:
        for name in self.fields:
            field = doc.field(name)
            if field is not None and self._in(field):
                return True
        return False

    def _in(self, field: IndexedField) -> bool:
        starts = _positions(field, self.parts[0])
        if len(self.parts) == 1:
            return bool(starts)
        for offset, part in enumerate(self.parts[1:], start=1):
            if not starts:
                return False
            following = set(_positions(field, part))
            starts = [start for start in starts if start + offset in following]
        if field.breaks:
            starts = [start for start in starts if field.adjacent(start, len(self.parts))]
        return bool(starts)


def _positions(field: IndexedField, part: _Part) -> list[int]:
    return field.prefix_positions(part) if isinstance(part, str) else field.positions(part)


class _All:
    __slots__ = ("children",)

    def __init__(self, children: list[_Node]) -> None:
        # Cheap, wanted words first; NOTs (which never decide alone) last, as the matcher does.
        self.children = sorted(children, key=lambda child: isinstance(child, _Not))

    def holds(self, doc: LazyDocument) -> bool:
        return all(child.holds(doc) for child in self.children)


class _Any:
    __slots__ = ("children",)

    def __init__(self, children: list[_Node]) -> None:
        self.children = children

    def holds(self, doc: LazyDocument) -> bool:
        return any(child.holds(doc) for child in self.children)


class _Not:
    __slots__ = ("child",)

    def __init__(self, child: _Node) -> None:
        self.child = child

    def holds(self, doc: LazyDocument) -> bool:
        return not self.child.holds(doc)


_Node = _Term | _All | _Any | _Not


def _build(node: Node, lemmatizer: Lemmatizer) -> _Node:
    if isinstance(node, Term):
        return _Term(node, lemmatizer)
    if isinstance(node, Not):
        return _Not(_build(node.child, lemmatizer))
    children = [_build(child, lemmatizer) for child in node.children]
    return _All(children) if isinstance(node, And) else _Any(children)


class Verdict:
    """Whether items match a query (see the module docstring)."""

    __slots__ = ("_lemmatizer", "_root")

    def __init__(self, query: Query, lemmatizer: Lemmatizer) -> None:
        self._root = _build(query.root, lemmatizer)
        self._lemmatizer = lemmatizer

    def matches(self, values: Mapping[str, FieldValue]) -> bool:
        """True when the item with these field values matches (same answer as `CompiledQuery.match`)."""
        return self._root.holds(LazyDocument(values, self._lemmatizer))
