"""Sending the outbox through Apprise: retried with exponential back-off, given up after a while.

Rows are claimed before they are sent (see `archive.outbox`), sent one message per row, or one per
(rule, destination) for digest rules, and marked sent right after Apprise reports success. A failed
send keeps the rows pending with the error (secrets scrubbed) and the next attempt pushed out:
``backoff × 2^(attempts-1)``, at most an hour. Rows older than ``give_up_after`` become ``failed``.

A row names one language version of an item (``item_lang``); its message is composed from that
version as the archive holds it when the message is sent, with the item's other versions at hand: an
alert links the English version when it is already archived, a follow-up names the version that
alerted (`alerts.messages`). An edit or withdrawal notice (``notice``) carries the edit as the archive
lists it (`archive.edit_log.edit_of`, `withdrawal_of`) and its diff (`edits.diff.diff_versions`).
A withdrawal notice has an ``incident`` key too (it goes out once ever), but names its item: only a
row without an item is a notice about the watcher itself.
"""

from __future__ import annotations

import json
import logging
import os
import socket
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

import apprise
from sqlalchemy import Engine

from alerts.destinations import Destination, apprise_log, redact, service_for
from alerts.messages import AlertItem, Message, compose
from alerts.rules import Rule
from alerts.selectors import call_record_of
from archive.edit_log import edit_of, withdrawal_of
from archive.export import load_versions
from archive.models import Item, OutboxEntry
from archive.outbox import WITHDRAWN_NOTICE, Outbox
from archive.types import utcnow
from calls.ledger import EN, PRIMARY_LANG
from calls.reader import CallReader
from calls.record import CallRecord
from edits.diff import diff_versions
from query.snippets import Snippet

logger = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=1)


@dataclass
class DeliveryReport:
    """What one round of sending did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        text = f"alerts: sent {self.sent}, will retry {self.retried}, failed {self.failed}"
        return text + (f" ({self.errors[0]})" if self.errors else "")


def send_message(destination: Destination, message: Message, everyone: list[Destination]) -> str | None:
    """Send one message; None on success, else the reason with every secret scrubbed. Only the
    destination's own Apprise plugin is imported (`service_for`)."""
    notifier = apprise.Apprise()
    with apprise_log() as captured:
        try:
            notifier.add(service_for(destination))
            result = notifier.notify(title=message.title, body=message.body, body_format=message.body_format)
        except Exception as error:  # a plugin bug must not take the outbox down with it
            return redact(f"{type(error).__name__}: {error}", everyone)
    if result:
        return None
    complaint = " ".join(line.strip() for line in captured.getvalue().splitlines() if line.strip())
    return redact(complaint or "the service did not accept the message", everyone)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, but someone else's
        return True
    return True


