"""A parsed query compiled once and evaluated two ways: every hit, or a lazy yes/no.

Every enabled rule is matched against every new or changed item, `rules test` runs one rule over
the whole archive and a search checks thousands of candidates, so the query-dependent work is done
once: `compile_query` lemmatises each rule word up front,
and matching a word against a document is then a dict lookup per field in the document's
lemma → positions map (`query.document`). Phrases intersect position lists.

The compiled tree answers in two modes, from the same comparison of words:

* `CompiledQuery.match` decides as `holds` does, and its `Match` works out *where* each term matched
  (field, character offsets, the words as written) when first asked, so an alert or a search page
  can show the words in context (`query.snippets`) while the matches nobody shows cost no more. Terms
  under NOT only decide; they never add positions. OR does not stop at the first matching branch,
  so every wanted word that occurs is reported.
* `CompiledQuery.holds` only says whether the item matches. Given a `LazyDocument` it analyses a
  field only when a term asks for it and stops at the first field where a term holds, the first
  failing part of an AND and the first holding part of an OR: a phrase in the title never costs the
  analysis of the text. Search counts matches this way.

Each node also says which lemmas a document must hold for it to match (`CompiledQuery.anchors`):
a rule set files its rules under them and skips, per item, the rules none of whose anchors occur
(`alerts.selectors.CompiledRules`); a term skips at once a field whose lemmas hold none of its own.

`search.plan` reads the same compiled tree (`CompiledQuery.root`) to build its index query, so the
lemmas the index is asked for are the very lemmas the matcher compares.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple, Protocol

from query.document import NAME_FIELDS, SCOPES, FieldValue, IndexedDocument, IndexedField, LazyDocument
from query.morphology import Lemmatizer
from query.syntax import And, Node, Not, Query, Term, parse_query
from query.words import fold

#: A hit before it is turned into offsets: (term label, field name, first token, last token).
_RawHit = tuple[str, str, int, int]
#: One word of a compiled term: its lemma set, or a folded prefix.
Part = frozenset[str] | str


class Document(Protocol):
    """What evaluation needs of an item: its analysed fields by name."""

    def field(self, name: str) -> IndexedField | None: ...

    def may_hold(self, lemmas: frozenset[str]) -> bool:
        """False when no field can hold any of ``lemmas`` (a quick no before looking at fields)."""
        ...


class Hit(NamedTuple):
    """Where one term matched: ``field`` text ``[start:end]`` holds ``words`` (as written there)."""

    term: str
    field: str
    start: int
    end: int
    words: tuple[str, ...]


class Match:
    """Why a document matched: every hit of every wanted term, in field order, then text order.

    The hits are worked out when first read: finding where the words stand, with their character
    offsets, costs more than deciding that they do, and a rule set decides many matches of which few
    are shown (a digest, a search page). Two matches are equal when their hits are."""

    __slots__ = ("_doc", "_hits", "_root")

    def __init__(self, hits: tuple[Hit, ...] = ()) -> None:
        self._hits: tuple[Hit, ...] | None = hits
        self._root: Compiled | None = None
        self._doc: IndexedDocument | None = None

    @classmethod
    def found(cls, root: Compiled, doc: IndexedDocument) -> Match:
        """The match of ``root`` (which holds for ``doc``), its hits to be worked out when read."""
        match = cls()
        match._hits, match._root, match._doc = None, root, doc
        return match

    @property
    def hits(self) -> tuple[Hit, ...]:
        """Every hit, with its character offsets and the words as written."""
        if self._hits is None:
            assert self._root is not None and self._doc is not None
            raw = self._root.evaluate(self._doc)
            self._hits = _hits(raw or [], self._doc)
            self._root = self._doc = None
        return self._hits

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Match) and self.hits == other.hits

    def __hash__(self) -> int:
        return hash(self.hits)

    def __repr__(self) -> str:
        return f"Match(hits={self.hits!r})"

    def terms(self) -> list[str]:
        """The rule's terms that matched, each once, as the user wrote them."""
        return list(dict.fromkeys(hit.term for hit in self.hits))

    def fields(self) -> list[str]:
        """The fields with at least one hit."""
        return list(dict.fromkeys(hit.field for hit in self.hits))


