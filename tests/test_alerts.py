"""Alerts end to end: the replica publishes, `kremlin-watch crawl` matches and sends, real servers receive.

E-mail goes to a real SMTP server (aiosmtpd), webhooks to a real HTTP server, both on 127.0.0.1.
Slack is on the internet, so its HTTP call is intercepted, as Apprise's own tests do.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import ClassVar
from unittest import mock

import pytest
from sqlmodel import Session, select

from alerts.delivery import Deliverer
from alerts.destinations import parse_notify_setting
from alerts.messages import AlertItem, compose
from alerts.rules import load_rules
from alerts.trigger import AlertTrigger
from archive.engine import make_engine
from archive.models import OutboxEntry
from archive.outbox import NewAlert, Outbox
from archive.records import ItemRecord
from archive.store import ArchiveStore, Outcome, StoreResult
from archive.types import utcnow
from calls.ledger import CallRecorder
from query.morphology import Lemmatizer
from query.snippets import Snippet
from replica.corpus import Corpus
from replica.server import ReplicaServer
from tests.conftest import SmtpServer, WebhookReceiver, cli_env, run_cli

SEED_TEXT = [
    (
        None,
        "30 декабря состоялся телефонный разговор Владимира Путина с Президентом Соединённых Штатов Америки Джозефом Байденом.",
    ),
    (
        None,
        "Главной темой беседы стали вопросы реализации договорённости о запуске переговоров по предоставлению юридических гарантий обеспечения безопасности России.",
    ),
    (
        None,
        "С российской стороны был дан исчерпывающий ответ на вновь упомянутый Джозефом Байденом вариант принятия «масштабных» санкций против России.",
    ),
]

RULES = """
[[rule]]
name = "sanctions"
query = 'санкции OR НАТО'
kinds = ["call"]
notify = ["desk"]