class Deliverer:
    """Sends due outbox rows to their destinations."""

    def __init__(
        self,
        engine: Engine,
        destinations: list[Destination],
        rules: list[Rule],
        *,
        backoff: float = 30.0,
        give_up_after: timedelta = timedelta(hours=24),
    ) -> None:
        self.engine = engine
        self.outbox = Outbox(engine)
        self.destinations = {destination.key: destination for destination in destinations}
        self.everyone = destinations
        self.rules = {rule.name: rule for rule in rules}
        self.backoff = backoff
        self.give_up_after = give_up_after
        #: Who holds the claims this sender makes: ``host:pid``.
        self.claimer = f"{socket.gethostname()}:{os.getpid()}"
        #: Reads the call record of a call item for its message (loads its dictionaries once).
        self.reader = CallReader()

    def release_dead_claims(self) -> int:
        """Take back the claims of senders on this host that died mid-send (see `Outbox`)."""
        return self.outbox.release_dead_claims(socket.gethostname(), _process_alive)

    def send_due(self, *, ignore_backoff: bool = False) -> DeliveryReport:
        """Send every due row (every pending one with ``ignore_backoff``)."""
        report = DeliveryReport()
        tried: set[int] = set()
        while True:
            rows = self.outbox.claim_due(ignore_backoff=ignore_backoff, exclude=tried, claimer=self.claimer)
            if not rows:
                return report
            tried.update(row.id for row in rows if row.id is not None)
            for group in self._groups(rows):
                self._send_group(group, report)

    def _groups(self, rows: list[OutboxEntry]) -> list[list[OutboxEntry]]:
        """One group per row, except digest rows: one group per (rule, destination)."""
        digests: dict[tuple[str, str], list[OutboxEntry]] = defaultdict(list)  # notices never digest
        groups: list[list[OutboxEntry]] = []
        for row in rows:
            if row.digest:
                digests[(row.rule, row.destination)].append(row)
            else:
                groups.append([row])
        return groups + list(digests.values())

    def _send_group(self, rows: list[OutboxEntry], report: DeliveryReport) -> None:
        first = rows[0]
        ids = [row.id for row in rows if row.id is not None]
        destination = self.destinations.get(first.destination)
        if destination is None:
            self._failed_attempt(
                rows, f"destination {first.destination_label} is no longer configured", report
            )
            return
        if first.incident is not None and first.item_id is None:  # about the watcher, no item
            notice = json.loads(first.matches)
            self._deliver(
                rows, destination, Message(notice["title"], notice["body"], apprise.NotifyFormat.TEXT), report
            )
            return
        rule = self.rules.get(first.rule)
        items = self._items(rows)
        if not items:
            gone = (
                "the item is no longer withdrawn (its page is back)"
                if first.notice == WITHDRAWN_NOTICE
                else "the item (or the edit) is no longer in the archive"
            )
            self.outbox.mark_failed(ids, gone)
            report.failed += len(ids)
            return
        message = compose(destination.kind, first.rule, rule.description if rule else "", items)
        self._deliver(rows, destination, message, report)

    def _deliver(
        self, rows: list[OutboxEntry], destination: Destination, message: Message, report: DeliveryReport
    ) -> None:
        error = send_message(destination, message, self.everyone)
        if error is None:
            self.outbox.mark_sent([row.id for row in rows if row.id is not None])
            report.sent += len(rows)
            logger.info("sent %r to %s", message.title, destination.label)
        else:
            self._failed_attempt(rows, error, report)

    def _failed_attempt(self, rows: list[OutboxEntry], error: str, report: DeliveryReport) -> None:
        now = utcnow()
        report.errors.append(error)
        for row in rows:
            assert row.id is not None
            if now - row.created_at >= self.give_up_after:
                self.outbox.mark_failed([row.id], error)
                report.failed += 1
                logger.error(
                    "gave up on alert %d (%s → %s): %s", row.id, row.rule, row.destination_label, error
                )
            else:
                delay = min(
                    timedelta(seconds=self.backoff * 2 ** min(max(0, row.attempts - 1), 16)), MAX_BACKOFF
                )
                self.outbox.mark_retry([row.id], error, now + delay)
                report.retried += 1
                logger.warning(
                    "alert %d (%s → %s) failed, retrying in %s: %s",
                    row.id,
                    row.rule,
                    row.destination_label,
                    delay,
                    error,
                )

    def _items(self, rows: list[OutboxEntry]) -> list[AlertItem]:
        versions = load_versions(self.engine, [row.item_id for row in rows if row.item_id is not None])
        items = []
        for row in rows:
            held = versions.get(row.item_id or 0, {})
            # A row from before language versions names no language: the primary version is the one.
            item = held.get(row.item_lang or PRIMARY_LANG) or (None if row.item_lang else _primary(held))
            if item is None:
                continue
            if row.notice is not None:
                notice = self._notice(row, item)
                if notice is not None:
                    items.append(notice)
                continue
            others = [other for lang, other in sorted(held.items()) if lang != item.lang]
            original = _primary({other.lang: other for other in others}) if row.follow_up else None
            english = held.get(EN)
            snippets = tuple(Snippet.from_json(entry) for entry in json.loads(row.matches or "[]"))
            items.append(
                AlertItem(
                    item.id,
                    item.title,
                    item.url,
                    item.published_at,
                    item.lead,
                    item.kind,
                    snippets,
                    None if row.follow_up else self._call(item, others),
                    lang=item.lang,
                    en_title=english.title if english is not None else None,
                    en_url=english.url if english is not None else None,
                    follow_up=row.follow_up,
                    original_title=original.title if original is not None else None,
                    original_url=original.url if original is not None else None,
                )
            )
        return items

    def _notice(self, row: OutboxEntry, item: Item) -> AlertItem | None:
        """The item of an edit or withdrawal notice, with the edit and its diff; None when the archive
        no longer holds the edit (or the item is no longer withdrawn)."""
        if row.notice == WITHDRAWN_NOTICE:
            edit = withdrawal_of(self.engine, item.id, item.lang)
        else:
            edit = edit_of(self.engine, item.id, item.lang, row.item_version)
        if edit is None:
            return None
        return AlertItem(
            item.id,
            edit.title,
            edit.url,
            edit.published_at,
            None,
            edit.kind,
            (),
            lang=item.lang,
            notice=row.notice,
            edit=edit,
            diff=None if edit.withdrawn else diff_versions(edit.before, edit.after),
        )

    def _call(self, item: Item, others: list[Item]) -> CallRecord | None:
        """The call record the message names: the version's own, read again from the item rather than
        carried on the row (the reader is a pure function of the text, and the message then agrees
        with the title it shows); when the version's page cannot be read, another version's."""
        call = call_record_of(item, self.reader)
        if call is None or call.readable:
            return call
        for other in others:
            twin = call_record_of(other, self.reader)
            if twin is not None and twin.readable:
                return twin
        return call


def _primary(versions: dict[str, Item]) -> Item | None:
    """The primary version among ``versions``: Russian when there, else any (None when empty)."""
    if not versions:
        return None
    return versions.get(PRIMARY_LANG) or versions[sorted(versions)[0]]
