"""Scrapy settings for kremlin-watch: polite by default, nothing that listens on a port.

Scrapy imports every component named in its ``*_BASE`` settings, even one a setting switches off
(it loads each class to order the list), so switching a component off left its imports in a daemon
for months: the cookies middleware brought tldextract, requests and filelock, the telnet console
Twisted's conch, the remote control aiohttp, the feed exporter its storages (about 12 MiB together).
The ``*_BASE`` settings here name only what a crawl of kremlin.ru uses; the rest is left out, not
switched off. What stays behaves as before (timeouts, default headers, User-Agent, retries,
redirects, compression, proxy credentials, Scrapy's downloader counts that a check's summary reads,
auto-throttle, HTTP error filtering, Referer).
"""

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
        # Left out: telnet console, remote control, log stats and counts (logging is ours), memory
        # usage and debugger, close-spider limits, feed exports, spider state (no JOBDIR).
        "EXTENSIONS_BASE": {
            "scrapy.extensions.corestats.CoreStats": 0,
            "scrapy.extensions.throttle.AutoThrottle": 0,
        },
        # Left out: Scrapy's offsite filter (it drops an offsite redirect silently when it is scheduled,
        # with no errback: ours refuses it in the downloader, where the errback files it as "301/302
        # other host"), its robots.txt middleware (ours caches robots.txt for a day), HTTP auth,
        # cookies (off), the HTTP cache (off).
        "DOWNLOADER_MIDDLEWARES_BASE": {
            "scrapy.downloadermiddlewares.downloadtimeout.DownloadTimeoutMiddleware": 350,
            "scrapy.downloadermiddlewares.defaultheaders.DefaultHeadersMiddleware": 400,
            "scrapy.downloadermiddlewares.useragent.UserAgentMiddleware": 500,
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": 550,
            "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": 580,
            "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": 590,
            "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": 600,
            "scrapy.downloadermiddlewares.httpproxy.HttpProxyMiddleware": 750,
            "scrapy.downloadermiddlewares.stats.DownloaderStats": 850,
        },
        # Left out: the depth counter (no depth limit) and the meta-copy detector (a development aid).
        "SPIDER_MIDDLEWARES_BASE": {
            "scrapy.spidermiddlewares.start.StartSpiderMiddleware": 25,
            "scrapy.spidermiddlewares.httperror.HttpErrorMiddleware": 50,
            "scrapy.spidermiddlewares.referer.RefererMiddleware": 700,
            "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware": 800,
        },
        # The site is HTTP(S) only: no data:, file:, s3: or ftp: address is ever fetched.
        "DOWNLOAD_HANDLERS_BASE": {
            "http": "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler",
            "https": "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler",
        },
        "DOWNLOADER_MIDDLEWARES": {
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
