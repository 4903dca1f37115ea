"""The fault matrix: every row of the outcome table (crawler/outcomes.py, docs/crawling.md) played
against the replica on 127.0.0.1 through the command line a user runs.

Each row checks what was stored, the check's outcome and exit status, what the check tells incidents
(``source_state`` in the check row's detail) and the requests the next check makes. Withdrawn items
and the feed's validators, which live in the archive, run on SQLite and PostgreSQL; the network rows
on SQLite.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from archive.engine import make_engine
from archive.models import Check, Item, UrlState
from archive.types import utcnow
from crawler.outcomes import MAX_PAGE_BYTES, TABLE, Answer, Handling, Role, handling, render_table
from replica.corpus import Corpus
from replica.server import ReplicaServer
from tests.conftest import ROOT, cli_env, free_port, run_cli

NEWS = "/events/president/news"
FEED = f"{NEWS}/feed"
CORPUS_SIZE = 60


@pytest.fixture
def site() -> Iterator[ReplicaServer]:
    with ReplicaServer(Corpus.generate(CORPUS_SIZE, lang="ru", seed=11)) as server:
        yield server


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'archive.sqlite3'}"


def crawl(base_url: str, database_url: str, *args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    return run_cli("crawl", *args, env=cli_env(base_url=base_url, database_url=database_url, **settings))


def stored(database_url: str) -> dict[int, Item]:
    engine = make_engine(database_url)
    with Session(engine) as session:
        found = {item.id: item for item in session.exec(select(Item))}
    engine.dispose()
    return found


def last_check(database_url: str) -> tuple[Check, dict[str, object]]:
    engine = make_engine(database_url)
    with Session(engine) as session:
        check = session.exec(select(Check).order_by(Check.id.desc())).first()  # type: ignore[union-attr]
    engine.dispose()
    assert check is not None
    return check, json.loads(check.detail or "{}")


def feed_etag(database_url: str, site: ReplicaServer) -> str | None:
    engine = make_engine(database_url)
    with Session(engine) as session:
        state = session.get(UrlState, f"{site.base_url}{FEED}")
    engine.dispose()
    return state.etag if state is not None else None


def requests(site: ReplicaServer) -> list[tuple[str, int]]:
    """What a check asked the site (robots.txt aside), sorted: pages go out side by side."""
    return sorted((entry.path, entry.status) for entry in site.log if entry.path != "/robots.txt")


def item_path(item_id: int) -> str:
    return f"{NEWS}/{item_id}"


def make_due(database_url: str, item_id: int) -> None:
    """Move a withdrawn item's next retry into the past, as if its back-off had run out."""
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(
            sa.update(Item).where(Item.id == item_id).values(gone_retry_at=utcnow() - timedelta(minutes=1))  # type: ignore[arg-type]
        )
    engine.dispose()


# --- the rows ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    """How the replica produces one answer on the pages under a path (None: nothing to switch on)."""

    answer: Answer
    switch: Callable[[ReplicaServer, str], None] | None
    settings: tuple[tuple[str, str], ...] = ()


def _other_host(site: ReplicaServer, prefix: str) -> None:
    site.faults.redirect(prefix, 302, origin=f"http://localhost:{site.port}")


FAULTS = {
    fault.answer: fault
    for fault in (
        Fault(Answer.REDIRECT_SAME, lambda site, prefix: site.faults.redirect(prefix, 301)),
        Fault(Answer.REDIRECT_OTHER, _other_host),
        Fault(Answer.FORBIDDEN, lambda site, prefix: site.faults.answer_status(403, prefix)),
        Fault(Answer.NOT_FOUND, lambda site, prefix: site.faults.answer_status(404, prefix)),
        Fault(Answer.GONE, lambda site, prefix: site.faults.answer_status(410, prefix)),
        Fault(Answer.OTHER_4XX, lambda site, prefix: site.faults.answer_status(400, prefix)),
        Fault(Answer.RATE_LIMITED, lambda site, prefix: site.faults.answer_status(429, prefix)),
        Fault(Answer.SERVER_ERROR, lambda site, prefix: site.faults.answer_status(503, prefix)),
        Fault(Answer.TIMEOUT, lambda site, prefix: site.faults.slow(3, prefix), (("timeout", "1"),)),
        Fault(Answer.RESET, lambda site, prefix: site.faults.reset(prefix)),
        Fault(Answer.TRUNCATED, lambda site, prefix: site.faults.truncate(prefix)),
        Fault(Answer.OVERSIZED, lambda site, prefix: site.faults.oversize(MAX_PAGE_BYTES + 1, prefix)),
        Fault(Answer.BAD_ENCODING, lambda site, prefix: site.faults.bad_encoding(prefix)),
        Fault(Answer.CHALLENGE, lambda site, prefix: site.faults.challenge(prefix)),
        Fault(Answer.EMPTY, lambda site, _prefix: site.faults.empty_feed()),
    )
}

