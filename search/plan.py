"""From a parsed query to an index query that finds every match (and, often, only matches).

The index knows which lemmas (and, for prefixes, which spellings) an item contains, in any field, and
where each word stands (`search.terms.Positional`: the title apart, a gap between fields and list
entries). A query is translated into an index query, and `exact` says whether its answer is in
fact the match set:

* a one-word term → any of its lemmas (``prefix*`` → any lemma or spelling starting so). This is
  exactly how the matcher compares a word (`query.evaluate`: lemma sets intersect; a prefix begins
  a folded spelling or a lemma), and the index holds exactly the lemmas and spellings of the
  searchable fields (`search.terms`), so the index answer *is* the match set: exact;
* AND / OR of exact parts are exact;
* ``a NOT b`` with ``b`` exact is exact (index: a AND NOT b);
* a phrase (or a hyphenated word) of plain words → `Phrase`: its words at adjacent positions, in
  one field, as the matcher compares them: exact. ``title:`` → a `Phrase` (of one word or more) in
  the title: exact;
* another field scope is ignored: a superset (the index keeps the title apart, not the rest);
* a phrase with a prefix in it → AND of its words: a superset; and a query that holds a prefix
  anywhere asks no positions at all (`Phrase` nodes become the AND of their words, `relaxed`): the
  positions are kept per lemma, the spellings a prefix also looks at only as a bag;
* a NOT of something inexact is dropped (treated as true): subtracting a superset would remove
  true matches (``Байден NOT title:Макрон`` must keep items that name Macron in the text);
* a word whose lemma cannot be indexed (see `search.terms.indexable`) is true: "maybe anywhere";
* a call scope (``country:FR``, `query.document.CALL_FIELDS`) is true, not exact: the index holds
  the items' words, not their call records, so the matcher decides (from the ``call`` table).

A query that comes out as plain "true" has no index query at all: every item is a candidate.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import product

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


@dataclass(frozen=True)
class Phrase:
    """The words (each: any of its lemmas) stand at adjacent positions of one field, the title when
    ``title``; one word in the title is a phrase of one."""

    words: tuple[tuple[str, ...], ...]
    title: bool = False


Expr = AnyLemma | Prefix | AllOf | AnyOf | Phrase


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
    if expr is not None and has_prefix(expr) and positional(expr):
        relaxed_expr = relaxed(expr)
        exact = exact and relaxed_expr == expr
        expr = relaxed_expr
    return IndexPlan(expr, exact and expr is not None, _fields(compiled))


def positional(expr: Expr) -> bool:
    """Whether ``expr`` asks for positions (a `Phrase` somewhere)."""
    return _holds_leaf(expr, Phrase)


def _holds_leaf(expr: Expr, kind: type[Phrase] | type[Prefix]) -> bool:
    """Whether a leaf of ``kind`` occurs anywhere in ``expr``."""
    if isinstance(expr, kind):
        return True
    if isinstance(expr, AnyLemma | Phrase | Prefix):
        return False
    children = (*expr.positives, *expr.negatives) if isinstance(expr, AllOf) else expr.children
    return any(_holds_leaf(child, kind) for child in children)


def relaxed(expr: Expr) -> Expr:
    """``expr`` without positions: a superset. A `Phrase` becomes the AND of its words; a negated
    subtree that asks for positions is dropped (subtracting a superset would lose matches)."""
    if isinstance(expr, Phrase):
        words = tuple(AnyLemma(word) for word in expr.words)
        return words[0] if len(words) == 1 else AllOf(words)
    if isinstance(expr, AnyLemma | Prefix):
        return expr
    if isinstance(expr, AllOf):
        negatives = tuple(child for child in expr.negatives if not positional(child))
        positives = tuple(relaxed(child) for child in expr.positives)
        if len(positives) == 1 and not negatives:
            return positives[0]
        return AllOf(positives, negatives)
    return AnyOf(tuple(relaxed(child) for child in expr.children))


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
    words = [part for part in term.parts if isinstance(part, frozenset)]
    plain = len(words) == len(term.parts) and all(indexable(lemma) for word in words for lemma in word)
    if plain and (term.term.field == "title" or (term.term.field is None and len(words) > 1)):
        return Phrase(tuple(tuple(sorted(word)) for word in words), term.term.field == "title"), True
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
    """The query for SQLite FTS5's bag of words ``item_search_fts`` (columns ``lemmas`` and ``forms``);
    ``expr`` asks for no positions (see `fts5_positional`)."""
    if isinstance(expr, Phrase):  # pragma: no cover - routed to fts5_positional
        raise AssertionError(expr)
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


#: At most this many alternative phrases for one `Phrase` (a phrase of words with several tokens
#: each is the OR of every combination); beyond it `TooManyPhrases`.
MAX_PHRASES = 512


class TooManyPhrases(ValueError):
    """A phrase whose words have so many tokens that the OR of their combinations is unreasonable."""


def fts5_positional(expr: Expr, tokens: Callable[[tuple[str, ...]], list[str]]) -> str:
    """The query for SQLite FTS5's positions ``item_search_pos`` (columns ``title``, ``body``; one
    token per position, `search.terms.Positional`). ``tokens`` gives the tokens that hold any of a
    word's lemmas (the lemmas and the compound tokens of them). No prefixes (see `plan_query`)."""
    if isinstance(expr, AnyLemma | Phrase):
        words = [expr.lemmas] if isinstance(expr, AnyLemma) else list(expr.words)
        choices = [tokens(word) for word in words]
        combinations = 1
        for choice in choices:
            combinations *= len(choice)
        if combinations > MAX_PHRASES:
            raise TooManyPhrases(str(expr))
        phrases = " OR ".join('"' + " ".join(combo) + '"' for combo in product(*choices))
        scope = "{title}" if isinstance(expr, Phrase) and expr.title else "{title body}"
        return f"{scope} : ({phrases})"
    if isinstance(expr, Prefix):  # pragma: no cover - plan_query relaxes such queries
        raise AssertionError(expr)
    if isinstance(expr, AllOf):
        text = "(" + " AND ".join(f"({fts5_positional(child, tokens)})" for child in expr.positives) + ")"
        if expr.negatives:
            negatives = " OR ".join(f"({fts5_positional(child, tokens)})" for child in expr.negatives)
            text += f" NOT ({negatives})"
        return text
    return "(" + " OR ".join(f"({fts5_positional(child, tokens)})" for child in expr.children) + ")"


