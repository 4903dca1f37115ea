"""`make bench`: each figure is printed with a baseline measured in the same run on this machine.

1. Backfill of a 5,000-item replica, no delay: items per second of `kremlin-watch crawl --pages 250`
   (parse + archive, SQLite and PostgreSQL, and both hosts) by CPU time and wall time against a bare
   Scrapy spider downloading the same URLs (`bench/backfill_bench.py`).
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

Usage: ``python -m bench [--items 5000] [--skip-postgres]``; ``python -m bench backfill [--items N]
[--skip-postgres] [--skip-twin] [--rounds N]`` runs only the backfill benchmark; ``python -m bench
search [--items N] [--keep-archive PATH] [--skip-postgres]`` runs only the search benchmark and,
with ``--keep-archive``, leaves its indexed SQLite archive at PATH (for `kremlin-watch serve`).
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

from bench import backfill_bench, calls_bench, memory, rules_bench, search_bench
from bench.backfill_bench import run_crawl
from replica.corpus import Corpus
from replica.server import ReplicaServer

ROOT = Path(__file__).resolve().parent.parent


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
            run = run_crawl(server.base_url, database_url)
            timings.append(run.wall)
            line = run.output
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
        run = run_crawl(ru.base_url, database_url, en_base_url=en.base_url)
        seconds, line = run.wall, run.output
        idle = [f"{site.corpus.lang} {e.path} {e.status}" for site in (ru, en) for e in site.log]
    print(f"   idle check of both hosts: {len(idle)} requests ({', '.join(idle)}), {seconds:.2f} s; {line}")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--rule-items", type=int, default=20_000)
    parser.add_argument("--soak-checks", type=int, default=500)
    parser.add_argument("--search-items", type=int, default=100_000)
    commands = parser.add_subparsers(dest="command", metavar="{backfill,search,memory}")
    commands.add_parser(
        "memory", help="only the daemon memory benchmark beside changedetection.io", add_help=False
    )
    only_backfill = commands.add_parser(
        "backfill", help="only the backfill benchmark (section 1): CPU and wall time against the bare spider"
    )
    only_backfill.add_argument("--items", dest="items", type=int, metavar="N", default=argparse.SUPPRESS)
    only_backfill.add_argument("--skip-postgres", action="store_true", default=argparse.SUPPRESS)
    only_backfill.add_argument("--skip-twin", action="store_true", help="leave out the two-host backfill")
    only_backfill.add_argument(
        "--rounds", type=int, metavar="N", default=1, help="measure N rounds, print the best"
    )
    only_backfill.add_argument(
        "--compare",
        type=Path,
        metavar="CHECKOUT",
        help="also measure the crawl of another checkout (the code before a change) in each round",
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
    if args.command == "backfill":
        backfill_bench.main(
            args.items,
            with_postgres=not args.skip_postgres,
            with_twin=not args.skip_twin,
            rounds=args.rounds,
            compare=args.compare,
        )
        return
    if args.command == "search":
        search_bench.main(args.search_items, args.keep_archive, with_postgres=not args.skip_postgres)
        return
    print(f"kremlin-watch benchmarks on {os.cpu_count()} cores, Python {sys.version.split()[0]}\n")
    backfill_bench.main(args.items, with_postgres=not args.skip_postgres)
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