[[rule]]
name = "guarantees"
query = '"юридические гарантии"'
notify = ["ops"]
"""


@pytest.fixture
def site() -> Iterator[ReplicaServer]:
    """A replica whose generated corpus matches none of the rules: only published items alert."""
    corpus = Corpus.generate(60, lang="ru", seed=11)
    quiet = [
        dataclasses.replace(
            item, paragraphs=[(None, "Обсуждались вопросы регионального развития.")], lead="Рабочая встреча."
        )
        for item in corpus
    ]
    with ReplicaServer(Corpus(quiet, lang="ru")) as server:
        yield server


def publish_call(
    site: ReplicaServer,
    title: str = "Телефонный разговор с Президентом США Джозефом Байденом",
    paragraphs=SEED_TEXT,
):  # type: ignore[no-untyped-def]
    item = site.corpus.next_item(kind="call")
    item = dataclasses.replace(
        item, title=title, lead="Состоялся телефонный разговор.", paragraphs=list(paragraphs), place=None
    )
    return site.corpus.publish(item)


DESK_RULES = RULES.split('\n\n[[rule]]\nname = "guarantees"')[0]


def write_rules(tmp_path: Path, text: str = RULES) -> Path:
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    return path


def env_for(site: ReplicaServer, database_url: str, rules: Path, notify: str, **extra: str) -> dict[str, str]:
    return cli_env(
        base_url=site.base_url,
        database_url=database_url,
        rules=str(rules),
        notify=notify,
        alert_backoff="1",
        **extra,
    )


def outbox_rows(database_url: str) -> list[OutboxEntry]:
    engine = make_engine(database_url)
    with Session(engine) as session:
        rows = list(session.exec(select(OutboxEntry).order_by(OutboxEntry.id)))
    engine.dispose()
    return rows


def test_email_end_to_end_exactly_once(
    site: ReplicaServer, database_url: str, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    env = env_for(site, database_url, write_rules(tmp_path, DESK_RULES), f"desk = {smtp_server.url()}")
    assert run_cli("crawl", env=env).returncode == 0
    assert smtp_server.messages == []  # the quiet corpus matches nothing
    call = publish_call(site)
    result = run_cli("crawl", env=env)
    assert result.returncode == 0, result.stderr
    assert "alerts: sent 1" in result.stdout
    [message] = smtp_server.messages
    assert (
        message["Subject"]
        == "[kremlin-watch] sanctions: Телефонный разговор с Президентом США Джозефом Байденом"
        " — Джозеф Байден (US)"  # the call record, read from the page by the crawl
    )
    assert message["To"] == "desk@example.org"
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    assert f"{site.base_url}/events/president/news/{call.id}" in html
    assert "<mark>санкций</mark>" in html
    assert "санкций против России" in text
    assert "Rule: sanctions" in text
    # A second check finds nothing new and sends nothing.
    again = run_cli("crawl", env=env)
    assert again.returncode == 0
    assert len(smtp_server.messages) == 1
    assert [row.status for row in outbox_rows(database_url) if row.rule == "sanctions"] == ["sent"]


def test_smtp_down_stays_pending_then_exactly_one_message(
    site: ReplicaServer, database_url: str, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    env = env_for(site, database_url, write_rules(tmp_path, DESK_RULES), f"desk = {smtp_server.url()}")
    assert run_cli("crawl", env=env).returncode == 0
    smtp_server.stop()
    publish_call(site)
    down = run_cli("crawl", env=env)
    assert down.returncode == 0, down.stderr
    assert "will retry 1" in down.stdout
    [row] = json.loads(run_cli("alerts", "list", "--format", "json", env=env).stdout)
    assert row["status"] == "pending" and row["attempts"] == 1
    assert row["last_error"].startswith("Connection error while submitting email")
    smtp_server.start()
    sent = run_cli("alerts", "send", env=env)
    assert sent.returncode == 0, sent.stdout + sent.stderr
    assert sent.stdout.startswith("alerts: sent 1")
    assert len(smtp_server.messages) == 1
    assert run_cli("alerts", "send", env=env).stdout.startswith("alerts: sent 0")
    assert len(smtp_server.messages) == 1
    [row] = json.loads(run_cli("alerts", "list", "--format", "json", env=env).stdout)
    assert (row["status"], row["attempts"], row["last_error"]) == ("sent", 2, None)


def test_secrets_never_reach_logs_errors_or_listings(
    site: ReplicaServer, database_url: str, tmp_path: Path
) -> None:
    from tests.conftest import free_port

    secret_url = f"json://kw:Sup3rSecretPw@127.0.0.1:{free_port()}/hook/Tok3nInPath"
    env = env_for(site, database_url, write_rules(tmp_path, DESK_RULES), f"desk = {secret_url}")
    assert run_cli("crawl", env=env).returncode == 0
    publish_call(site)
    down = run_cli("crawl", env=env)
    assert "will retry 1" in down.stdout, down.stdout + down.stderr
    listed = run_cli("alerts", "list", "--format", "json", env=env)
    table = run_cli("alerts", "list", env=env)
    tested = run_cli("notify", "test", env=env)
    everything = down.stdout + down.stderr + listed.stdout + table.stdout + tested.stdout + tested.stderr
    assert "Sup3rSecretPw" not in everything
    [row] = json.loads(listed.stdout)
    assert row["destination"].startswith("json://kw:****@127.0.0.1:")
    assert row["last_error"]
    assert tested.stdout.startswith("FAILED json://kw:****@127.0.0.1:")


def test_webhook_and_routing_by_tags(
    site: ReplicaServer, database_url: str, smtp_server: SmtpServer, webhook: WebhookReceiver, tmp_path: Path
) -> None:
    notify = f"desk = {smtp_server.url()}; ops = {webhook.url()}"  # one line, as in an env file
    env = env_for(site, database_url, write_rules(tmp_path), notify)
    assert run_cli("crawl", env=env).returncode == 0
    call = publish_call(site)
    result = run_cli("crawl", env=env)
    assert "alerts: sent 2" in result.stdout, result.stdout + result.stderr
    # "sanctions" routes to desk (e-mail) only, "guarantees" to ops (webhook) only.
    biden = " — Джозеф Байден (US)"  # the counterpart the call reader found on the page
    assert [m["Subject"] for m in smtp_server.messages] == [f"[kremlin-watch] sanctions: {call.title}{biden}"]
    [posted] = webhook.received
    assert posted["title"] == f"[kremlin-watch] guarantees: {call.title}{biden}"
    assert "**юридических гарантий**" in posted["message"]
    assert f"/events/president/news/{call.id}" in posted["message"]


def test_edit_does_not_realert_unless_the_rule_asks(
    site: ReplicaServer, database_url: str, webhook: WebhookReceiver, tmp_path: Path
) -> None:
    rules = write_rules(tmp_path, RULES.replace('notify = ["ops"]', 'notify = ["ops"]\nrealert = true'))
    env = env_for(site, database_url, rules, f"ops, desk = {webhook.url()}")
    assert run_cli("crawl", env=env).returncode == 0
    call = publish_call(site)
    assert run_cli("crawl", env=env).returncode == 0
    assert sorted(p["title"].split(":")[0] for p in webhook.received) == [
        "[kremlin-watch] guarantees",
        "[kremlin-watch] sanctions",
    ]
    site.corpus.edit(call.id, title=call.title + " (дополнено)")
    result = run_cli("crawl", env=env)
    assert "changed 1" in result.stdout
    titles = [p["title"] for p in webhook.received[2:]]
    assert titles == [f"[kremlin-watch] guarantees: {call.title} (дополнено) — Джозеф Байден (US)"]


def test_digest_rule_sends_one_message_for_several_matches(
    site: ReplicaServer, database_url: str, webhook: WebhookReceiver, tmp_path: Path
) -> None:
    rules = write_rules(tmp_path, '[[rule]]\nname = "digest"\nquery = "санкции"\ndigest = true\n')
    env = env_for(site, database_url, rules, webhook.url())
    assert run_cli("crawl", env=env).returncode == 0
    calls = [publish_call(site, title=f"Телефонный разговор с Президентом номер {n}") for n in range(3)]
    result = run_cli("crawl", env=env)
    assert "alerts: sent 3" in result.stdout, result.stdout + result.stderr
    [posted] = webhook.received
    assert posted["title"] == "[kremlin-watch] digest: 3 new items"
    for call in calls:
        assert call.title in posted["message"]


def test_rules_test_shows_matches_in_context(site: ReplicaServer, database_url: str, tmp_path: Path) -> None:
    env = env_for(site, database_url, write_rules(tmp_path), "")
    call = publish_call(site)
    assert run_cli("crawl", env=env).returncode == 0
    table = run_cli("rules", "test", "санкциями", env=env)
    assert table.returncode == 0, table.stderr
    assert f"{call.id}" in table.stdout and "«масштабных» **санкций** против" in table.stdout
    assert table.stdout.strip().endswith("1 matching item(s) for санкциями")
    as_json = json.loads(run_cli("rules", "test", "--rule", "guarantees", "--format", "json", env=env).stdout)
    assert [entry["id"] for entry in as_json] == [call.id]
    assert as_json[0]["matches"][0]["words"] == ["юридических", "гарантий"]
    assert {"url", "title", "published_at", "kind"} <= set(as_json[0])
    assert (
        json.loads(run_cli("rules", "test", '"гарантии юридические"', "--format", "json", env=env).stdout)
        == []
    )


def test_rules_test_goes_through_the_index_and_misses_nothing_it_has_not_seen(
    site: ReplicaServer, database_url: str, tmp_path: Path
) -> None:
    """`rules test` matches only the versions the search index names, and every version the index
    has not caught up with: a new item stored after the crawl's indexing is found too."""
    from search.index import IndexWriter

    env = env_for(site, database_url, write_rules(tmp_path), "")
    call = publish_call(site)
    assert run_cli("crawl", env=env).returncode == 0
    engine = make_engine(database_url)
    assert IndexWriter(engine).pending() == 0  # the crawl indexed what it stored
    late = ItemRecord(
        id=call.id + 1000,
        url=f"{site.base_url}/events/president/news/{call.id + 1000}",
        lang="ru",
        section="events/president/news",
        title="Совещание о юридических гарантиях",
        kind="meeting",
        lead=None,
        text="Санкции обсуждались.",
        published_at=datetime(2030, 1, 1, tzinfo=UTC),
        place=None,
        topics=[],
        geography=[],
        persons=[],
        source="article",
    )
    ArchiveStore(engine).store(late)
    assert IndexWriter(engine).pending() == 1
    engine.dispose()
    found = json.loads(run_cli("rules", "test", "санкции", "--format", "json", env=env).stdout)
    assert [entry["id"] for entry in found] == [late.id, call.id]
    phrase = json.loads(run_cli("rules", "test", '"юридических гарантий"', "--format", "json", env=env).stdout)
    assert [entry["id"] for entry in phrase] == [late.id, call.id]
    assert json.loads(run_cli("rules", "test", '"гарантии юридические"', "--format", "json", env=env).stdout) == []


