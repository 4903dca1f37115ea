"""Running crawls: one check or backfill from the command line, or many from one long-lived process.

Scrapy's Twisted reactor cannot be restarted, so a process installs the asyncio reactor once
(`run_in_reactor`) and every crawl is an `AsyncCrawlerRunner` crawl on it (`crawl`).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlsplit

from sqlalchemy import Engine

from archive.checks import ANSWERED, CheckLog, CheckSummary, HostReport
from archive.models import CheckCounts
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


#: The language each configured origin is expected to serve, in `Settings.origins` order.
SITE_LANGS = ("ru", "en")


@dataclass(frozen=True)
class SiteCrawl:
    """One origin's part of a check: its own Scrapy crawler (so its own download slots, politeness
    budget and 403/429 back-off), its own findings, and the language it is expected to serve."""

    origin: str
    lang: str
    crawler: ArchiveCrawler

    @property
    def label(self) -> str:
        """``en.kremlin.ru`` or ``127.0.0.1:8081``: how messages name the host."""
        return urlsplit(self.origin).netloc or self.origin

    @property
    def stats(self) -> dict[str, object]:
        return self.crawler.stats.get_stats() if self.crawler.stats else {}


async def crawl(
    settings: Settings,
    engine: Engine,
    plan: CrawlPlan,
    *,
    progress: bool = False,
    hooks: tuple[StoreHook, ...] = (),
    on_start: Callable[[object], None] | None = None,
) -> CheckSummary:
    """One check or backfill of every origin in ``settings.origins``, side by side on one reactor,
    recorded as ONE check row; returns its summary (see `combine`).

    Each origin gets a crawler of its own: Scrapy keeps download slots, delays and concurrency per
    crawler, and our back-off pauses only the crawler that was refused, so a slow or blocked English
    site neither slows nor stops the Russian one. ``hooks`` run inside each stored item's
    transaction (see `crawler.pipeline`). ``on_start`` receives each Scrapy crawler, so a daemon can
    stop them gracefully (``stop_async``).
    """
    from scrapy.crawler import AsyncCrawlerRunner

    from crawler.spider import KremlinSpider

    checks = CheckLog(engine)
    check_id = await asyncio.to_thread(checks.open, plan.mode)
    store, state = ArchiveStore(engine), CrawlStateStore(engine)
    await asyncio.to_thread(adopt_legacy_gap, state, settings.base_url)
    runner = AsyncCrawlerRunner(scrapy_settings(settings))
    sites: list[SiteCrawl] = []
    for origin, lang in zip(settings.origins, SITE_LANGS, strict=False):
        context = CrawlContext(store=store, state=state, on_stored=hooks)
        sites.append(SiteCrawl(origin, lang, ArchiveCrawler(KremlinSpider, runner.settings, context)))
        if on_start is not None:
            on_start(sites[-1].crawler)
    reporter = asyncio.ensure_future(_report_progress(sites)) if progress else None
    try:
        outcomes = await asyncio.gather(
            *(runner.crawl(site.crawler, base_url=site.origin, lang=site.lang, plan=plan) for site in sites),
            return_exceptions=True,
        )
        failure = next((outcome for outcome in outcomes if isinstance(outcome, BaseException)), None)
        if failure is not None:
            raise failure
    except asyncio.CancelledError:  # stopped at once on purpose (a second Ctrl-C): not a crash
        await asyncio.to_thread(checks.close, check_id, CheckSummary(mode=plan.mode, outcome="cancelled"))
        raise
    except BaseException:
        await asyncio.to_thread(checks.close, check_id, CheckSummary(mode=plan.mode, outcome="crashed"))
        raise
    finally:
        if reporter is not None:
            reporter.cancel()
            sys.stderr.write("\n")
    parts = [(site, summarize(plan, site.stats, site.crawler.context.findings)) for site in sites]
    for site, part in parts:
        part.hosts = {site.label: host_report(part)}
    summary = combine(plan, parts)
    await asyncio.to_thread(checks.close, check_id, summary)
    return summary


def adopt_legacy_gap(state: CrawlStateStore, base_url: str) -> None:
    """An archive written before gaps were kept per origin has one open gap, the Russian site's:
    move it to ``base_url``'s key so the next check still closes it."""
    from crawler.spider import LEGACY_GAP_KEY, gap_key

    legacy = state.get(LEGACY_GAP_KEY)
    if legacy is None:
        return
    if state.get(gap_key(base_url)) is None:
        state.put(gap_key(base_url), legacy.value)
    state.delete(LEGACY_GAP_KEY)


#: Per-origin outcomes that mean the origin was not read ("crashed" never reaches `combine`).
_FAILED = ("blocked", "error")


def host_report(part: CheckSummary) -> HostReport:
    """What one origin's summary says, for the check's per-host record."""
    return HostReport(
        outcome=part.outcome,
        source_state=part.source_state,
        source_reason=part.source_reason,
        requests=part.requests,
        new_items=part.new_items,
        gone_items=part.gone_items,
    )


