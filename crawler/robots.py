"""robots.txt, obeyed, and kept in the archive for a day so an idle check costs one request."""

from __future__ import annotations

import logging
from datetime import timedelta
from urllib.parse import urlsplit

from protego import Protego
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.asyncio import run_in_thread

from archive.store import CrawlStateStore
from archive.types import utcnow
from crawler import stats_keys
from crawler.context import context_of

logger = logging.getLogger(__name__)

#: How long a fetched robots.txt is trusted before it is fetched again.
ROBOTS_MAX_AGE = timedelta(hours=24)
#: Paths never fetched even if robots.txt could not be read (the site disallows them).
ALWAYS_DISALLOWED = ("/search", "/subscribe/", "/events/president/news/copy", "/acts/news/copy")


class CachedRobotsMiddleware:
    """Refuses requests robots.txt disallows; robots.txt is cached in the archive's crawl state."""

    def __init__(self, crawler: Crawler, state: CrawlStateStore) -> None:
        self.crawler = crawler
        #: The crawl-state store: the cache lives in the archive, next to the items.
        self.state = state
        self.parsers: dict[str, Protego] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CachedRobotsMiddleware:
        return cls(crawler, context_of(crawler).state)

    async def process_request(self, request: Request) -> None:
        if request.meta.get("dont_obey_robotstxt"):
            return
        path = urlsplit(request.url).path
        if "/copy/" in path or any(path.startswith(prefix) for prefix in ALWAYS_DISALLOWED):
            self._refuse(request)
        parser = await self._parser(request)
        user_agent = self.crawler.settings["USER_AGENT"]
        if parser is not None and not parser.can_fetch(request.url, user_agent):
            self._refuse(request)

    def _refuse(self, request: Request) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(stats_keys.ROBOTS_FORBIDDEN)
        logger.debug("forbidden by robots.txt: %s", request.url)
        raise IgnoreRequest(f"forbidden by robots.txt: {request.url}")

    async def _parser(self, request: Request) -> Protego | None:
        parts = urlsplit(request.url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin in self.parsers:
            return self.parsers[origin]
        key = f"robots:{origin}"
        cached = await run_in_thread(self.state.get, key)
        if cached is not None and utcnow() - cached.updated_at < ROBOTS_MAX_AGE:
            parser = Protego.parse(cached.value)
        else:
            parser = await self._fetch(origin, key, cached.value if cached else None)
        self.parsers[origin] = parser
        return parser

    async def _fetch(self, origin: str, key: str, stale: str | None) -> Protego:
        robots_request = Request(f"{origin}/robots.txt", meta={"dont_obey_robotstxt": True}, priority=1000)
        assert self.crawler.engine is not None and self.crawler.stats is not None
        try:
            response: Response = await self.crawler.engine.download_async(robots_request)
        except Exception as error:  # any failure means "use what we had"
            logger.warning("robots.txt could not be fetched (%s); using the last copy", error)
            return Protego.parse(stale or "")
        self.crawler.stats.inc_value(stats_keys.ROBOTS_REQUESTS)
        if response.status == 200:
            body = response.text
            await run_in_thread(self.state.put, key, body)
            return Protego.parse(body)
        if 400 <= response.status < 500 and response.status not in (403, 429):
            # No robots.txt: everything is allowed but the paths we know to be off limits.
            await run_in_thread(self.state.put, key, "")
            return Protego.parse("")
        logger.warning("robots.txt answered %s; using the last copy", response.status)
        return Protego.parse(stale or "")
