"""The crawl never leaves its host, not even by a redirect.

Scrapy's own offsite filter lets through every request marked ``dont_filter`` (the feed's, list
pages', a retried one's), and a redirect inherits the mark: a feed redirected to another host would be
read from there, a captcha service's or a stranger's. The others it drops when they are scheduled,
without calling their errback, so an item redirected elsewhere would vanish without a word. This
middleware replaces it: it refuses any request whose host is not the spider's, whatever its marks, in
the downloader, so the errback hears of it and `crawler.outcomes` files it as "301/302 other host".
"""

from __future__ import annotations

from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest


class StayOnHostMiddleware:
    """Refuses requests to any host but the spider's (``allowed_domains``)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StayOnHostMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        allowed = getattr(self.crawler.spider, "allowed_domains", None) or []
        host = urlsplit(request.url).hostname
        if allowed and host not in allowed:
            raise IgnoreRequest(f"not followed to another host: {request.url}")
