"""Every reader of edits, on one archive with edits in it, on SQLite and PostgreSQL.

The archive is filled through `archive.store.ArchiveStore` the way the crawler fills it: a call whose
Russian version loses a sentence, then has a word changed, then is re-typeset (typography only); its
English version with a reworded title; a decree whose text itself holds ``{+…+}``, ``[-…-]`` and
``<del>``; an item the site withdrew. Then what a user sees is asserted: `kremlin-watch edits` (table
and JSON, filters, mistakes), `show --diff`, and, through a real `kremlin-watch serve`, the item
page, ``/feeds/edits.atom`` and ``/api/items/{id}/revisions`` — the page and the feed showing the
same diff.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from lxml import etree
from lxml import html as lxml_html

from archive.records import ItemRecord
from archive.store import ArchiveStore
from archive.vocabulary import kind_problem, lang_problem, moscow_clock
from tests.conftest import cli_env, free_port, run_cli
from tests.test_web import ServeProcess, wait_for
from tests.test_web import record as web_record

ATOM = "{http://www.w3.org/2005/Atom}"
PUBLISHED = datetime(2024, 5, 14, 12, 0, tzinfo=UTC)
#: What the site's feed says for each version (its ``<updated>``).
SITE_TIMES = [datetime(2024, 5, 14, 12, minute, tzinfo=UTC) for minute in (5, 20, 40, 55)]

REMOVED = "Обсуждалась ситуация на Украине."
CALL_V1 = (
    "Состоялся телефонный разговор В.В.Путина с Президентом Франции Э.Макроном. "
    f"{REMOVED} Условлено продолжить контакты на различных уровнях."
)
CALL_V2 = CALL_V1.replace(f" {REMOVED}", "")
CALL_V3 = CALL_V2.replace("продолжить", "поддерживать")
CALL_V4 = CALL_V3.replace("Президентом Франции", "Президентом\u00a0Франции")  # typography only
EN_TITLE = "Telephone conversation with President of France Emmanuel Macron"
EN_TITLE_EDITED = "Telephone conversation with President of the French Republic Emmanuel Macron"
MARKUP = "Текст содержит {+вставку+}, [-удаление-] и <del>тег</del>."
DECREE_V1 = f"{MARKUP} Указ вступает в силу со дня его подписания."
DECREE_V2 = DECREE_V1.replace("содержит", "включает")


def record(item_id: int, title: str, **fields: Any) -> ItemRecord:
    """An article record published at `PUBLISHED`, stated changed at the first of `SITE_TIMES`."""
    return web_record(item_id, title, PUBLISHED, **{"site_updated_at": SITE_TIMES[0], **fields})


def fill(engine: sa.Engine) -> None:
    """The archive of the module docstring, stored in the order the edits happened."""
    store = ArchiveStore(engine)
    call = record(
        70001, "Телефонный разговор с Президентом Франции Эммануэлем Макроном", kind="call", text=CALL_V1
    )
    store.store(call)
    store.store(replace(call, text=CALL_V2, site_updated_at=SITE_TIMES[1]))
    store.store(replace(call, text=CALL_V3, site_updated_at=SITE_TIMES[2]))
    english = record(
        70001,
        EN_TITLE,
        kind="call",
        lang="en",
        url="http://en.kremlin.ru/events/president/news/70001",
        text="Vladimir Putin had a telephone conversation with Emmanuel Macron.",
    )
    store.store(english)
    store.store(replace(english, title=EN_TITLE_EDITED, site_updated_at=SITE_TIMES[1]))
    decree = record(70002, "Указ о наградах", kind="decree", text=DECREE_V1)
    store.store(decree)
    store.store(replace(decree, text=DECREE_V2, site_updated_at=SITE_TIMES[1]))
    result = store.store(replace(call, text=CALL_V4, site_updated_at=SITE_TIMES[3]))
    assert result.cosmetic
    store.store(record(70003, "Рабочая встреча с губернатором", text="Встреча прошла в Кремле."))
    assert store.mark_gone([70003], "ru") == 1


@pytest.fixture
def archive(engine: sa.Engine, database_url: str) -> str:
    fill(engine)
    return database_url


def cli(archive: str, *args: str) -> Any:
    return run_cli(*args, env=cli_env(database_url=archive))


def one_line_error(result: Any) -> str:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def table_rows(stdout: str) -> list[list[str]]:
    """The table's rows (header first) split into columns (two spaces or more apart)."""
    lines = stdout.splitlines()
    return [re.split(r" {2,}", line.strip()) for line in lines[:-1]]


