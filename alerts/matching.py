"""Matching rules against indexed items, and showing the matched words in context.

A rule is matched against every new item, and a backfill matches every rule against the whole
archive, so the rule-dependent work is done once: `compile_query` lemmatises each rule word up
front, and matching a word against a document is then a dict lookup per field in the document's
lemma → positions map (`alerts.text_index`). Phrases intersect position lists.

A `Match` records *where* each term matched (field, character offsets, the words as written) so an
alert can show the words in context (`snippets`). Terms under NOT only decide; they never add
positions. Evaluation of OR does not stop at the first matching branch, so every wanted word that
occurs is reported.

For large batches a caller can skip most documents without matching them: `required_lemmas()` names
lemma groups of which every matching document contains at least one lemma each (check them against
an inverted index or `IndexedDocument.vocabulary`, as `could_match` does).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from alerts.morphology import Lemmatizer, fold
from alerts.query import And, Node, Not, Query, Term, parse_query
from alerts.text_index import FIELDS, IndexedDocument, IndexedField

#: A hit before it is turned into offsets: (term label, field name, first token, last token).
_RawHit = tuple[str, str, int, int]


class Hit(NamedTuple):
    """Where one term matched: ``field`` text ``[start:end]`` holds ``words`` (as written there)."""

    term: str
    field: str
    start: int
    end: int
    words: tuple[str, ...]


@dataclass(frozen=True)
class Match:
    """Why a document matched: every hit of every wanted term, in field order, then text order."""

    hits: tuple[Hit, ...]

    def terms(self) -> list[str]:
        """The rule's terms that matched, each once, as the user wrote them."""
        return list(dict.fromkeys(hit.term for hit in self.hits))

    def fields(self) -> list[str]:
        """The fields with at least one hit."""
        return list(dict.fromkeys(hit.field for hit in self.hits))


@dataclass(frozen=True)
class Snippet:
    """A piece of one field around a hit; ``text[start:end]`` is the matched span (``words``)."""

    field: str
    text: str
    start: int
    end: int
    words: tuple[str, ...]

    @property
    def highlights(self) -> tuple[tuple[int, int], ...]:
        """The highlighted spans as (start, end) pairs (one per snippet)."""
        return ((self.start, self.end),)

    def highlighted(self, before: str = "**", after: str = "**") -> str:
        """The snippet with the matched span wrapped (``**…**`` for Markdown, ``<mark>`` for HTML)."""
        text, start, end = self.text, self.start, self.end
        return text[:start] + before + text[start:end] + after + text[end:]


class _CompiledTerm:
    """A term with its words lemmatised: per word either a lemma set or a folded prefix."""

    __slots__ = ("fields", "label", "parts", "single")

    def __init__(self, term: Term, lemmatizer: Lemmatizer) -> None:
        self.label = str(term)
        self.fields = term.fields
        self.parts: tuple[frozenset[str] | str, ...] = tuple(
            fold(part.text) if part.prefix else lemmatizer.lemmas(part.text) for part in term.parts
        )
        #: The common case, one non-prefix word: its lemma set, for the fast path.
        first = self.parts[0]
        self.single = first if len(self.parts) == 1 and isinstance(first, frozenset) else None

    def evaluate(self, doc: IndexedDocument) -> list[_RawHit] | None:
        hits: list[_RawHit] = []
        for name in self.fields:
            field = doc.fields.get(name)
            if field is None:
                continue
            if self.single is not None:
                for position in field.positions(self.single):
                    hits.append((self.label, name, position, position))
            else:
                length = len(self.parts)
                for position in self._phrase_starts(field):
                    hits.append((self.label, name, position, position + length - 1))
        return hits or None

    def _phrase_starts(self, field: IndexedField) -> list[int]:
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

    def required(self) -> list[frozenset[str]]:
        return [part for part in self.parts if isinstance(part, frozenset)]


def _part_positions(field: IndexedField, part: frozenset[str] | str) -> list[int]:
    if isinstance(part, str):
        return field.prefix_positions(part)
    return field.positions(part)


class _CompiledAnd:
    __slots__ = ("children",)

    def __init__(self, children: list[_Compiled]) -> None:
        # NOT children never contribute hits: test them last, after the cheaper wanted words failed.
        self.children = sorted(children, key=lambda child: isinstance(child, _CompiledNot))

    def evaluate(self, doc: IndexedDocument) -> list[_RawHit] | None:
        hits: list[_RawHit] = []
        for child in self.children:
            found = child.evaluate(doc)
            if found is None:
                return None
            hits.extend(found)
        return hits

    def required(self) -> list[frozenset[str]]:
        return [group for child in self.children for group in child.required()]


