"""One rule against one item: its kind, language and section, its call record, then its query.

A call item is read into its call record (`calls.reader.read_call`, a pure function of the item's
text) once per item, and only when some rule asks about calls: the rule fields ``countries``,
``counterparts`` and ``initiated_by`` compare the record, and the query scopes ``country:``,
``counterpart:`` and ``initiated_by:`` see the record's values as fields of the document
(`query.document.call_fields`). Alerts and `kremlin-watch rules test` both match through
`CompiledRules`, so a rule tested on the archive fires on exactly what the test shows.

Most items match few of many rules, so `CompiledRules` files each rule under the lemmas its query
cannot match without (`query.evaluate.CompiledQuery.anchors`: the rarest word of an AND, every branch
of an OR) and matches an item only against the rules filed under a lemma of the item, plus the rules
that cannot say (no query, a query of prefixes only). Skipping a rule that way never changes an
answer: the query of a rule not reached would have found nothing.

An item's language versions each have their own record; the rule fields hold when the record of the
version matched or of one of its ``twins`` (the other versions' records) passes them, as the ledger's
filters do (`calls.ledger`). The query sees the version's own text and record.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from alerts.rules import Rule
from archive.vocabulary import CALL
from calls.reader import CallReader
from calls.record import CallRecord, CallText
from calls.selection import CallSelector
from query.document import CALL_FIELDS, FIELDS, IndexedDocument, call_fields
from query.evaluate import Match, compile_query
from query.morphology import Lemmatizer

logger = logging.getLogger(__name__)


def call_record_of(item: Any, reader: CallReader) -> CallRecord | None:
    """The call record of a call item (anything with the item attributes); None for other kinds."""
    if getattr(item, "kind", None) != CALL:
        return None
    return reader.read(CallText.of(item))


def call_values(record: CallRecord) -> dict[str, list[str]]:
    """The record as the query's call fields (``country``, ``counterpart``, ``initiated_by``)."""
    return call_fields(record.countries, [c.name for c in record.counterparts], record.initiated_by)


def document_of(item: Any, record: CallRecord | None, lemmatizer: Lemmatizer) -> IndexedDocument:
    """The item as a document for matching, with the call fields when there is a record."""
    fields: dict[str, Any] = {name: getattr(item, name, None) for name in FIELDS}
    if record is not None:
        fields.update(call_values(record))
    return IndexedDocument.from_fields(fields, lemmatizer)


class CompiledRule:
    """A rule with its query compiled and its counterpart names lemmatised, ready for many items."""

    __slots__ = ("call_selectors", "calls", "lemmatizer", "query", "rule")

    def __init__(self, rule: Rule, lemmatizer: Lemmatizer) -> None:
        self.rule = rule
        self.lemmatizer = lemmatizer
        self.query = compile_query(rule.query, lemmatizer) if rule.query is not None else None
        #: The rule's call fields, names lemmatised once («Шольца» → [{шолец, шольц}]).
        self.calls = CallSelector.of(rule.countries, rule.initiated_by, rule.counterparts, lemmatizer)
        self.call_selectors = rule.call_selectors

    @property
    def needs_call(self) -> bool:
        """Whether matching looks at the call record (a call field or a call scope)."""
        scoped = self.rule.query is not None and any(
            term.field in CALL_FIELDS for term in self.rule.query.terms()
        )
        return self.rule.call_selectors or scoped

    def selects(
        self,
        kind: str,
        lang: str,
        section: str,
        record: CallRecord | None,
        twins: Sequence[CallRecord] = (),
    ) -> bool:
        """Whether the version passes the rule's fields (all but the query); the call fields may be
        passed by the version's ``record`` or by a ``twin``'s (only when the version is a call)."""
        if not self.rule.applies_to(kind, lang, section):
            return False
        if not self.call_selectors:
            return True
        return record is not None and any(
            self.calls.passes(candidate, self.lemmatizer) for candidate in (record, *twins)
        )

    def match(
        self, item: Any, record: CallRecord | None, doc: IndexedDocument, twins: Sequence[CallRecord] = ()
    ) -> Match | None:
        """Why the version matches (no hits for a rule without a query), or None. ``record`` is its
        call record (`call_record_of`), ``twins`` the other versions' records, ``doc`` the version as
        `document_of` makes it."""
        if not self.selects(item.kind, item.lang, item.section, record, twins):
            return None
        if self.query is None:
            return Match(())
        return self.query.match(doc)


class CompiledRules:
    """Compiled rules, in their order, with a lemma → rules lookup that tells which can match an item."""

    __slots__ = ("always", "compiled", "lookup", "reads_calls")

    def __init__(self, compiled: Iterable[CompiledRule]) -> None:
        self.compiled: tuple[CompiledRule, ...] = tuple(compiled)
        lookup: dict[str, set[int]] = {}
        always: list[int] = []
        for index, rule in enumerate(self.compiled):
            anchors = rule.query.anchors() if rule.query is not None else None
            if anchors is None:
                always.append(index)
                continue
            for lemma in anchors:
                lookup.setdefault(lemma, set()).add(index)
        #: Lemma → the rules whose query needs it (or another of its anchors) to match.
        self.lookup: dict[str, frozenset[int]] = {lemma: frozenset(rules) for lemma, rules in lookup.items()}
        #: The rules to match against every item.
        self.always: frozenset[int] = frozenset(always)
        #: Whether any rule looks at call records (else no call is read).
        self.reads_calls = any(rule.needs_call for rule in self.compiled)

    @classmethod
    def of(cls, rules: Iterable[Rule], lemmatizer: Lemmatizer) -> CompiledRules:
        """Compile the rules (each query once) and file them."""
        return cls(CompiledRule(rule, lemmatizer) for rule in rules)

    def __len__(self) -> int:
        return len(self.compiled)

    def __iter__(self) -> Iterator[CompiledRule]:
        return iter(self.compiled)

    def candidates(self, doc: IndexedDocument) -> frozenset[int]:
        """The indices (in `compiled`) of the rules that may match ``doc``; every other rule's
        `CompiledRule.match` is None for it."""
        found = self.lookup.keys() & doc.vocabulary
        if not found:
            return self.always
        return self.always.union(*(self.lookup[lemma] for lemma in found))

    def matches(
        self, item: Any, record: CallRecord | None, doc: IndexedDocument, twins: Sequence[CallRecord] = ()
    ) -> list[tuple[CompiledRule, Match]]:
        """Every rule that matches the version, in rule order, with why (as `CompiledRule.match`)."""
        found: list[tuple[CompiledRule, Match]] = []
        for index in sorted(self.candidates(doc)):
            compiled = self.compiled[index]
            match = compiled.match(item, record, doc, twins)
            if match is not None:
                found.append((compiled, match))
        return found


def rule_applies(
    rule: Rule,
    item: Any,
    record: CallRecord | None,
    lemmatizer: Lemmatizer,
    twins: Sequence[CallRecord] = (),
) -> bool:
    """Whether ``rule`` fires on ``item`` whose call record is ``record`` and whose other versions'
    records are ``twins`` (one-off; alerts compile once)."""
    compiled = CompiledRule(rule, lemmatizer)
    return compiled.match(item, record, document_of(item, record, lemmatizer), twins) is not None