def test_rules_check_reports_every_error_with_its_line(tmp_path: Path, webhook: WebhookReceiver) -> None:
    rules = write_rules(
        tmp_path,
        '[[rule]]\nname = "a"\nquery = "(санкции OR НАТО"\n\n'
        '[[rule]]\nname = "b"\nquery = ""\ncolour = "red"\n\n'
        '[[rule]]\nname = "a"\nquery = "Макрон"\n\n'
        '[[rule]]\nname = "c"\nquery = "Макрон"\nnotify = ["nobody"]\n',
    )
    result = run_cli("rules", "check", str(rules), env=cli_env(notify=f"ops = {webhook.url()}"))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert f"{rules}:3: rule 'a': query: unclosed ( at column 1" in lines
    assert any(line.startswith(f"{rules}:7: rule 'b': query: ") and "empty" in line for line in lines)
    assert (
        f"{rules}:8: rule 'b': unknown field 'colour' (known: name, query, description, kinds, langs, sections, notify, digest, realert, follow_translation, edits, enabled, countries, counterparts, initiated_by)"
        in lines
    )
    assert f"{rules}:10: rule 'a': duplicate name (first defined on line 1)" in lines
    assert f"{rules}:17: rule 'c': notify: unknown tag 'nobody' (known: ops)" in lines
    assert "Traceback" not in result.stderr
    good = write_rules(tmp_path, RULES.replace('notify = ["desk"]\n', ""))
    ok = run_cli("rules", "check", str(good), env=cli_env(notify=f"ops = {webhook.url()}"))
    assert ok.returncode == 0, ok.stderr
    assert "2 rules (2 enabled), 1 destinations: OK" in ok.stdout


