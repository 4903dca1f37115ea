"""`kremlin-watch run`: months of unattended checks in one process.

One asyncio reactor for the whole life of the process (Scrapy's cannot be restarted), APScheduler's
`AsyncIOScheduler` on its loop, and three jobs, none of which ever overlaps itself:

* the check (interval with jitter, or cron; the first one at start; missed runs coalesce into one),
* the delivery of pending alerts between checks (retries with back-off),
* on PostgreSQL, a look at the leadership lock, so a daemon that lost it stops checking.

SIGTERM and SIGINT stop it: the crawl in flight is asked to finish the pages it holds (each item is
its own transaction, so nothing half-written is left; the check is recorded as ``cancelled`` and its
feed validators are not saved, so the next check reads again what this one did not finish), pending
alerts stay pending, and the process exits 0.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from datetime import datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Engine

from archive.checks import CheckLog
from archive.types import utcnow
from crawler.plan import CrawlPlan
from crawler.run import run_in_reactor
from scheduler.check import CheckRunner
from scheduler.leader import Leadership, leadership_for
from scheduler.memory import freeze_startup_objects, limit_arenas, release_after_check
from settings.schema import Settings

logger = logging.getLogger(__name__)

#: How often a standby tries the leadership lock, and a leader checks it still holds it.
LEADERSHIP_POLL_SECONDS = 5.0
#: How long a stopping daemon waits for the crawl and a send in flight.
STOP_GRACE_SECONDS = 8.0
#: Word spellings the daemon's lemmatizer (and the search index's term analyser) keeps before it
#: starts its cache afresh. A cached spelling costs about 690 bytes (measured: 50,000 distinct
#: words, +33 MiB), and the site's vocabulary only grows, so the defaults (a million spellings, half a
#: million terms, for a backfill's one big run) would let a daemon grow by hundreds of MiB over the
#: years; at this bound the lemmas take ~35 MiB at most, and refilling after a clear costs the next few
#: items a fraction of a second.
LEMMA_CACHE_WORDS = 50_000


class Daemon:
    """The long-lived watcher; `run()` blocks until SIGTERM/SIGINT."""

    def __init__(self, settings: Settings, engine: Engine, stop_early: list[int] | None = None) -> None:
        #: Signals received before the loop could handle them (see `kremlin_watch.cli.cmd_run`).
        self.stop_early = stop_early if stop_early is not None else []
        self.settings = settings
        self.engine = engine
        self.leadership: Leadership = leadership_for(engine)
        self.runner = CheckRunner(settings, engine, lemma_cache=LEMMA_CACHE_WORDS)
        self.started_at: datetime = utcnow()
        self.leading = False
        self.stop_requested: asyncio.Event | None = None
        self.busy: set[asyncio.Future[object]] = set()

    def run(self) -> int:
        """Take the lock (SQLite: or refuse), then check on schedule until told to stop."""
        limit_arenas()  # before the reactor's and asyncio's worker threads start
        if not self.leadership.standby:
            self.leadership.try_acquire()  # raises ArchiveInUse when another daemon has the file
            self.leading = True
        return run_in_reactor(self._main, signals=False)

    async def _main(self) -> int:
        loop = asyncio.get_running_loop()
        self.stop_requested = asyncio.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, self._request_stop, signum)
        for signum in self.stop_early:
            self._request_stop(signum)
        health = None
        if self.settings.http_port:
            # Starlette, uvicorn and prometheus_client (~25 MiB) only for a daemon that serves them.
            from scheduler.health import HealthServer

            health = HealthServer(
                self.engine,
                interval=self.settings.interval,
                started_at=self.started_at,
                is_leader=lambda: self.leading,
                port=self.settings.http_port,
                site=self.settings.host,
            )
        try:
            if health is not None:
                await health.start()  # a port in use raises OSError: the lock is released below
            if await self._wait_for_leadership():
                await self._lead()
        finally:
            if health is not None:
                await health.close()
            await asyncio.to_thread(self.leadership.release)
        logger.info("stopped")
        return 0

    def _request_stop(self, signum: int) -> None:
        logger.info("%s received: finishing the work in flight and stopping", signal.Signals(signum).name)
        assert self.stop_requested is not None
        self.stop_requested.set()
        self.runner.stopping = True

    async def _wait_for_leadership(self) -> bool:
        assert self.stop_requested is not None
        announced = False
        while not self.leading:
            if await asyncio.to_thread(self.leadership.try_acquire):
                self.leading = True
                break
            if not announced:
                logger.info("another daemon leads on this archive; standing by")
                announced = True
            try:
                await asyncio.wait_for(self.stop_requested.wait(), LEADERSHIP_POLL_SECONDS)
                return False
            except TimeoutError:
                continue
        return not self.stop_requested.is_set()

    async def _lead(self) -> None:
        assert self.stop_requested is not None
        abandoned = await asyncio.to_thread(CheckLog(self.engine).close_abandoned)
        if abandoned:
            logger.warning("%d check(s) left running by a process that died were marked crashed", abandoned)
        released = await asyncio.to_thread(self.runner.deliverer.release_dead_claims)
        if released:
            logger.warning("%d alert(s) claimed by a sender that died are pending again", released)
        logger.info(
            "leading: checking %s %s; archive %s",
            " and ".join(self.settings.origins),
            self._schedule_text(),
            self.engine.url.render_as_string(hide_password=True),
        )
        for warning in self.runner.warnings():
            logger.warning("%s", warning)
        freeze_startup_objects()  # the collection after each check then walks only what checks made
        scheduler = AsyncIOScheduler(event_loop=asyncio.get_running_loop())
        scheduler.add_job(
            self._tracked(self._check),
            self._check_trigger(),
            id="check",
            name="check",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=int(self.settings.interval),
            next_run_time=datetime.now().astimezone(),
        )
        scheduler.add_job(
            self._tracked(self._deliver),
            IntervalTrigger(seconds=max(5.0, min(self.settings.alert_backoff, 60.0))),
            id="deliver",
            name="deliver pending alerts",
            max_instances=1,
            coalesce=True,
        )
        if self.leadership.standby:
            scheduler.add_job(
                self._watch_leadership,
                IntervalTrigger(seconds=LEADERSHIP_POLL_SECONDS),
                id="leadership",
                name="leadership",
                max_instances=1,
                coalesce=True,
            )
        scheduler.start()
        await self.stop_requested.wait()
        scheduler.shutdown(wait=False)
        await self.runner.stop_crawl()
        if self.busy:
            _done, pending = await asyncio.wait(self.busy, timeout=STOP_GRACE_SECONDS)
            if pending:
                logger.warning("%d job(s) did not finish within %.0f s", len(pending), STOP_GRACE_SECONDS)

    def _tracked(self, job):  # type: ignore[no-untyped-def]
        """Wrap a job so that a stop can wait for it to finish."""

        async def run() -> None:
            future = asyncio.ensure_future(job())
            self.busy.add(future)
            try:
                await future
            except asyncio.CancelledError:
                if not self.runner.stopping:
                    raise
                # A crawl stopped mid-way (in a back-off pause, say) by the stop we asked for.
                logger.info("the %s job in flight was cancelled by the stop", job.__name__.strip("_"))
            except Exception:
                logger.exception("the %s job failed; it runs again on schedule", job.__name__.strip("_"))
            finally:
                self.busy.discard(future)

        return run

    async def _check(self) -> None:
        if self.runner.stopping:
            return
        plan = CrawlPlan(mode="check", max_pages=self.settings.max_pages)
        result = await self.runner.run(plan)
        release_after_check()  # its crawlers' cycles freed now, the freed heap top back to the system
        logger.info("%s", result.summary.line())
        if result.delivery is not None and (result.queued or result.delivery.sent or result.delivery.retried):
            logger.info("%s; queued %d", result.delivery.line(), result.queued)

    async def _deliver(self) -> None:
        if self.runner.stopping or not self.runner.destinations:
            return
        report = await asyncio.to_thread(self.runner.deliverer.send_due)
        if report.sent or report.retried or report.failed:
            logger.info("%s", report.line())

    async def _watch_leadership(self) -> None:
        if not await asyncio.to_thread(self.leadership.still_held):
            logger.error("lost the leadership lock (database connection broken): stopping")
            self.leading = False
            assert self.stop_requested is not None
            self.stop_requested.set()
            self.runner.stopping = True

    def _check_trigger(self) -> IntervalTrigger | CronTrigger:
        if self.settings.cron:
            return CronTrigger.from_crontab(self.settings.cron)
        jitter = self.settings.effective_jitter
        return IntervalTrigger(seconds=self.settings.interval, jitter=int(jitter) if jitter >= 1 else None)

    def _schedule_text(self) -> str:
        if self.settings.cron:
            return f"on cron '{self.settings.cron}'"
        return f"every {self.settings.interval:.0f} s (jitter {self.settings.effective_jitter:.0f} s)"
