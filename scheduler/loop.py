"""A plain loop of checks, for `kremlin-watch run` until the APScheduler daemon replaces it."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import Engine

from crawler.plan import CrawlPlan
from crawler.run import run_in_reactor
from kremlin_watch.config import Settings
from scheduler.check import CheckRunner

logger = logging.getLogger(__name__)


def run_checks(settings: Settings, engine: Engine) -> int:
    """Check now, then every ``settings.interval`` seconds, until interrupted; alerts after each."""
    runner = CheckRunner(settings, engine)

    async def loop() -> None:
        plan = CrawlPlan(mode="check", max_pages=settings.max_pages)
        while True:
            result = await runner.run(plan)
            logger.info("%s", result.summary.line())
            if result.delivery is not None:
                logger.info("%s; queued %d", result.delivery.line(), result.queued)
            await asyncio.sleep(settings.interval)

    logger.info("checking %s every %.0f s", settings.base_url, settings.interval)
    run_in_reactor(loop)
    return 0
