"""Stores every record the spider yields; counts what each one did to the archive."""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector
from scrapy.utils.asyncio import run_in_thread
from sqlmodel import Session

from archive.records import ItemRecord
from archive.store import ArchiveStore, StoreResult
from crawler import stats_keys
from crawler.context import StoreHook, context_of


class ArchivePipeline:
    """Upserts records through the crawl's `ArchiveStore`, off the reactor thread.

    The result (``new``, ``changed``, ``completed`` or ``unchanged``) is counted in the crawl's stats
    (`stats_keys.items`). The crawl's ``on_stored`` hooks (alert rules) run inside the item's
    transaction, ``hook(session, record, result)``, so their writes commit with the item.
    """

    def __init__(self, stats: StatsCollector, store: ArchiveStore, hooks: tuple[StoreHook, ...]) -> None:
        self.stats = stats
        self.store = store
        self.hooks = hooks

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        context = context_of(crawler)
        return cls(crawler.stats, context.store, context.on_stored)

    def _before_commit(self, session: Session, record: ItemRecord, result: StoreResult) -> None:
        for hook in self.hooks:
            hook(session, record, result)

    async def process_item(self, item: ItemRecord) -> ItemRecord:
        before_commit = self._before_commit if self.hooks else None
        result: StoreResult = await run_in_thread(self.store.store, item, before_commit)
        self.stats.inc_value(stats_keys.items(result.outcome))
        return item
