"""Scrapy settings for kremlin-watch: polite by default, nothing that listens on a port."""

from __future__ import annotations

from typing import Any

from crawler.outcomes import MAX_PAGE_BYTES
from settings.schema import Settings


def scrapy_settings(settings: Settings) -> dict[str, Any]:
    """The Scrapy settings dict for a crawl with ``settings``."""
    return {
        "BOT_NAME": "kremlin-watch",
        "USER_AGENT": settings.user_agent,
        "ROBOTSTXT_OBEY": False,  # our own CachedRobotsMiddleware obeys it, and keeps it for a day
        "CONCURRENT_REQUESTS": 1 if settings.download_delay > 0 else 8,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1 if settings.download_delay > 0 else 8,
        "DOWNLOAD_DELAY": settings.download_delay,
        "DOWNLOAD_DELAY_JITTER": 0.5 if settings.download_delay > 0 else 0,
        "AUTOTHROTTLE_ENABLED": settings.autothrottle and settings.download_delay > 0,
        "AUTOTHROTTLE_START_DELAY": max(settings.download_delay, 1.0),
        "AUTOTHROTTLE_MAX_DELAY": 60.0,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": 1.0,
        "DOWNLOAD_TIMEOUT": settings.timeout,
        # A body past the cap is cut off and filed as "oversized body" (crawler.outcomes).
        "DOWNLOAD_MAXSIZE": MAX_PAGE_BYTES,
        "DOWNLOAD_WARNSIZE": 0,
        "RETRY_ENABLED": True,
        "RETRY_TIMES": settings.retries,
        "RETRY_HTTP_CODES": [500, 502, 503, 504, 522, 524, 408],
        # Scrapy starts this many asyncio tasks for every callback's output (an article page yields
        # one record, a list page ~20 requests). Storing a record only queues it for the batched
        # writer (`crawler.writer`), so one task per response does the work of eight, for less.
        "CONCURRENT_ITEMS": 1,
        "HTTPCACHE_ENABLED": False,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_ENABLED": False,  # logging is configured once by kremlin-watch, not per crawl
        "EXTENSIONS": {
            "scrapy.extensions.telnet.TelnetConsole": None,
            "scrapy.extensions.remote_control.RemoteControl": None,
            "scrapy.extensions.logstats.LogStats": None,
        },
        "DOWNLOADER_MIDDLEWARES": {
            # Scrapy's drops an offsite redirect silently when it is scheduled (no errback): ours
            # refuses it in the downloader, where the errback files it as "301/302 other host".
            "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
            "crawler.offsite.StayOnHostMiddleware": 50,
            "crawler.robots.CachedRobotsMiddleware": 100,
            "crawler.proxy.ProxyMiddleware": 110,
            "crawler.backoff.BlockedBackoffMiddleware": 560,
        },
        "ITEM_PIPELINES": {"crawler.pipeline.ArchivePipeline": 300},
        "KW_PROXY": settings.proxy,
        "KW_BLOCK_BACKOFF": settings.block_backoff,
        "KW_BLOCK_RETRIES": 3,
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
    }