class CompiledTerm:
    """A term with its words lemmatised: per word either a lemma set or a folded prefix."""

    __slots__ = ("anchor", "fields", "label", "parts", "searched", "single", "term")

    def __init__(self, term: Term, lemmatizer: Lemmatizer) -> None:
        self.term = term
        self.label = str(term)
        self.fields = term.fields
        self.searched = frozenset(term.fields)
        analyse = lemmatizer.name_lemmas if term.field in NAME_FIELDS else lemmatizer.lemmas
        self.parts: tuple[Part, ...] = tuple(
            fold(part.text) if part.prefix else analyse(part.text) for part in term.parts
        )
        #: The common case, one non-prefix word: its lemma set, for the fast path.
        first = self.parts[0]
        self.single = first if len(self.parts) == 1 and isinstance(first, frozenset) else None
        #: Lemmas a field must hold one of for the term to be in it (a field is skipped at once
        #: when its `IndexedField.vocabulary` holds none).
        self.anchor = self.anchors()

    def evaluate(self, doc: IndexedDocument) -> list[_RawHit] | None:
        hits: list[_RawHit] = []
        label, last, anchor, searched = self.label, len(self.parts) - 1, self.anchor, self.searched
        if anchor is not None and not doc.may_hold(anchor):
            return None
        # The document's own fields (a few), not every field the term may search (most are absent).
        for name, field in doc.fields.items():
            if name not in searched or (anchor is not None and anchor.isdisjoint(field.vocabulary)):
                continue
            starts = self._starts(field)
            if starts:
                hits += [(label, name, start, start + last) for start in starts]
        return hits or None

    def holds(self, doc: Document) -> bool:
        anchor = self.anchor
        if anchor is not None and not doc.may_hold(anchor):
            return False
        for name in self.fields:
            field = doc.field(name)
            if field is None or (anchor is not None and anchor.isdisjoint(field.vocabulary)):
                continue
            # One word whose lemmas the field holds occurs in it: no need to find where.
            if self.single is not None or self._starts(field):
                return True
        return False

    def _starts(self, field: IndexedField) -> list[int]:
        """Positions where the term begins in ``field``."""
        if self.single is not None:
            return field.positions(self.single)
        starts = _part_positions(field, self.parts[0])
        for offset, part in enumerate(self.parts[1:], start=1):
            if not starts:
                return starts
            following = set(_part_positions(field, part))
            starts = [start for start in starts if start + offset in following]
        length = len(self.parts)
        if length > 1 and field.breaks:
            starts = [start for start in starts if field.adjacent(start, length)]
        return starts

    def anchors(self) -> frozenset[str] | None:
        """Lemmas of which a document must hold one for the term to match: those of its rarest
        non-prefix word (every word must occur); None when every word is a prefix."""
        sets = [part for part in self.parts if isinstance(part, frozenset)]
        return min(sets, key=len) if sets else None


def _part_positions(field: IndexedField, part: Part) -> list[int]:
    if isinstance(part, str):
        return field.prefix_positions(part)
    return field.positions(part)


class CompiledAnd:
    __slots__ = ("children",)

    def __init__(self, children: list[Compiled]) -> None:
        # NOT children never contribute hits: test them last, after the cheaper wanted words failed.
        self.children = sorted(children, key=lambda child: isinstance(child, CompiledNot))

    def evaluate(self, doc: IndexedDocument) -> list[_RawHit] | None:
        hits: list[_RawHit] = []
        for child in self.children:
            found = child.evaluate(doc)
            if found is None:
                return None
            hits.extend(found)
        return hits

    def holds(self, doc: Document) -> bool:
        return all(child.holds(doc) for child in self.children)

    def anchors(self) -> frozenset[str] | None:
        """Every wanted child must match, so the anchors of any one will do: the smallest set."""
        found = [anchors for child in self.children if (anchors := child.anchors()) is not None]
        return min(found, key=len) if found else None


