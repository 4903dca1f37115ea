"""Rules benchmark: 100 rules against a 20,000-item archive, and `rules test` over the whole archive.

The baseline, measured in the same run, is a plain lowercase substring matcher: a rule matches when
every word of one of its alternatives is a substring of the lowercased title, lead and text. It is
what a grep would do; it cannot tell «санкции» from «санкций» (it misses the inflected forms it was
not given), which is why kremlin-watch matches lemmas, and this benchmark shows what that costs.
"""

from __future__ import annotations

import random
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from alerts.rules import Rule
from alerts.selectors import CompiledRules, document_of
from archive.engine import make_engine
from archive.migrate import upgrade
from archive.records import ItemRecord
from archive.store import ArchiveStore
from query.morphology import Lemmatizer
from query.syntax import parse_query
from replica.corpus import Corpus
from replica.item import ReplicaItem

ROOT = Path(__file__).resolve().parent.parent
_WORD = re.compile(r"[А-Яа-яЁё]{5,}")


def records(count: int) -> list[ItemRecord]:
    """Archive records made from a generated replica corpus (the same texts the crawler would store)."""
    return [item_record(item) for item in Corpus.generate(count, lang="ru", seed=21, real_items=False)]


def item_record(item: ReplicaItem) -> ItemRecord:
    """The article record the crawler would store for a replica item (its own page read)."""
    return ItemRecord(
        id=item.id,
        url=f"http://kremlin.ru/{item.section}/{item.id}",
        lang=item.lang,
        section=item.section,
        title=item.title,
        kind=item.kind,
        lead=item.lead,
        text=item.text,
        published_at=item.published,
        place=item.place,
        topics=list(item.topics),
        geography=list(item.geography),
        persons=list(item.persons),
        source="article",
    )


def make_rules(sample: list[ItemRecord], count: int = 100) -> list[tuple[str, list[list[str]]]]:
    """``count`` deterministic rules from mid-frequency words of the corpus, as (query, alternatives).

    The alternatives (lists of words) are what the substring baseline looks for.
    """
    words = Counter(word for record in sample for word in _WORD.findall(f"{record.title} {record.text}"))
    pool = [word for word, _ in words.most_common(400)[40:]]
    rng = random.Random(5)
    rules: list[tuple[str, list[list[str]]]] = []
    for index in range(count):
        a, b, c = rng.sample(pool, 3)
        shape = index % 5
        if shape in (0, 1):
            rules.append((a, [[a]]))
        elif shape == 2:
            rules.append((f"{a} {b}", [[a, b]]))
        elif shape == 3:
            rules.append((f"{a} OR {b}", [[a], [b]]))
        else:
            rules.append((f"({a} OR {b}) NOT {c}", [[a], [b]]))
    return rules


def bench_matching(items: list[ItemRecord], rules: list[tuple[str, list[list[str]]]]) -> None:
    lemmatizer = Lemmatizer()
    compiled = CompiledRules.of(
        [
            Rule(name=f"rule-{index}", query_text=query, query=parse_query(query))
            for index, (query, _) in enumerate(rules)
        ],
        lemmatizer,
    )
    started = time.perf_counter()
    matched = 0
    for record in items:  # as alerts match a new version (`alerts.trigger`)
        matched += len(compiled.matches(record, None, document_of(record, None, lemmatizer)))
    ours = time.perf_counter() - started
    info = lemmatizer.cache_info()
    hit_rate = info.hits / max(1, info.hits + info.misses)
    # An alert shows where its rule matched (snippets): the cost when every match is shown.
    started = time.perf_counter()
    hits = 0
    for record in items:
        for _, match in compiled.matches(record, None, document_of(record, None, lemmatizer)):
            hits += len(match.hits)
    shown = time.perf_counter() - started

    lowered = [[[word.lower() for word in alternative] for alternative in alts] for _, alts in rules]
    started = time.perf_counter()
    baseline_matched = 0
    for record in items:
        text = f"{record.title}\n{record.lead}\n{record.text}".lower()
        baseline_matched += sum(
            1 for alts in lowered if any(all(word in text for word in alternative) for alternative in alts)
        )
    baseline = time.perf_counter() - started
    n = len(items)
    print(
        f"   kremlin-watch (index + lemmas + 100 rules): {n / ours:8.0f} items/s  "
        f"({ours:5.1f} s, {matched:,} rule matches, lemma cache hit rate {hit_rate:.1%})"
    )
    print(
        f"   the same, every match's hits worked out   : {n / shown:8.0f} items/s  "
        f"({shown:5.1f} s, {hits:,} hits; an alert's snippets need them)"
    )
    print(
        f"   substring baseline (lowercase `in`)       : {n / baseline:8.0f} items/s  "
        f"({baseline:5.1f} s, {baseline_matched:,} rule matches)"
    )
    print(
        f"   ratio {(n / ours) / (n / baseline):.3f}; "
        f"lemma matching finds {matched - baseline_matched:+,} matches"
    )


def bench_rules_test(items: list[ItemRecord], query: str) -> None:
    database = Path(tempfile.mkdtemp()) / "rules.sqlite3"
    url = f"sqlite:///{database}"
    engine = make_engine(url)
    upgrade(engine)
    store = ArchiveStore(engine)
    for record in items:
        store.store(record)
    env = {"KREMLIN_WATCH_DATABASE_URL": url, "KREMLIN_WATCH_LOG_LEVEL": "WARNING", "PATH": "/usr/bin:/bin"}
    rules_test = [sys.executable, "-m", "kremlin_watch", "rules", "test", query, "--format", "json"]
    ours, ours_seconds = _timed(rules_test, env)
    base, base_seconds = _timed([sys.executable, "-m", "bench.substring_scan", url, query], env)
    ours_count = ours.stdout.count('"matches"')
    print(
        f"   `kremlin-watch rules test {query!r}` over {len(items):,} items: {ours_seconds:5.1f} s, "
        f"{ours_count} items (lemmas: every form)"
    )
    print(
        f"   substring scan of the same archive      : {base_seconds:5.1f} s, {base.stdout.strip()} items "
        f"(only the form typed); ratio {base_seconds / ours_seconds:.2f}"
    )


def _timed(command: list[str], env: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run a whole process from the project root; its output and its wall time in seconds."""
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    return done, time.perf_counter() - started


def main(count: int = 20_000) -> None:
    print(f"4. Rules: 100 rules against {count:,} archived items; substring matcher as the baseline")
    items = records(count)
    rules = make_rules(items[:2000])
    bench_matching(items, rules)
    bench_rules_test(items, "санкции")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
