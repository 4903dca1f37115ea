"""Stores every record the spider yields; counts what each one did to the archive."""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector
from sqlmodel import Session

from archive.records import ItemRecord
from archive.store import ArchiveStore, StoreFailure, StoreResult
from crawler import stats_keys
from crawler.context import CrawlFindings, StoreHook, context_of
from crawler.writer import ItemWriter

logger = logging.getLogger(__name__)


class ArchivePipeline:
    """Stores records through the crawl's `ArchiveStore` in batches (`crawler.writer.ItemWriter`),
    off the reactor thread.

    The result (``new``, ``changed``, ``completed`` or ``unchanged``) is counted in the crawl's stats
    (`stats_keys.items`) once the record's batch is written. The crawl's ``on_stored`` hooks (call
    records, alert rules) run inside the item's transaction and savepoint, ``hook(session, record,
    result)``, so their writes commit with the item or not at all. A record that cannot be stored is
    an error of the check (its outcome ``partial``), named in its messages; the rest are stored.
    """

    def __init__(
        self,
        stats: StatsCollector,
        store: ArchiveStore,
        hooks: tuple[StoreHook, ...],
        findings: CrawlFindings,
    ) -> None:
        self.stats = stats
        self.hooks = hooks
        self.findings = findings
        self.writer = ItemWriter(store, self._stored, self._before_commit if hooks else None)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        context = context_of(crawler)
        return cls(crawler.stats, context.store, context.on_stored, context.findings)  # type: ignore[arg-type]

    def _before_commit(self, session: Session, record: ItemRecord, result: StoreResult) -> None:
        for hook in self.hooks:
            hook(session, record, result)

    def _stored(self, record: ItemRecord, outcome: StoreResult | StoreFailure) -> None:
        if isinstance(outcome, StoreResult):
            self.stats.inc_value(stats_keys.items(outcome.outcome))
            return
        self.stats.inc_value(stats_keys.ERRORS)
        self.findings.errors.append(f"{record.url}: not stored ({outcome.error})")

    async def process_item(self, item: ItemRecord) -> ItemRecord:
        await self.writer.add(item)
        return item

    async def close_spider(self) -> None:
        """Write what is queued: Scrapy closes the pipelines before the spider's ``closed``."""
        await self.writer.close()
