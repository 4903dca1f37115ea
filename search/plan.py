"""From a parsed query to an index query that finds every match (and, often, only matches).

The index knows which lemmas (and, for prefixes, which spellings) an item contains, in any field,
but not where: so a query is translated into a *superset* query, and `exact` says whether the
superset is in fact the answer:

* a one-word term → any of its lemmas (``prefix*`` → any lemma or spelling starting so). This is
  exactly how the matcher compares a word (`query.evaluate`: lemma sets intersect; a prefix begins
  a folded spelling or a lemma), and the index holds exactly the lemmas and spellings of the
  searchable fields (`search.terms`), so the index answer *is* the match set: exact;
* AND / OR of exact parts are exact;
* ``a NOT b`` with ``b`` exact is exact (index: a AND NOT b);
* a phrase → AND of its words: a superset (order and adjacency are not indexed);
* a field scope is ignored: a superset (the index does not know fields);
* a NOT of something inexact is dropped (treated as true): subtracting a superset would remove
  true matches (``Байден NOT title:Макрон`` must keep items that name Macron in the text);
* a word whose lemma cannot be indexed (see `search.terms.indexable`) is true: "maybe anywhere";
* a call scope (``country:FR``, `query.document.CALL_FIELDS`) is true, not exact: the index holds
  the items' words, not their call records, so the matcher decides (from the ``call`` table).

A query that comes out as plain "true" has no index query at all: every item is a candidate.
"""

from __future__ import annotations

from dataclasses import dataclass

from query.document import CALL_FIELDS, SCOPES
from query.evaluate import Compiled, CompiledAnd, CompiledNot, CompiledQuery, CompiledTerm
from search.terms import indexable


@dataclass(frozen=True)
class AnyLemma:
    """The item has at least one of these lemmas."""

    lemmas: tuple[str, ...]


@dataclass(frozen=True)
class Prefix:
    """The item has a lemma or a spelling that begins with ``prefix``."""

    prefix: str


@dataclass(frozen=True)
class AllOf:
    """Every positive child holds and no negative child does (``negatives`` only exact ones)."""

    positives: tuple[Expr, ...]
    negatives: tuple[Expr, ...] = ()


@dataclass(frozen=True)
class AnyOf:
    """At least one child holds."""

    children: tuple[Expr, ...]


Expr = AnyLemma | Prefix | AllOf | AnyOf


@dataclass(frozen=True)
class IndexPlan:
    """The index query (None: every item is a candidate), whether its answer is exactly the match
    set, and the fields the matcher needs to decide (only those are loaded and analysed)."""

    expr: Expr | None
    exact: bool
    fields: tuple[str, ...]


def plan_query(compiled: CompiledQuery) -> IndexPlan:
    """Translate a compiled query (see the module docstring): the lemmas and prefixes asked of the
    index are the ones the compiled query compares, so the two cannot disagree on a word."""
    expr, exact = _translate(compiled.root)
    return IndexPlan(expr, exact and expr is not None, _fields(compiled))


def _fields(compiled: CompiledQuery) -> tuple[str, ...]:
    wanted: set[str] = set()
    for term in compiled.query.terms():
        wanted.update(term.fields)
    return tuple(name for name in SCOPES if name in wanted)


def _translate(node: Compiled) -> tuple[Expr | None, bool]:
    """(expression or None for "true", exact)."""
    if isinstance(node, CompiledTerm):
        return _term(node)
    if isinstance(node, CompiledNot):
        # A NOT that is not the child of an AND has nothing to subtract from: true, not exact.
        return None, False
    if isinstance(node, CompiledAnd):
        positives: list[Expr] = []
        negatives: list[Expr] = []
        exact = True
        for child in node.children:
            if isinstance(child, CompiledNot):
                inner, inner_exact = _translate(child.child)
                if inner is not None and inner_exact:
                    negatives.append(inner)
                else:
                    exact = False
                continue
            expr, child_exact = _translate(child)
            exact = exact and child_exact
            if expr is not None:
                positives.append(expr)
        if not positives:
            return None, False
        if len(positives) == 1 and not negatives:
            return positives[0], exact
        return AllOf(tuple(positives), tuple(negatives)), exact
    children: list[Expr] = []
    exact = True
    for child in node.children:
        expr, child_exact = _translate(child)
        if expr is None:
            return None, False
        children.append(expr)
        exact = exact and child_exact
    return AnyOf(tuple(children)), exact


def _term(term: CompiledTerm) -> tuple[Expr | None, bool]:
    if term.term.field in CALL_FIELDS:
        return None, False
    parts: list[Expr] = []
    decided = True
    for part in term.parts:
        if isinstance(part, str):
            if indexable(part):
                parts.append(Prefix(part))
            else:
                decided = False
            continue
        lemmas = part
        if all(indexable(lemma) for lemma in lemmas):
            parts.append(AnyLemma(tuple(sorted(lemmas))))
        else:
            decided = False
    exact = decided and len(term.parts) == 1 and term.term.field is None
    if not parts:
        return None, False
    return (parts[0] if len(parts) == 1 else AllOf(tuple(parts))), exact


def fts5(expr: Expr) -> str:
    """The query for SQLite FTS5 (columns ``lemmas`` and ``forms``)."""
    if isinstance(expr, AnyLemma):
        return "{lemmas} : (" + " OR ".join(f'"{lemma}"' for lemma in expr.lemmas) + ")"
    if isinstance(expr, Prefix):
        return '{lemmas forms} : "' + expr.prefix + '"*'
    if isinstance(expr, AllOf):
        text = "(" + " AND ".join(f"({fts5(child)})" for child in expr.positives) + ")"
        if expr.negatives:
            text += " NOT (" + " OR ".join(f"({fts5(child)})" for child in expr.negatives) + ")"
        return text
    return "(" + " OR ".join(f"({fts5(child)})" for child in expr.children) + ")"


def has_prefix(expr: Expr) -> bool:
    """Whether a prefix occurs in ``expr`` (PostgreSQL keeps prefixes in a second column)."""
    if isinstance(expr, Prefix):
        return True
    if isinstance(expr, AnyLemma):
        return False
    children = (*expr.positives, *expr.negatives) if isinstance(expr, AllOf) else expr.children
    return any(has_prefix(child) for child in children)


def tsquery(expr: Expr) -> str:
    """tsquery text for an expression; prefixes as ``'p':*`` (PostgreSQL's ``document`` column holds
    the lemmas, ``spellings`` the forms: see `search.candidates` for how prefixes use both)."""
    if isinstance(expr, AnyLemma):
        return "(" + " | ".join(f"'{lemma}'" for lemma in expr.lemmas) + ")"
    if isinstance(expr, Prefix):
        return f"'{expr.prefix}':*"
    if isinstance(expr, AllOf):
        text = "(" + " & ".join(tsquery(child) for child in expr.positives) + ")"
        if expr.negatives:
            text += " & !(" + " | ".join(tsquery(child) for child in expr.negatives) + ")"
        return text
    return "(" + " | ".join(tsquery(child) for child in expr.children) + ")"
