"""The baseline for the backfill benchmark: a bare Scrapy spider that only downloads the same URLs.

No parsing, no archive, same concurrency; run as ``python -m bench.bare_spider URLFILE`` so it gets a
reactor of its own, and prints the number of responses and the seconds it took.
"""

from __future__ import annotations

import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response


class BareSpider(scrapy.Spider):
    """Fetches each URL once and keeps nothing."""

    name = "bare"

    def __init__(self, urls: list[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls = urls
        self.responses = 0

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.urls:
            yield scrapy.Request(url, callback=self.parse)

    def parse(self, response: Response) -> None:
        self.responses += 1


def main(url_file: str, concurrency: int) -> None:
    urls = [line.strip() for line in Path(url_file).read_text(encoding="utf-8").splitlines() if line.strip()]
    process = CrawlerProcess(
        {
            "LOG_ENABLED": False,
            "TELNETCONSOLE_ENABLED": False,
            "EXTENSIONS": {"scrapy.extensions.remote_control.RemoteControl": None},
            "CONCURRENT_REQUESTS": concurrency,
            "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
            "DOWNLOAD_DELAY": 0,
            "USER_AGENT": "bench-baseline",
            "ROBOTSTXT_OBEY": False,
        }
    )
    crawler = process.create_crawler(BareSpider)
    started = time.perf_counter()
    process.crawl(crawler, urls=urls)
    process.start()
    elapsed = time.perf_counter() - started
    print(f"{crawler.spider.responses} {elapsed:.3f}")  # type: ignore[union-attr]


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
