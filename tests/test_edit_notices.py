"""Edit and withdrawal notices: a rule's ``edits = true``, the built-in rules of ``edit_notices``,
the outbox rows an edit or a withdrawal makes (once), and what a reader receives in each medium.

E-mail goes to a real SMTP server (aiosmtpd), webhooks to a real HTTP server, both on 127.0.0.1;
Slack's HTTP call is intercepted, as in tests/test_alerts.py. The last test runs the daemon against
the replica while the replica edits its items.
"""

from __future__ import annotations

import dataclasses
import json
import signal
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar
from unittest import mock

import pytest
import sqlalchemy as sa

from alerts.delivery import Deliverer
from alerts.destinations import Destination, parse_notify_setting
from alerts.rules import RulesError, load_rules, with_edit_notice_rules
from alerts.trigger import AlertTrigger
from archive.engine import make_engine
from archive.outbox import Outbox
from archive.records import ItemRecord
from archive.store import ArchiveStore, Outcome
from archive.types import utcnow
from calls.ledger import CallRecorder
from query.morphology import Lemmatizer
from replica.corpus import Corpus
from replica.server import ReplicaServer
from settings.errors import ConfigError
from settings.loading import load_settings
from tests.conftest import SmtpServer, WebhookReceiver, cli_env, free_port, run_cli
from tests.test_daemon import Daemon, daemon_env, subjects, wait_for
from tests.test_edits_readers import feed_entries, get, marks
from tests.test_web import ServeProcess

SLACK_URL = "https://hooks.slack.com/services/T1234ABCD/B5678EFGH/abcdefghijklmnopqrstuvwx"

RULES = """
[[rule]]
name = "sanctions"
query = "санкции"
edits = true

[[rule]]
name = "plain"
query = "санкции"
realert = true
"""

TITLE = "Телефонный разговор с Президентом Франции Эммануэлем Макроном"
FIRST = "Состоялся телефонный разговор с Президентом Франции Эммануэлем Макроном."
SANCTIONS = "Обсуждались «последствия» санкций для торговли - и безопасность в Европе."
LAST = "Стороны договорились продолжить контакты."
WHEN = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def typeset(text: str) -> str:
    """The text re-typeset: «» to "", a hyphen to an em dash (what the site's typographer does)."""
    return text.replace("«", '"').replace("»", '"').replace(" - ", " — ")


def record(text: str, title: str = TITLE, updated: datetime = WHEN, item_id: int = 70001) -> ItemRecord:
    return ItemRecord(
        id=item_id,
        url=f"http://kremlin.ru/events/president/news/{item_id}",
        lang="ru",
        section="events/president/news",
        title=title,
        kind="call",
        lead=FIRST,
        text=text,
        published_at=WHEN,
        site_updated_at=updated,
    )


class Watch:
    """What a check does with each stored version (the crawl's hooks) and after it (send), without
    the crawl: the crawler is not the subject here."""

    def __init__(
        self, engine: sa.Engine, tmp_path: Path, notify: str, rules: str = RULES, kinds: tuple[str, ...] = ()
    ) -> None:
        path = tmp_path / "rules.toml"
        path.write_text(rules, encoding="utf-8")
        self.destinations: list[Destination] = parse_notify_setting(notify)
        self.rules = with_edit_notice_rules(load_rules(path, self.destinations), kinds)
        self.engine = engine
        self.store = ArchiveStore(engine)
        self.recorder = CallRecorder()
        self.trigger = AlertTrigger(engine, self.rules, self.destinations, Lemmatizer())
        self.deliverer = Deliverer(engine, self.destinations, self.rules, backoff=0)

    def hooks(self, session: Any, stored: ItemRecord, result: Any) -> None:
        self.recorder(session, stored, result)
        self.trigger(session, stored, result)

    def stored(self, stored: ItemRecord) -> Any:
        return self.store.store(stored, self.hooks)

    def rows(self) -> list[tuple[str, int, str | None]]:
        """(rule, version, notice) of every outbox row, in order."""
        return sorted((row.rule, row.item_version, row.notice) for row in Outbox(self.engine).rows())


# --- rules ------------------------------------------------------------------------------------------


