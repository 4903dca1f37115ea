"""Backfill throughput against a bare Scrapy spider fetching the same URLs (`make bench` section 1).

Both run as child processes against one in-process replica, one after the other: `kremlin-watch
crawl --pages N` (parse, clean, store, read the calls, index the search after the crawl) and
`bench.bare_spider` (download only, same concurrency). Each is measured by wall time AND by the
CPU time of its process (user + system, from ``getrusage(RUSAGE_CHILDREN)``): on a machine shared
with other work the wall time is mostly the neighbours', while CPU time is what the code costs. The
replica's own CPU is in this process and counts for neither; PostgreSQL's server CPU is not counted.

Each round measures the bare spider and then each target, so every ratio compares figures of one
round; with ``--rounds N`` the best round of each (least CPU) is printed as well.

Usage: ``python -m bench backfill [--items N] [--skip-postgres] [--skip-twin] [--rounds N]
[--compare CHECKOUT]``; ``--compare`` measures another checkout's crawl (the code before a change,
e.g. a ``git worktree add`` of it) in each round too, so a before/after pair shares its rounds.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from replica.corpus import Corpus
from replica.server import ReplicaServer

ROOT = Path(__file__).resolve().parent.parent
POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
PAGE_SIZE = 20
#: The bare spider's and the crawl's concurrency without a delay (`crawler.settings`).
CONCURRENCY = 8


@dataclass(frozen=True)
class Run:
    """One child process: its wall time and CPU time (user + system), and what it printed."""

    wall: float
    cpu: float
    output: str


def run_child(command: list[str], env: dict[str, str] | None = None, cwd: Path = ROOT) -> Run:
    """Run ``command`` in ``cwd`` to the end; its wall and CPU seconds. Fails loudly when it fails."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command[:4])} failed: {result.stdout}{result.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(wall, cpu, result.stdout.strip())


def cli_env(base_url: str, database_url: str, en_base_url: str = "") -> dict[str, str]:
    """The crawl's environment: the replicas only (the English side off unless a replica is given)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("KREMLIN_WATCH_")}
    env.update(
        KREMLIN_WATCH_BASE_URL=base_url,
        KREMLIN_WATCH_EN_BASE_URL=en_base_url,
        KREMLIN_WATCH_DATABASE_URL=database_url,
        KREMLIN_WATCH_DOWNLOAD_DELAY="0",
        KREMLIN_WATCH_LOG_LEVEL="WARNING",
        KREMLIN_WATCH_CONTACT="bench@example.org",
    )
    return env


def run_crawl(
    base_url: str, database_url: str, *args: str, en_base_url: str = "", tree: Path = ROOT
) -> Run:
    """``kremlin-watch crawl ARGS`` against the replica(s), into ``database_url``; the code of the
    checkout ``tree`` (``python -m`` imports from its working directory first)."""
    return run_child(
        [sys.executable, "-m", "kremlin_watch", "crawl", *args],
        cli_env(base_url, database_url, en_base_url),
        cwd=tree,
    )


def run_bare(urls: list[str]) -> Run:
    """The bare spider over ``urls``; its output starts with the number of responses."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
        handle.write("\n".join(urls))
    try:
        return run_child([sys.executable, "-m", "bench.bare_spider", handle.name, str(CONCURRENCY)])
    finally:
        os.unlink(handle.name)


def postgres_schema(name: str) -> str | None:
    """A fresh schema ``name`` on the local PostgreSQL, as a database URL; None (said why) without one."""
    try:
        engine = sa.create_engine(POSTGRES.replace("postgresql://", "postgresql+psycopg://"))
        with engine.connect() as connection:
            connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {name} CASCADE"))
            connection.execute(sa.text(f"CREATE SCHEMA {name}"))
            connection.commit()
        engine.dispose()
    except Exception as error:  # absent server: the PostgreSQL line is skipped with the reason
        print(f"   (PostgreSQL skipped: {str(error).splitlines()[0]})")
        return None
    return f"{POSTGRES}?options=-csearch_path%3D{name}"


