"""From a stored item version to outbox rows: the rules are matched as each version is stored.

Called by the crawl's pipeline (in a worker thread) with the record and what storing it did. Items
come in language versions that share an id (kremlin.ru first, en.kremlin.ru hours later), and an
item alerts a rule and destination ONCE, when its first matching version appears:

* A NEW version of an item that already has an outbox row for this rule and destination (any
  version, `archive.outbox.Outbox.alerted`) does not alert again. If the rule says
  ``follow_translation = true`` and no row alerted on this language, it queues one short follow-up
  row (``follow_up=True``, ``item_lang`` the new version's language, no matches): the unique key
  (item, lang, version, rule, destination) makes it once, whatever repeats.
* Otherwise the version is matched like any item: against every enabled rule whose filters it passes
  (`alerts.selectors`: a call's record is read once, when some rule asks about calls; the rule set's
  lemma lookup skips the rules whose words the version does not hold, `CompiledRules.candidates`).
  A rule's call fields (``countries``, ``counterparts``, ``initiated_by``) hold when the record of
  this version or of another archived version of the id passes them, as the ledger's filters do
  (`calls.ledger`): ``counterparts = ["Macron"]`` then fires on a Russian call whose English twin is
  already archived, and on the English version when it arrives if the Russian one did not match. The
  query (and its ``country:`` scopes) sees this version's own text and record.
* A CHANGED version (an edit on the site) that changed typography only (``result.cosmetic``: quotes,
  dashes, spaces) queues nothing at all. A real one, for a rule with ``edits = true``, queues one
  **edit notice** per destination (``notice="edit"``, the row names the new version, never a digest)
  when the rule passes on the new version OR on the version it replaced (an edit that removed the
  keyword is news to the rule); for such a rule the notice replaces ``realert``. Other rules alert
  again only if they say ``realert = true`` or the item had never alerted that rule and destination
  (an edit that added the keyword); the row names the edited version.
* An edits-only rule (the built-in ``edits-<kind>`` of the ``edit_notices`` setting) queues nothing
  but those notices.
* A **withdrawal** (the item's page answered 404/410, `archive.store.ArchiveStore.mark_gone`) is
  queued after the crawl (`withdrawal_alerts`, called by `scheduler.check`): one notice per ``edits``
  rule that passes on the kept version and destination, ``notice="withdrawn"`` with the incident key
  ``withdrawn:ID:LANG``, so it goes out once ever.

Each row is one (version, rule, destination); enqueueing twice is harmless, so a repeated check or two
crawls at once cannot double an alert.

A **baseline** is silent: the runner sets ``held_langs`` to the languages the archive held when the
check began, and a version in any other language (the first check of an empty archive, or of a newly
added site) alerts nothing, not even a follow-up (`scheduler.check`).
"""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlmodel import Session

from alerts.destinations import Destination, route
from alerts.rules import Rule
from alerts.selectors import CompiledRule, CompiledRules, call_record_of, document_of
from archive.models import CallEntry, Item, ItemRevision
from archive.outbox import EDIT_NOTICE, WITHDRAWN_NOTICE, NewAlert, Outbox
from archive.records import CONTENT_FIELDS, ItemRecord
from archive.store import Outcome, StoreResult
from calls.ledger import record_of
from calls.reader import CallReader
from calls.record import CallRecord
from query.document import IndexedDocument
from query.evaluate import Match
from query.morphology import Lemmatizer
from query.snippets import Snippet, snippets

#: Context shown on each side of a matched word in alerts.
SNIPPET_WIDTH = 80
#: At most this many snippets per alert, so a transcript that says «санкции» forty times stays readable.
MAX_SNIPPETS = 5


def withdrawal_incident(item_id: int, lang: str) -> str:
    """The incident key of an item's withdrawal notice: once per item, language, rule and destination."""
    return f"{WITHDRAWN_NOTICE}:{item_id}:{lang}"


def alert_snippets(match: Match, doc: IndexedDocument) -> list[Snippet]:
    """The matched words in context, as the outbox keeps them for the message."""
    return snippets(match, doc, width=SNIPPET_WIDTH)[:MAX_SNIPPETS]


