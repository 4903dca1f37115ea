"""Soak: 500 checks in one process, as the daemon runs them, with resident memory along the way.

Each check is `CheckRunner.run` on the one asyncio reactor (exactly the daemon's path: crawl, rules,
outbox, delivery to a local SMTP server), against a replica of both hosts (kremlin.ru and its English
twin) that publishes a new item, a phone call every fourth time, every fifth check, and its English
twin one check later. As in the daemon, start-up's objects are frozen, malloc keeps two arenas, and
after each check its cyclic garbage is collected and the heap trimmed (`scheduler.memory`). Memory is
read from /proc/self/status (VmRSS) after every check and shown after checks 1, 50, 100, 250 and
500; "flat" means the growth from check 50 (caches warm) to 500 is small and not proportional to
the number of checks. It prints the start (check 1), the steady figure (check 50), the end, and the
slope per 100 checks from check 100 on (a least-squares line through every check's VmRSS).

``--tracemalloc`` also traces Python's allocations and prints what grew most between check 100 and
check 400 (by the line that allocated it): where a slope comes from. Tracing slows the checks and
costs memory of its own, so its VmRSS figures are not comparable with a plain run.

Usage: ``python -m bench.soak [CHECKS] [--tracemalloc]``.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import tempfile
import time
import tracemalloc
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
from scheduler.daemon import LEMMA_CACHE_WORDS
from scheduler.memory import freeze_startup_objects, limit_arenas, release_after_check
from settings.schema import Settings

MARKS = (1, 50, 100, 250, 500)
#: Checks between which `--tracemalloc` compares Python's allocations.
TRACE_FROM, TRACE_TO = 100, 400


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


def slope_per_100(points: list[tuple[int, float]]) -> float:
    """The least-squares slope of (check, MiB) points, in MiB per 100 checks."""
    if len(points) < 2:
        return 0.0
    mean_x = sum(x for x, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    return 100 * sum((x - mean_x) * (y - mean_y) for x, y in points) / spread if spread else 0.0


def main(checks: int = 500, trace: bool = False) -> None:
    print(f"7. Soak: {checks} checks in one process (the daemon's path), resident memory (VmRSS)")
    limit_arenas()
    if trace:
        tracemalloc.start(1)
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
        runner = CheckRunner(settings, engine, lemma_cache=LEMMA_CACHE_WORDS)
        samples: list[tuple[int, float]] = []
        every: list[tuple[int, float]] = []
        snapshots: dict[int, tracemalloc.Snapshot] = {}
        outcomes: dict[str, int] = {}

        async def soak() -> None:
            plan = CrawlPlan(mode="check", max_pages=settings.max_pages)
            freeze_startup_objects()
            published = None
            for number in range(1, checks + 1):
                if published is not None:
                    twin.corpus.publish_twin(published)
                    published = None
                if number % 5 == 0:
                    published = site.corpus.next_item(kind="call" if number % 20 == 0 else None)
                    site.corpus.publish(published)
                result = await runner.run(plan)
                # The replica runs in this process and logs every request for the tests: its log is
                # not the daemon's memory (the tracemalloc diff found it growing ~0.4 MiB a 100 checks).
                site.clear_log()
                twin.clear_log()
                release_after_check()
                outcomes[result.summary.outcome] = outcomes.get(result.summary.outcome, 0) + 1
                rss = rss_mib()
                every.append((number, rss))
                if number in MARKS or number == checks:
                    samples.append((number, rss))
                if trace and number in (TRACE_FROM, TRACE_TO):
                    snapshots[number] = tracemalloc.take_snapshot()
                await asyncio.sleep(0)

        started = time.perf_counter()
        run_in_reactor(soak)
        elapsed = time.perf_counter() - started
    smtp.stop()
    for number, rss in samples:
        print(f"   after check {number:>4}: {rss:6.1f} MiB")
    start = samples[0][1]
    warm = next(rss for number, rss in samples if number >= min(50, checks))
    end = samples[-1][1]
    slope = slope_per_100([(number, rss) for number, rss in every if number >= min(100, checks)])
    print(
        f"   start {start:.1f} MiB, steady (check 50) {warm:.1f} MiB, end {end:.1f} MiB; "
        f"growth from check 50 to {checks}: {end - warm:+.1f} MiB; slope from check 100: "
        f"{slope:+.2f} MiB per 100 checks; {checks / elapsed:.1f} checks/s; outcomes {outcomes}; "
        f"e-mails {inbox.count}; lemma cache {runner.lemmatizer.cache_info().size} spellings"
    )
    if len(snapshots) == 2:
        grown = snapshots[TRACE_TO].compare_to(snapshots[TRACE_FROM], "lineno")
        total = sum(stat.size_diff for stat in grown)
        print(f"   Python allocations, check {TRACE_FROM} to {TRACE_TO}: {total / 1024:+.0f} KiB; grew most:")
        for stat in grown[:12]:
            frame = stat.traceback[0]
            where = f"{frame.filename}:{frame.lineno}"
            print(f"     {stat.size_diff / 1024:+8.1f} KiB {stat.count_diff:+6d} blocks  {where}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.soak")
    parser.add_argument("checks", nargs="?", type=int, default=500)
    parser.add_argument("--tracemalloc", action="store_true", help="where Python's allocations grew")
    arguments = parser.parse_args()
    main(arguments.checks, arguments.tracemalloc)