def _line(label: str, run: Run, count: int, unit: str, bare: Run, bare_count: int) -> str:
    """One measured line: wall and CPU rates, and the CPU and wall ratios against the bare spider."""
    cpu_ratio = (count / run.cpu) / (bare_count / bare.cpu)
    wall_ratio = (count / run.wall) / (bare_count / bare.wall)
    return (
        f"   {label:<40} wall {run.wall:6.1f} s {count / run.wall:6.0f} {unit}/s   "
        f"CPU {run.cpu:6.1f} s {count / run.cpu:6.0f} {unit}/s   "
        f"= {cpu_ratio:.2f}× the bare spider by CPU ({wall_ratio:.2f}× by wall)"
    )


def main(
    items: int,
    *,
    with_postgres: bool = True,
    with_twin: bool = True,
    rounds: int = 1,
    compare: Path | None = None,
) -> None:
    """Measure ``rounds`` rounds; print each line as it is measured and, for several, the best.

    ``compare``: another checkout of kremlin-watch (the code before a change, say) whose crawl is
    measured in each round too, beside this one and against the same bare spider."""
    print(
        f"1. Backfill of a {items:,}-item replica, no delay (whole process, start-up included), "
        "CPU time and wall time against a bare Scrapy spider in the same round"
    )
    trees = [("", ROOT)] + ([(f"{compare.name}: ", compare)] if compare is not None else [])
    pages = items // PAGE_SIZE
    best: dict[str, tuple[Run, int, str, Run]] = {}
    with ReplicaServer(Corpus.generate(items, lang="ru", seed=3, real_items=False)) as server:
        urls = [f"{server.base_url}/events/president/news"]
        urls += [f"{server.base_url}/events/president/news/page/{n}" for n in range(2, pages + 1)]
        urls += [f"{server.base_url}/events/president/news/{item.id}" for item in server.corpus.newest(items)]
        twin = None
        if with_twin:
            twin = ReplicaServer(Corpus.generate(items, lang="en", seed=3, real_items=False))
            twin.__enter__()
            server.link(twin)
        try:
            for round_number in range(1, rounds + 1):
                if rounds > 1:
                    print(f"  round {round_number} of {rounds}")
                bare = run_bare(urls)
                responses = int(bare.output.split()[0])
                print(
                    f"   bare Scrapy spider, {responses:,} URLs   wall {bare.wall:6.1f} s "
                    f"{items / bare.wall:6.0f} items/s   "
                    f"CPU {bare.cpu:6.1f} s {items / bare.cpu:6.0f} items/s"
                )
                targets = [("SQLite", "sqlite", "")]
                if with_postgres:
                    targets.append(("PostgreSQL", "postgres", ""))
                if twin is not None:
                    targets.append(("both hosts (ru + en), SQLite", "sqlite", twin.base_url))
                for label, backend, en_base_url in targets:
                    for prefix, tree in trees:
                        if backend == "sqlite":
                            database_url = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
                        else:
                            database_url = postgres_schema("kw_bench")  # type: ignore[assignment]
                            if database_url is None:
                                continue
                        run = run_crawl(
                            server.base_url,
                            database_url,
                            "--pages",
                            str(pages),
                            en_base_url=en_base_url,
                            tree=tree,
                        )
                        count, unit = (2 * items, "versions") if en_base_url else (items, "items")
                        name = f"{prefix}{label}"
                        print(_line(name, run, count, unit, bare, items))
                        print(f"     {run.output.splitlines()[0] if run.output else ''}")
                        if name not in best or run.cpu / bare.cpu < best[name][0].cpu / best[name][3].cpu:
                            best[name] = (run, count, unit, bare)
        finally:
            if twin is not None:
                twin.__exit__(None, None, None)
    if rounds > 1:
        print(f"  best of {rounds} rounds by CPU ratio (each against the bare spider of its own round)")
        for name, (run, count, unit, bare) in best.items():
            print(_line(name, run, count, unit, bare, items))