class AlertTrigger:
    """The store hook: ``trigger(session, record, result)`` queues one stored item's alerts with it."""

    def __init__(
        self, engine: Engine, rules: list[Rule], destinations: list[Destination], lemmatizer: Lemmatizer
    ) -> None:
        self.outbox = Outbox(engine)
        self.destinations = destinations
        self.lemmatizer = lemmatizer
        self.rules = CompiledRules.of((rule for rule in rules if rule.enabled), lemmatizer)
        #: Whether any rule looks at call records (else no call is read).
        self.reads_calls = self.rules.reads_calls
        self.reader = CallReader()
        #: Guards the lemmatizer, whose cache is not made for several threads; others who share the
        #: lemmatizer (the search index writer) take it too.
        self.lock = threading.Lock()
        self.queued = 0
        #: The languages the archive held when the check began (None: no baseline, every version counts).
        self.held_langs: frozenset[str] | None = None

    @property
    def compiled(self) -> tuple[CompiledRule, ...]:
        """The enabled rules, compiled, in the rules file's order."""
        return self.rules.compiled

    @compiled.setter
    def compiled(self, compiled: Iterable[CompiledRule]) -> None:
        self.rules = CompiledRules(compiled)

    def __call__(self, session: Session, record: ItemRecord, result: StoreResult) -> None:
        """Queue the alerts inside the item's transaction (`ArchiveStore.store`'s ``before_commit``)."""
        if result.outcome not in (Outcome.NEW, Outcome.CHANGED) or not self.compiled:
            return
        if result.cosmetic:
            return  # typography only (quotes, dashes, spaces): not an edit, never notified
        if self.held_langs is not None and record.lang not in self.held_langs:
            return  # a baseline: the first check of this language stores silently
        with self.lock:  # the lemmatizer's cache is not made for several threads at once
            alerts = self.alerts_for(record, result, session)
            self.queued += self.outbox.enqueue(alerts, session=session)

    def alerts_for(
        self, record: ItemRecord, result: StoreResult, session: Session | None = None
    ) -> list[NewAlert]:
        """The outbox rows one stored version calls for (not yet written)."""
        call = call_record_of(record, self.reader) if self.reads_calls else None
        twins = self.twin_records(record, session) if call is not None else ()
        doc = document_of(record, call, self.lemmatizer)
        before = self.outbox.alerted(record.id, session)
        edited = result.outcome is Outcome.CHANGED
        replaced: _Version | None = None
        alerts: list[NewAlert] = []
        possible = self.rules.candidates(doc)  # the others cannot match this version
        for index, compiled in enumerate(self.rules.compiled):
            rule = compiled.rule
            if edited and rule.edits:
                match = compiled.match(record, call, doc, twins) if index in possible else None
                if match is None:  # an edit that took the rule's words out is news to the rule too
                    replaced = replaced or self._replaced(record, result, session)
                    match = replaced.match(index, compiled)
                if match is not None:
                    for destination in route(self.destinations, list(rule.notify)):
                        alerts.append(self._row(rule, destination, result, "[]", notice=EDIT_NOTICE))
                continue
            if rule.edits_only:
                continue
            match, matched = None, False
            for destination in route(self.destinations, list(rule.notify)):
                langs = before.get((rule.name, destination.key))
                alerted = langs is not None
                if alerted and result.outcome is Outcome.NEW:
                    if rule.follow_translation and record.lang not in langs:
                        alerts.append(self._row(rule, destination, result, "[]", follow_up=True))
                    continue
                if alerted and not rule.realert:
                    continue
                if not matched:
                    match = compiled.match(record, call, doc, twins) if index in possible else None
                    matched = True
                if match is None:
                    continue
                payload = json.dumps([s.to_json() for s in alert_snippets(match, doc)], ensure_ascii=False)
                alerts.append(self._row(rule, destination, result, payload))
        return alerts

    def _replaced(self, record: ItemRecord, result: StoreResult, session: Session | None) -> _Version:
        """The version an edit replaced (its revision), ready to be matched like the new one."""
        statement = select(ItemRevision).where(
            ItemRevision.item_id == result.id,  # type: ignore[arg-type]
            ItemRevision.lang == result.lang,  # type: ignore[arg-type]
            ItemRevision.version == result.version - 1,  # type: ignore[arg-type]
        )
        if session is not None:
            revision = session.exec(statement).scalars().first()  # type: ignore[call-overload]
        else:
            with Session(self.outbox.engine) as own:
                revision = own.exec(statement).scalars().first()  # type: ignore[call-overload]
        if revision is None:
            return _Version(None, None, None, (), frozenset())
        old = dataclasses.replace(record, **{name: getattr(revision, name) for name in CONTENT_FIELDS})
        call = call_record_of(old, self.reader) if self.reads_calls else None
        twins = self.twin_records(old, session) if call is not None else ()
        doc = document_of(old, call, self.lemmatizer)
        return _Version(old, call, doc, twins, self.rules.candidates(doc))

    def withdrawal_alerts(self, since: datetime) -> list[NewAlert]:
        """The withdrawal notices of the items first found withdrawn since ``since`` (not yet written):
        one per ``edits`` rule that passes on the version the archive kept, and destination."""
        edit_rules = [(index, compiled) for index, compiled in enumerate(self.rules) if compiled.rule.edits]
        if not edit_rules:
            return []
        with Session(self.outbox.engine) as session:
            statement = select(Item).where(Item.gone_at.is_not(None), Item.gone_at >= since)  # type: ignore[union-attr,operator]
            gone = list(session.exec(statement).scalars())  # type: ignore[call-overload]
            alerts: list[NewAlert] = []
            with self.lock:  # the lemmatizer's cache is not made for several threads at once
                for item in gone:
                    call = call_record_of(item, self.reader) if self.reads_calls else None
                    twins = self.twin_records(item, session) if call is not None else ()
                    doc = document_of(item, call, self.lemmatizer)
                    result = StoreResult(item.id, Outcome.UNCHANGED, item.version, item.lang)
                    possible = self.rules.candidates(doc)
                    for index, compiled in edit_rules:
                        if index not in possible or compiled.match(item, call, doc, twins) is None:
                            continue
                        for destination in route(self.destinations, list(compiled.rule.notify)):
                            alerts.append(
                                self._row(
                                    compiled.rule,
                                    destination,
                                    result,
                                    "[]",
                                    notice=WITHDRAWN_NOTICE,
                                    incident=withdrawal_incident(item.id, item.lang),
                                )
                            )
        return alerts

    @staticmethod
    def _row(
        rule: Rule,
        destination: Destination,
        result: StoreResult,
        matches: str,
        follow_up: bool = False,
        notice: str | None = None,
        incident: str | None = None,
    ) -> NewAlert:
        """One outbox row; a notice (edit, withdrawal) is never part of a digest."""
        return NewAlert(
            item_id=result.id,
            item_version=result.version,
            rule=rule.name,
            destination=destination.key,
            destination_label=destination.label,
            matches=matches,
            digest=rule.digest and notice is None,
            item_lang=result.lang,
            follow_up=follow_up,
            notice=notice,
            incident=incident,
        )

    def twin_records(self, record: Any, session: Session | None = None) -> tuple[CallRecord, ...]:
        """The call records of the item's other archived versions (as `calls.ledger` stored them)."""
        statement = select(CallEntry).where(CallEntry.item_id == record.id, CallEntry.lang != record.lang)  # type: ignore[arg-type]
        if session is not None:
            return tuple(record_of(entry) for entry in session.exec(statement).scalars())  # type: ignore[call-overload]
        with Session(self.outbox.engine) as own:
            return tuple(record_of(entry) for entry in own.exec(statement).scalars())  # type: ignore[call-overload]


@dataclasses.dataclass(frozen=True)
class _Version:
    """A version other than the one stored (the one an edit replaced), prepared for matching; empty
    (``record`` None) when the archive holds no such version."""

    record: ItemRecord | None
    call: CallRecord | None
    doc: IndexedDocument | None
    twins: tuple[CallRecord, ...]
    #: The rules that may match it (`CompiledRules.candidates`), by index.
    possible: frozenset[int]

    def match(self, index: int, compiled: CompiledRule) -> Match | None:
        """Why the rule (number ``index`` of the set) matches this version, or None."""
        if self.record is None or self.doc is None or index not in self.possible:
            return None
        return compiled.match(self.record, self.call, self.doc, self.twins)
