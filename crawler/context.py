"""What one crawl works with, handed to the spider and its components explicitly.

`crawler.run.crawl` makes a `CrawlContext` (the archive's stores, the hooks that run as items are
stored, and a `CrawlFindings` the spider fills in) and starts the crawl on an `ArchiveCrawler` that
carries it. Scrapy builds every component with ``from_crawler(crawler)``; each takes from the context
the one or two things it needs, so none of them reaches into the spider for its collaborators.

Scrapy's settings would be the other road, but they are deep-copied per crawler: no place for a
database engine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.settings import Settings
from sqlmodel import Session

from archive.records import ItemRecord
from archive.store import ArchiveStore, CrawlStateStore, StoreResult

#: Runs inside an item's transaction after it is stored (alert rules), so its writes commit with it.
StoreHook = Callable[[Session, ItemRecord, StoreResult], object]


@dataclass
class CrawlFindings:
    """What the spider noticed that Scrapy's stats do not hold, read for the check's summary."""

    #: One line per page that failed, in the order they failed.
    errors: list[str] = field(default_factory=list)
    #: A check read the newest feed page (it came back 200 and parsed).
    feed_read: bool = False
    #: A check's feed request was answered 304 Not Modified.
    feed_unchanged: bool = False
    #: The first feed or list page that was not read: its `archive.checks.SOURCE_STATES` state and
    #: why, in words (see `crawler.outcomes`); None while every one asked for was answered.
    source_failure: tuple[str, str] | None = None
    #: Items whose own page answered 404/410 (withdrawn), by id, with the language of their row.
    gone: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CrawlContext:
    """The collaborators of one crawl."""

    store: ArchiveStore
    #: Crawl state kept in the archive (the open gap, the robots.txt cache).
    state: CrawlStateStore
    on_stored: tuple[StoreHook, ...] = ()
    findings: CrawlFindings = field(default_factory=CrawlFindings)


class ArchiveCrawler(Crawler):
    """A Scrapy `Crawler` that carries its crawl's `CrawlContext`."""

    def __init__(
        self, spidercls: type[Spider], settings: dict[str, Any] | Settings, context: CrawlContext
    ) -> None:
        super().__init__(spidercls, settings)
        self.context = context


def context_of(crawler: Crawler) -> CrawlContext:
    """The context of `crawler`; a crawler without one is a programming error, said plainly."""
    if not isinstance(crawler, ArchiveCrawler):
        raise TypeError(
            f"{type(crawler).__name__} carries no CrawlContext: kremlin-watch's spider, pipeline and "
            "robots.txt middleware run only in a crawl started by crawler.run.crawl"
        )
    return crawler.context