class _CompiledOr:
    __slots__ = ("children",)

    def __init__(self, children: list[_Compiled]) -> None:
        self.children = children

    def evaluate(self, doc: IndexedDocument) -> list[_RawHit] | None:
        hits: list[_RawHit] | None = None
        for child in self.children:
            found = child.evaluate(doc)
            if found is not None:
                hits = found if hits is None else hits + found
        return hits

    def required(self) -> list[frozenset[str]]:
        groups = [child.required() for child in self.children]
        if not all(groups):
            return []
        return [frozenset().union(*(child_groups[0] for child_groups in groups))]


class _CompiledNot:
    __slots__ = ("child",)

    def __init__(self, child: _Compiled) -> None:
        self.child = child

    def evaluate(self, doc: IndexedDocument) -> list[_RawHit] | None:
        return None if self.child.evaluate(doc) is not None else []

    def required(self) -> list[frozenset[str]]:
        return []


_Compiled = _CompiledTerm | _CompiledAnd | _CompiledOr | _CompiledNot


def _compile(node: Node, lemmatizer: Lemmatizer) -> _Compiled:
    if isinstance(node, Term):
        return _CompiledTerm(node, lemmatizer)
    if isinstance(node, Not):
        return _CompiledNot(_compile(node.child, lemmatizer))
    children = [_compile(child, lemmatizer) for child in node.children]
    return _CompiledAnd(children) if isinstance(node, And) else _CompiledOr(children)


class CompiledQuery:
    """A rule ready to match documents indexed with the same `Lemmatizer`."""

    __slots__ = ("_required", "_root", "query")

    def __init__(self, query: Query, lemmatizer: Lemmatizer) -> None:
        self.query = query
        self._root = _compile(query.root, lemmatizer)
        self._required = tuple(dict.fromkeys(self._root.required()))

    def match(self, doc: IndexedDocument) -> Match | None:
        """The hits if the document matches the rule, else ``None``."""
        raw = self._root.evaluate(doc)
        if raw is None:
            return None
        return Match(_hits(raw, doc))

    def required_lemmas(self) -> tuple[frozenset[str], ...]:
        """Lemma groups a matching document must contain (at least one lemma of each group, in
        any field). Empty when the rule has no such guarantee (e.g. only prefixes)."""
        return self._required

    def could_match(self, doc: IndexedDocument) -> bool:
        """A cheap pre-filter: False means `match` would return None."""
        vocabulary = doc.vocabulary
        return all(not group.isdisjoint(vocabulary) for group in self._required)


def compile_query(query: Query | str, lemmatizer: Lemmatizer) -> CompiledQuery:
    """Compile a parsed rule (or parse and compile its text) against a lemmatizer."""
    return CompiledQuery(parse_query(query) if isinstance(query, str) else query, lemmatizer)


def _hits(raw: list[_RawHit], doc: IndexedDocument) -> tuple[Hit, ...]:
    """Raw hits → `Hit` objects with offsets, duplicates dropped, in field order, then text order."""
    hits: list[Hit] = []
    for label, name, first, last in sorted(set(raw), key=_hit_order):
        field = doc.fields[name]
        tokens = field.tokens
        words = tuple(field.words[first : last + 1])
        hits.append(Hit(label, name, tokens[first].start, tokens[last].end, words))
    return tuple(hits)


def _hit_order(hit: _RawHit) -> tuple[int, int, int, str]:
    return FIELDS.index(hit[1]), hit[2], hit[3], hit[0]


def snippets(match: Match, doc: IndexedDocument, width: int = 60) -> list[Snippet]:
    """One snippet per distinct matched span: about ``width`` characters either side, within the
    span's paragraph (a line of the field), cut at spaces, with «…» where the paragraph goes on."""
    result: list[Snippet] = []
    seen: set[tuple[str, int, int]] = set()
    for hit in match.hits:
        key = (hit.field, hit.start, hit.end)
        if key not in seen:
            seen.add(key)
            result.append(_snippet(hit, doc.fields[hit.field].text, width))
    return result


def _snippet(hit: Hit, text: str, width: int) -> Snippet:
    start, end = hit.start, hit.end
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    if line_end < 0:
        line_end = len(text)
    left = max(line_start, start - width)
    if left > line_start and not text[left - 1].isspace():
        # Inside a word: start after the next space, or at the hit itself if there is none.
        left = next((i + 1 for i in range(left, start) if text[i].isspace()), start)
    right = min(line_end, end + width)
    if right < line_end and not text[right].isspace():
        right = next((i for i in range(right - 1, end - 1, -1) if text[i].isspace()), end)
    head, tail = text[left:start].lstrip(), text[end:right].rstrip()
    prefix = "…" if text[line_start : start - len(head)].strip() else ""
    suffix = "…" if text[end + len(tail) : line_end].strip() else ""
    span_start = len(prefix) + len(head)
    return Snippet(
        hit.field,
        prefix + head + text[start:end] + tail + suffix,
        span_start,
        span_start + end - start,
        hit.words,
    )
