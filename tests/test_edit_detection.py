"""Edits on the site are seen by the checks the crawler already makes, and cost only the pages edited.

The replica edits items the way the site does (`Corpus.edit`, `edit_text`, `edit_title`): the feed
entry's ``<updated>``, the article page's "last updated" line and the list item's hidden date move,
and list and feed pages show the new title. Every crawl here is a real `kremlin-watch crawl` against
the replica, and what it cost is read from the replica's request log.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from archive.edit_log import edits, withdrawal_of
from archive.engine import make_engine
from archive.models import Item, ItemRevision
from edits.diff import diff_versions
from replica.corpus import Corpus
from replica.dates import moscow_date
from replica.item import ReplicaItem
from replica.server import ReplicaServer
from replica.typography import em_dashes, no_break_spaces, straight_quotes
from tests.conftest import cli_env, run_cli

FEED = "/events/president/news/feed"
LIST = "/events/president/news"
CORPUS_SIZE = 120
_SENTENCE_END = re.compile(r"(?<=[.!?]) (?=[A-ZА-ЯЁ«\"])")


@pytest.fixture
def site() -> Iterator[ReplicaServer]:
    """A replica with a deterministic Russian corpus of 120 items (six list pages)."""
    with ReplicaServer(Corpus.generate(CORPUS_SIZE, lang="ru", seed=7)) as server:
        yield server


@pytest.fixture
def twins() -> Iterator[tuple[ReplicaServer, ReplicaServer]]:
    """kremlin.ru and en.kremlin.ru replicas of the same seed (the same ids and times), linked."""
    with (
        ReplicaServer(Corpus.generate(CORPUS_SIZE, lang="ru", seed=7)) as ru,
        ReplicaServer(Corpus.generate(CORPUS_SIZE, lang="en", seed=7)) as en,
    ):
        ru.link(en)
        yield ru, en


def crawl(site: ReplicaServer, database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    result = run_cli("crawl", *args, env=cli_env(base_url=site.base_url, database_url=database_url))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return result


def crawl_both(
    sites: tuple[ReplicaServer, ReplicaServer], database_url: str, *args: str
) -> subprocess.CompletedProcess[str]:
    ru, en = sites
    env = cli_env(base_url=ru.base_url, en_base_url=en.base_url, database_url=database_url)
    result = run_cli("crawl", *args, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def requests(site: ReplicaServer) -> list[tuple[str, int]]:
    return [(entry.path, entry.status) for entry in site.log if entry.path != "/robots.txt"]


def item_pages(site: ReplicaServer) -> list[str]:
    """The item pages the last crawl asked for (list and feed pages left out)."""
    return sorted(
        path for path, _ in requests(site) if path.rsplit("/", 1)[-1].isdigit() and "/page/" not in path
    )


def row(database_url: str, item_id: int, lang: str = "ru") -> Item:
    engine = make_engine(database_url)
    with Session(engine) as session:
        found = session.get(Item, (item_id, lang))
        assert found is not None
        session.expunge(found)
    engine.dispose()
    return found


def revisions(database_url: str, item_id: int, lang: str = "ru") -> list[ItemRevision]:
    engine = make_engine(database_url)
    with Session(engine) as session:
        statement = select(ItemRevision).where(ItemRevision.item_id == item_id, ItemRevision.lang == lang)
        found = list(session.exec(statement.order_by(ItemRevision.version)))  # type: ignore[arg-type]
    engine.dispose()
    return found


def with_two_sentences(items: list[ReplicaItem]) -> tuple[ReplicaItem, int, list[str]]:
    """An item with a paragraph of at least two sentences: (item, paragraph index, its sentences)."""
    for item in items:
        for index, (label, line) in enumerate(item.paragraphs):
            parts = _SENTENCE_END.split(line)
            if label is None and len(parts) >= 2:
                return item, index, parts
    raise AssertionError("no paragraph of two sentences in the corpus")


def change_a_word(line: str) -> tuple[str, str, str]:
    """The line with its first long word replaced: (new line, old word, new word)."""
    match = re.search(r"\b\w{8,}\b", line)
    assert match is not None, line
    new_word = "сверхсекретный" if re.search("[а-я]", match[0]) else "unprecedented"
    return line[: match.start()] + new_word + line[match.end() :], match[0], new_word


def retyped(line: str) -> str:
    """The same words in another editor's typography: straight quotes, em dashes."""
    return em_dashes(straight_quotes(line))


def with_typography(items: list[ReplicaItem]) -> ReplicaItem:
    """An item whose text has quotes or dashes to retype."""
    for item in items:
        if any(retyped(line) != line for _, line in item.paragraphs):
            return item
    raise AssertionError("no item with quotes or dashes in the corpus")