def test_notify_test_reports_each_destination(smtp_server: SmtpServer, tmp_path: Path) -> None:
    dead_port = SmtpServer().port
    notify = f"desk = {smtp_server.url()}\nmailto://127.0.0.1:{dead_port}?from=a@example.org&to=b@example.org"
    result = run_cli("notify", "test", env=cli_env(notify=notify))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("ok     mailto://127.0.0.1:") and lines[0].endswith("[desk]")
    assert lines[1].startswith(f"FAILED mailto://127.0.0.1:{dead_port}")
    assert smtp_server.messages[0]["Subject"] == "[kremlin-watch] test message"


def test_bad_notify_url_is_one_line(tmp_path: Path) -> None:
    result = run_cli("notify", "test", env=cli_env(notify="desk = mailt://user:pw123456@host/x"))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "kremlin-watch: error: configuration: KREMLIN_WATCH_NOTIFY: entry 1 is not a URL the installed Apprise can send to: mailt://user:****@host/…"
    )


def _item(title: str, text: str) -> AlertItem:
    snippet = Snippet(
        "text", text, ((text.index("санкций"), text.index("санкций") + len("санкций")),), ("санкций",)
    )
    return AlertItem(
        67487,
        title,
        "http://kremlin.ru/events/president/news/67487",
        utcnow(),
        "Лид <b>с тегом</b>",
        "call",
        (snippet,),
    )