def combine(plan: CrawlPlan, parts: list[tuple[SiteCrawl, CheckSummary]]) -> CheckSummary:
    """One check's summary from its origins' summaries: counts add up, and the outcome is honest.

    Both hosts ``ok`` (or one ``unchanged``) is ``ok``; ``unchanged`` only when both feeds answered
    304; one host failing (blocked, error) while the other was read is ``partial``, and the first
    message names the host that failed; both failing is the worse of the two (``error`` before
    ``blocked``); a stop on purpose is ``cancelled``. With two origins every message starts with its
    host, and the new items are also counted per language (``new_by_lang``). The source state is
    ``answered`` only when every host answered, else the first host's that did not, its reason
    starting with the host; ``hosts`` keeps each host's own.
    """
    if len(parts) == 1:
        return parts[0][1]
    summary = CheckSummary(mode=plan.mode)
    for name in CheckCounts.model_fields:
        setattr(summary, name, sum(getattr(part, name) for _, part in parts))
    summary.html_pages_read = sum(part.html_pages_read for _, part in parts)
    summary.gone_items = sum(part.gone_items for _, part in parts)
    for _, part in parts:
        summary.hosts.update(part.hosts)
    silent = next(((site, part) for site, part in parts if part.source_state != ANSWERED), None)
    if silent is not None:
        summary.source_state = silent[1].source_state
        summary.source_reason = f"{silent[0].label}: {silent[1].source_reason}"
    for _, part in parts:
        for status, count in part.status_counts.items():
            summary.status_counts[status] = summary.status_counts.get(status, 0) + count
    for site, part in parts:  # in the language the host's pages turned out to be in
        lang = getattr(site.crawler.spider, "lang", site.lang)
        summary.new_by_lang[lang] = summary.new_by_lang.get(lang, 0) + part.new_items
    failed = [(site, part) for site, part in parts if part.outcome in _FAILED]
    outcomes = {part.outcome for _, part in parts}
    for site, part in failed:  # first, so the summary line says which host failed
        reason = f" ({part.messages[0]})" if part.messages else ""
        summary.messages.append(f"{site.label} failed: {part.outcome}{reason}")
    for site, part in parts:
        summary.messages.extend(f"{site.label}: {message}" for message in part.messages)
    if "cancelled" in outcomes:
        summary.outcome = "cancelled"
    elif len(failed) == len(parts):
        summary.outcome = "error" if "error" in outcomes else "blocked"
    elif failed or "partial" in outcomes:
        summary.outcome = "partial"
    elif outcomes == {"unchanged"}:
        summary.outcome = "unchanged"
    else:
        summary.outcome = "ok"
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
        gone_items=len(findings.gone),
    )
    refusals = ", ".join(f"{n}× {s}" for s, n in refused.items())
    if refused:
        summary.messages.insert(0, f"refused by the site: {refusals}")
    reason = stats.get(stats_keys.CLOSE_REASON, "finished")
    if findings.source_failure is not None:
        summary.source_state, summary.source_reason = findings.source_failure
    if reason == "blocked":  # the site refused us, whatever page it was: it is not answering us
        summary.source_state, summary.source_reason = "blocked", f"refused by the site: {refusals}"
    # A check proved nothing about the site only if it never got to ask (stopped first, or no page
    # of a backfill at all): the source state then stays "answered" (nothing says otherwise).
    if reason == "blocked" or summary.source_state == "challenge":
        summary.outcome = "blocked"
    elif reason == "shutdown":
        summary.outcome = "cancelled"  # stopped by SIGTERM/SIGINT: not a failure of the site
    elif reason != "finished":
        summary.outcome = "error"
        summary.messages.insert(0, f"crawl ended early: {reason}")
    elif plan.mode == "check" and not findings.feed_unchanged and not findings.feed_read:
        summary.outcome = "error"
    elif (
        summary.errors
        and not findings.feed_unchanged
        and not (summary.new_items or summary.changed_items or summary.unchanged_items)
    ):
        summary.outcome = "error"  # pages came back but nothing could be read from them
    elif summary.errors:
        summary.outcome = "partial"
    elif findings.feed_unchanged and not summary.new_items and not summary.changed_items:
        summary.outcome = "unchanged"
    return summary


async def _report_progress(sites: list[SiteCrawl]) -> None:
    """A progress line on the terminal while a backfill runs (all origins together)."""

    def total(key: str) -> int:
        return sum(int(site.stats.get(key, 0) or 0) for site in sites)  # type: ignore[call-overload]

    while True:
        new, changed = total(stats_keys.items(Outcome.NEW)), total(stats_keys.items(Outcome.CHANGED))
        pages, errors = total(stats_keys.PAGES), total(stats_keys.ERRORS)
        sys.stderr.write(f"\r  pages {pages}  new {new}  changed {changed}  errors {errors} ")
        sys.stderr.flush()
        await asyncio.sleep(0.5)
