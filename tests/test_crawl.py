"""Crawls against the replica, on SQLite and on PostgreSQL, through the command line a user runs."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from archive.engine import make_engine
from archive.models import Check, Item, ItemRevision
from replica.corpus import Corpus
from replica.server import ReplicaServer
from tests.conftest import ROOT, cli_env, run_cli

FEED = "/events/president/news/feed"
CORPUS_SIZE = 120


@pytest.fixture
def site() -> Iterator[ReplicaServer]:
    """A replica with a deterministic Russian corpus of 120 items (six list pages)."""
    with ReplicaServer(Corpus.generate(CORPUS_SIZE, lang="ru", seed=7)) as server:
        yield server


def crawl(site: ReplicaServer, database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli("crawl", *args, env=cli_env(base_url=site.base_url, database_url=database_url))


def items(database_url: str) -> dict[int, Item]:
    engine = make_engine(database_url)
    with Session(engine) as session:
        found = {item.id: item for item in session.exec(select(Item))}
    engine.dispose()
    return found


def last_check(database_url: str) -> Check:
    engine = make_engine(database_url)
    with Session(engine) as session:
        check = session.exec(select(Check).order_by(Check.id.desc())).first()  # type: ignore[union-attr]
    engine.dispose()
    assert check is not None
    return check


def paths(site: ReplicaServer) -> list[str]:
    return [entry.path for entry in site.log]


def newest_ids(site: ReplicaServer, count: int) -> list[int]:
    return [item.id for item in site.corpus.newest(count)]


def test_first_check_takes_the_first_feed_page_with_details(site: ReplicaServer, database_url: str) -> None:
    result = crawl(site, database_url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("check: ok; ")
    assert "items new 20 / changed 0" in result.stdout
    stored = items(database_url)
    assert sorted(stored) == sorted(newest_ids(site, 20))
    assert all(not item.details_pending for item in stored.values())
    assert all(item.text and item.published_at and item.published_at.tzinfo for item in stored.values())
    calls = [item for item in stored.values() if item.kind == "call"]
    assert calls and all(item.place is None for item in calls)
    # An empty archive reads only the first page: no list pages.
    assert not [path for path in paths(site) if path.startswith("/events/president/news/page/")]
    assert last_check(database_url).outcome == "ok"
    assert last_check(database_url).new_items == 20


def test_idle_check_is_one_conditional_request(site: ReplicaServer, database_url: str) -> None:
    assert crawl(site, database_url).returncode == 0
    site.clear_log()
    result = crawl(site, database_url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("check: unchanged; ")
    assert [(entry.path, entry.status) for entry in site.log] == [(FEED, 304)]
    check = last_check(database_url)
    assert (check.outcome, check.requests) == ("unchanged", 1)


def test_incremental_check_fetches_only_new_items(site: ReplicaServer, database_url: str) -> None:
    assert crawl(site, database_url).returncode == 0
    fresh = [site.corpus.publish_generated(kind="call") for _ in range(3)]
    site.clear_log()
    result = crawl(site, database_url)
    assert "items new 3 / changed 0" in result.stdout, result.stdout + result.stderr
    article_paths = sorted(path for path in paths(site) if path.rsplit("/", 1)[-1].isdigit())
    assert article_paths == sorted(f"/events/president/news/{item.id}" for item in fresh)
    assert {item.id for item in fresh} <= set(items(database_url))


def test_gap_behind_the_feed_is_closed_from_list_pages(site: ReplicaServer, database_url: str) -> None:
    assert crawl(site, database_url).returncode == 0
    fresh = [site.corpus.publish_generated() for _ in range(45)]
    result = crawl(site, database_url)
    assert "items new 45 /" in result.stdout, result.stdout + result.stderr
    assert {item.id for item in fresh} <= set(items(database_url))
    assert any(path.startswith("/events/president/news/page/") for path in paths(site))


def test_backfill_pages_and_dedup_across_runs(site: ReplicaServer, database_url: str) -> None:
    result = crawl(site, database_url, "--pages", "3")
    assert result.returncode == 0, result.stderr
    assert "items new 60 / changed 0" in result.stdout
    again = crawl(site, database_url, "--pages", "3")
    assert "items new 0 / changed 0 / unchanged 60" in again.stdout, again.stdout
    assert len(items(database_url)) == 60
    check = crawl(site, database_url)
    assert "items new 0 / changed 0" in check.stdout


def test_backfill_since_a_day(site: ReplicaServer, database_url: str) -> None:
    day = site.corpus.newest(50)[-1].published.date()
    result = crawl(site, database_url, "--since", day.isoformat())
    assert result.returncode == 0, result.stderr
    expected = {item.id for item in site.corpus.newest(CORPUS_SIZE) if item.published.date() >= day}
    assert expected <= set(items(database_url))


def test_two_concurrent_crawls_do_not_duplicate(site: ReplicaServer, database_url: str) -> None:
    env = cli_env(base_url=site.base_url, database_url=database_url)
    command = [sys.executable, "-m", "kremlin_watch", "crawl", "--pages", "4"]
    runs = [subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=180) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    assert len(items(database_url)) == 80
    new_counts = [int(out.split("items new ", 1)[1].split(" ", 1)[0]) for out, _ in outputs]
    assert sum(new_counts) == 80


def test_edited_item_becomes_a_revision(site: ReplicaServer, database_url: str) -> None:
    assert crawl(site, database_url).returncode == 0
    target = site.corpus.newest(1)[0]
    old_title = target.title
    site.corpus.edit(target.id, title=old_title + " (дополнено)")
    result = crawl(site, database_url)
    assert "items new 0 / changed 1" in result.stdout, result.stdout + result.stderr
    row = items(database_url)[target.id]
    assert row.title == old_title + " (дополнено)"
    assert row.version == 2
    engine = make_engine(database_url)
    with Session(engine) as session:
        [revision] = session.exec(select(ItemRevision).where(ItemRevision.item_id == target.id))
    assert revision.title == old_title


def test_forbidden_means_blocked_and_nothing_is_lost(site: ReplicaServer, database_url: str) -> None:
    assert crawl(site, database_url).returncode == 0
    fresh = [site.corpus.publish_generated() for _ in range(5)]
    site.faults.forbid_after(2)
    blocked = crawl(site, database_url)
    assert blocked.returncode == 3, blocked.stdout + blocked.stderr
    assert blocked.stdout.startswith("check: blocked; ")
    assert "refused by the site" in blocked.stdout
    assert last_check(database_url).outcome == "blocked"
    site.faults.clear()
    recovered = crawl(site, database_url)
    assert recovered.returncode == 0, recovered.stderr
    assert {item.id for item in fresh} <= set(items(database_url))
    assert all(not items(database_url)[item.id].details_pending for item in fresh)


def test_rate_limit_honours_retry_after_and_succeeds(site: ReplicaServer, database_url: str) -> None:
    site.faults.rate_limit(count=1, retry_after=1)
    result = crawl(site, database_url)
    assert result.returncode == 0, result.stderr
    assert "items new 20" in result.stdout
    statuses = [entry.status for entry in site.log]
    assert statuses.count(429) == 1
    assert "refused by the site: 1× 429" in result.stdout


def test_broken_article_keeps_the_feed_text_and_is_completed_later(site: ReplicaServer, database_url: str) -> None:
    target = site.corpus.newest(3)[2]
    site.faults.server_errors(count=10, path_prefix=f"/events/president/news/{target.id}")
    result = crawl(site, database_url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("check: partial; ")
    row = items(database_url)[target.id]
    assert row.details_pending and row.text
    assert len(items(database_url)) == 20
    site.faults.clear()
    again = crawl(site, database_url)
    assert again.returncode == 0
    assert not items(database_url)[target.id].details_pending
    assert items(database_url)[target.id].version == 1


def test_truncated_page_is_logged_and_skipped(site: ReplicaServer, database_url: str) -> None:
    target = site.corpus.newest(2)[1]
    site.faults.truncate(f"/events/president/news/{target.id}")
    result = crawl(site, database_url)
    assert result.stdout.startswith("check: partial; "), result.stdout + result.stderr
    assert f"/events/president/news/{target.id}" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(items(database_url)) == 20


def test_changed_layout_is_an_error_not_a_traceback(site: ReplicaServer, database_url: str) -> None:
    site.faults.change_layout(True)
    result = crawl(site, database_url, "--pages", "1")
    assert result.returncode == 3, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert items(database_url) == {}


def test_politeness_robots_and_user_agent(site: ReplicaServer, database_url: str) -> None:
    assert crawl(site, database_url, "--pages", "2").returncode == 0
    assert paths(site)[0] == "/robots.txt"
    assert not [path for path in paths(site) if "/copy" in path or path.startswith("/search")]
    agents = {entry.headers.get("User-Agent") for entry in site.log}
    assert agents == {"kremlin-watch/0.1.0 (+tests@example.org)"}
    assert paths(site).count("/robots.txt") == 1
    site.clear_log()
    assert crawl(site, database_url).returncode == 0
    assert "/robots.txt" not in paths(site)  # kept in the archive for a day


def test_export_after_crawl(site: ReplicaServer, database_url: str) -> None:
    assert crawl(site, database_url).returncode == 0
    result = run_cli("export", "--format", "json", env=cli_env(database_url=database_url))
    assert result.returncode == 0, result.stderr
    exported = json.loads(result.stdout)
    assert len(exported) == 20
    assert {"id", "url", "title", "published_at", "topics", "persons", "kind"} <= set(exported[0])
    assert exported[0]["published_at"].endswith("+00:00")


def test_parse_command_prints_json(database_url: str) -> None:
    del database_url
    result = run_cli("parse", str(ROOT / "tests/fixtures/en_article_63907_call.html"), "--url", "http://en.kremlin.ru/events/president/news/63907")
    assert result.returncode == 0, result.stderr
    item = json.loads(result.stdout)
    assert item["id"] == 63907 and item["kind"] == "call"
    assert item["published_at"] == "2020-08-18T11:40:00+00:00"
    listing = run_cli("parse", str(ROOT / "tests/fixtures/en_feed_president_news.xml"), "--url", "http://en.kremlin.ru/events/president/news/feed")
    page = json.loads(listing.stdout)
    assert len(page["items"]) == 20
    assert page["next"] == "http://en.kremlin.ru/events/president/news/feed/page/2"
    broken = run_cli("parse", str(ROOT / "tests/fixtures/en_robots.txt"), "--url", "http://en.kremlin.ru/robots.txt")
    assert broken.returncode == 1
    assert "Traceback" not in broken.stderr


_ = (replace, sa)


def test_components_need_a_crawl_context() -> None:
    from scrapy.crawler import Crawler

    from crawler.pipeline import ArchivePipeline
    from crawler.robots import CachedRobotsMiddleware
    from crawler.spider import KremlinSpider

    plain = Crawler(KremlinSpider)
    for component in (ArchivePipeline, CachedRobotsMiddleware):
        with pytest.raises(TypeError, match="carries no CrawlContext"):
            component.from_crawler(plain)


# --- the English twin: kremlin.ru and en.kremlin.ru read side by side -------------------------------


@pytest.fixture
def twins() -> Iterator[tuple[ReplicaServer, ReplicaServer]]:
    """A Russian replica and its English twin (the same seed: the same ids and times), linked."""
    with (
        ReplicaServer(Corpus.generate(CORPUS_SIZE, lang="ru", seed=7)) as ru,
        ReplicaServer(Corpus.generate(CORPUS_SIZE, lang="en", seed=7)) as en,
    ):
        ru.link(en)
        yield ru, en


def crawl_both(sites: tuple[ReplicaServer, ReplicaServer], database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    ru, en = sites
    env = cli_env(base_url=ru.base_url, en_base_url=en.base_url, database_url=database_url)
    return run_cli("crawl", *args, env=env)


def versions(database_url: str) -> dict[tuple[int, str], Item]:
    engine = make_engine(database_url)
    with Session(engine) as session:
        found = {(item.id, item.lang): item for item in session.exec(select(Item))}
    engine.dispose()
    return found


def checks(database_url: str) -> list[Check]:
    engine = make_engine(database_url)
    with Session(engine) as session:
        found = list(session.exec(select(Check).order_by(Check.id)))  # type: ignore[arg-type]
    engine.dispose()
    return found


def host(site: ReplicaServer) -> str:
    return site.base_url.removeprefix("http://")


def test_backfill_of_both_hosts_stores_both_versions_under_one_id(
    twins: tuple[ReplicaServer, ReplicaServer], database_url: str
) -> None:
    ru, en = twins
    result = crawl_both(twins, database_url, "--pages", "2")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("backfill: ok; ")
    assert "items new 80 (ru 40, en 40) / changed 0" in result.stdout
    stored = versions(database_url)
    newest = set(newest_ids(ru, 40))
    assert {item_id for item_id, lang in stored if lang == "ru"} == newest
    assert {item_id for item_id, lang in stored if lang == "en"} == newest
    some = next(iter(newest))
    assert stored[(some, "ru")].url.startswith(ru.base_url) and stored[(some, "en")].url.startswith(en.base_url)
    assert stored[(some, "en")].title == en.corpus.get(some).title != ru.corpus.get(some).title  # type: ignore[union-attr]
    assert [(check.mode, check.new_items, check.outcome) for check in checks(database_url)] == [("backfill", 80, "ok")]
    # Each host was asked for its own robots.txt, list pages and articles, and only for those.
    for site in twins:
        assert paths(site)[0] == "/robots.txt"
        articles = [path for path in paths(site) if path.rsplit("/", 1)[-1].isdigit() and "/page/" not in path]
        assert len(articles) == 40


def test_backfill_since_a_day_reads_both_hosts(twins: tuple[ReplicaServer, ReplicaServer], database_url: str) -> None:
    ru, _ = twins
    day = ru.corpus.newest(50)[-1].published.date()
    result = crawl_both(twins, database_url, "--since", day.isoformat())
    assert result.returncode == 0, result.stderr
    expected = {item.id for item in ru.corpus.newest(CORPUS_SIZE) if item.published.date() >= day}
    stored = versions(database_url)
    assert expected <= {item_id for item_id, lang in stored if lang == "ru"}
    assert expected <= {item_id for item_id, lang in stored if lang == "en"}


def test_idle_check_of_both_hosts_costs_two_requests(
    twins: tuple[ReplicaServer, ReplicaServer], database_url: str
) -> None:
    first = crawl_both(twins, database_url)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("check: ok; ") and "items new 40 (ru 20, en 20)" in first.stdout
    for site in twins:
        site.clear_log()
    idle = crawl_both(twins, database_url)
    assert idle.returncode == 0, idle.stderr
    assert idle.stdout.startswith("check: unchanged; ")
    for site in twins:
        assert [(entry.path, entry.status) for entry in site.log] == [(FEED, 304)]
    assert [(check.outcome, check.requests) for check in checks(database_url)][-1] == ("unchanged", 2)
    assert len(checks(database_url)) == 2  # one row per check, not one per host


def test_english_twin_published_later_is_stored_under_the_same_id(
    twins: tuple[ReplicaServer, ReplicaServer], database_url: str
) -> None:
    ru, en = twins
    assert crawl_both(twins, database_url).returncode == 0
    call = ru.corpus.publish_generated(kind="call")
    russian_only = crawl_both(twins, database_url)
    assert "items new 1 (ru 1, en 0)" in russian_only.stdout, russian_only.stdout + russian_only.stderr
    assert russian_only.stdout.startswith("check: ok; ")
    assert (call.id, "en") not in versions(database_url)
    twin = en.corpus.publish_twin(call)
    english = crawl_both(twins, database_url)
    assert "items new 1 (ru 0, en 1)" in english.stdout, english.stdout + english.stderr
    stored = versions(database_url)
    assert stored[(call.id, "ru")].title == call.title
    assert stored[(call.id, "en")].title == twin.title and twin.title.startswith(("Telephone", "Vladimir Putin"))
    assert stored[(call.id, "en")].kind == "call" and not stored[(call.id, "en")].details_pending


@pytest.mark.parametrize("fault", ["server_errors", "forbidden"])
def test_english_host_failing_does_not_stop_the_russian_one(
    twins: tuple[ReplicaServer, ReplicaServer], database_url: str, fault: str
) -> None:
    ru, en = twins
    if fault == "forbidden":
        en.faults.forbid_after(0)
    else:
        en.faults.server_errors(count=1000)
    result = crawl_both(twins, database_url)
    assert result.returncode == 0, result.stdout + result.stderr
    failed = "blocked" if fault == "forbidden" else "error"
    assert result.stdout.startswith("check: partial; "), result.stdout
    assert f"({host(en)} failed: {failed}" in result.stdout
    assert "items new 20 (ru 20, en 0)" in result.stdout
    assert {key for key in versions(database_url)} == {(item_id, "ru") for item_id in newest_ids(ru, 20)}
    check = checks(database_url)[-1]
    assert check.outcome == "partial" and check.new_items == 20
    detail = json.loads(check.detail)
    assert any(host(en) in message for message in detail["messages"])
    assert not any(host(ru) in message for message in detail["messages"])
    # What incidents read: the English host did not answer its feed, and why; the Russian one did.
    expected = ("blocked", "refused by the site") if fault == "forbidden" else ("server_error", "HTTP 500")
    assert (detail["hosts"][host(en)]["source_state"], detail["source_state"]) == (expected[0], expected[0])
    assert detail["source_reason"].startswith(f"{host(en)}: {expected[1]}")
    assert detail["hosts"][host(ru)]["source_state"] == "answered"
    # Once the English site answers again, the next check catches up with it.
    en.faults.clear()
    again = crawl_both(twins, database_url)
    assert again.stdout.startswith("check: ok; ") and "(ru 0, en 20)" in again.stdout, again.stdout + again.stderr


def test_english_side_off_sends_it_nothing(twins: tuple[ReplicaServer, ReplicaServer], database_url: str) -> None:
    ru, en = twins
    env = cli_env(base_url=ru.base_url, en_base_url="", database_url=database_url)
    result = run_cli("crawl", "--pages", "1", env=env)
    assert result.returncode == 0, result.stderr
    assert "items new 20 / changed 0" in result.stdout and "(ru" not in result.stdout
    assert list(en.log) == []
    assert {lang for _, lang in versions(database_url)} == {"ru"}


def test_base_url_at_an_english_site_writes_english_versions(
    twins: tuple[ReplicaServer, ReplicaServer], database_url: str
) -> None:
    """The page's own language decides the rows, whichever setting names the host; and the item whose
    page failed is retried from the English rows, the language the host was seen to serve."""
    _, en = twins
    env = cli_env(base_url=en.base_url, database_url=database_url)
    target = en.corpus.newest(3)[2]
    en.faults.server_errors(count=10, path_prefix=f"/events/president/news/{target.id}")
    first = run_cli("crawl", env=env)
    assert first.stdout.startswith("check: partial; "), first.stdout + first.stderr
    assert {lang for _, lang in versions(database_url)} == {"en"}
    assert versions(database_url)[(target.id, "en")].details_pending
    en.faults.clear()
    en.clear_log()
    again = run_cli("crawl", env=env)
    assert again.stdout.startswith("check: unchanged; "), again.stdout + again.stderr  # the feed: 304
    assert "errors 0" in again.stdout
    assert f"/events/president/news/{target.id}" in paths(en)
    assert not versions(database_url)[(target.id, "en")].details_pending
    assert {lang for _, lang in versions(database_url)} == {"en"}


def test_a_gap_on_one_host_is_closed_on_that_host_only(
    twins: tuple[ReplicaServer, ReplicaServer], database_url: str
) -> None:
    ru, en = twins
    assert crawl_both(twins, database_url).returncode == 0
    fresh = [en.corpus.publish_generated() for _ in range(45)]
    for site in twins:
        site.clear_log()
    result = crawl_both(twins, database_url)
    assert result.stdout.startswith("check: ok; "), result.stdout + result.stderr
    assert "items new 45 (ru 0, en 45)" in result.stdout
    assert [(entry.path, entry.status) for entry in ru.log] == [(FEED, 304)]
    assert any(path.startswith("/events/president/news/page/") for path in paths(en))
    assert {(item.id, "en") for item in fresh} <= set(versions(database_url))
