"""Stores every record the spider yields; counts what each one did to the archive."""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.utils.asyncio import run_in_thread
from sqlmodel import Session

from archive.records import ItemRecord
from archive.store import StoreResult


class ArchivePipeline:
    """Upserts records through the spider's `ArchiveStore`, off the reactor thread.

    The result (``new``, ``changed``, ``completed`` or ``unchanged``) is counted in the crawl's stats as
    ``kremlin_watch/items/<outcome>``. The spider's ``on_stored`` hooks (alert rules) run inside the
    item's transaction, ``hook(session, record, result)``, so their writes commit with the item.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        return cls(crawler)

    async def process_item(self, item: ItemRecord) -> ItemRecord:
        spider = self.crawler.spider
        assert spider is not None and self.crawler.stats is not None
        hooks = tuple(getattr(spider, "on_stored", ()))

        def before_commit(session: Session, record: ItemRecord, result: StoreResult) -> None:
            for hook in hooks:
                hook(session, record, result)

        result: StoreResult = await run_in_thread(spider.store.store, item, before_commit if hooks else None)
        self.crawler.stats.inc_value(f"kremlin_watch/items/{result.outcome.value}")
        return item
