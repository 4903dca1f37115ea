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
from archive.store import ArchiveStore, CrawlStateStore
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
    hooks: tuple[Callable[..., object], ...] = (),
    on_start: Callable[[object], None] | None = None,
) -> CheckSummary:
    """One crawl, recorded as a check row; returns its summary.

    ``on_start`` receives the Scrapy crawler, so a daemon can stop it gracefully (``stop_async``).
    """
    from scrapy.crawler import AsyncCrawlerRunner

    from crawler.spider import KremlinSpider

    checks = CheckLog(engine)
    check_id = await asyncio.to_thread(checks.open, plan.mode)
    runner = AsyncCrawlerRunner(scrapy_settings(settings))
    crawler = runner.create_crawler(KremlinSpider)
    if on_start is not None:
        on_start(crawler)
    reporter = asyncio.ensure_future(_report_progress(crawler)) if progress else None
    try:
        await runner.crawl(
            crawler,
            base_url=settings.base_url,
            plan=plan,
            store=ArchiveStore(engine),
            state=CrawlStateStore(engine),
            on_stored=hooks,
        )
    except BaseException:
        await asyncio.to_thread(checks.close, check_id, CheckSummary(mode=plan.mode, outcome="crashed"))
        raise
    finally:
        if reporter is not None:
            reporter.cancel()
            sys.stderr.write("\n")
    summary = summarize(plan, crawler.stats.get_stats() if crawler.stats else {}, crawler.spider)
    await asyncio.to_thread(checks.close, check_id, summary)
    return summary


def summarize(plan: CrawlPlan, stats: dict[str, object], spider: object) -> CheckSummary:
    """The check's summary from Scrapy's stats and what the spider noticed."""

    def count(key: str) -> int:
        return int(stats.get(key, 0) or 0)  # type: ignore[call-overload]

    prefix = "downloader/response_status_count/"
    status_counts = {key[len(prefix) :]: int(value) for key, value in stats.items() if key.startswith(prefix)}  # type: ignore[call-overload]
    messages: list[str] = list(getattr(spider, "errors", []))
    refused = {key.rsplit("/", 1)[1]: count(key) for key in stats if key.startswith("kremlin_watch/refused/")}
    summary = CheckSummary(
        mode=plan.mode,
        requests=count("downloader/request_count"),
        bytes=count("downloader/response_bytes"),
        pages=count("kremlin_watch/pages"),
        new_items=count("kremlin_watch/items/new"),
        changed_items=count("kremlin_watch/items/changed"),
        unchanged_items=count("kremlin_watch/items/unchanged") + count("kremlin_watch/items/completed"),
        errors=count("kremlin_watch/errors"),
        parse_errors=count("kremlin_watch/parse_errors"),
        html_pages_read=count("kremlin_watch/html_pages_read"),
        status_counts=status_counts,
        messages=messages,
    )
    if refused:
        summary.messages.insert(
            0, "refused by the site: " + ", ".join(f"{n}× {s}" for s, n in refused.items())
        )
    reason = stats.get("kremlin_watch/close_reason", "finished")
    if reason == "blocked":
        summary.outcome = "blocked"
    elif reason == "shutdown":
        summary.outcome = "cancelled"  # stopped by SIGTERM/SIGINT: not a failure of the site
    elif reason != "finished":
        summary.outcome = "error"
        summary.messages.insert(0, f"crawl ended early: {reason}")
    elif (
        plan.mode == "check"
        and not getattr(spider, "feed_unchanged", False)
        and not getattr(spider, "feed_validators", None)
    ):
        summary.outcome = "error"
    elif summary.errors and not (summary.new_items or summary.changed_items or summary.unchanged_items):
        summary.outcome = "error"  # pages came back but nothing could be read from them
    elif summary.errors:
        summary.outcome = "partial"
    elif getattr(spider, "feed_unchanged", False) and not summary.new_items and not summary.changed_items:
        summary.outcome = "unchanged"
    return summary


async def _report_progress(crawler: object) -> None:
    """A progress line on the terminal while a backfill runs."""
    while True:
        stats = crawler.stats.get_stats() if crawler.stats else {}  # type: ignore[attr-defined]
        new = stats.get("kremlin_watch/items/new", 0)
        changed = stats.get("kremlin_watch/items/changed", 0)
        pages = stats.get("kremlin_watch/pages", 0)
        errors = stats.get("kremlin_watch/errors", 0)
        sys.stderr.write(f"\r  pages {pages}  new {new}  changed {changed}  errors {errors} ")
        sys.stderr.flush()
        await asyncio.sleep(0.5)