def test_slack_payload_is_escaped_and_formatted() -> None:
    [slack] = parse_notify_setting(
        "https://hooks.slack.com/services/T1234ABCD/B5678EFGH/abcdefghijklmnopqrstuvwx"
    )
    item = _item(
        "Разговор <!channel> & <http://evil|click>", "Обсуждали <!here> вопрос санкций и *жирный* текст."
    )
    message = compose(slack.kind, "sanctions", "", [item])

    class Reply:
        status_code = 200
        content = b"ok"
        text = "ok"
        headers: ClassVar[dict[str, str]] = {}

    with mock.patch("requests.request", return_value=Reply()) as request:
        from alerts.delivery import send_message

        assert send_message(slack, message, [slack]) is None
    payload = json.loads(request.call_args.kwargs["data"])
    body = payload["attachments"][0]["text"]
    assert (
        request.call_args.args[1]
        == "https://hooks.slack.com/services/T1234ABCD/B5678EFGH/abcdefghijklmnopqrstuvwx"
    )
    assert "<!channel>" not in body and "<!here>" not in body and "<http://evil" not in body
    assert "‹!channel›" in body and "‹!here›" in body
    assert "<http://kremlin.ru/events/president/news/67487|" in body
    assert "*санкций*" in body
    assert "<b>" not in body


def test_email_html_escapes_page_text() -> None:
    item = _item("Заголовок <script>alert(1)</script>", "Текст <img src=x> про санкций вред.")
    message = compose("email", "r", "", [item])
    assert "<script>" not in message.body and "&lt;script&gt;" in message.body
    assert "<img" not in message.body
    assert "<mark>санкций</mark>" in message.body


