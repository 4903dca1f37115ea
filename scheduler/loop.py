"""A plain loop of checks, for `kremlin-watch run` until the APScheduler daemon replaces it."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import Engine

from crawler.plan import CrawlPlan
from crawler.run import crawl, run_in_reactor
from kremlin_watch.config import Settings

logger = logging.getLogger(__name__)


def run_checks(settings: Settings, engine: Engine) -> int:
    """Check now, then every ``settings.interval`` seconds, until interrupted."""

    async def loop() -> None:
        plan = CrawlPlan(mode="check", max_pages=settings.max_pages)
        while True:
            summary = await crawl(settings, engine, plan)
            logger.info("%s", summary.line())
            await asyncio.sleep(settings.interval)

    logger.info(
        "checking %s every %.0f s; archive %s", settings.base_url, settings.interval, settings.database_url
    )
    run_in_reactor(loop)
    return 0