#: What a failed check on one host exits with and is recorded as, by the row's effect.
FEED_FAILURES = {
    Answer.REDIRECT_OTHER: "error",
    Answer.FORBIDDEN: "blocked",
    Answer.NOT_FOUND: "error",
    Answer.GONE: "error",
    Answer.OTHER_4XX: "error",
    Answer.RATE_LIMITED: "blocked",
    Answer.SERVER_ERROR: "error",
    Answer.TIMEOUT: "error",
    Answer.RESET: "error",
    Answer.TRUNCATED: "error",
    Answer.OVERSIZED: "error",
    Answer.BAD_ENCODING: "error",
    Answer.CHALLENGE: "blocked",
    Answer.EMPTY: "error",
}
ITEM_FAILURES = (
    Answer.REDIRECT_OTHER,
    Answer.OTHER_4XX,
    Answer.SERVER_ERROR,
    Answer.TIMEOUT,
    Answer.RESET,
    Answer.TRUNCATED,
    Answer.OVERSIZED,
    Answer.BAD_ENCODING,
    Answer.CHALLENGE,
)
#: Rows no replica on one host can produce: an item page is on the feed's own host, so its name
#: resolves and its port answers whenever the feed's did.
NOT_REPRODUCIBLE = {(Role.ITEM, Answer.DNS), (Role.ITEM, Answer.REFUSED)}
#: Rows exercised by the tests below (filled at import from their parameters).
COVERED = (
    {(Role.FEED, answer) for answer in (*FEED_FAILURES, Answer.OK, Answer.NOT_MODIFIED, Answer.REDIRECT_SAME)}
    | {(Role.FEED, Answer.DNS), (Role.FEED, Answer.REFUSED)}
    | {(Role.ITEM, answer) for answer in (*ITEM_FAILURES, Answer.OK, Answer.REDIRECT_SAME)}
    | {(Role.ITEM, Answer.NOT_FOUND), (Role.ITEM, Answer.GONE), (Role.ITEM, Answer.FORBIDDEN)}
    | {(Role.ITEM, Answer.RATE_LIMITED), (Role.LIST, Answer.CHALLENGE), (Role.LIST, Answer.SERVER_ERROR)}
)


def test_every_row_of_the_table_is_played_and_the_docs_show_the_same_table() -> None:
    rows: list[Handling] = list(TABLE)
    unplayed = [
        (row.answer.value, [role.value for role in row.roles])
        for row in rows
        if not any((role, row.answer) in COVERED | NOT_REPRODUCIBLE for role in row.roles)
    ]
    assert unplayed == []
    for page in ("docs/crawling.md", "README.md"):
        docs = (ROOT / page).read_text(encoding="utf-8")
        block = re.search(r"<!-- outcomes:begin -->\n(.*?)<!-- outcomes:end -->", docs, re.S)
        assert block is not None, f"{page} has no outcome table between its markers"
        assert block.group(1) == render_table(), f"{page}'s outcome table is not the code's"


