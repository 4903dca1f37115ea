"""Running crawls: one check or backfill from the command line, or many from one long-lived process.

Scrapy's Twisted reactor cannot be restarted, so a process installs the asyncio reactor once
(`run_in_reactor`) and every crawl is an `AsyncCrawlerRunner` crawl on it (`crawl`).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy import Engine

from archive.checks import CheckLog, CheckSummary
from archive.store import ArchiveStore, CrawlStateStore, Outcome
from crawler import stats_keys
from crawler.context import ArchiveCrawler, CrawlContext, CrawlFindings, StoreHook
from crawler.plan import CrawlPlan
from crawler.settings import scrapy_settings
from settings.schema import Settings

T = TypeVar("T")
REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"


def run_in_reactor(main: Callable[[], Awaitable[T]], *, signals: bool = True) -> T:
    """Install the asyncio reactor, run ``main()`` on it to the end, and return its result.

    ``signals=False`` leaves SIGTERM/SIGINT to ``main`` (the daemon stops gracefully by itself).
    """
    from scrapy.utils.reactor import install_reactor

    install_reactor(REACTOR)
    from twisted.internet import reactor
    from twisted.internet.defer import Deferred

    outcome: dict[str, object] = {}

    def finish(result: object) -> None:
        outcome["result"] = result
        if reactor.running:  # type: ignore[attr-defined]
            reactor.stop()  # type: ignore[attr-defined]

    def begin() -> None:
        future = asyncio.ensure_future(main())
        Deferred.fromFuture(future).addBoth(finish)

    reactor.callWhenRunning(begin)  # type: ignore[attr-defined]
    reactor.run(installSignalHandlers=signals)  # type: ignore[attr-defined]
    result = outcome.get("result")
    if hasattr(result, "raiseException"):
        result.raiseException()  # type: ignore[union-attr]
    return result  # type: ignore[return-value]


async def crawl(
    settings: Settings,
    engine: Engine,
    plan: CrawlPlan,
    *,
    progress: bool = False,
    hooks: tuple[StoreHook, ...] = (),
    on_start: Callable[[object], None] | None = None,
) -> CheckSummary:
    """One crawl, recorded as a check row; returns its summary.

    ``hooks`` run inside each stored item's transaction (see `crawler.pipeline`). ``on_start``
    receives the Scrapy crawler, so a daemon can stop it gracefully (``stop_async``).
    """
    from scrapy.crawler import AsyncCrawlerRunner

    from crawler.spider import KremlinSpider

    checks = CheckLog(engine)
    check_id = await asyncio.to_thread(checks.open, plan.mode)
    context = CrawlContext(store=ArchiveStore(engine), state=CrawlStateStore(engine), on_stored=hooks)
    runner = AsyncCrawlerRunner(scrapy_settings(settings))
    crawler = ArchiveCrawler(KremlinSpider, runner.settings, context)
    if on_start is not None:
        on_start(crawler)
    reporter = asyncio.ensure_future(_report_progress(crawler)) if progress else None
    try:
        await runner.crawl(crawler, base_url=settings.base_url, plan=plan)
    except BaseException:
        await asyncio.to_thread(checks.close, check_id, CheckSummary(mode=plan.mode, outcome="crashed"))
        raise
    finally:
        if reporter is not None:
            reporter.cancel()
            sys.stderr.write("\n")
    summary = summarize(plan, crawler.stats.get_stats() if crawler.stats else {}, context.findings)
    await asyncio.to_thread(checks.close, check_id, summary)
    return summary


def summarize(plan: CrawlPlan, stats: dict[str, object], findings: CrawlFindings) -> CheckSummary:
    """The check's summary from Scrapy's stats and what the spider noticed."""

    def count(key: str) -> int:
        return int(stats.get(key, 0) or 0)  # type: ignore[call-overload]

    def stored(outcome: Outcome) -> int:
        return count(stats_keys.items(outcome))

    def by_status(prefix: str) -> dict[str, int]:
        return {key.removeprefix(prefix): count(key) for key in stats if key.startswith(prefix)}

    refused = by_status(stats_keys.REFUSED)
    summary = CheckSummary(
        mode=plan.mode,
        requests=count(stats_keys.REQUESTS),
        bytes=count(stats_keys.RESPONSE_BYTES),
        pages=count(stats_keys.PAGES),
        new_items=stored(Outcome.NEW),
        changed_items=stored(Outcome.CHANGED),
        unchanged_items=stored(Outcome.UNCHANGED) + stored(Outcome.COMPLETED),
        errors=count(stats_keys.ERRORS),
        parse_errors=count(stats_keys.PARSE_ERRORS),
        html_pages_read=count(stats_keys.HTML_PAGES_READ),
        status_counts=by_status(stats_keys.RESPONSE_STATUS),
        messages=list(findings.errors),
    )
    if refused:
        summary.messages.insert(
            0, "refused by the site: " + ", ".join(f"{n}× {s}" for s, n in refused.items())
        )
    reason = stats.get(stats_keys.CLOSE_REASON, "finished")
    if reason == "blocked":
        summary.outcome = "blocked"
    elif reason == "shutdown":
        summary.outcome = "cancelled"  # stopped by SIGTERM/SIGINT: not a failure of the site
    elif reason != "finished":
        summary.outcome = "error"
        summary.messages.insert(0, f"crawl ended early: {reason}")
    elif plan.mode == "check" and not findings.feed_unchanged and not findings.feed_read:
        summary.outcome = "error"
    elif summary.errors and not (summary.new_items or summary.changed_items or summary.unchanged_items):
        summary.outcome = "error"  # pages came back but nothing could be read from them
    elif summary.errors:
        summary.outcome = "partial"
    elif findings.feed_unchanged and not summary.new_items and not summary.changed_items:
        summary.outcome = "unchanged"
    return summary


async def _report_progress(crawler: object) -> None:
    """A progress line on the terminal while a backfill runs."""
    while True:
        stats = crawler.stats.get_stats() if crawler.stats else {}  # type: ignore[attr-defined]
        new = stats.get(stats_keys.items(Outcome.NEW), 0)
        changed = stats.get(stats_keys.items(Outcome.CHANGED), 0)
        pages = stats.get(stats_keys.PAGES, 0)
        errors = stats.get(stats_keys.ERRORS, 0)
        sys.stderr.write(f"\r  pages {pages}  new {new}  changed {changed}  errors {errors} ")
        sys.stderr.flush()
        await asyncio.sleep(0.5)
