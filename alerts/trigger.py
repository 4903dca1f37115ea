"""From a stored item to outbox rows: the rules are matched as each new or changed item is stored.

Called by the crawl's pipeline (in a worker thread) with the record and what storing it did. New
items are matched against every enabled rule whose filters they pass (`alerts.selectors`: a call
item's call record is read once, when some rule asks about calls); a changed item alerts a rule
again only if the rule says ``realert = true`` or it had never alerted that rule before (an edit that
added the keyword). Each (item version, rule, destination) becomes one outbox row; enqueueing twice is
harmless, so a repeated check or two crawls at once cannot double an alert.
"""

from __future__ import annotations

import json
import threading

from sqlalchemy import Engine
from sqlmodel import Session

from alerts.destinations import Destination, route
from alerts.rules import Rule
from alerts.selectors import CompiledRule, call_record_of, document_of
from archive.outbox import NewAlert, Outbox
from archive.records import ItemRecord
from archive.store import Outcome, StoreResult
from calls.reader import CallReader
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

    def __call__(self, session: Session, record: ItemRecord, result: StoreResult) -> None:
        """Queue the alerts inside the item's transaction (`ArchiveStore.store`'s ``before_commit``)."""
        if result.outcome not in (Outcome.NEW, Outcome.CHANGED) or not self.compiled:
            return
        with self.lock:  # the lemmatizer's cache is not made for several threads at once
            alerts = self.alerts_for(record, result, session)
            self.queued += self.outbox.enqueue(alerts, session=session)

    def alerts_for(
        self, record: ItemRecord, result: StoreResult, session: Session | None = None
    ) -> list[NewAlert]:
        """The outbox rows one stored item calls for (not yet written)."""
        call = call_record_of(record, self.reader) if self.reads_calls else None
        doc = document_of(record, call, self.lemmatizer)
        alerts: list[NewAlert] = []
        for compiled in self.compiled:
            rule = compiled.rule
            match = compiled.match(record, call, doc)
            if match is None:
                continue
            payload = json.dumps([s.to_json() for s in alert_snippets(match, doc)], ensure_ascii=False)
            for destination in route(self.destinations, list(rule.notify)):
                if (
                    result.outcome is Outcome.CHANGED
                    and not rule.realert
                    and self.outbox.alerted_before(record.id, rule.name, destination.key, session)
                ):
                    continue
                alerts.append(
                    NewAlert(
                        item_id=record.id,
                        item_version=result.version,
                        rule=rule.name,
                        destination=destination.key,
                        destination_label=destination.label,
                        matches=payload,
                        digest=rule.digest,
                    )
                )
        return alerts
