"""Search benchmark: a 100,000-item archive on SQLite and PostgreSQL, indexed, then searched.

Every third item is also held in English (its own row, as en.kremlin.ru publishes it hours later),
so the archive holds 133,334 language versions, and the index one row per version.

For each backend: the time to build the index (`search.index.IndexWriter.update`, items per second),
then search latency (median and 95th percentile, ``limit=20``, ``sort="date"``) for representative
queries, against the baseline measured in the same run on the same archive: a plain scan,
``lower(title || lead || text) LIKE '%word%'`` of the query's first word as typed, with the count
and the newest 20 (what a search answers). The scan cannot find other word forms (and SQLite's
``lower`` does not even fold Cyrillic), so it is a floor for cost, not a rival in quality.

The archive is built with bulk inserts of rows made from `replica.corpus.Corpus.generate` (about
3 s for 100,000 items and their English versions), not through the crawler. Usage:
``python -m bench.search_bench [COUNT]``.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

import sqlalchemy as sa

from archive.engine import make_engine
from archive.migrate import upgrade
from archive.records import CONTENT_FIELDS, content_hash
from query.morphology import Lemmatizer
from query.syntax import parse_query
from replica.corpus import Corpus
from search.engine import search
from search.index import ITEM, IndexWriter
from search.request import SearchRequest

POSTGRES = os.environ.get("KREMLIN_WATCH_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
SCHEMA = "kw_bench_search"
INSERT_BATCH = 5000
#: The issue's indexing target on SQLite, items per second (an item's English version included).
INDEX_TARGET = 5000
#: Seconds of measuring per query and backend (at least `MIN_RUNS`, at most `MAX_RUNS` runs).
BUDGET = 1.0
MIN_RUNS = 3
MAX_RUNS = 15


@dataclass(frozen=True)
class Case:
    """One benchmark query: a label, the request, and the word the LIKE baseline scans for."""

    label: str
    request: SearchRequest
    like: str = field(default="")


CASES = (
    Case("rare word", SearchRequest("израильский")),
    Case("word form", SearchRequest("санкциями")),
    Case("common word", SearchRequest("безопасность")),
    Case("very common word", SearchRequest("Путин")),
    Case("two words", SearchRequest("санкции экономика")),
    Case("OR", SearchRequest("Макрон OR Шольц")),
    Case("NOT", SearchRequest("санкции NOT экономика")),
    Case("prefix", SearchRequest("безопасн*")),
    Case("phrase", SearchRequest('"телефонный разговор"')),
    Case("common phrase", SearchRequest('"Владимир Путин"')),
    Case("field scope", SearchRequest("title:Макрон")),
    Case("word + filters", SearchRequest("санкции", kind="call", since=date(2015, 1, 1))),
    Case("word + person", SearchRequest("санкции", person="Макрон")),
    Case("filters only", SearchRequest("", kind="call", since=date(2020, 1, 1))),
    Case("English word", SearchRequest("sanctions")),
    Case("either language", SearchRequest("санкции OR sanctions")),
    Case("word + lang", SearchRequest("санкции OR sanctions", lang="en")),
)
#: Hours after the Russian version that the English one is published.
ENGLISH_DELAY = timedelta(hours=5)


def rows(count: int) -> Iterator[dict[str, Any]]:
    """Archive rows for ``count`` generated items and English versions of every third one, as the
    store would write them (article pages)."""
    russian = list(Corpus.generate(count, lang="ru", seed=7))
    for item in russian:
        yield _row(item, item.id, f"http://kremlin.ru/{item.section}/{item.id}", item.published)
    english = Corpus.generate(len(russian[::3]), lang="en", seed=7)
    for item, twin in zip(english, russian[::3], strict=True):
        url = f"http://en.kremlin.ru/{item.section}/{twin.id}"
        yield _row(item, twin.id, url, twin.published + ENGLISH_DELAY)


def _row(item: Any, item_id: int, url: str, published_at: datetime) -> dict[str, Any]:
    """One version's ``item`` row: the generated ``item``'s content under the given id, url and time."""
    published = published_at.astimezone(UTC)
    row: dict[str, Any] = {
        "id": item_id,
        "url": url,
        "lang": item.lang,
        "section": item.section,
        "kind": item.kind,
        "title": item.title,
        "lead": item.lead,
        "text": item.text,
        "published_at": published,
        "place": item.place,
        "topics": list(item.topics),
        "geography": list(item.geography),
        "persons": list(item.persons),
        "first_seen_at": published,
        "updated_at": published,
        "site_updated_at": item.updated.astimezone(UTC),
        "source": "article",
        "details_pending": False,
        "version": 1,
    }
    row["content_hash"] = content_hash({name: row[name] for name in CONTENT_FIELDS})
    return row


def fill(engine: sa.Engine, all_rows: list[dict[str, Any]]) -> float:
    """Bulk-insert the rows; returns seconds."""
    started = time.perf_counter()
    for start in range(0, len(all_rows), INSERT_BATCH):
        with engine.begin() as connection:
            connection.execute(sa.insert(ITEM), all_rows[start : start + INSERT_BATCH])
    return time.perf_counter() - started


def like_baseline(engine: sa.Engine, word: str) -> Callable[[], int]:
    """The plain scan: count and newest 20 of items whose lowercased text contains ``word``."""
    haystack = sa.func.lower(
        ITEM.c.title + " " + sa.func.coalesce(ITEM.c.lead, "") + " " + sa.func.coalesce(ITEM.c.text, "")
    )
    condition = haystack.like(f"%{word.lower()}%")

    def run() -> int:
        with engine.connect() as connection:
            total = connection.execute(sa.select(sa.func.count()).where(condition)).scalar_one()
            connection.execute(
                sa.select(ITEM.c.id)
                .where(condition)
                .order_by(ITEM.c.published_at.desc(), ITEM.c.id.desc())
                .limit(20)
            ).all()
        return int(total)

    return run


def first_word(case: Case) -> str:
    """The query's first word as typed (the LIKE baseline's needle)."""
    if case.like:
        return case.like
    query = parse_query(case.request.query)
    return next(query.terms()).parts[0].text


class Timing(NamedTuple):
    """Milliseconds of one query, median and 95th percentile, wall clock and this process's CPU time
    (on SQLite the whole work; on PostgreSQL only the client's), and the warm-up run's answer."""

    median: float
    p95: float
    cpu_median: float
    cpu_p95: float
    answer: Any


def measure(run: Callable[[], Any]) -> Timing:
    """Times of ``run`` after one warm-up run: runs until `BUDGET` seconds are spent, at least
    `MIN_RUNS` (two for a query over a second), at most `MAX_RUNS`. On a shared machine wall time
    swings with the load; CPU time much less."""
    started = time.perf_counter()
    answer = run()
    least = MIN_RUNS if time.perf_counter() - started < 1 else 2
    timings: list[float] = []
    cpu: list[float] = []
    spent = 0.0
    while len(timings) < least or (spent < BUDGET and len(timings) < MAX_RUNS):
        started, cpu_started = time.perf_counter(), time.process_time()
        run()
        elapsed = time.perf_counter() - started
        cpu.append((time.process_time() - cpu_started) * 1000)
        timings.append(elapsed * 1000)
        spent += elapsed
    return Timing(statistics.median(timings), _p95(timings), statistics.median(cpu), _p95(cpu), answer)


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def postgres_url() -> str | None:
    """A URL on a freshly dropped and created `SCHEMA`, or None (with the reason) without a server."""
    try:
        admin = sa.create_engine(POSTGRES.replace("postgresql://", "postgresql+psycopg://", 1))
        with admin.connect() as connection:
            connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
            connection.execute(sa.text(f"CREATE SCHEMA {SCHEMA}"))
            connection.commit()
        admin.dispose()
    except Exception as error:  # an absent server skips the PostgreSQL half, saying why
        print(f"   (PostgreSQL skipped: {str(error).splitlines()[0]})")
        return None
    return f"{POSTGRES}?options=-csearch_path%3D{SCHEMA}"


def bench_backend(label: str, url: str, all_rows: list[dict[str, Any]], lemmatizer: Lemmatizer) -> None:
    engine = make_engine(url)
    upgrade(engine)
    inserted = fill(engine, all_rows)
    count = len(all_rows)
    print(f"   {label}: {count:,} item versions inserted in {inserted:.1f} s")
    writer = IndexWriter(engine, lemmatizer)
    started = time.perf_counter()
    indexed = writer.update()
    seconds = time.perf_counter() - started
    items = len({row["id"] for row in all_rows})
    print(
        f"   {label}: indexed {indexed:,} versions in {seconds:.1f} s = {indexed / seconds:,.0f} versions/s"
        f" = {items / seconds:,.0f} items/s (target {INDEX_TARGET:,}: {items / seconds / INDEX_TARGET:.2f}×)"
    )
    print(
        f"   {'query':<16} {'query text':<38} {'total':>7}  {'search ms':>17}  {'search CPU ms':>17}  "
        f"{'LIKE scan ms':>17}  {'LIKE CPU':>8}  {'LIKE total':>10}"
    )
    pair = f"{'median':>8} {'p95':>8}"
    print(f"   {'':<16} {'':<38} {'':>7}  {pair}  {pair}  {pair}  {'median':>8}")
    scans: dict[str, str] = {}  # the LIKE baseline, once per word
    for case in CASES:
        timing = measure(lambda case=case: search(engine, case.request, lemmatizer))
        text = case.request.query or "(empty)"
        extras = [
            f"{name}={value}"
            for name in ("kind", "lang", "since", "person")
            if (value := getattr(case.request, name))
        ]
        text = " ".join([text, *extras])
        baseline = f"{'-':>8} {'-':>8}  {'-':>8}  {'-':>10}"
        if case.request.query:
            word = first_word(case)
            if word not in scans:
                like = measure(like_baseline(engine, word))
                scans[word] = (
                    f"{like.median:8.1f} {like.p95:8.1f}  {like.cpu_median:8.1f}  {like.answer:>10,}"
                )
            baseline = scans[word]
        print(
            f"   {case.label:<16} {text:<38.38} {timing.answer.total:>7,}  {timing.median:8.1f}"
            f" {timing.p95:8.1f}  {timing.cpu_median:8.1f} {timing.cpu_p95:8.1f}  {baseline}"
        )
    for label, relevance in (
        ("relevance sort", SearchRequest("санкции", sort="relevance")),
        ("phrase, ranked", SearchRequest('"телефонный разговор"', sort="relevance")),
    ):
        timing = measure(lambda relevance=relevance: search(engine, relevance, lemmatizer))
        text = f"{relevance.query} (sort=relevance)"
        print(
            f"   {label:<16} {text:<38} {timing.answer.total:>7,}  {timing.median:8.1f} {timing.p95:8.1f}"
            f"  {timing.cpu_median:8.1f} {timing.cpu_p95:8.1f}"
        )
    engine.dispose()


def main(count: int = 100_000, keep_archive: Path | None = None, with_postgres: bool = True) -> None:
    """Build, index and search the archive on SQLite, then on PostgreSQL (unless ``with_postgres`` is
    false or no server answers). ``keep_archive``: build the SQLite archive there and leave it, indexed,
    so that `kremlin-watch serve` can be pointed at it; the path must not exist yet."""
    if keep_archive is not None and keep_archive.exists():
        raise SystemExit(f"{keep_archive} already exists: not overwriting it (choose a new path)")
    if keep_archive is not None and not keep_archive.resolve().parent.is_dir():
        raise SystemExit(f"{keep_archive.parent} is not a directory: cannot keep the archive there")
    print(f"Search: a {count:,}-item archive, indexed, then searched (limit 20, sort date)")
    started = time.perf_counter()
    all_rows = list(rows(count))
    print(
        f"   generated {count:,} items, {len(all_rows):,} versions in {time.perf_counter() - started:.1f} s"
    )
    lemmatizer = Lemmatizer()
    if keep_archive is not None:
        bench_backend("SQLite", f"sqlite:///{keep_archive.resolve()}", all_rows, lemmatizer)
        print(
            f"   SQLite archive kept at {keep_archive}"
            f" (KREMLIN_WATCH_DATABASE_URL=sqlite:///{keep_archive.resolve()} kremlin-watch serve)"
        )
    else:
        with tempfile.TemporaryDirectory() as directory:
            bench_backend("SQLite", f"sqlite:///{directory}/search.sqlite3", all_rows, lemmatizer)
    url = postgres_url() if with_postgres else None
    if url is not None:
        bench_backend("PostgreSQL", url, all_rows, lemmatizer)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
