"""Soak: 500 checks in one process, as the daemon runs them, with resident memory along the way.

Each check is `CheckRunner.run` on the one asyncio reactor (exactly the daemon's path: crawl, rules,
outbox, delivery to a local SMTP server), against a replica of both hosts (kremlin.ru and its English
twin) that publishes a new item, a phone call every fourth time, every fifth check, and its English
twin one check later. Memory is read from /proc/self/status (VmRSS) after checks
1, 50, 100, 250 and 500; "flat" means the growth from check 50 (caches warm) to 500 is small and
not proportional to the number of checks.

Usage: ``python -m bench.soak [CHECKS]``.
"""

from __future__ import annotations

import asyncio
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from archive.engine import make_engine
from archive.migrate import upgrade
from crawler.plan import CrawlPlan
from crawler.run import run_in_reactor
from replica.corpus import Corpus
from replica.server import ReplicaServer
from scheduler.check import CheckRunner
from settings.schema import Settings

MARKS = (1, 50, 100, 250, 500)


def rss_mib() -> float:
    """Resident memory of this process in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Inbox:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, _server: Any, _session: Any, _envelope: Any) -> str:
        self.count += 1
        return "250 OK"


def main(checks: int = 500) -> None:
    print(f"5. Soak: {checks} checks in one process (the daemon's path), resident memory (VmRSS)")
    workdir = Path(tempfile.mkdtemp(prefix="kw-soak-"))
    (workdir / "rules.toml").write_text('[[rule]]\nname = "calls"\nquery = "телефонный"\nkinds = ["call"]\n')
    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        smtp_port = probe.getsockname()[1]
    smtp = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    with (
        ReplicaServer(Corpus.generate(200, lang="ru", seed=2)) as site,
        ReplicaServer(Corpus.generate(200, lang="en", seed=2)) as twin,
    ):
        site.link(twin)
        settings = Settings(
            base_url=site.base_url,
            en_base_url=twin.base_url,
            database_url=f"sqlite:///{workdir / 'soak.sqlite3'}",
            download_delay=0,
            log_level="WARNING",
            rules=str(workdir / "rules.toml"),
            notify=f"mailto://127.0.0.1:{smtp_port}?from=a@example.org&to=b@example.org",
        )
        engine = make_engine(settings.database_url)
        upgrade(engine)
        runner = CheckRunner(settings, engine)
        samples: list[tuple[int, float]] = []
        outcomes: dict[str, int] = {}

        async def soak() -> None:
            plan = CrawlPlan(mode="check", max_pages=settings.max_pages)
            published = None
            for number in range(1, checks + 1):
                if published is not None:
                    twin.corpus.publish_twin(published)
                    published = None
                if number % 5 == 0:
                    published = site.corpus.next_item(kind="call" if number % 20 == 0 else None)
                    site.corpus.publish(published)
                result = await runner.run(plan)
                outcomes[result.summary.outcome] = outcomes.get(result.summary.outcome, 0) + 1
                if number in MARKS or number == checks:
                    samples.append((number, rss_mib()))
                await asyncio.sleep(0)

        started = time.perf_counter()
        run_in_reactor(soak)
        elapsed = time.perf_counter() - started
    smtp.stop()
    for number, rss in samples:
        print(f"   after check {number:>4}: {rss:6.1f} MiB")
    warm = next(rss for number, rss in samples if number >= min(50, checks))
    end = samples[-1][1]
    print(
        f"   growth from check 50 to {checks}: {end - warm:+.1f} MiB "
        f"({(end - warm) / max(1, checks - 50) * 100:+.2f} MiB per 100 checks); "
        f"{checks / elapsed:.1f} checks/s; outcomes {outcomes}; e-mails {inbox.count}"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
