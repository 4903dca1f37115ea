"""403 and 429 mean "not fetched": wait (Retry-After, else growing pauses), retry, then give up.

The site starts refusing after a few hundred quick requests; the projects that keep working pause for
minutes. A refusal is never taken as "no news": after ``KW_BLOCK_RETRIES`` refusals in a row the
crawl is closed with the reason "blocked", so the check is recorded as blocked and nothing it did not
fetch is treated as seen.
"""

from __future__ import annotations

import logging
from email.utils import parsedate_to_datetime

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.utils.asyncio import call_later

from archive.types import utcnow
from crawler import stats_keys

logger = logging.getLogger(__name__)

BLOCKED_STATUSES = (403, 429)
#: The longest a single pause may last, whatever Retry-After says.
MAX_PAUSE_SECONDS = 900.0


def retry_after_seconds(value: bytes | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); None when absent or bad."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, (moment - utcnow()).total_seconds())


class BlockedBackoffMiddleware:
    """Pauses the whole crawl on 403/429 and retries the request; gives up after repeated refusals."""

    def __init__(self, crawler: Crawler, base_pause: float, max_refusals: int) -> None:
        self.crawler = crawler
        self.base_pause = base_pause
        self.max_refusals = max_refusals
        self.refusals_in_a_row = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BlockedBackoffMiddleware:
        return cls(
            crawler,
            crawler.settings.getfloat("KW_BLOCK_BACKOFF"),
            crawler.settings.getint("KW_BLOCK_RETRIES"),
        )

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if response.status not in BLOCKED_STATUSES:
            self.refusals_in_a_row = 0
            return response
        assert self.crawler.stats is not None and self.crawler.engine is not None
        self.refusals_in_a_row += 1
        self.crawler.stats.inc_value(stats_keys.refused(response.status))
        if self.refusals_in_a_row > self.max_refusals:
            logger.warning(
                "%s answered %s %d times in a row: giving up this crawl; "
                "nothing it did not fetch counts as seen",
                request.url,
                response.status,
                self.refusals_in_a_row,
            )
            self.crawler.stats.set_value(stats_keys.BLOCKED, response.status)
            self.crawler.engine.close_spider(self.crawler.spider, "blocked")  # type: ignore[arg-type]
            return response
        pause = retry_after_seconds(response.headers.get(b"Retry-After"))
        if pause is None:
            pause = self.base_pause * 2 ** (self.refusals_in_a_row - 1)
        pause = min(pause, MAX_PAUSE_SECONDS)
        logger.warning(
            "%s answered %s: pausing %.1f s before trying again", request.url, response.status, pause
        )
        self.crawler.engine.pause()
        call_later(pause, self.crawler.engine.unpause)
        return request.replace(dont_filter=True, priority=request.priority + 1)