def has_prefix(expr: Expr) -> bool:
    """Whether a prefix occurs in ``expr`` (PostgreSQL keeps prefixes in a second column)."""
    return _holds_leaf(expr, Prefix)


def tsquery(expr: Expr) -> str:
    """tsquery text for an expression; prefixes as ``'p':*`` (PostgreSQL's ``document`` column holds
    the lemmas, ``spellings`` the forms: see `search.candidates` for how prefixes use both)."""
    if isinstance(expr, AnyLemma):
        return "(" + " | ".join(f"'{lemma}'" for lemma in expr.lemmas) + ")"
    if isinstance(expr, Phrase):
        # PostgreSQL holds every lemma of a word at its position: a phrase of alternatives is `<->`
        # of ORs. ``:A`` keeps a word to the title's positions.
        weight = ":A" if expr.title else ""
        words = ["(" + " | ".join(f"'{lemma}'{weight}" for lemma in word) + ")" for word in expr.words]
        return "(" + " <-> ".join(words) + ")"
    if isinstance(expr, Prefix):
        return f"'{expr.prefix}':*"
    if isinstance(expr, AllOf):
        text = "(" + " & ".join(tsquery(child) for child in expr.positives) + ")"
        if expr.negatives:
            text += " & !(" + " | ".join(tsquery(child) for child in expr.negatives) + ")"
        return text
    return "(" + " | ".join(tsquery(child) for child in expr.children) + ")"