def test_200_and_304_an_idle_check_is_one_request(site: ReplicaServer, database_url: str) -> None:
    first = crawl(site.base_url, database_url)
    assert first.returncode == 0, first.stdout + first.stderr
    check, detail = last_check(database_url)
    assert (check.outcome, detail["source_state"], detail["source_reason"]) == ("ok", "answered", "")
    assert len(stored(database_url)) == 20
    site.clear_log()
    idle = crawl(site.base_url, database_url)
    assert idle.stdout.startswith("check: unchanged; "), idle.stdout + idle.stderr
    assert requests(site) == [(FEED, 304)]
    assert last_check(database_url)[1]["source_state"] == handling(Role.FEED, Answer.NOT_MODIFIED).source


# --- the feed --------------------------------------------------------------------------------------


@pytest.mark.parametrize("answer", list(FEED_FAILURES), ids=lambda answer: answer.name.lower())
def test_a_feed_that_does_not_answer(site: ReplicaServer, sqlite_url: str, answer: Answer) -> None:
    """The feed fails: nothing new is stored, the check fails honestly and says why, the feed's
    validators stay those of the last good check, and the next check picks up what was missed."""
    assert crawl(site.base_url, sqlite_url).returncode == 0
    etag = feed_etag(sqlite_url, site)
    fresh = site.corpus.publish_generated()
    fault = FAULTS[answer]
    assert fault.switch is not None
    fault.switch(site, FEED)
    failed = crawl(site.base_url, sqlite_url, **dict(fault.settings))
    check, detail = last_check(sqlite_url)
    outcome = FEED_FAILURES[answer]
    assert (failed.returncode, check.outcome) == (3, outcome), failed.stdout + failed.stderr
    assert failed.stdout.startswith(f"check: {outcome}; ")
    assert "Traceback" not in failed.stderr
    assert detail["source_state"] == handling(Role.FEED, answer).source != "answered"
    assert detail["source_reason"]
    assert check.parse_errors == 0  # a fetch problem, never "the parser is broken"
    assert fresh.id not in stored(sqlite_url)
    assert feed_etag(sqlite_url, site) == etag
    # The next check, the site well again: the feed is asked with the last good validators.
    site.faults.clear()
    site.clear_log()
    again = crawl(site.base_url, sqlite_url)
    assert again.stdout.startswith("check: ok; "), again.stdout + again.stderr
    feed_request = next(entry for entry in site.log if entry.path == FEED)
    assert (feed_request.header("If-None-Match"), feed_request.status) == (etag, 200)
    assert requests(site) == sorted([(FEED, 200), (item_path(fresh.id), 200)])
    assert fresh.id in stored(sqlite_url)
    assert last_check(sqlite_url)[1]["source_state"] == "answered"


def test_a_feed_redirected_on_its_own_host_is_followed_and_stays_conditional(
    site: ReplicaServer, database_url: str
) -> None:
    assert crawl(site.base_url, database_url).returncode == 0
    fresh = site.corpus.publish_generated()
    site.faults.redirect(FEED, 301)
    moved = crawl(site.base_url, database_url)
    assert moved.stdout.startswith("check: ok; "), moved.stdout + moved.stderr
    assert fresh.id in stored(database_url)
    assert last_check(database_url)[1]["source_state"] == handling(Role.FEED, Answer.REDIRECT_SAME).source
    site.clear_log()
    idle = crawl(site.base_url, database_url)
    assert idle.stdout.startswith("check: unchanged; "), idle.stdout + idle.stderr
    assert requests(site) == [(FEED, 301), (f"{FEED}/", 304)]


def test_a_host_that_refuses_connections_and_then_answers(site: ReplicaServer, sqlite_url: str) -> None:
    assert crawl(site.base_url, sqlite_url).returncode == 0
    etag = feed_etag(sqlite_url, site)
    fresh = site.corpus.publish_generated()
    port = site.port
    site.stop()
    refused = crawl(site.base_url, sqlite_url)
    check, detail = last_check(sqlite_url)
    assert (refused.returncode, check.outcome) == (3, "error"), refused.stdout + refused.stderr
    assert (detail["source_state"], detail["source_reason"]) == ("unreachable", detail["source_reason"])
    assert "connection refused" in str(detail["source_reason"])
    assert detail["source_state"] == handling(Role.FEED, Answer.REFUSED).source
    with ReplicaServer(site.corpus, port=port) as back:
        again = crawl(back.base_url, sqlite_url)
        assert again.stdout.startswith("check: ok; "), again.stdout + again.stderr
        feed_request = next(entry for entry in back.log if entry.path == FEED)
        assert feed_request.header("If-None-Match") == etag
    assert fresh.id in stored(sqlite_url)