def test_first_check_after_a_backfill_reads_only_the_feed(
    twins: tuple[ReplicaServer, ReplicaServer], database_url: str
) -> None:
    """A backfill stores the article pages' minute; the next feed says seconds. That is no edit: the
    check after a backfill costs the two feeds, and an edit afterwards costs exactly its page."""
    ru, en = twins
    backfill = crawl_both(twins, database_url, "--pages", "2")
    assert "items new 80 (ru 40, en 40)" in backfill.stdout
    for site in twins:
        site.clear_log()
    check = crawl_both(twins, database_url)
    assert (
        check.stdout.startswith("check: ok; ") and "items new 0 (ru 0, en 0) / changed 0" in check.stdout
    ), check.stdout
    assert requests(ru) == [(FEED, 200)] and requests(en) == [(FEED, 200)]
    assert "requests 2;" in check.stdout

    target = en.corpus.newest(5)[3]
    line = target.paragraphs[0][1]
    _, _, new_word = change_a_word(line)
    en.corpus.edit_text(target.id, lambda text: change_a_word(text)[0], paragraph=0)
    for site in twins:
        site.clear_log()
    edited = crawl_both(twins, database_url)
    assert "items new 0 (ru 0, en 0) / changed 1" in edited.stdout, edited.stdout
    assert requests(ru) == [(FEED, 304)]
    assert requests(en) == [(FEED, 200), (target.path, 200)]
    [revision] = revisions(database_url, target.id, "en")
    assert not revision.cosmetic and line in (revision.text or "")
    assert new_word in (row(database_url, target.id, "en").text or "")
    assert revisions(database_url, target.id, "ru") == []


def test_every_kind_of_edit_in_the_feed_is_seen_by_the_next_check(
    site: ReplicaServer, database_url: str
) -> None:
    """A sentence removed, a word changed, a title reworded, typography retyped: each is read by the
    next check (its page only) and stored as a revision, the last one flagged cosmetic. No-break
    spaces are folded by the parser, so that edit re-reads the page and stores no revision at all."""
    crawl(site, database_url)
    feed = site.corpus.newest(20)
    engine = make_engine(database_url)

    def next_check(target: ReplicaItem) -> str:
        site.clear_log()
        result = crawl(site, database_url)
        assert requests(site) == [(FEED, 200), (target.path, 200)], result.stdout
        return result.stdout

    # A sentence removed.
    shortened, index, parts = with_two_sentences(feed)
    gone_sentence = parts[1]
    site.corpus.edit_text(
        shortened.id,
        lambda text: " ".join(p for p in _SENTENCE_END.split(text) if p != gone_sentence),
        paragraph=index,
    )
    assert "changed 1" in next_check(shortened)
    [step] = edits(engine, item_id=shortened.id)
    assert not step.cosmetic and step.version == 2
    [text_change] = [
        change for change in diff_versions(step.before, step.after).fields if change.field == "text"
    ]
    assert [(s.op, s.before) for s in text_change.sentences] == [("removed", gone_sentence)]

    # A word changed.
    reworded = next(
        item for item in feed if item.id != shortened.id and re.search(r"\w{8,}", item.paragraphs[0][1])
    )
    _, old_word, new_word = change_a_word(reworded.paragraphs[0][1])
    site.corpus.edit_text(reworded.id, lambda text: change_a_word(text)[0], paragraph=0)
    assert "changed 1" in next_check(reworded)
    [step] = edits(engine, item_id=reworded.id)
    [text_change] = [
        change for change in diff_versions(step.before, step.after).fields if change.field == "text"
    ]
    [sentence] = text_change.sentences
    assert sentence.op == "changed"
    assert ("removed", old_word) in [(s.op, s.text.strip()) for s in sentence.segments]
    assert ("added", new_word) in [(s.op, s.text.strip()) for s in sentence.segments]

    # A title reworded.
    retitled = next(item for item in feed if item.id not in (shortened.id, reworded.id))
    site.corpus.edit_title(retitled.id, lambda title: f"{title} (дополнено)")
    assert "changed 1" in next_check(retitled)
    assert row(database_url, retitled.id).title == f"{retitled.title} (дополнено)"
    [step] = edits(engine, item_id=retitled.id)
    assert not step.cosmetic and step.before["title"] == retitled.title

    # Typography only: quotes and dashes retyped.
    retyped_item = with_typography(
        [item for item in feed if item.id not in (shortened.id, reworded.id, retitled.id)]
    )
    site.corpus.edit_text(retyped_item.id, retyped)
    assert "changed 1" in next_check(retyped_item)
    [revision] = revisions(database_url, retyped_item.id)
    assert revision.cosmetic and row(database_url, retyped_item.id).version == 2
    assert edits(engine, item_id=retyped_item.id) == []  # not an edit anyone is told of
    assert [step.cosmetic for step in edits(engine, item_id=retyped_item.id, cosmetic=True)] == [True]

    # No-break spaces only: folded by the parser, the same text; the moved time is kept, no revision.
    spaced = next(
        item for item in feed if item.id not in (shortened.id, reworded.id, retitled.id, retyped_item.id)
    )
    after = site.corpus.edit_text(spaced.id, no_break_spaces)
    assert "items new 0 / changed 0" in next_check(spaced)
    assert revisions(database_url, spaced.id) == [] and row(database_url, spaced.id).version == 1
    assert row(database_url, spaced.id).site_updated_at == after.updated.replace(microsecond=0)

    # Nothing more to read: the next check is the feed's 304, and so is the one after a new item.
    site.clear_log()
    idle = crawl(site, database_url)
    assert idle.stdout.startswith("check: unchanged; ") and requests(site) == [(FEED, 304)]
    fresh = site.corpus.publish_generated()
    site.clear_log()
    crawl(site, database_url)
    assert requests(site) == [(FEED, 200), (fresh.path, 200)]
    engine.dispose()