def test_edits_field_is_read_and_its_errors_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text('[[rule]]\nname = "a"\nkinds = ["call"]\nedits = "yes"\n', encoding="utf-8")
    with pytest.raises(RulesError) as caught:
        load_rules(path)
    assert caught.value.problems == [f"{path}:4: rule 'a': edits: expected true or false, got 'yes'"]
    result = run_cli("rules", "check", str(path), env=cli_env())
    assert result.returncode == 2 and result.stderr.strip() == caught.value.problems[0]
    path.write_text('[[rule]]\nname = "a"\nkinds = ["call"]\nedits = true\n', encoding="utf-8")
    [rule] = load_rules(path)
    assert rule.edits and not rule.edits_only and rule.kinds == ("call",)
    result = run_cli("rules", "check", str(path), env=cli_env())
    assert result.returncode == 0 and "a: kinds=call  → all destinations  + edit notices" in result.stdout


def test_edit_notices_setting_adds_an_edits_only_rule(tmp_path: Path) -> None:
    config = tmp_path / "kw.toml"
    config.write_text('download_delay = 0\nedit_notices = ["call", "phonecall"]\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(config, env={})
    assert str(caught.value) == (
        f"{config}:2: edit_notices: unknown kind 'phonecall' (known: all, call, decree, meeting, greeting, "
        "interview, address, news)"
    )
    config.write_text('edit_notices = "call"\n', encoding="utf-8")  # one kind as a string will do
    assert load_settings(config, env={}).edit_notices == ("call",)
    assert load_settings(env={"KREMLIN_WATCH_EDIT_NOTICES": "call, decree"}).edit_notices == (
        "call",
        "decree",
    )
    assert load_settings(env={"KREMLIN_WATCH_EDIT_NOTICES": '["all"]'}).edit_notices == ("all",)
    bad = run_cli("status", env=cli_env(edit_notices="all call"))
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert "KREMLIN_WATCH_EDIT_NOTICES: 'all' already names every kind" in bad.stderr

    listed = run_cli("rules", "list", env=cli_env(edit_notices="call"))
    assert listed.returncode == 0, listed.stderr
    assert (
        "  edits-call: kinds=call  → all destinations  (built in: edit_notices; edit and withdrawal "
        "notices only)" in listed.stdout
    )
    rules = tmp_path / "rules.toml"
    rules.write_text('[[rule]]\nname = "edits-call"\nquery = "санкции"\n', encoding="utf-8")
    checked = run_cli("rules", "check", str(rules), env=cli_env(edit_notices="call"))
    assert checked.returncode == 2
    assert checked.stderr.strip() == (
        "edit_notices: the built-in rule 'edits-call' has the name of the rule on line 1 of the rules "
        "file; rename that rule"
    )
    rules.write_text('[[rule]]\nname = "sanctions"\nquery = "санкции"\n', encoding="utf-8")
    checked = run_cli("rules", "check", str(rules), env=cli_env(edit_notices="all"))
    assert checked.returncode == 0, checked.stderr
    assert "2 rules (2 enabled)" in checked.stdout and "  edits-all: every item  →" in checked.stdout


# --- the outbox rows an edit makes -----------------------------------------------------------------


def test_real_edits_notify_once_cosmetic_ones_never(engine: sa.Engine, tmp_path: Path) -> None:
    watch = Watch(engine, tmp_path, "json://127.0.0.1:9/hook", kinds=("call",))
    assert watch.stored(record(f"{SANCTIONS} {LAST}")).outcome is Outcome.NEW
    # A new item alerts as before; the edits-only rule says nothing of a new item.
    assert watch.rows() == [("plain", 1, None), ("sanctions", 1, None)]

    # Typography only: «» to "", a hyphen to an em dash. No row at all, not even plain's realert.
    cosmetic = watch.stored(record(typeset(SANCTIONS) + " " + LAST))
    assert (cosmetic.outcome, cosmetic.cosmetic, cosmetic.version) == (Outcome.CHANGED, True, 2)
    assert len(watch.rows()) == 2

    # The sentence with «санкций» removed: news to the sanctions rule (the old version matched), to
    # edits-call; plain realerts only on a version that matches, and this one does not.
    removed = watch.stored(record(LAST, updated=WHEN + timedelta(hours=1)))
    assert (removed.outcome, removed.cosmetic, removed.version) == (Outcome.CHANGED, False, 3)
    assert watch.rows() == [
        ("edits-call", 3, "edit"),
        ("plain", 1, None),
        ("sanctions", 1, None),
        ("sanctions", 3, "edit"),
    ]
    # Storing the same page again, or queueing the same version again, adds nothing.
    assert watch.stored(record(LAST, updated=WHEN + timedelta(hours=1))).outcome is Outcome.UNCHANGED
    again = watch.trigger.alerts_for(record(LAST), removed)
    assert len(again) == 2 and Outbox(engine).enqueue(again) == 0
    assert all(not row.digest for row in Outbox(engine).rows() if row.notice)

    # An edit of an item no rule matches, in either version: only the built-in rule hears of it.
    watch.stored(record("Обсуждались вопросы культуры.", item_id=70002))
    watch.stored(record("Обсуждались вопросы спорта.", item_id=70002, updated=WHEN + timedelta(hours=2)))
    assert [row for row in watch.rows() if row[1] == 2] == [("edits-call", 2, "edit")]


# --- what a reader receives --------------------------------------------------------------------------

HOSTILE_TITLE = "Разговор <!channel> <script>alert(1)</script> {+x+}"
HOSTILE_TEXT = "Текст [-y-] и {+x+} <b>жирный</b> <!here> без изменений."


class SlackReply:
    status_code = 200
    content = b"ok"
    text = "ok"
    headers: ClassVar[dict[str, str]] = {}


@pytest.fixture
def slack_requests() -> Iterator[mock.MagicMock]:
    """Slack's HTTP calls, intercepted (Slack is on the internet); every other call goes out."""
    import requests

    real = requests.request

    def answer(method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        return (
            SlackReply() if url.startswith("https://hooks.slack.com/") else real(method, url, *args, **kwargs)
        )

    with mock.patch("requests.request", side_effect=answer) as request:
        yield request


def slack_bodies(request: mock.MagicMock) -> list[tuple[str, str]]:
    """(title, text) of every message sent to Slack."""
    found = []
    for call in request.call_args_list:
        if call.args[1].startswith("https://hooks.slack.com/"):
            payload = json.loads(call.kwargs["data"])
            found.append((payload["attachments"][0]["title"], payload["attachments"][0]["text"]))
    return found


def test_an_edit_notice_in_email_webhook_and_slack(
    engine: sa.Engine,
    tmp_path: Path,
    smtp_server: SmtpServer,
    webhook: WebhookReceiver,
    slack_requests: mock.MagicMock,
) -> None:
    notify = f"{smtp_server.url()}; {webhook.url()}; {SLACK_URL}"
    watch = Watch(
        engine, tmp_path, notify, rules='[[rule]]\nname = "sanctions"\nquery = "санкции"\nedits = true\n'
    )
    before = f"{HOSTILE_TEXT} {SANCTIONS} Путин обменялся мнениями с Макроном. {LAST}"
    after = f"{HOSTILE_TEXT} Путин обсудил с Макроном ситуацию. {LAST}"
    watch.stored(record(before, title=HOSTILE_TITLE))
    assert watch.deliverer.send_due().sent == 3  # the new item's alert, in each medium
    edited = watch.stored(
        record(after, title=HOSTILE_TITLE + " (дополнено)", updated=WHEN + timedelta(hours=2))
    )
    assert edited.outcome is Outcome.CHANGED
    assert watch.deliverer.send_due().sent == 3
    subject = f"[kremlin-watch] sanctions: edited — {HOSTILE_TITLE} (дополнено)"

    # E-mail: HTML, the page's words escaped, removed and added words in <del>/<ins>.
    message = smtp_server.messages[-1]
    assert message["Subject"] == subject
    html = message.get_body(("html",)).get_content()
    assert "Changed on the site: 01.03.2024 17:00 (Moscow) · first seen " in html
    assert "What changed: title reworded; text: 1 sentence removed, 1 changed" in html
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>жирный</b>" not in html and "&lt;!channel&gt;" in html
    assert "{+x+}" in html  # the page's own marks stay text: no <ins> made of them
    assert "<del" in html and "Обсуждались «последствия» санкций" in html
    assert ">обменялся мнениями</del>" in html
    assert ">обсудил</ins>" in html
    assert html.index("Title") < html.index("Text")  # title changes first

    # Webhook (plain text): wdiff marks; the page's own marks backslash-escaped, so they read as text.
    posted = webhook.received[-1]
    assert posted["title"] == subject
    text = posted["message"]
    assert "Changed on the site: 01.03.2024 17:00 (Moscow)" in text
    assert "  − Обсуждались «последствия» санкций для торговли - и безопасность в Европе." in text
    assert "  ~ Путин [-обменялся мнениями-]{+обсудил+} с Макроном {+ситуацию+}." in text
    assert "  ~ Разговор <!channel> <script>alert(1)</script> \\{+x\\+} {+(дополнено)+}" in text
    assert "[-y-]" not in text  # the unchanged sentence is not shown at all

    # Slack: Markdown that Apprise turns into Slack's: struck removed words, bold added ones.
    [(title, body)] = slack_bodies(slack_requests)[-1:]
    assert "<!channel>" not in title + body and "<script>" not in title + body
    assert "‹!channel›" in body and "‹script›" in body
    assert "~Обсуждались «последствия» санкций для торговли - и безопасность в Европе.~" in body
    assert "*обсудил*" in body
    assert "<http://kremlin.ru/events/president/news/70001|" in body
    assert "edited — " in title


def test_a_withdrawal_is_notified_once_next_to_the_alert_of_the_same_version(
    engine: sa.Engine, tmp_path: Path, webhook: WebhookReceiver, slack_requests: mock.MagicMock
) -> None:
    watch = Watch(engine, tmp_path, f"{webhook.url()}; {SLACK_URL}", kinds=("all",))
    start = utcnow()
    watch.stored(record(f"{HOSTILE_TEXT} {SANCTIONS}", title=HOSTILE_TITLE))
    assert watch.deliverer.send_due().sent == 4  # sanctions and plain, two destinations each
    assert watch.trigger.withdrawal_alerts(start) == []  # nothing withdrawn yet

    watch.store.mark_gone([70001], "ru")
    queued = Outbox(engine).enqueue(watch.trigger.withdrawal_alerts(start))
    assert queued == 4  # sanctions and edits-all (plain has no edits), two destinations each
    watch.store.mark_gone([70001], "ru", now=utcnow() + timedelta(hours=2))  # the page's next 404
    assert Outbox(engine).enqueue(watch.trigger.withdrawal_alerts(start)) == 0  # once ever
    rows = [row for row in Outbox(engine).rows() if row.notice == "withdrawn"]
    assert {(row.incident, row.item_id, row.item_lang, row.item_version) for row in rows} == {
        ("withdrawn:70001:ru", 70001, "ru", 1)
    }
    # A withdrawal row is about an item: `alerted` does not count it, an alert of a twin is unchanged.
    assert watch.trigger.outbox.alerted(70001) == {
        (rule, destination.key): {"ru"}
        for rule in ("plain", "sanctions")
        for destination in watch.destinations
    }

    assert watch.deliverer.send_due().sent == 4
    subjects_sent = [posted["title"] for posted in webhook.received[-2:]]
    assert sorted(subjects_sent) == [
        f"[kremlin-watch] edits-all: withdrawn — {HOSTILE_TITLE}",
        f"[kremlin-watch] sanctions: withdrawn — {HOSTILE_TITLE}",
    ]
    text = webhook.received[-1]["message"]
    assert "The site withdrew this item: its page answers 404/410" in text
    assert "First found withdrawn: " in text and "kremlin-watch show 70001" in text
    [(_title, body)] = slack_bodies(slack_requests)[-1:]
    assert "kremlin-watch show 70001" in body and "<!channel>" not in body
    assert watch.deliverer.send_due().sent == 0


# --- end to end: the daemon while the replica edits its items ----------------------------------------

RULES_E2E = '[[rule]]\nname = "calls"\nquery = "санкции"\nkinds = ["call"]\nedits = true\n'
PARAGRAPHS = [
    (None, "Состоялся телефонный разговор Владимира Путина с Президентом Франции Эммануэлем Макроном."),
    (None, "Обсуждались «последствия» санкций для торговли - и безопасность в Европе."),
    (None, "Стороны договорились продолжить контакты."),
]


@pytest.fixture
def quiet_site() -> Iterator[ReplicaServer]:
    """A replica whose items match no rule until a test publishes one."""
    corpus = Corpus.generate(40, lang="ru", seed=13)
    quiet = [
        dataclasses.replace(i, paragraphs=[(None, "Обсуждались вопросы регионального развития.")])
        for i in corpus
    ]
    with ReplicaServer(Corpus(quiet, lang="ru")) as server:
        yield server


def publish(site: ReplicaServer, number: int) -> Any:
    item = site.corpus.next_item(kind="call")
    return site.corpus.publish(
        dataclasses.replace(
            item,
            title=f"Телефонный разговор с Президентом Франции Эммануэлем Макроном ({number})",
            lead="Состоялся телефонный разговор.",
            paragraphs=list(PARAGRAPHS),
            place=None,
        )
    )


def test_the_daemon_notifies_each_real_edit_once_and_never_a_cosmetic_one(
    quiet_site: ReplicaServer, database_url: str, tmp_path: Path, smtp_server: SmtpServer
) -> None:
    site = quiet_site
    env = daemon_env(site, database_url, tmp_path, smtp_server)
    (tmp_path / "rules.toml").write_text(RULES_E2E, encoding="utf-8")
    daemon = Daemon(env, tmp_path / "daemon.log")
    try:
        wait_for("the first check", lambda: daemon.health().get("last_check_at"))
        calls = [publish(site, number) for number in range(4)]
        wait_for("four alerts", lambda: len(smtp_server.messages) >= 4)
        assert len(smtp_server.messages) == 4

        def notice(what: str) -> Any:
            count = len(smtp_server.messages)
            wait_for(what, lambda: len(smtp_server.messages) > count)
            return smtp_server.messages[-1]

        removed, reworded, retitled, cosmetic = calls
        # 1. A sentence removed.
        site.corpus.edit(removed.id, paragraphs=[PARAGRAPHS[0], PARAGRAPHS[2]])
        message = notice("the notice of the removed sentence")
        assert message["Subject"] == f"[kremlin-watch] calls: edited — {removed.title}"
        html = message.get_body(("html",)).get_content()
        mailed = {removed.id: diff_marks(html)}
        assert "text: 1 sentence removed" in html
        assert "Обсуждались «последствия» санкций для торговли - и безопасность в Европе.</del>" in html
        # 2. A word changed.
        site.corpus.edit(
            reworded.id,
            paragraphs=[PARAGRAPHS[0], PARAGRAPHS[1], (None, "Стороны договорились возобновить контакты.")],
        )
        message = notice("the notice of the changed word")
        assert message["Subject"] == f"[kremlin-watch] calls: edited — {reworded.title}"
        html = message.get_body(("html",)).get_content()
        mailed[reworded.id] = diff_marks(html)
        assert "text: 1 sentence changed" in html
        assert ">продолжить</del>" in html and ">возобновить</ins>" in html
        # 3. The title reworded.
        new_title = retitled.title.replace("Телефонный разговор", "Телефонные переговоры")
        site.corpus.edit(retitled.id, title=new_title)
        message = notice("the notice of the reworded title")
        assert message["Subject"] == f"[kremlin-watch] calls: edited — {new_title}"
        assert "title reworded" in message.get_body(("html",)).get_content()
        mailed[retitled.id] = diff_marks(message.get_body(("html",)).get_content())
        # 4. Typography only: «» to "", a hyphen to an em dash. Stored as a cosmetic revision, no notice.
        site.corpus.edit(
            cosmetic.id, paragraphs=[PARAGRAPHS[0], (None, typeset(PARAGRAPHS[1][1])), PARAGRAPHS[2]]
        )
        engine = make_engine(database_url)
        try:
            wait_for("the cosmetic revision", lambda: cosmetic_revisions(engine, cosmetic.id))
        finally:
            engine.dispose()
        # 5. A withdrawal: the page answers 404 once the feed says the item changed.
        #    (The rule matches the version kept: this one still speaks of sanctions.)
        site.corpus.withdraw(reworded.id)
        site.corpus.edit(reworded.id)
        message = notice("the withdrawal notice")
        assert message["Subject"] == f"[kremlin-watch] calls: withdrawn — {reworded.title}"
        assert f"kremlin-watch show {reworded.id}" in message.get_body(("plain",)).get_content()
        sent = len(smtp_server.messages)
        before = daemon.checks_done()
        wait_for("two more checks", lambda: daemon.checks_done() >= before + 2)
        assert len(smtp_server.messages) == sent  # the cosmetic edit sent nothing, late or not
    finally:
        code = daemon.stop(signal.SIGTERM)
    assert code == 0, daemon.log()
    assert "Traceback" not in daemon.log()
    edited = [s for s in subjects(smtp_server) if ": edited — " in s]
    assert len(edited) == 3 and len(set(edited)) == 3

    again = Daemon(env, tmp_path / "daemon2.log")
    try:
        before = again.checks_done() if again.health() else 0
        wait_for("two more checks", lambda: again.checks_done() >= before + 2)
    finally:
        assert again.stop(signal.SIGINT) == 0, again.log()
    assert len(smtp_server.messages) == sent  # a restart sends nothing again

    # What the e-mails said is what the item pages and the edits feed of `kremlin-watch serve` show.
    assert mailed[removed.id] == [("removed", [PARAGRAPHS[1][1]], [])]
    assert mailed[reworded.id] == [("changed", ["продолжить"], ["возобновить"])]
    assert mailed[retitled.id] == [("changed", ["Телефонный разговор"], ["Телефонные переговоры"])]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with ServeProcess(database_url, port):
        wait_for("the web side", lambda: web_answers(f"{base}/openapi.json"))
        entries = feed_entries(base)
        for item_id, marks_mailed in mailed.items():
            [entry] = [entry for entry in entries if entry["id"].endswith(f"#edit-{item_id}:ru:2")]
            assert diff_marks(entry["html"]) == marks_mailed
            status, page = get(f"{base}/items/{item_id}")
            assert status == 200 and entry["html"] in page.decode()
        assert not [entry for entry in entries if f"#edit-{cosmetic.id}:" in entry["id"]]


def diff_marks(html: str) -> list[tuple[str | None, list[str], list[str]]]:
    """The diff lines of an HTML fragment (an e-mail, a feed entry): class, removed and added runs."""
    return [line for line in marks(html) if line[0] in ("removed", "added", "changed")]


def web_answers(url: str) -> bool:
    try:
        return get(url)[0] == 200
    except OSError:
        return False


def cosmetic_revisions(engine: sa.Engine, item_id: int) -> bool:
    from sqlmodel import Session, select

    from archive.models import ItemRevision

    with Session(engine) as session:
        revisions = session.exec(select(ItemRevision).where(ItemRevision.item_id == item_id)).all()
    return any(revision.cosmetic for revision in revisions)


def test_rules_test_knows_the_built_in_rules(quiet_site: ReplicaServer, database_url: str) -> None:
    """`rules test --rule edits-call` shows the calls the built-in rule of ``edit_notices`` watches."""
    site = quiet_site
    env = cli_env(base_url=site.base_url, database_url=database_url, download_delay="0", edit_notices="call")
    assert run_cli("crawl", "--pages", "1", env=env).returncode == 0
    result = run_cli("rules", "test", "--rule", "edits-call", "--format", "json", env=env)
    assert result.returncode == 0, result.stderr
    calls = [item for item in site.corpus.newest(20) if item.kind == "call"]
    assert calls and {entry["id"] for entry in json.loads(result.stdout)} >= {item.id for item in calls}
    assert {entry["kind"] for entry in json.loads(result.stdout)} == {"call"}
    missing = run_cli("rules", "test", "--rule", "edits-decree", env=env)
    assert missing.returncode == 2
    assert missing.stderr.strip() == (
        "kremlin-watch: error: no rule named 'edits-decree' in edit_notices (rules: edits-call)"
    )