def test_a_host_name_that_does_not_resolve(sqlite_url: str) -> None:
    failed = crawl(f"http://kremlin-watch-test.invalid:{free_port()}", sqlite_url)
    check, detail = last_check(sqlite_url)
    assert (failed.returncode, check.outcome) == (3, "error"), failed.stdout + failed.stderr
    assert detail["source_state"] == handling(Role.FEED, Answer.DNS).source == "unreachable"
    assert "DNS failure" in str(detail["source_reason"])
    assert stored(sqlite_url) == {}


# --- list pages -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("answer", "outcome"), [(Answer.CHALLENGE, "blocked"), (Answer.SERVER_ERROR, "error")])
def test_a_list_page_that_does_not_answer(site: ReplicaServer, sqlite_url: str, answer: Answer, outcome: str) -> None:
    switch = FAULTS[answer].switch
    assert switch is not None
    switch(site, NEWS)
    failed = crawl(site.base_url, sqlite_url, "--pages", "1")
    check, detail = last_check(sqlite_url)
    assert (failed.returncode, check.outcome, check.parse_errors) == (3, outcome, 0), failed.stdout + failed.stderr
    assert detail["source_state"] == handling(Role.LIST, answer).source
    assert stored(sqlite_url) == {}


# --- item pages -------------------------------------------------------------------------------------


@pytest.mark.parametrize("answer", ITEM_FAILURES, ids=lambda answer: answer.name.lower())
def test_an_item_page_that_fails_keeps_the_feed_text_and_is_retried_from_the_archive(
    site: ReplicaServer, sqlite_url: str, answer: Answer
) -> None:
    target = site.corpus.newest(3)[1]
    fault = FAULTS[answer]
    assert fault.switch is not None
    fault.switch(site, item_path(target.id))
    first = crawl(site.base_url, sqlite_url, **dict(fault.settings))
    check, detail = last_check(sqlite_url)
    assert (first.returncode, check.outcome) == (0, "partial"), first.stdout + first.stderr
    assert (check.errors, check.parse_errors, check.new_items) == (1, 0, 20)
    assert detail["source_state"] == "answered"  # the site answered its feed
    row = stored(sqlite_url)[target.id]
    assert row.details_pending and row.text and row.gone_at is None
    site.faults.clear()
    site.clear_log()
    again = crawl(site.base_url, sqlite_url)
    assert again.stdout.startswith("check: unchanged; "), again.stdout + again.stderr
    assert requests(site) == sorted([(FEED, 304), (item_path(target.id), 200)])
    assert not stored(sqlite_url)[target.id].details_pending


@pytest.mark.parametrize("status", [403, 429])
def test_an_item_page_refused_blocks_the_check_and_nothing_is_lost(
    site: ReplicaServer, sqlite_url: str, status: int
) -> None:
    target = site.corpus.newest(3)[1]
    site.faults.answer_status(status, item_path(target.id))
    blocked = crawl(site.base_url, sqlite_url)
    check, detail = last_check(sqlite_url)
    assert (blocked.returncode, check.outcome) == (3, "blocked"), blocked.stdout + blocked.stderr
    assert detail["source_state"] == "blocked" and f"{status}" in str(detail["source_reason"])
    assert handling(Role.ITEM, Answer.FORBIDDEN if status == 403 else Answer.RATE_LIMITED).source == "blocked"
    site.faults.clear()
    site.clear_log()
    again = crawl(site.base_url, sqlite_url)
    assert again.returncode == 0, again.stdout + again.stderr
    assert (FEED, 200) in requests(site)  # the blocked check saved no validators
    assert (item_path(target.id), 200) in requests(site)
    assert sorted(stored(sqlite_url)) == sorted(item.id for item in site.corpus.newest(20))
    assert not any(item.details_pending for item in stored(sqlite_url).values())