class CompiledOr:
    __slots__ = ("children",)

    def __init__(self, children: list[Compiled]) -> None:
        self.children = children

    def evaluate(self, doc: IndexedDocument) -> list[_RawHit] | None:
        hits: list[_RawHit] | None = None
        for child in self.children:
            found = child.evaluate(doc)
            if found is not None:
                hits = found if hits is None else hits + found
        return hits

    def holds(self, doc: Document) -> bool:
        return any(child.holds(doc) for child in self.children)

    def anchors(self) -> frozenset[str] | None:
        """Any child may be the one that matches: the union of theirs, None if one cannot say."""
        found: set[str] = set()
        for child in self.children:
            anchors = child.anchors()
            if anchors is None:
                return None
            found |= anchors
        return frozenset(found)


class CompiledNot:
    __slots__ = ("child",)

    def __init__(self, child: Compiled) -> None:
        self.child = child

    def evaluate(self, doc: IndexedDocument) -> list[_RawHit] | None:
        return None if self.child.holds(doc) else []

    def holds(self, doc: Document) -> bool:
        return not self.child.holds(doc)

    def anchors(self) -> None:
        """An absent word asks for no word to be present."""
        return None


Compiled = CompiledTerm | CompiledAnd | CompiledOr | CompiledNot


def _compile(node: Node, lemmatizer: Lemmatizer) -> Compiled:
    if isinstance(node, Term):
        return CompiledTerm(node, lemmatizer)
    if isinstance(node, Not):
        return CompiledNot(_compile(node.child, lemmatizer))
    children = [_compile(child, lemmatizer) for child in node.children]
    return CompiledAnd(children) if isinstance(node, And) else CompiledOr(children)


class CompiledQuery:
    """A query ready to evaluate documents indexed with the same `Lemmatizer`."""

    __slots__ = ("lemmatizer", "query", "root")

    def __init__(self, query: Query, lemmatizer: Lemmatizer) -> None:
        self.query = query
        self.root = _compile(query.root, lemmatizer)
        self.lemmatizer = lemmatizer

    def match(self, doc: IndexedDocument) -> Match | None:
        """The hits if the document matches the query, else ``None``. Whether it matches is decided
        as `holds` decides it (for one word, a set test); where is worked out when asked."""
        if not self.root.holds(doc):
            return None
        return Match.found(self.root, doc)

    def holds(self, values: Mapping[str, FieldValue]) -> bool:
        """Whether the item with these field values matches (the answer `match` gives), analysing
        only the fields the query looks at, as it looks at them."""
        return self.root.holds(LazyDocument(values, self.lemmatizer))

    def anchors(self) -> frozenset[str] | None:
        """Lemmas of which a document must hold at least one (in any field, `IndexedDocument.vocabulary`)
        for `match` to find anything, or None when the query cannot say (only prefixes). A rule set
        files each rule under these lemmas, so an item is matched only against the rules that can
        match it (`alerts.selectors.CompiledRules`)."""
        return self.root.anchors()


def compile_query(query: Query | str, lemmatizer: Lemmatizer) -> CompiledQuery:
    """Compile a parsed query (or parse and compile its text) against a lemmatizer."""
    return CompiledQuery(parse_query(query) if isinstance(query, str) else query, lemmatizer)


def _hits(raw: list[_RawHit], doc: IndexedDocument) -> tuple[Hit, ...]:
    """Raw hits → `Hit` objects with offsets, duplicates dropped, in field order, then text order."""
    hits: list[Hit] = []
    for label, name, first, last in sorted(set(raw), key=_hit_order) if len(raw) > 1 else raw:
        field = doc.fields[name]
        start, end = field.span(first, last)
        hits.append(Hit(label, name, start, end, tuple(field.words[first : last + 1])))
    return tuple(hits)


#: A field's place in the order hits are shown in.
_FIELD_ORDER = MappingProxyType({name: place for place, name in enumerate(SCOPES)})


def _hit_order(hit: _RawHit) -> tuple[int, int, int, str]:
    return _FIELD_ORDER[hit[1]], hit[2], hit[3], hit[0]
