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
  (`alerts.selectors`: a call's record is read once, when some rule asks about calls). A rule's call
  fields (``countries``, ``counterparts``, ``initiated_by``) hold when the record of this version or
  of another archived version of the id passes them, as the ledger's filters do (`calls.ledger`):
  ``counterparts = ["Macron"]`` then fires on a Russian call whose English twin is already archived,
  and on the English version when it arrives if the Russian one did not match. The query (and its
  ``country:`` scopes) sees this version's own text and record.
* A CHANGED version (an edit on the site) alerts a rule again only if the rule says ``realert =
  true`` or the item had never alerted that rule and destination (an edit that added the keyword);
  the row names the edited version.

Each row is one (version, rule, destination); enqueueing twice is harmless, so a repeated check or two
crawls at once cannot double an alert.

A **baseline** is silent: the runner sets ``held_langs`` to the languages the archive held when the
check began, and a version in any other language (the first check of an empty archive, or of a newly
added site) alerts nothing, not even a follow-up (`scheduler.check`).
"""

from __future__ import annotations

import json
import threading

from sqlalchemy import Engine, select
from sqlmodel import Session

from alerts.destinations import Destination, route
from alerts.rules import Rule
from alerts.selectors import CompiledRule, call_record_of, document_of
from archive.models import CallEntry
from archive.outbox import NewAlert, Outbox
from archive.records import ItemRecord
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
        self.compiled = [CompiledRule(rule, lemmatizer) for rule in rules if rule.enabled]
        #: Whether any rule looks at call records (else no call is read).
        self.reads_calls = any(compiled.needs_call for compiled in self.compiled)
        self.reader = CallReader()
        #: Guards the lemmatizer, whose cache is not made for several threads; others who share the
        #: lemmatizer (the search index writer) take it too.
        self.lock = threading.Lock()
        self.queued = 0
        #: The languages the archive held when the check began (None: no baseline, every version counts).
        self.held_langs: frozenset[str] | None = None

    def __call__(self, session: Session, record: ItemRecord, result: StoreResult) -> None:
        """Queue the alerts inside the item's transaction (`ArchiveStore.store`'s ``before_commit``)."""
        if result.outcome not in (Outcome.NEW, Outcome.CHANGED) or not self.compiled:
            return
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
        alerts: list[NewAlert] = []
        for compiled in self.compiled:
            rule = compiled.rule
            match: Match | None = None
            matched = False
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
                    match, matched = compiled.match(record, call, doc, twins), True
                if match is None:
                    continue
                payload = json.dumps([s.to_json() for s in alert_snippets(match, doc)], ensure_ascii=False)
                alerts.append(self._row(rule, destination, result, payload))
        return alerts

    @staticmethod
    def _row(
        rule: Rule, destination: Destination, result: StoreResult, matches: str, follow_up: bool = False
    ) -> NewAlert:
        return NewAlert(
            item_id=result.id,
            item_version=result.version,
            rule=rule.name,
            destination=destination.key,
            destination_label=destination.label,
            matches=matches,
            digest=rule.digest,
            item_lang=result.lang,
            follow_up=follow_up,
        )

    def twin_records(self, record: ItemRecord, session: Session | None = None) -> tuple[CallRecord, ...]:
        """The call records of the item's other archived versions (as `calls.ledger` stored them)."""
        statement = select(CallEntry).where(CallEntry.item_id == record.id, CallEntry.lang != record.lang)  # type: ignore[arg-type]
        if session is not None:
            return tuple(record_of(entry) for entry in session.exec(statement).scalars())  # type: ignore[call-overload]
        with Session(self.outbox.engine) as own:
            return tuple(record_of(entry) for entry in own.exec(statement).scalars())  # type: ignore[call-overload]
