"""One check as users mean it: crawl, match what is new against the rules, send the alerts.

The crawler knows nothing of alerts and the alerts nothing of Scrapy; this module, on top of both,
wires them: the call recorder and the rules' trigger are handed to the crawl as "stored" hooks (the
recorder first, so a rule sees the call record of the item it matches), and the outbox is sent when
the crawl ends. Every crawl records calls, backfills too; the first crawl of a runner first reads the
calls the archive holds without a current record (an upgraded archive, a newer reader). A backfill
stores history but does not alert (five years of matches at once would bury the real news);
`kremlin-watch rules test` shows what history matches.

The first plain check of a language the archive holds nothing in sets a **baseline**: it stores what
the site lists and alerts nothing ("baseline: 20 items (ru), no alerts"), as monitors do; alerts start
with the next new item. kremlin.ru and en.kremlin.ru are baselined apart: an archive of Russian items
whose first English check comes later gets a silent English baseline too (no follow-ups for the
English versions of calls alerted in Russian).

Withdrawals are marked by the crawl itself (`archive.store.ArchiveStore.mark_gone`); their notices
(rules with ``edits = true``) are queued right after it, for every item first found withdrawn since
the last check that queued them (`WITHDRAWALS_KEY`, kept in the archive and moved on only once the
rows are written, so a crash before that re-queues them, and the outbox's unique key keeps each once).
A backfill moves the mark past what it found withdrawn: old withdrawals are history, not news.

After every check (whether or not a destination is configured) the incident watch sees how each host
answered (`alerts.incidents`), and what it opens or closes is logged; destinations only decide who is
told.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from alerts.delivery import Deliverer, DeliveryReport
from alerts.destinations import Destination, DestinationError, load_destinations
from alerts.incidents import IncidentWatch, Notice, source_reports
from alerts.rules import Rule, RulesError, load_rules, with_edit_notice_rules
from alerts.trigger import AlertTrigger
from archive.checks import CheckSummary
from archive.status import versions_by_lang
from archive.store import CrawlStateStore
from archive.types import utcnow
from calls.ledger import CallRecorder, fill_calls
from crawler.plan import CrawlPlan
from crawler.run import crawl
from query.morphology import Lemmatizer
from search.index import IndexWriter
from settings.errors import ConfigError
from settings.schema import Settings

logger = logging.getLogger(__name__)

#: Crawl-state key: the start of the last check whose withdrawal notices were queued; items found
#: withdrawn since are notified by the next one.
WITHDRAWALS_KEY = "withdrawal_notices_since"


@dataclass
class CheckResult:
    """A crawl's summary and what was sent after it."""

    summary: CheckSummary
    queued: int
    delivery: DeliveryReport | None
    notices: list[Notice]
    #: Languages this check baselined, with the versions it stored silently ({"ru": 20}).
    baseline: dict[str, int] = field(default_factory=dict)


def held_versions(engine: Engine) -> dict[str, int]:
    """How many item versions the archive holds in each language."""
    with Session(engine) as session:
        return versions_by_lang(session)


def baseline_line(baseline: dict[str, int]) -> str:
    """``baseline: 20 items (ru), no alerts``: what a baseline check says."""
    total = sum(baseline.values())
    langs = ", ".join(f"{lang} {count}" if len(baseline) > 1 else lang for lang, count in baseline.items())
    return (
        f"baseline: {total} items ({langs}), no alerts: the first check of an empty archive (in that "
        "language) records what is there; alerts start with the next new item"
    )


def load_alerting(settings: Settings) -> tuple[list[Rule], list[Destination]]:
    """Rules and destinations from the settings; a problem is a `ConfigError` (one line each)."""
    try:
        destinations = load_destinations(settings.notify, settings.notify_config)
    except DestinationError as error:
        raise ConfigError(str(error)) from None
    rules: list[Rule] = []
    if settings.rules:
        try:
            # Tags are checked against the destinations only when there are some: rules written before
            # any destination is configured are not an error (`rules check` still reports them).
            rules = load_rules(Path(settings.rules), destinations or None)
        except RulesError as error:
            raise ConfigError("\n".join(error.problems)) from None
    try:
        rules = with_edit_notice_rules(rules, settings.edit_notices)
    except RulesError as error:
        raise ConfigError("\n".join(error.problems)) from None
    return rules, destinations


def alerting_warnings(settings: Settings, rules: list[Rule], destinations: list[Destination]) -> list[str]:
    """What a daemon should say at start when it can never alert anyone (empty otherwise)."""
    warnings = []
    # The built-in rules of edit_notices are rules too: with them, something can always notify.
    if not settings.rules and not settings.edit_notices:
        warnings.append(
            "no rules file (rules / KREMLIN_WATCH_RULES): checks archive what is new but nothing can alert"
        )
    elif not rules:
        warnings.append(f"the rules file {settings.rules} holds no rules: nothing can alert")
    elif not any(rule.enabled for rule in rules):
        warnings.append(f"every rule in {settings.rules} is disabled: nothing can alert")
    if not destinations:
        warnings.append(
            "no destination (notify / notify_config): nobody is told of alerts or incidents; incidents "
            "are still logged and shown by `status` and /healthz"
        )
    return warnings


