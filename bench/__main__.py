"""`make bench`: each figure is printed with a baseline measured in the same run on this machine.

1. Backfill of a 5,000-item replica, no delay: items per second of `kremlin-watch crawl --pages 250`
   (parse + archive, SQLite and PostgreSQL) against a bare Scrapy spider downloading the same URLs.
2. Parser throughput: article, list and feed pages per second against plain lxml parsing of the
   same bytes (`lxml.html.fromstring` + `text_content()`), which is the floor any parser pays.
3. An idle check: requests and bytes of a check that finds nothing new, against the first check.
4. Rules: 100 rules matched against 20,000 items, and `rules test` over the archive, against a plain
   lowercase substring matcher (`bench/rules_bench.py`).
5. Search: latency over a 100,000-item archive on SQLite and PostgreSQL against a LIKE scan.
6. Calls: precision and recall of the call readers on the labelled sets, against the tags alone
   (`bench/calls_bench.py`).
7. Soak: 500 checks in one process, resident memory along the way (`bench/soak.py`, own process).
8. Daemon memory: `kremlin-watch run` beside changedetection.io on the same replica and interval,
   after both sent an alert (`bench/memory.py`; ``python -m bench memory`` runs it alone).

Usage: ``python -m bench [--items 5000] [--skip-postgres]``; ``python -m bench search [--items N]
[--keep-archive PATH] [--skip-postgres]`` runs only the search benchmark and, with ``--keep-archive``,
leaves its indexed SQLite archive at PATH (for `kremlin-watch serve`).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import lxml.html
import sqlalchemy as sa

from bench import calls_bench, memory, rules_bench, search_bench
from replica.corpus import Corpus
from replica.server import ReplicaServer

ROOT = Path(__file__).resolve().parent.parent
POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
PAGE_SIZE = 20


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


def run_crawl(base_url: str, database_url: str, *args: str, en_base_url: str = "") -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "kremlin_watch", "crawl", *args],
        env=cli_env(base_url, database_url, en_base_url),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"crawl failed: {result.stdout}{result.stderr}")
    return elapsed, result.stdout.strip()


def run_bare(urls: list[str], concurrency: int) -> tuple[int, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
        handle.write("\n".join(urls))
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "bench.bare_spider", handle.name, str(concurrency)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    elapsed = time.perf_counter() - started
    os.unlink(handle.name)
    responses = int(result.stdout.split()[0])
    return responses, elapsed


def postgres_schema(name: str) -> str | None:
    try:
        engine = sa.create_engine(POSTGRES.replace("postgresql://", "postgresql+psycopg://"))
        with engine.connect() as connection:
            connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {name} CASCADE"))
            connection.execute(sa.text(f"CREATE SCHEMA {name}"))
            connection.commit()
        engine.dispose()
    except Exception as error:  # absent server: the PostgreSQL line is skipped with the reason
        print(f"  (PostgreSQL skipped: {str(error).splitlines()[0]})")
        return None
    return f"{POSTGRES}?options=-csearch_path%3D{name}"


def bench_backfill(items: int, with_postgres: bool) -> None:
    print(f"1. Backfill of a {items:,}-item replica, no delay (whole process, start-up included)")
    pages = items // PAGE_SIZE
    with ReplicaServer(Corpus.generate(items, lang="ru", seed=3, real_items=False)) as server:
        urls = [f"{server.base_url}/events/president/news"]
        urls += [f"{server.base_url}/events/president/news/page/{n}" for n in range(2, pages + 1)]
        urls += [f"{server.base_url}/events/president/news/{item.id}" for item in server.corpus.newest(items)]
        responses, bare_seconds = run_bare(urls, concurrency=8)
        bare_rate = items / bare_seconds
        print(
            f"   bare Scrapy spider, same {responses:,} URLs: {bare_seconds:6.1f} s  {bare_rate:7.0f} items/s"
        )
        targets = [("SQLite", f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3")]
        if with_postgres:
            url = postgres_schema("kw_bench")
            if url:
                targets.append(("PostgreSQL", url))
        for label, database_url in targets:
            seconds, line = run_crawl(server.base_url, database_url, "--pages", str(pages))
            rate = items / seconds
            print(
                f"   kremlin-watch backfill, {label:<10}: {seconds:6.1f} s  {rate:7.0f} items/s"
                f"  = {rate / bare_rate:.2f}× the bare spider"
            )
            print(f"     {line}")
        with ReplicaServer(Corpus.generate(items, lang="en", seed=3, real_items=False)) as twin:
            server.link(twin)
            database_url = f"sqlite:///{tempfile.mkdtemp()}/twin.sqlite3"
            seconds, line = run_crawl(
                server.base_url, database_url, "--pages", str(pages), en_base_url=twin.base_url
            )
            rate = 2 * items / seconds
            print(
                f"   both hosts (ru + en twin), SQLite : {seconds:6.1f} s  {rate:7.0f} versions/s"
                f"  = {rate / bare_rate:.2f}× the bare spider (one host)"
            )
            print(f"     {line}")


def bench_parser() -> None:
    from crawler.page import parse_page

    print("2. Parser throughput (best of 5 rounds) against plain lxml parsing of the same bytes")
    fixtures = ROOT / "tests" / "fixtures"
    with ReplicaServer(Corpus.generate(200, lang="ru", seed=5)) as server:
        import urllib.request

        def fetch(path: str) -> bytes:
            request = urllib.request.Request(server.base_url + path, headers={"User-Agent": "bench"})
            with urllib.request.urlopen(request) as response:
                return response.read()

        replica_articles = [
            (fetch(f"/events/president/news/{item.id}"), f"http://kremlin.ru/events/president/news/{item.id}")
            for item in server.corpus.newest(40)
        ]
        replica_list = [
            (fetch("/events/president/news/page/2"), "http://kremlin.ru/events/president/news/page/2")
        ]
    sets = {
        "real articles (2 pages)": [
            (
                (fixtures / "ru_article_77329.html").read_bytes(),
                "http://kremlin.ru/events/president/news/77329",
            ),
            (
                (fixtures / "en_article_63907_call.html").read_bytes(),
                "http://en.kremlin.ru/events/president/news/63907",
            ),
        ],
        "replica articles (40 pages)": replica_articles,
        "real list page": [
            (
                (fixtures / "en_list_page2.html").read_bytes(),
                "http://en.kremlin.ru/events/president/news/page/2",
            )
        ],
        "replica list page": replica_list,
        "real Atom feed": [
            (
                (fixtures / "en_feed_president_news.xml").read_bytes(),
                "http://en.kremlin.ru/events/president/news/feed",
            )
        ],
    }
    for label, pages in sets.items():
        ours = _pages_per_second(lambda body, url: parse_page(body, url), pages)
        floor = _pages_per_second(lambda body, _url: lxml.html.fromstring(body).text_content(), pages)
        print(
            f"   {label:<28} kremlin-watch {ours:7.0f} pages/s   lxml {floor:7.0f} pages/s   "
            f"ratio {ours / floor:.2f}"
        )


def _pages_per_second(parse, pages: list[tuple[bytes, str]]) -> float:  # type: ignore[no-untyped-def]
    rounds = []
    repeat = max(1, 200 // len(pages))
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(repeat):
            for body, url in pages:
                parse(body, url)
        rounds.append((time.perf_counter() - started) / (repeat * len(pages)))
    return 1 / min(rounds)


def bench_idle() -> None:
    print("3. Idle check: a check that finds nothing new, against the first check of the same archive")
    with ReplicaServer(Corpus.generate(500, lang="ru", seed=9)) as server:
        database_url = f"sqlite:///{tempfile.mkdtemp()}/idle.sqlite3"
        run_crawl(server.base_url, database_url)
        first = list(server.log)
        server.log.clear()
        timings = []
        for _ in range(3):
            server.log.clear()
            seconds, line = run_crawl(server.base_url, database_url)
            timings.append(seconds)
        idle = list(server.log)
    first_bytes = sum(entry.bytes for entry in first)
    idle_bytes = sum(entry.bytes for entry in idle)
    print(f"   first check: {len(first)} requests, {first_bytes:,} bytes received")
    print(
        f"   idle check : {len(idle)} request ({', '.join(f'{e.path} {e.status}' for e in idle)}), "
        f"{idle_bytes:,} bytes of body; {line}"
    )
    print(
        f"   idle check wall time (process start included), median of 3: {statistics.median(timings):.2f} s"
    )
    with (
        ReplicaServer(Corpus.generate(500, lang="ru", seed=9)) as ru,
        ReplicaServer(Corpus.generate(500, lang="en", seed=9)) as en,
    ):
        ru.link(en)
        database_url = f"sqlite:///{tempfile.mkdtemp()}/idle-twin.sqlite3"
        run_crawl(ru.base_url, database_url, en_base_url=en.base_url)
        ru.log.clear()
        en.log.clear()
        seconds, line = run_crawl(ru.base_url, database_url, en_base_url=en.base_url)
        idle = [f"{site.corpus.lang} {e.path} {e.status}" for site in (ru, en) for e in site.log]
    print(f"   idle check of both hosts: {len(idle)} requests ({', '.join(idle)}), {seconds:.2f} s; {line}")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--rule-items", type=int, default=20_000)
    parser.add_argument("--soak-checks", type=int, default=500)
    parser.add_argument("--search-items", type=int, default=100_000)
    commands = parser.add_subparsers(dest="command", metavar="{search,memory}")
    commands.add_parser(
        "memory", help="only the daemon memory benchmark beside changedetection.io", add_help=False
    )
    only_search = commands.add_parser(
        "search", help="only the search benchmark (section 5), optionally keeping its SQLite archive"
    )
    only_search.add_argument("--items", dest="search_items", type=int, metavar="N", default=argparse.SUPPRESS)
    only_search.add_argument(
        "--keep-archive",
        type=Path,
        metavar="PATH",
        help="build the SQLite archive at PATH (which must not exist) and leave it there, indexed",
    )
    only_search.add_argument("--skip-postgres", action="store_true", default=argparse.SUPPRESS)
    args, rest = parser.parse_known_args()
    if args.command == "memory":
        sys.exit(memory.main(rest))
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    if args.command == "search":
        search_bench.main(args.search_items, args.keep_archive, with_postgres=not args.skip_postgres)
        return
    print(f"kremlin-watch benchmarks on {os.cpu_count()} cores, Python {sys.version.split()[0]}\n")
    bench_backfill(args.items, not args.skip_postgres)
    print()
    bench_parser()
    print()
    bench_idle()
    print()
    rules_bench.main(args.rule_items)
    print()
    search_bench.main(args.search_items)
    print()
    print("6. Call records: the labelled evaluation sets")
    calls_bench.main()
    print()
    sys.stdout.flush()
    subprocess.run([sys.executable, "-m", "bench.soak", str(args.soak_checks)], cwd=ROOT, check=True)
    print()
    sys.stdout.flush()
    memory.main([])


if __name__ == "__main__":
    main()
