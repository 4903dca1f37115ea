"""What one crawl is asked to do: a scheduled check, or a backfill of list pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

#: The site's sections the crawler reads; the feed and the list pages of the president's news.
NEWS_PATH = "/events/president/news"
FEED_PATH = f"{NEWS_PATH}/feed"


@dataclass(frozen=True)
class CrawlPlan:
    """``mode`` is "check" (feed first, list pages only to close a gap) or "backfill" (list pages)."""

    mode: str = "check"
    #: Backfill: walk this many list pages (from the newest).
    pages: int | None = None
    #: Backfill: walk list pages until items older than this Moscow calendar day.
    since: date | None = None
    #: Check: at most this many list pages when the feed does not reach a known item.
    max_pages: int = 10
    #: Check: at most this many items first seen without their own page are retried per check.
    pending_batch: int = 20

    def __post_init__(self) -> None:
        if self.mode not in ("check", "backfill"):
            raise ValueError(f"unknown crawl mode {self.mode!r}")
        if self.mode == "backfill" and self.pages is None and self.since is None:
            raise ValueError("a backfill needs pages or since")