def test_two_senders_never_send_a_row_twice(engine, webhook: WebhookReceiver) -> None:  # type: ignore[no-untyped-def]
    from archive.records import ItemRecord
    from archive.store import ArchiveStore

    destinations = parse_notify_setting(webhook.url())
    store = ArchiveStore(engine)
    for item_id in range(1, 41):
        store.store(
            ItemRecord(
                id=item_id,
                url=f"http://kremlin.ru/events/president/news/{item_id}",
                lang="ru",
                section="events/president/news",
                title=f"Item {item_id}",
                text="санкции",
                source="article",
                published_at=utcnow(),
            )
        )
    Outbox(engine).enqueue(
        NewAlert(i, 1, "r", destinations[0].key, destinations[0].label, "[]") for i in range(1, 41)
    )
    senders = [Deliverer(engine, destinations, []) for _ in range(3)]
    threads = [threading.Thread(target=sender.send_due) for sender in senders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    titles = sorted(posted["title"] for posted in webhook.received)
    assert len(titles) == 40 and len(set(titles)) == 40
    assert Outbox(engine).counts()["sent"] == 40


def test_undeliverable_alert_is_given_up_and_shown(engine) -> None:  # type: ignore[no-untyped-def]
    from archive.records import ItemRecord
    from archive.store import ArchiveStore

    [dead] = parse_notify_setting(f"json://127.0.0.1:{SmtpServer().port}/hook")
    ArchiveStore(engine).store(
        ItemRecord(
            id=7,
            url="http://kremlin.ru/events/president/news/7",
            lang="ru",
            section="events/president/news",
            title="T",
            source="article",
            published_at=utcnow(),
        )
    )
    Outbox(engine).enqueue([NewAlert(7, 1, "r", dead.key, dead.label, "[]")])
    patient = Deliverer(engine, [dead], [], backoff=60)
    report = patient.send_due()
    assert (report.sent, report.retried, report.failed) == (0, 1, 0)
    assert patient.send_due().retried == 0  # backing off: not due yet
    impatient = Deliverer(engine, [dead], [], give_up_after=timedelta(0))
    assert impatient.send_due(ignore_backoff=True).failed == 1
    [row] = Outbox(engine).rows(["failed"])
    assert row.attempts == 2 and row.last_error


def test_rules_file_documents_itself(tmp_path: Path) -> None:
    """The example in alerts/rules.py's docstring and the one in docs/rules.md are valid rules files
    that show every field a rule may have."""
    import alerts.rules

    example = alerts.rules.__doc__.split("::", 1)[1].split("\n\n")[1]  # type: ignore[union-attr]
    path = write_rules(tmp_path, "\n".join(line[4:] for line in example.splitlines()))
    [rule] = load_rules(path)
    assert rule.name == "sanctions" and rule.kinds == ("call",) and rule.notify == ("desk",)
    assert rule.follow_translation is False
    documented = (Path(__file__).parent.parent / "docs" / "rules.md").read_text(encoding="utf-8")
    in_docs = documented.split("```toml\n", 1)[1].split("```", 1)[0]
    [from_docs] = load_rules(write_rules(tmp_path, in_docs))
    assert from_docs.name == "sanctions"
    for text in (example, in_docs):
        written = {line.split("=", 1)[0].strip() for line in text.splitlines() if "=" in line}
        assert set(alerts.rules.FIELDS) <= written, set(alerts.rules.FIELDS) - written


def test_rules_check_validates_follow_translation_with_its_line(tmp_path: Path) -> None:
    rules = write_rules(
        tmp_path,
        '[[rule]]\nname = "a"\nkinds = ["call"]\nfollow_translation = "yes"\n\n'
        '[[rule]]\nname = "b"\nkinds = ["call"]\nfollow_translation = true\n',
    )
    result = run_cli("rules", "check", str(rules), env=cli_env())
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"{rules}:4: rule 'a': follow_translation: expected true or false, got 'yes'"
    ]
    good = write_rules(tmp_path, '[[rule]]\nname = "b"\nkinds = ["call"]\nfollow_translation = true\n')
    [rule] = load_rules(good)
    assert rule.follow_translation is True
    assert run_cli("rules", "check", str(good), env=cli_env()).returncode == 0


# --- language versions: the first version alerts, the English twin follows up -------------------------

TWIN_RULES = """
[[rule]]
name = "france"
countries = ["FR"]
follow_translation = true

[[rule]]
name = "calls"
kinds = ["call"]

[[rule]]
name = "macron-en"
counterparts = ["Macron"]
"""

RU_CALL = ItemRecord(
    id=70001,
    url="http://kremlin.ru/events/president/news/70001",
    lang="ru",
    section="events/president/news",
    title="Телефонный разговор с Президентом Франции Эммануэлем Макроном",
    kind="call",
    lead="Состоялся телефонный разговор Владимира Путина с Президентом Французской Республики "
    "Эммануэлем Макроном. Разговор состоялся по инициативе французской стороны.",
    text="Обсуждались санкции.",
    published_at=datetime(2022, 2, 20, 10, tzinfo=UTC),
    topics=[],
    geography=["Франция"],
    persons=["Макрон Эммануэль"],
)
EN_CALL = dataclasses.replace(
    RU_CALL,
    url="http://en.kremlin.ru/events/president/news/70001",
    lang="en",
    title="Telephone conversation with President of France Emmanuel Macron",
    lead="Vladimir Putin had a telephone conversation with President of France Emmanuel Macron "
    "at the French side's initiative.",
    text="The sanctions were discussed.",
    published_at=datetime(2022, 2, 20, 16, tzinfo=UTC),
    geography=["France"],
    persons=["Macron Emmanuel"],
)
EN_SUBJECT = f"[kremlin-watch] france: English version — {EN_CALL.title}"