# --- kremlin-watch edits --------------------------------------------------------------------------


def test_edits_table_lists_every_edit_newest_first(archive: str) -> None:
    shown = cli(archive, "edits")
    assert shown.returncode == 0, shown.stderr
    rows = table_rows(shown.stdout)
    assert rows[0] == [
        "first seen (Moscow)",
        "site time",
        "id",
        "lang",
        "kind",
        "version",
        "title",
        "summary",
    ]
    assert [row[2:6] for row in rows[1:]] == [
        ["70003", "ru", "news", "withdrawn"],
        ["70002", "ru", "decree", "1→2"],
        ["70001", "en", "call", "1→2"],
        ["70001", "ru", "call", "2→3"],
        ["70001", "ru", "call", "1→2"],
    ]
    summaries = [row[7] for row in rows[1:]]
    assert summaries == [
        "withdrawn by the site (its page answers 404/410); last text kept",
        "text: 1 sentence changed",
        "title reworded",
        "text: 1 sentence changed",
        "text: 1 sentence removed",
    ]
    assert rows[3][6] == EN_TITLE_EDITED[:59] + "…"  # the title the item has now, cut to 60
    # The site's time of the new version, in Moscow time; a withdrawal has none.
    assert rows[4][1] == moscow_clock(SITE_TIMES[2]) and rows[5][1] == moscow_clock(SITE_TIMES[1])
    assert rows[1][1] == "—"
    assert shown.stdout.splitlines()[-1].startswith("5 edit(s) and withdrawal(s), newest first")
    assert "typography" not in "".join(summaries)


def test_edits_cosmetic_only_when_asked_and_marked(archive: str) -> None:
    rows = table_rows(cli(archive, "edits", "--cosmetic").stdout)[1:]
    assert len(rows) == 6
    cosmetic = [row for row in rows if row[5] == "3→4"]
    assert len(cosmetic) == 1 and cosmetic[0][7] == "[typography only] typography only"


def test_edits_filters(archive: str) -> None:
    decrees = table_rows(cli(archive, "edits", "--kind", "decree").stdout)[1:]
    assert [(row[2], row[5]) for row in decrees] == [("70002", "1→2")]
    english = table_rows(cli(archive, "edits", "--lang", "en").stdout)[1:]
    assert [(row[2], row[3]) for row in english] == [("70001", "en")]
    newest = table_rows(cli(archive, "edits", "--limit", "2").stdout)[1:]
    assert [row[2] for row in newest] == ["70003", "70002"]
    future = cli(archive, "edits", "--since", "2999-01-01")
    assert future.returncode == 0 and future.stdout.splitlines()[0] == "(no edits)"
    today = table_rows(cli(archive, "edits", "--since", "2000-01-01").stdout)[1:]
    assert len(today) == 5


def test_edits_json_carries_the_structured_diff(archive: str) -> None:
    found = json.loads(cli(archive, "edits", "--format", "json").stdout)
    assert [(e["id"], e["lang"], e["version"], e["withdrawn"]) for e in found] == [
        (70003, "ru", 1, True),
        (70002, "ru", 2, False),
        (70001, "en", 2, False),
        (70001, "ru", 3, False),
        (70001, "ru", 2, False),
    ]
    withdrawn, decree, english, changed, removed = found
    assert withdrawn["diff"] is None and withdrawn["key"] == "70003:ru:withdrawn"
    assert changed["key"] == "70001:ru:3" and changed["previous_version"] == 2
    assert changed["site_at"] == SITE_TIMES[2].isoformat() and changed["seen_at"]
    [field] = changed["diff"]["fields"]
    [sentence] = field["sentences"]
    assert sentence["op"] == "changed"
    assert [(s["op"], s["text"]) for s in sentence["segments"] if s["op"] != "equal"] == [
        ("removed", "продолжить"),
        ("added", "поддерживать"),
    ]
    assert removed["diff"]["fields"][0]["sentences"] == [
        {"op": "removed", "before": REMOVED, "after": None, "segments": [{"op": "removed", "text": REMOVED}]}
    ]
    assert english["summary"] == "title reworded" and decree["kind"] == "decree"
    cosmetic = json.loads(cli(archive, "edits", "--cosmetic", "--format", "json").stdout)
    assert [e["cosmetic"] for e in cosmetic].count(True) == 1
    [typography] = [e for e in cosmetic if e["cosmetic"]]
    assert typography["diff"]["cosmetic"] and typography["summary"] == "typography only"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--since", "yesterday"), "since: expected a day as YYYY-MM-DD, got 'yesterday'"),
        (("--kind", "phonecall"), f"kind: {kind_problem('phonecall')}"),
        (("--lang", "de"), f"lang: {lang_problem('de')}"),
        (("--format", "yaml"), "format: invalid choice: 'yaml'"),
        (("--limit", "0"), "limit: expected a whole number from 1 to 1000000000, got '0'"),
    ],
)
def test_edits_refuses_bad_input_in_one_line(database_url: str, args: tuple[str, ...], words: str) -> None:
    # Refused before the archive is opened: no archive needed.
    line = one_line_error(cli(database_url, "edits", *args))
    assert line.startswith(f"kremlin-watch: error: {words}"), line