class CheckRunner:
    """Everything a check needs, built once: a daemon reuses it for every check."""

    def __init__(self, settings: Settings, engine: Engine, *, lemma_cache: int | None = None) -> None:
        """``lemma_cache`` bounds the word spellings the lemmatizer and the index's term analyser
        keep (None: their own bounds, for a crawl that ends); a daemon sets a smaller one
        (`scheduler.daemon`)."""
        self.settings = settings
        self.engine = engine
        self.rules, self.destinations = load_alerting(settings)
        self.lemmatizer = Lemmatizer(maxsize=lemma_cache)
        self.trigger = AlertTrigger(engine, self.rules, self.destinations, self.lemmatizer)
        self.recorder = CallRecorder()
        #: Whether the calls held without a current record were read (once, before the first crawl).
        self.calls_filled = False
        self.deliverer = Deliverer(
            engine,
            self.destinations,
            self.rules,
            backoff=settings.alert_backoff,
            give_up_after=timedelta(seconds=settings.alert_give_up),
        )
        #: The Scrapy crawlers of the check in flight, one per origin (for a graceful stop).
        self.active_crawlers: list[object] = []
        #: Set on SIGTERM: the crawl in flight ends, and nothing more is started or sent.
        self.stopping = False
        #: Keeps the search index current after every crawl, so readers rarely scan unindexed items.
        self.index = IndexWriter(engine, self.lemmatizer, cache_words=lemma_cache)
        self.incidents = IncidentWatch(
            engine, self.destinations, site=settings.host, down_after=settings.down_after
        )

    def _update_index(self) -> None:
        with self.trigger.lock:  # one lemmatizer, shared with the rules' trigger
            self.index.update()

    def _fill_calls(self) -> None:
        filled = fill_calls(self.engine)
        self.calls_filled = True
        if filled.read:
            logger.info(
                "read %d call(s) held without a current call record (%d unreadable)",
                filled.read,
                filled.unreadable,
            )

    def _queue_withdrawals(self, started: datetime, alerting: bool) -> int:
        """Queue the withdrawal notices of items first found withdrawn since the last check that did
        (this one's start on the first), then move the mark to this check's start. A backfill (or a
        check with nobody to tell) only moves the mark."""
        state = CrawlStateStore(self.engine)
        mark = state.get(WITHDRAWALS_KEY)
        queued = 0
        if alerting:
            since = datetime.fromisoformat(mark.value) if mark is not None else started
            queued = self.trigger.outbox.enqueue(self.trigger.withdrawal_alerts(since))
            self.trigger.queued += queued
        state.put(WITHDRAWALS_KEY, (started if alerting else utcnow()).isoformat())
        return queued

    def _started(self, crawler: object) -> None:
        self.active_crawlers.append(crawler)

    def warnings(self) -> list[str]:
        """What to say at start when this runner can never alert anyone."""
        return alerting_warnings(self.settings, self.rules, self.destinations)

    async def stop_crawl(self) -> None:
        """Ask the crawls in flight (one per origin), if any, to finish what they hold and stop."""
        self.stopping = True
        crawlers = list(self.active_crawlers)
        await asyncio.gather(*(crawler.stop_async() for crawler in crawlers))  # type: ignore[attr-defined]

    async def run(self, plan: CrawlPlan, *, progress: bool = False) -> CheckResult:
        """Crawl with ``plan``; for a check, queue and send the alerts it found, and watch incidents."""
        alerting = plan.mode == "check" and bool(self.rules) and bool(self.destinations)
        if not self.calls_filled:
            await asyncio.to_thread(self._fill_calls)
        held = await asyncio.to_thread(held_versions, self.engine) if plan.mode == "check" else {}
        self.trigger.held_langs = frozenset(held) if plan.mode == "check" else None
        hooks = (self.recorder, self.trigger) if alerting else (self.recorder,)
        before = self.trigger.queued
        started = utcnow()
        try:
            summary = await crawl(
                self.settings, self.engine, plan, progress=progress, hooks=hooks, on_start=self._started
            )
        finally:
            self.active_crawlers = []
        queued = self.trigger.queued - before
        if self.stopping:
            return CheckResult(summary, queued, None, [])
        queued += await asyncio.to_thread(self._queue_withdrawals, started, alerting)
        await asyncio.to_thread(self._update_index)
        baseline: dict[str, int] = {}
        if plan.mode == "check":
            after = await asyncio.to_thread(held_versions, self.engine)
            baseline = {lang: count for lang, count in after.items() if lang not in held}
            if baseline:
                logger.info("%s", baseline_line(baseline))
        sources = source_reports(summary) or []  # the crawl keeps one report per host (`crawler.run`)
        notices = await asyncio.to_thread(self.incidents.after_check, summary, sources)
        for notice in notices:
            logger.warning("%s: %s", notice.rule, notice.body)
        delivery = await asyncio.to_thread(self.deliverer.send_due) if self.destinations else None
        return CheckResult(summary, queued, delivery, notices, baseline)