class Watch:
    """What a check does with each stored version (the crawl's hooks: call recorder, then the rules'
    trigger) and after the crawl (send the outbox), without the crawl: the crawler is not the subject."""

    def __init__(self, engine, tmp_path: Path, notify: str) -> None:  # type: ignore[no-untyped-def]
        destinations = parse_notify_setting(notify)
        rules = load_rules(write_rules(tmp_path, TWIN_RULES), destinations)
        self.store = ArchiveStore(engine)
        self.recorder = CallRecorder()
        self.trigger = AlertTrigger(engine, rules, destinations, Lemmatizer())
        self.deliverer = Deliverer(engine, destinations, rules, backoff=0)

    def hooks(self, session, record, result) -> None:  # type: ignore[no-untyped-def]
        self.recorder(session, record, result)
        self.trigger(session, record, result)

    def stored(self, record: ItemRecord) -> str:
        return self.store.store(record, self.hooks).outcome.value


def rows_of(engine) -> list[tuple[str, str | None, bool, str]]:  # type: ignore[no-untyped-def]
    return sorted((row.rule, row.item_lang, row.follow_up, row.status) for row in Outbox(engine).rows())


def test_the_english_twin_follows_up_once_and_alerts_no_rule_twice(
    engine, database_url: str, smtp_server: SmtpServer, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    watch = Watch(engine, tmp_path, smtp_server.url())
    assert watch.stored(RU_CALL) == "new"
    assert watch.deliverer.send_due().sent == 2  # france and calls; macron-en does not read «Макрон»
    subjects = sorted(message["Subject"] for message in smtp_server.messages)
    who = " — Эммануэль Макрон (FR), at the initiative of France"
    assert subjects == [f"[kremlin-watch] calls: {RU_CALL.title}{who}", f"[kremlin-watch] france: {RU_CALL.title}{who}"]
    assert all("English version" not in m.get_body(("html",)).get_content() for m in smtp_server.messages)

    assert watch.stored(EN_CALL) == "new"
    assert rows_of(engine) == [
        ("calls", "ru", False, "sent"),  # no second alert, no follow-up: the rule does not ask
        ("france", "en", True, "pending"),  # one follow-up
        ("france", "ru", False, "sent"),
        ("macron-en", "en", False, "pending"),  # first version that matches: the English one
    ]
    assert watch.deliverer.send_due().sent == 2
    by_subject = {message["Subject"]: message for message in smtp_server.messages[2:]}
    assert set(by_subject) == {
        EN_SUBJECT,
        f"[kremlin-watch] macron-en: {EN_CALL.title} — Emmanuel Macron (FR), at the initiative of France",
    }
    follow_up = by_subject[EN_SUBJECT].get_body(("plain",)).get_content()
    assert EN_CALL.url in follow_up and RU_CALL.url in follow_up
    assert f"Original: {RU_CALL.title}" in follow_up
    assert "Matched" not in follow_up and "Call with" not in follow_up  # short

    # A repeat (the next check) and a restart store nothing new and queue nothing twice.
    assert (watch.stored(RU_CALL), watch.stored(EN_CALL)) == ("unchanged", "unchanged")
    restarted = Watch(engine, tmp_path, smtp_server.url())
    again = restarted.trigger.alerts_for(EN_CALL, StoreResult(EN_CALL.id, Outcome.NEW, 1, "en"))
    assert [(a.rule, a.follow_up) for a in again] == [("france", True)]  # would be the same row …
    assert Outbox(engine).enqueue(again) == 0  # … which the unique key refuses
    assert restarted.deliverer.send_due().sent == 0
    assert len(smtp_server.messages) == 4

    listed = run_cli("alerts", "list", "--format", "json", env=cli_env(database_url=database_url))
    assert sorted((row["rule"], row["item_lang"], row["follow_up"]) for row in json.loads(listed.stdout)) == [
        ("calls", "ru", False),
        ("france", "en", True),
        ("france", "ru", False),
        ("macron-en", "en", False),
    ]
    table = run_cli("alerts", "list", env=cli_env(database_url=database_url)).stdout
    assert f"follow-up item {EN_CALL.id}/en" in table and f"alert     item {RU_CALL.id}/ru" in table


def test_an_alert_sent_after_the_twin_is_archived_links_the_english_version(
    engine, smtp_server: SmtpServer, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    watch = Watch(engine, tmp_path, f"desk = {smtp_server.url()}")
    smtp_server.stop()
    watch.stored(RU_CALL)
    assert watch.deliverer.send_due().retried == 2  # the mail server is down: the alerts wait
    watch.stored(EN_CALL)
    smtp_server.start()
    assert watch.deliverer.send_due(ignore_backoff=True).sent == 4
    france = next(m for m in smtp_server.messages if m["Subject"].startswith("[kremlin-watch] france: Телефонный"))
    html = france.get_body(("html",)).get_content()
    text = france.get_body(("plain",)).get_content()
    assert f'English version: <a href="{EN_CALL.url}">{EN_CALL.title}</a>' in html
    assert f"English version: {EN_CALL.title}" in text and EN_CALL.url in text
    assert RU_CALL.url in html
    english = next(m for m in smtp_server.messages if m["Subject"].startswith("[kremlin-watch] macron-en"))
    assert "English version:" not in english.get_body(("plain",)).get_content()  # it is the English one


def test_without_follow_translation_the_twin_sends_nothing(engine, webhook: WebhookReceiver, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    watch = Watch(engine, tmp_path, webhook.url())
    watch.trigger.compiled = [c for c in watch.trigger.compiled if c.rule.name == "calls"]
    watch.stored(RU_CALL)
    watch.stored(EN_CALL)
    assert watch.deliverer.send_due().sent == 1
    [posted] = webhook.received
    assert posted["title"].startswith(f"[kremlin-watch] calls: {RU_CALL.title}")
    assert f"English version: {EN_CALL.title}" in posted["message"]  # sent after the twin was stored


def _follow_up(title: str) -> AlertItem:
    return AlertItem(
        70001,
        title,
        "http://en.kremlin.ru/events/president/news/70001",
        utcnow(),
        None,
        "call",
        (),
        lang="en",
        follow_up=True,
        original_title="Телефонный разговор <b>",
        original_url="http://kremlin.ru/events/president/news/70001",
    )


def test_follow_ups_are_short_escaped_in_every_format_and_counted_apart_in_digests() -> None:
    follow_up = _follow_up("Talk with <!channel> & <script>x</script>")
    email = compose("email", "france", "", [follow_up])
    assert email.title == "[kremlin-watch] france: English version — Talk with <!channel> & <script>x</script>"
    assert "<script>" not in email.body and "&lt;script&gt;" in email.body
    assert "Original: <a href=\"http://kremlin.ru/events/president/news/70001\">Телефонный разговор &lt;b&gt;" in email.body
    slack = compose("slack", "france", "", [follow_up])
    assert "<!channel>" not in slack.title + slack.body and "‹!channel›" in slack.body
    assert "(http://en.kremlin.ru/events/president/news/70001)" in slack.body
    text = compose("other", "france", "", [follow_up])
    assert text.body.splitlines() == [
        "English version of an item rule france alerted on:",
        "Talk with <!channel> & <script>x</script>",
        "http://en.kremlin.ru/events/president/news/70001",
        "Original: Телефонный разговор <b>",
        "http://kremlin.ru/events/president/news/70001",
    ]
    alert = _item("Телефонный разговор", "Обсуждали вопрос санкций.")
    digest = compose("other", "digest", "", [alert, follow_up, _follow_up("Another")])
    assert digest.title == "[kremlin-watch] digest: 1 new item, 2 translations"
    assert "Matched: санкций" in digest.body and digest.body.count("English version of an item") == 2
    assert compose("other", "digest", "", [_follow_up("A"), _follow_up("B")]).title == (
        "[kremlin-watch] digest: 2 translations"
    )