def test_edits_refuses_a_missing_archive(tmp_path: Any) -> None:
    missing = tmp_path / "absent.sqlite3"
    line = one_line_error(cli(f"sqlite:///{missing}", "edits"))
    assert (
        line
        == f"kremlin-watch: error: no archive at {missing}; run `kremlin-watch crawl` or check database_url"
    )
    assert not missing.exists()


# --- show --diff ----------------------------------------------------------------------------------


def test_show_diff_of_the_newest_and_of_a_chosen_version(archive: str) -> None:
    newest = cli(archive, "show", "70001", "--diff")
    assert newest.returncode == 0, newest.stderr
    lines = newest.stdout.splitlines()
    assert (
        lines[0]
        == "70001  ru  call  version 3 → 4: Телефонный разговор с Президентом Франции Эммануэлем Макроном"
    )
    assert lines[1] == "http://kremlin.ru/events/president/news/70001"
    assert lines[2].startswith(
        f"the site says it changed {moscow_clock(SITE_TIMES[3])} (Moscow); first seen "
    )
    assert lines[4:] == ["Typography", "  typography only (quotes, dashes, spaces): not an edit"]
    second = cli(archive, "show", "70001", "--diff", "2").stdout.splitlines()
    assert second[0].startswith("70001  ru  call  version 1 → 2: ")
    assert second[4:] == ["Text — 1 sentence removed", f"  − {REMOVED}"]
    third = cli(archive, "show", "70001", "--diff", "3").stdout.splitlines()
    assert third[4:] == [
        "Text — 1 sentence changed",
        "  ~ Условлено [-продолжить-]{+поддерживать+} контакты на различных уровнях.",
    ]
    english = cli(archive, "show", "70001", "--diff", "--lang", "en").stdout.splitlines()
    assert english[0] == f"70001  en  call  version 1 → 2: {EN_TITLE_EDITED}"
    assert english[4:] == [
        "Title — reworded",
        "  ~ Telephone conversation with President of [-France-]{+the French Republic+} Emmanuel Macron",
    ]
    as_json = json.loads(cli(archive, "show", "70001", "--diff", "3", "--format", "json").stdout)
    assert as_json["key"] == "70001:ru:3" and as_json["summary"] == "text: 1 sentence changed"


def test_show_diff_of_text_holding_diff_marks(archive: str) -> None:
    lines = cli(archive, "show", "70002", "--diff").stdout.splitlines()
    assert lines[4:] == [
        "Text — 1 sentence changed",
        "  ~ Текст [-содержит-]{+включает+} \\{+вставку\\+}, \\[-удаление\\-] и <del>тег</del>.",
    ]


def test_show_without_diff_lists_the_edits(archive: str) -> None:
    shown = cli(archive, "show", "70001", "--lang", "ru").stdout.splitlines()
    start = shown.index("Edits (3), newest first:")
    assert shown[start + 1].startswith("  version 3 → 4, first seen ") and shown[start + 1].endswith(
        ": typography only"
    )
    assert f"      − {REMOVED}" in shown


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (
            ("70001", "--diff", "1"),
            "version 1 of item 70001 (ru) is the first: it replaced nothing (--diff 2 to 4 shows an edit)",
        ),
        (("70001", "--diff", "9"), "item 70001 (ru) has versions 1 to 4, not version 9"),
        (
            ("70003", "--diff"),
            "version 1 of item 70003 (ru) is the first: it replaced nothing (nothing was edited)",
        ),
        (("70001", "--diff", "3", "--lang", "en"), "item 70001 (en) has versions 1 to 2, not version 3"),
        (("70002", "--diff", "--lang", "en"), "no en version of item 70002 in the archive"),
        (("424242", "--diff"), "no item 424242 in the archive"),
        (("70001", "--diff", "0"), "diff: expected a whole number from 1 to 1000000000, got '0'"),
        (("70001", "--diff", "two"), "diff: expected a whole number from 1 to 1000000000, got 'two'"),
        (("70001", "--lang", "de"), f"lang: {lang_problem('de')}"),
    ],
)
def test_show_diff_refuses_what_is_not_there(archive: str, args: tuple[str, ...], words: str) -> None:
    assert one_line_error(cli(archive, "show", *args)) == f"kremlin-watch: error: {words}"