def test_an_item_page_redirected_on_its_own_host_is_read(site: ReplicaServer, sqlite_url: str) -> None:
    target = site.corpus.newest(3)[1]
    site.faults.redirect(item_path(target.id), 301)
    first = crawl(site.base_url, sqlite_url)
    assert first.stdout.startswith("check: ok; "), first.stdout + first.stderr
    assert not stored(sqlite_url)[target.id].details_pending
    site.clear_log()
    assert crawl(site.base_url, sqlite_url).stdout.startswith("check: unchanged; ")
    assert requests(site) == [(FEED, 304)]


@pytest.mark.parametrize("status", [404, 410])
def test_withdrawn_items_are_kept_marked_and_retried_on_a_back_off(
    site: ReplicaServer, database_url: str, status: int
) -> None:
    """The issue's case: every entry of the feed withdrawn. The check is ``ok`` (20 kept, marked
    withdrawn), the next one is a single 304, a due retry asks the page once more, and a page that
    comes back clears the mark."""
    newest = site.corpus.newest(20)
    for item in newest:
        site.corpus.withdraw(item.id, status)
    first = crawl(site.base_url, database_url)
    assert first.returncode == 0, first.stdout + first.stderr
    assert first.stdout.startswith("check: ok; ") and "withdrawn 20" in first.stdout
    check, detail = last_check(database_url)
    assert (check.errors, check.new_items, detail["gone_items"], detail["source_state"]) == (0, 20, 20, "answered")
    rows = stored(database_url)
    assert sorted(rows) == sorted(item.id for item in newest)
    target = newest[0].id
    first_gone = rows[target].gone_at
    assert first_gone is not None and rows[target].gone_checks == 1 and rows[target].details_pending
    assert rows[target].gone_retry_at is not None
    assert timedelta(minutes=59) < rows[target].gone_retry_at - first_gone <= timedelta(hours=1)
    assert rows[target].title == newest[0].title  # kept from the feed
    # The next check: one 304, nothing retried before its time.
    site.clear_log()
    idle = crawl(site.base_url, database_url)
    assert idle.returncode == 0 and idle.stdout.startswith("check: unchanged; "), idle.stdout + idle.stderr
    assert requests(site) == [(FEED, 304)]
    # The back-off runs out for one item: asked once more, still withdrawn, next retry in 6 h.
    make_due(database_url, target)
    site.clear_log()
    retried = crawl(site.base_url, database_url)
    assert retried.returncode == 0 and "withdrawn 1" in retried.stdout, retried.stdout + retried.stderr
    assert requests(site) == sorted([(FEED, 304), (item_path(target), status)])
    row = stored(database_url)[target]
    assert (row.gone_at, row.gone_checks) == (first_gone, 2)
    assert row.gone_retry_at is not None and row.gone_retry_at - utcnow() > timedelta(hours=5)
    # After the third retry the page is never asked for again.
    for _ in range(2):
        make_due(database_url, target)
        assert crawl(site.base_url, database_url).returncode == 0
    row = stored(database_url)[target]
    assert (row.gone_checks, row.gone_retry_at) == (4, None)
    site.clear_log()
    assert crawl(site.base_url, database_url).returncode == 0
    assert requests(site) == [(FEED, 304)]
    # An item whose page comes back (its back-off due) is read and no longer withdrawn.
    other = newest[1].id
    site.corpus.restore(other)
    make_due(database_url, other)
    back = crawl(site.base_url, database_url)
    assert back.returncode == 0 and "withdrawn" not in back.stdout, back.stdout + back.stderr
    row = stored(database_url)[other]
    assert (row.gone_at, row.gone_retry_at, row.gone_checks, row.details_pending) == (None, None, 0, False)
    # What users see: export and show carry the mark.
    env = cli_env(database_url=database_url)
    exported = {entry["id"]: entry for entry in map(json.loads, run_cli("export", env=env).stdout.splitlines())}
    assert exported[target]["gone_at"] == first_gone.isoformat() and exported[other]["gone_at"] is None
    shown = run_cli("show", str(target), env=env)
    assert shown.returncode == 0, shown.stderr
    assert "withdrawn" in shown.stdout