def test_edits_older_than_the_feed_are_seen_by_the_list_pages(site: ReplicaServer, database_url: str) -> None:
    """Items past the feed's 20 entries: an idle check does not see their edits (the feed is
    unchanged); a backfill over their list page re-reads exactly the edited ones, by their hidden
    date, or by their title when the date did not move."""
    backfill = crawl(site, database_url, "--pages", "3")
    assert "items new 60" in backfill.stdout
    older = site.corpus.newest(20, offset=20)  # list page 2

    # A title reworded the same day as the item's last update: only the title shows it.
    same_day = next(
        item
        for item in older
        if moscow_date(item.updated + timedelta(seconds=30)) == moscow_date(item.updated)
    )
    site.corpus.edit(
        same_day.id, title=f"{same_day.title} (уточнено)", updated=same_day.updated + timedelta(seconds=30)
    )
    # A sentence removed, a word changed, typography retyped: the hidden date moves to today.
    rest = [item for item in older if item.id != same_day.id]
    shortened, index, parts = with_two_sentences(rest)
    site.corpus.edit_text(shortened.id, lambda text: " ".join(parts[:1] + parts[2:]), paragraph=index)
    rest = [item for item in rest if item.id != shortened.id]
    reworded = next(item for item in rest if re.search(r"\w{8,}", item.paragraphs[0][1]))
    site.corpus.edit_text(reworded.id, lambda text: change_a_word(text)[0], paragraph=0)
    rest = [item for item in rest if item.id != reworded.id]
    retyped_item = with_typography(rest)
    site.corpus.edit_text(retyped_item.id, retyped)
    edited = [same_day, shortened, reworded, retyped_item]
    assert all(
        moscow_date(site.corpus.get(item.id).updated) > moscow_date(item.updated) for item in edited[1:]
    )  # type: ignore[union-attr]

    site.clear_log()
    check = crawl(site, database_url)
    assert "changed 0" in check.stdout and requests(site) == [(FEED, 200)]  # the backfill never read the feed
    site.clear_log()
    walk = crawl(site, database_url, "--pages", "2")
    assert "items new 0 / changed 4" in walk.stdout, walk.stdout
    assert item_pages(site) == sorted(item.path for item in edited)
    assert [
        path for path, _ in requests(site) if not path.rsplit("/", 1)[-1].isdigit() or "/page/" in path
    ] == [
        LIST,
        f"{LIST}/page/2",
    ]
    assert row(database_url, same_day.id).title == f"{same_day.title} (уточнено)"
    flags = {item.id: [revision.cosmetic for revision in revisions(database_url, item.id)] for item in edited}
    assert flags == {
        same_day.id: [False],
        shortened.id: [False],
        reworded.id: [False],
        retyped_item.id: [True],
    }

    # Read once: the same walk again asks for the two list pages only, a check for the feed only.
    site.clear_log()
    again = crawl(site, database_url, "--pages", "2")
    assert "changed 0" in again.stdout and item_pages(site) == []
    site.clear_log()
    crawl(site, database_url)
    assert requests(site) == [(FEED, 304)]


def test_a_check_closing_a_gap_sees_an_edited_title_on_its_list_pages(
    site: ReplicaServer, database_url: str
) -> None:
    """A check that walks list pages to close a gap re-reads a held item whose title changed there."""
    crawl(site, database_url)
    held = site.corpus.newest(20)
    target = held[3]
    site.corpus.edit(
        target.id, title=f"{target.title} (уточнено)", updated=target.updated + timedelta(seconds=1)
    )
    fresh = [site.corpus.publish_generated() for _ in range(25)]
    site.clear_log()
    result = crawl(site, database_url)
    assert "items new 25 / changed 1" in result.stdout, result.stdout
    assert item_pages(site) == sorted([*(item.path for item in fresh), target.path])
    assert row(database_url, target.id).title == f"{target.title} (уточнено)"
    assert [revision.title for revision in revisions(database_url, target.id)] == [target.title]