# --- the web side: page, feed and API through `kremlin-watch serve` -------------------------------


@pytest.fixture
def served(archive: str) -> Iterator[str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with ServeProcess(archive, port) as server:
        wait_for(f"{base}/openapi.json")
        yield base
    assert server.returncode == 0, server.stderr


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def feed_entries(base: str, query: str = "") -> list[dict[str, Any]]:
    status, body = get(f"{base}/feeds/edits.atom{query}")
    assert status == 200
    feed = etree.fromstring(body)
    entries = []
    for entry in feed.iter(f"{ATOM}entry"):
        content = entry.find(f"{ATOM}content")
        assert content is not None and content.get("type") == "html"
        entries.append(
            {
                "id": entry.findtext(f"{ATOM}id"),
                "title": entry.findtext(f"{ATOM}title"),
                "updated": entry.findtext(f"{ATOM}updated"),
                "summary": entry.findtext(f"{ATOM}summary"),
                "html": content.text,
            }
        )
    return entries


def marks(fragment: str) -> list[tuple[str | None, list[str], list[str]]]:
    """Per diff line: its class, the removed and the added runs."""
    tree = lxml_html.fromstring(f"<div>{fragment}</div>")
    return [
        (
            li.get("class"),
            [d.text_content() for d in li.cssselect("del")],
            [i.text_content() for i in li.cssselect("ins")],
        )
        for li in tree.cssselect("li")
    ]


def test_page_and_feed_show_the_same_diff(served: str) -> None:
    entries = feed_entries(served)
    assert [entry["id"] for entry in entries] == [
        "http://kremlin.ru/events/president/news/70003#edit-70003:ru:withdrawn",
        "http://kremlin.ru/events/president/news/70002#edit-70002:ru:2",
        "http://en.kremlin.ru/events/president/news/70001#edit-70001:en:2",
        "http://kremlin.ru/events/president/news/70001#edit-70001:ru:3",
        "http://kremlin.ru/events/president/news/70001#edit-70001:ru:2",
    ]  # the typography-only edit (70001:ru:4) is not news
    assert [entry["title"] for entry in entries] == [
        "Withdrawn: Рабочая встреча с губернатором",
        "Edited: Указ о наградах",
        f"Edited: {EN_TITLE_EDITED}",
        "Edited: Телефонный разговор с Президентом Франции Эммануэлем Макроном",
        "Edited: Телефонный разговор с Президентом Франции Эммануэлем Макроном",
    ]
    assert entries[3]["summary"] == "text: 1 sentence changed (version 2 → 3)"
    pages: dict[int, str] = {}
    for entry in entries:
        item_id, lang, step = entry["id"].rsplit("#edit-", 1)[1].split(":")
        if int(item_id) not in pages:
            status, body = get(f"{served}/items/{item_id}")
            assert status == 200
            pages[int(item_id)] = body.decode()
        page = pages[int(item_id)]
        # The very same HTML, byte for byte, on the page and in the feed.
        assert entry["html"] in page, entry["id"]
        shown = lxml_html.fromstring(page).cssselect(f"#edit-{lang}-{step}")
        assert len(shown) == 1, entry["id"]
        if step != "withdrawn":
            diff = shown[0].cssselect("div.diff")[0]
            inner = "".join(etree.tostring(child, encoding="unicode", method="html") for child in diff)
            assert marks(inner) == marks(entry["html"])
    assert marks(entries[4]["html"]) == [("removed", [REMOVED], [])]
    assert marks(entries[3]["html"]) == [("changed", ["продолжить"], ["поддерживать"])]
    assert marks(entries[2]["html"]) == [("changed", ["France"], ["the French Republic"])]
    assert "Withdrawn by the site" in entries[0]["html"]


def test_text_holding_diff_marks_shows_as_text(served: str) -> None:
    [entry] = feed_entries(served, "?kind=decree")
    assert marks(entry["html"]) == [("changed", ["содержит"], ["включает"])]
    page = lxml_html.fromstring(get(f"{served}/items/70002")[1].decode())
    [edit] = page.cssselect("#edit-ru-2")
    assert [d.text_content() for d in edit.cssselect("del")] == ["содержит"]
    assert [i.text_content() for i in edit.cssselect("ins")] == ["включает"]
    assert (
        edit.cssselect("li")[0].text_content()
        == "~ Текст содержитвключает {+вставку+}, [-удаление-] и <del>тег</del>."
    )
    # The article itself: the page's own marks as text, no <del>/<ins> outside the diffs.
    [article] = page.cssselect("article.item")
    assert article.cssselect("del") == [] and article.cssselect("ins") == []
    assert "{+вставку+}, [-удаление-] и <del>тег</del>." in article.text_content()


def test_page_flags_the_typography_only_revision(served: str) -> None:
    page = lxml_html.fromstring(get(f"{served}/items/70001")[1].decode())
    [cosmetic] = page.cssselect("#edit-ru-4")
    assert "cosmetic" in cosmetic.get("class").split()
    assert cosmetic.cssselect(".flag")[0].text_content() == "typography only"
    assert cosmetic.cssselect("del") == [] and cosmetic.cssselect("ins") == []
    assert "not an edit" in cosmetic.text_content()
    # The English version lists its own edit under its own article.
    english = page.cssselect("#edit-en-2")[0]
    assert "title reworded" in english.text_content()
    # The page links the edits feed.
    assert page.cssselect('link[rel=alternate][href="/feeds/edits.atom"]')


def test_edits_feed_by_kind_and_refusals(served: str) -> None:
    assert [entry["title"] for entry in feed_entries(served, "?kind=call")] == [
        f"Edited: {EN_TITLE_EDITED}",
        "Edited: Телефонный разговор с Президентом Франции Эммануэлем Макроном",
        "Edited: Телефонный разговор с Президентом Франции Эммануэлем Макроном",
    ]
    assert feed_entries(served, "?kind=interview") == []
    status, body = get(f"{served}/feeds/edits.atom?kind=phonecall")
    assert status == 422 and kind_problem("phonecall") in body.decode()


def test_revisions_api(served: str) -> None:
    status, body = get(f"{served}/api/items/70001/revisions")
    assert status == 200
    answer = json.loads(body)
    assert answer["id"] == 70001 and [v["lang"] for v in answer["versions"]] == ["ru", "en"]
    russian, english = answer["versions"]
    assert russian["version"] == 4 and russian["withdrawn_at"] is None
    history = russian["history"]
    assert [(v["version"], v["cosmetic"]) for v in history] == [(1, False), (2, False), (3, False), (4, True)]
    assert history[0]["changes"] is None and history[0]["seen_at"]
    assert [v["changes"]["summary"] for v in history[1:]] == [
        "text: 1 sentence removed",
        "text: 1 sentence changed",
        "typography only",
    ]
    assert [v["site_updated_at"] for v in history] == [moment.isoformat() for moment in SITE_TIMES]
    assert history[3]["replaced_at"] is None and history[2]["replaced_at"] == history[3]["seen_at"]
    [field] = history[2]["changes"]["fields"]
    assert [(s["op"], s["text"]) for s in field["sentences"][0]["segments"] if s["op"] != "equal"] == [
        ("removed", "продолжить"),
        ("added", "поддерживать"),
    ]
    assert english["history"][1]["changes"]["summary"] == "title reworded"
    gone = json.loads(get(f"{served}/api/items/70003/revisions")[1])
    assert gone["versions"][0]["withdrawn_at"] is not None
    status, body = get(f"{served}/api/items/424242/revisions")
    assert status == 404 and json.loads(body) == {"detail": "no item 424242 in the archive"}
    assert get(f"{served}/api/items/abc/revisions")[0] == 422
    assert get(f"{served}/api/items/-1/revisions")[0] == 422
    # The item API's revisions carry the same structured diff.
    item = json.loads(get(f"{served}/api/items/70001")[1])
    assert [r["changes"]["summary"] for r in item["revisions"]] == [
        v["changes"]["summary"] for v in history[1:]
    ]
    assert [r["cosmetic"] for r in item["revisions"]] == [False, False, True]