def test_a_withdrawn_item_is_marked_once_and_keeps_its_last_text(
    site: ReplicaServer, database_url: str
) -> None:
    """The site edits an item and withdraws it: the check that sees the edit finds the page gone,
    keeps the text it had read and marks the item withdrawn, once; later feeds that still show the
    edit do not ask for the page before its back-off is over."""
    crawl(site, database_url)
    target = site.corpus.newest(20)[5]
    before = row(database_url, target.id)
    site.corpus.edit_title(target.id, lambda title: f"{title} (отозвано)")
    site.corpus.withdraw(target.id, 404)
    site.clear_log()
    result = crawl(site, database_url)
    assert "withdrawn 1" in result.stdout and "changed 0" in result.stdout, result.stdout
    assert requests(site) == [(FEED, 200), (target.path, 404)]
    after = row(database_url, target.id)
    assert after.gone_at is not None and after.gone_checks == 1
    assert (after.title, after.text, after.version) == (before.title, before.text, 1)
    assert revisions(database_url, target.id) == []
    engine = make_engine(database_url)
    withdrawal = withdrawal_of(engine, target.id, "ru")
    assert withdrawal is not None and withdrawal.after["text"] == before.text

    # The feed changes again (a new item): the withdrawn item's edited entry is still there, its page
    # is not asked for before the back-off, and it is not withdrawn a second time.
    fresh = site.corpus.publish_generated()
    site.clear_log()
    again = crawl(site, database_url)
    assert "withdrawn" not in again.stdout, again.stdout
    assert requests(site) == [(FEED, 200), (fresh.path, 200)]
    later = row(database_url, target.id)
    assert (later.gone_at, later.gone_checks, later.title) == (after.gone_at, 1, before.title)
    assert [edit.withdrawn for edit in edits(engine, item_id=target.id)] == [True]
    engine.dispose()


def test_an_edit_whose_page_fails_is_read_by_a_later_check(site: ReplicaServer, database_url: str) -> None:
    """The feed shows an edit, the page answers 500: the feed's moved time must not hide the edit.
    The page is owed (``details_pending``) and the next check reads it, although its feed is a 304."""
    crawl(site, database_url)
    target = site.corpus.newest(20)[2]
    site.corpus.edit_title(target.id, lambda title: f"{title} (дополнено)")
    site.faults.server_errors(count=10, path_prefix=target.path)
    failed = run_cli("crawl", env=cli_env(base_url=site.base_url, database_url=database_url))
    assert failed.stdout.startswith("check: partial; "), failed.stdout + failed.stderr
    assert row(database_url, target.id).details_pending and row(database_url, target.id).version == 1
    site.faults.clear()
    site.clear_log()
    again = crawl(site, database_url)
    assert sorted(requests(site)) == sorted(
        [(FEED, 304), (target.path, 200)]
    )  # the owed page is asked for beside the feed
    assert "changed 1" in again.stdout, again.stdout
    stored = row(database_url, target.id)
    assert (stored.title, stored.version, stored.details_pending) == (f"{target.title} (дополнено)", 2, False)


# --- the rule itself, at each source's precision ---------------------------------------------------


def test_stated_times_are_compared_at_the_precision_both_sides_have() -> None:
    from datetime import UTC, datetime

    from archive.freshness import site_time_moved, title_moved

    page_minute = datetime(2026, 11, 16, 9, 42, tzinfo=UTC)  # "last updated 12:42" on the page
    assert not site_time_moved(page_minute + timedelta(seconds=16), page_minute, "feed")
    assert site_time_moved(page_minute + timedelta(seconds=61), page_minute, "feed")
    feed_second = page_minute + timedelta(seconds=16)  # a <updated> stored from the feed
    assert site_time_moved(feed_second + timedelta(seconds=20), feed_second, "feed")
    assert not site_time_moved(feed_second, feed_second, "feed")
    list_day = datetime(2026, 11, 15, 21, 0, tzinfo=UTC)  # 2026-11-16 00:00 Moscow, a list's hidden date
    assert not site_time_moved(list_day, page_minute, "list")
    assert site_time_moved(list_day + timedelta(days=1), page_minute, "list")
    assert site_time_moved(list_day, None, "list") and not site_time_moved(None, page_minute, "feed")
    assert not title_moved(
        "Приветствие участникам форума «Россия — спортивная держава»",
        'Приветствие участникам форума "Россия - спортивная держава"',
    )
    assert not title_moved(
        "Telephone conversation with\xa0President", "Telephone conversation with President"
    )
    assert title_moved(
        "Телефонный разговор с Президентом Франции (дополнено)", "Телефонный разговор с Президентом Франции"
    )
