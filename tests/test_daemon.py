"""`kremlin-watch run` as a process: schedule, alerts, health, signals, incidents, crashes, leadership.

Timeouts here are hang guards for events that normally come within a second or two, not speed
limits: speed is measured in `bench/`.
"""

from __future__ import annotations

import dataclasses
import json
import random
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from prometheus_client.parser import text_string_to_metric_families
from sqlmodel import Session, select

from archive.engine import make_engine
from archive.models import Item, OutboxEntry
from replica.corpus import Corpus
from replica.server import ReplicaServer
from tests.conftest import ROOT, SmtpServer, cli_env, free_port, run_cli

HANG_GUARD = 60.0
RULES = '[[rule]]\nname = "calls"\nquery = "санкции"\nkinds = ["call"]\n'
SANCTIONS = [(None, "Обсуждались последствия санкций для торговли и безопасность в Европе.")]


def wait_for(what: str, condition: Callable[[], object], guard: float = HANG_GUARD) -> object:
    """Poll until ``condition()`` is truthy; fail with ``what`` if the guard runs out."""
    deadline = time.monotonic() + guard
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def closed_idle_check(engine: sa.Engine) -> bool:
    """Whether a check has closed its row as "unchanged" (the feeds answered 304)."""
    from archive.models import Check

    with Session(engine) as session:
        return session.exec(select(Check).where(Check.outcome == "unchanged")).first() is not None


def closed_rows(engine: sa.Engine) -> int:
    """How many checks have closed their row."""
    from archive.models import Check

    with Session(engine) as session:
        return len(session.exec(select(Check).where(Check.finished_at.is_not(None))).all())  # type: ignore[union-attr]


class Daemon:
    """A `kremlin-watch run` subprocess with its log in a file and its HTTP port."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = int(env["KREMLIN_WATCH_HTTP_PORT"])
        self.log_path = log
        self.log_file = log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kremlin_watch", "run"],
            env=env,
            cwd=ROOT,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
        )

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=5) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return 0, ""

    def health(self) -> dict[str, object]:
        status, body = self.get("/healthz")
        return json.loads(body) if status in (200, 503) else {}

    def metrics(self) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
        status, body = self.get("/metrics")
        return samples(body) if status == 200 else {}

    def checks_done(self) -> int:
        return int(
            sum(
                value
                for (name, labels), value in self.metrics().items()
                if name == "kremlin_watch_checks_total" and ("outcome", "cancelled") not in labels
            )
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        code = self.process.wait(timeout=HANG_GUARD)
        self.log_file.close()
        return code


def samples(exposition: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """{(name, labels): value} of a Prometheus text exposition, read by prometheus_client's parser."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
    }


def sample(name: str, **labels: str) -> tuple[str, frozenset[tuple[str, str]]]:
    return name, frozenset(labels.items())


@pytest.fixture
def site() -> Iterator[ReplicaServer]:
    """A replica whose items match no rule until a test publishes one."""
    corpus = Corpus.generate(40, lang="ru", seed=13)
    quiet = [
        dataclasses.replace(i, paragraphs=[(None, "Обсуждались вопросы регионального развития.")])
        for i in corpus
    ]
    with ReplicaServer(Corpus(quiet, lang="ru")) as server:
        yield server


#: What the call reader makes of every call `publish_call` publishes, as the alert's subject says it.
MACRON = " — Эммануэль Макрон (FR)"


def publish_call(site: ReplicaServer, number: int = 0):  # type: ignore[no-untyped-def]
    """A call with Macron whose title is unique (id and number) and whose text mentions sanctions."""
    item = site.corpus.next_item(kind="call")
    return site.corpus.publish(
        dataclasses.replace(
            item,
            title=f"Телефонный разговор с Президентом Франции Эммануэлем Макроном ({item.id}, {number})",
            lead="Состоялся телефонный разговор Владимира Путина с Президентом Французской Республики "
            "Эммануэлем Макроном.",
            paragraphs=list(SANCTIONS),
            place=None,
            persons=["Макрон Эммануэль"],
            geography=["Франция"],
        )
    )


def daemon_env(
    site: ReplicaServer, database_url: str, tmp_path: Path, smtp: SmtpServer, **extra: str
) -> dict[str, str]:
    rules = tmp_path / "rules.toml"
    rules.write_text(RULES, encoding="utf-8")
    settings = {
        "base_url": site.base_url,
        "database_url": database_url,
        "rules": str(rules),
        "notify": f"desk, ops = {smtp.url()}",
        "interval": "1",
        "jitter": "0",
        "http_port": str(free_port()),
        "alert_backoff": "1",
        **extra,
    }
    return cli_env(**settings)


def subjects(smtp: SmtpServer) -> list[str]:
    return [str(message["Subject"]) for message in smtp.messages]


def test_call_published_while_running_arrives_once_and_restart_sends_nothing(
    site: ReplicaServer, database_url: str, tmp_path: Path, smtp_server: SmtpServer
) -> None:
    env = daemon_env(site, database_url, tmp_path, smtp_server)
    daemon = Daemon(env, tmp_path / "daemon.log")
    try:
        wait_for("the first check", lambda: daemon.health().get("last_check_at"))
        health = daemon.health()
        assert health["status"] == "ok" and health["role"] == "leader"
        call = publish_call(site)
        wait_for("the alert e-mail", lambda: smtp_server.messages)
        assert subjects(smtp_server) == [f"[kremlin-watch] calls: {call.title}{MACRON}"]
        sent = sample("kremlin_watch_alerts", status="sent")
        metrics = wait_for("the sent mark in /metrics", lambda: (m := daemon.metrics()).get(sent) and m)
        assert metrics[sent] == 1
        assert metrics[sample("kremlin_watch_leader")] == 1
        assert metrics[sample("kremlin_watch_items_total", change="new")] == 21
        assert metrics[sample("process_resident_memory_bytes")] > 0  # prometheus_client's own metrics
    finally:
        code = daemon.stop(signal.SIGTERM)
    assert code == 0, daemon.log()
    assert "SIGTERM received" in daemon.log() and "stopped" in daemon.log()
    assert "Traceback" not in daemon.log()

    again = Daemon(env, tmp_path / "daemon2.log")
    try:
        before = again.checks_done() if again.health() else 0
        wait_for("two more checks", lambda: again.checks_done() >= before + 2)
    finally:
        assert again.stop(signal.SIGINT) == 0, again.log()
    assert len(smtp_server.messages) == 1


def test_scheduled_checks_read_both_hosts_into_one_check_row_each(
    site: ReplicaServer, tmp_path: Path, smtp_server: SmtpServer
) -> None:
    """The daemon's check reads kremlin.ru and en.kremlin.ru (here: the replica and its English
    twin); the English version of a call published hours later lands under the same id."""
    from archive.models import Check

    database_url = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    with ReplicaServer(Corpus(list(Corpus.generate(40, lang="en", seed=13)), lang="en")) as english:
        site.link(english)
        env = daemon_env(site, database_url, tmp_path, smtp_server, en_base_url=english.base_url)
        daemon = Daemon(env, tmp_path / "daemon.log")
        try:
            wait_for("the first check", lambda: daemon.health().get("last_check_at"))
            call = site.corpus.publish_generated(kind="call")
            engine = make_engine(database_url)

            def held(lang: str) -> bool:
                with Session(engine) as session:
                    return session.get(Item, (call.id, lang)) is not None

            wait_for("the Russian call", lambda: held("ru"))
            assert not held("en")
            english.corpus.publish_twin(call)
            wait_for("its English version", lambda: held("en"))
            english.clear_log()
            site.clear_log()
            wait_for("an idle check of both hosts", lambda: list(site.log) and list(english.log))
            # Stop after that check closed its row and logged its line: the crawl closes the row, the
            # line comes after the check's later steps, and a stop between the two cancels those.
            wait_for("that check's row", lambda: closed_idle_check(engine))
            wait_for(
                "its log line", lambda: daemon.log().count("scheduler.daemon: check: ") >= closed_rows(engine)
            )
        finally:
            assert daemon.stop(signal.SIGTERM) == 0, daemon.log()
    log = daemon.log()
    assert f"checking {site.base_url} and {english.base_url}" in log
    assert "Traceback" not in log
    with Session(engine) as session:
        rows = list(session.exec(select(Check).order_by(Check.id)))  # type: ignore[arg-type]
    engine.dispose()
    # One row per check, not one per host; a check the stop cut short is a row marked cancelled.
    cancelled = [row for row in rows if row.outcome == "cancelled"]
    assert len(rows) - len(cancelled) == log.count("scheduler.daemon: check: ")
    assert len(cancelled) == log.count("the check job in flight was cancelled by the stop")
    idle = [row for row in rows if row.outcome == "unchanged"]
    assert idle and all(row.requests == 2 for row in idle)
    assert "(ru 20, en 20)" in log and "(ru 1, en 0)" in log and "(ru 0, en 1)" in log


TWIN_RULES = """
[[rule]]
name = "every-call"
kinds = ["call"]
follow_translation = true

[[rule]]
name = "calls-once"
kinds = ["call"]
"""


def test_russian_call_then_its_english_twin_one_alert_one_follow_up_both_shown(
    site: ReplicaServer, tmp_path: Path, smtp_server: SmtpServer
) -> None:
    """The issue's end-to-end case: the replica publishes a Russian call, hours later its English
    twin. Each rule alerts once; only the `follow_translation` rule sends one short follow-up with the
    English title and link; a restart sends nothing again; `show` and `/calls` show both versions."""
    database_url = f"sqlite:///{tmp_path / 'twin.sqlite3'}"
    with ReplicaServer(Corpus(list(Corpus.generate(40, lang="en", seed=13)), lang="en")) as english:
        site.link(english)
        env = daemon_env(site, database_url, tmp_path, smtp_server, en_base_url=english.base_url)
        (tmp_path / "rules.toml").write_text(TWIN_RULES, encoding="utf-8")
        backfill = run_cli("crawl", "--pages", "2", env=env)  # silent: the calls already there alert no one
        assert backfill.returncode == 0 and "(ru 40, en 40)" in backfill.stdout, backfill.stdout
        daemon = Daemon(env, tmp_path / "daemon.log")
        try:
            wait_for("the first check", lambda: daemon.health().get("last_check_at"))
            call = site.corpus.publish_generated(kind="call")
            wait_for("the two alerts", lambda: len(smtp_server.messages) >= 2)
            first = sorted(subjects(smtp_server))
            assert [subject.split(":")[0] for subject in first] == [
                "[kremlin-watch] calls-once",
                "[kremlin-watch] every-call",
            ]
            assert all(call.title in subject for subject in first)
            twin = english.corpus.publish_twin(call)
            wait_for("the follow-up", lambda: len(smtp_server.messages) >= 3)
            before = daemon.checks_done()
            wait_for("two more checks", lambda: daemon.checks_done() >= before + 2)
        finally:
            assert daemon.stop(signal.SIGTERM) == 0, daemon.log()
    assert "Traceback" not in daemon.log()
    assert len(smtp_server.messages) == 3, subjects(smtp_server)
    follow_up = smtp_server.messages[2]
    assert str(follow_up["Subject"]) == f"[kremlin-watch] every-call: English version — {twin.title}"
    body = follow_up.get_body(("plain", "html")).get_content()  # type: ignore[union-attr]
    assert f"{english.base_url}/events/president/news/{call.id}" in body

    again = Daemon(env, tmp_path / "daemon2.log")
    try:
        before = again.checks_done() if again.health() else 0
        wait_for("two checks after the restart", lambda: again.checks_done() >= before + 2)
    finally:
        assert again.stop(signal.SIGTERM) == 0, again.log()
    assert len(smtp_server.messages) == 3

    shown = run_cli("show", str(call.id), env=env)
    assert shown.returncode == 0, shown.stderr
    assert call.title in shown.stdout and twin.title in shown.stdout
    assert f"{english.base_url}/events/president/news/{call.id}" in shown.stdout

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "kremlin_watch", "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        page = wait_for("the calls page", lambda: _get(f"http://127.0.0.1:{port}/calls"))
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert call.title in page and twin.title in page  # type: ignore[operator]
    assert f"{english.base_url}/events/president/news/{call.id}" in page  # type: ignore[operator]


def _get(url: str) -> str | None:
    """The body of ``url``, or None while the server is not answering yet."""
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError):
        return None


def test_status_command_reads_the_archive(site: ReplicaServer, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    assert run_cli("crawl", env=cli_env(base_url=site.base_url, database_url=url)).returncode == 0
    result = run_cli("status", "--format", "json", env=cli_env(database_url=url))
    assert result.returncode == 0, result.stderr
    status = json.loads(result.stdout)
    assert status["items"] == 20 and status["checks_by_outcome"] == {"ok": 1}
    assert status["last_check_outcome"] == "ok" and status["open_incidents"] == []
    table = run_cli("status", env=cli_env(database_url=url)).stdout
    assert "20 items" in table and "last check" in table


def test_healthz_is_503_with_a_reason_when_checks_stop(engine: sa.Engine) -> None:
    from datetime import timedelta

    from archive.checks import CheckLog, CheckSummary
    from archive.status import health
    from archive.types import utcnow

    log = CheckLog(engine)
    log.close(log.open("check"), CheckSummary(mode="check"))
    started = utcnow() - timedelta(hours=2)
    healthy, details = health(engine, interval=600, started_at=started)
    assert healthy and details["status"] == "ok"
    healthy, details = health(engine, interval=600, started_at=started, now=utcnow() + timedelta(minutes=31))
    assert not healthy
    assert "more than three intervals ago" in str(details["reason"])


def test_health_and_metrics_endpoints_read_the_archive(engine: sa.Engine, tmp_path: Path) -> None:
    """The daemon's app in-process: figures from the archive, the role, content negotiation, 405/404,
    and a truthful 503 from both endpoints when the archive cannot be read."""
    from fastapi.testclient import TestClient

    from archive.checks import CheckLog, CheckSummary
    from archive.engine import make_engine
    from archive.types import utcnow
    from scheduler.health import health_app

    log = CheckLog(engine)
    log.close(log.open("check"), CheckSummary(mode="check", new_items=3, requests=4))
    leading = [False]
    app = health_app(engine, interval=600, started_at=utcnow(), is_leader=lambda: leading[0])
    with TestClient(app) as client:
        answer = client.get("/healthz")
        assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
        assert answer.json()["status"] == "ok" and answer.json()["role"] == "standby"
        answer = client.get("/metrics")
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
        metrics = samples(answer.text)
        assert metrics[sample("kremlin_watch_checks_total", outcome="ok")] == 1
        assert metrics[sample("kremlin_watch_checks_total", outcome="error")] == 0
        assert metrics[sample("kremlin_watch_items_total", change="new")] == 3
        assert metrics[sample("kremlin_watch_requests_total")] == 4
        assert metrics[sample("kremlin_watch_open_incidents")] == 0
        assert metrics[sample("kremlin_watch_leader")] == 0
        assert metrics[sample("kremlin_watch_last_success_timestamp_seconds")] > 0
        assert metrics[sample("process_cpu_seconds_total")] > 0
        assert any(name == "python_info" for name, _labels in metrics)
        leading[0] = True
        assert samples(client.get("/metrics").text)[sample("kremlin_watch_leader")] == 1
        assert client.get("/healthz").json()["role"] == "leader"
        openmetrics = client.get("/metrics", headers={"Accept": "application/openmetrics-text"})
        assert openmetrics.headers["content-type"].startswith("application/openmetrics-text")
        assert openmetrics.text.endswith("# EOF\n")
        head = client.head("/metrics")
        assert head.status_code == 200 and head.content == b""
        assert client.post("/metrics").status_code == 405
        missing = client.get("/nothing")
        assert missing.status_code == 404 and "try /healthz or /metrics" in missing.text

    gone = sa.create_engine(f"sqlite:///{tmp_path / 'no-such-dir' / 'a.sqlite3'}")  # cannot connect
    empty = make_engine(f"sqlite:///{tmp_path / 'empty.sqlite3'}")  # connects, has no tables
    for broken, reason in ((gone, "archive unreachable"), (empty, "archive unreadable")):
        app = health_app(broken, interval=600, started_at=utcnow(), is_leader=lambda: True)
        with TestClient(app) as client:
            answer = client.get("/healthz")
            assert answer.status_code == 503 and answer.json()["reason"].startswith(reason)
            assert answer.json()["status"] == "unhealthy" and answer.json()["role"] == "leader"
            answer = client.get("/metrics")
            assert answer.status_code == 503 and answer.text.startswith("archive unreachable:")
        broken.dispose()


def test_daemon_refuses_a_port_in_use_in_one_line(
    site: ReplicaServer, tmp_path: Path, smtp_server: SmtpServer
) -> None:
    import socket

    env = daemon_env(site, f"sqlite:///{tmp_path / 'a.sqlite3'}", tmp_path, smtp_server)
    with socket.create_server(("0.0.0.0", int(env["KREMLIN_WATCH_HTTP_PORT"]))):
        result = run_cli("run", env=env)
    assert result.returncode == 1, result.stderr
    assert "cannot start:" in result.stderr and "address already in use" in result.stderr.lower()
    assert "Traceback" not in result.stderr
    assert "check:" not in result.stderr  # refused before the first check


def test_source_down_and_parser_broken_are_announced_once_with_recovery(
    site: ReplicaServer, tmp_path: Path, smtp_server: SmtpServer
) -> None:
    env = daemon_env(
        site,
        f"sqlite:///{tmp_path / 'a.sqlite3'}",
        tmp_path,
        smtp_server,
        down_after="2",
        block_backoff="0.1",
    )
    daemon = Daemon(env, tmp_path / "daemon.log")
    try:
        wait_for("the first check", lambda: daemon.health().get("last_check_at"))
        site.faults.forbid_after(0)
        wait_for("the source-down notice", lambda: any("source-down" in s for s in subjects(smtp_server)))
        seen = daemon.checks_done()
        wait_for("two more failed checks", lambda: daemon.checks_done() >= seen + 2)
        site.faults.clear()
        wait_for("the recovery notice", lambda: any("recovered" in s for s in subjects(smtp_server)))
        site.faults.change_layout(True)
        publish_call(site, 1)
        wait_for("the parser-broken notice", lambda: any("parser-broken" in s for s in subjects(smtp_server)))
        seen = daemon.checks_done()
        wait_for("two more checks", lambda: daemon.checks_done() >= seen + 2)
        site.faults.change_layout(False)
        wait_for("the second recovery", lambda: sum("recovered" in s for s in subjects(smtp_server)) == 2)
        assert daemon.health()["open_incidents"] == []
    finally:
        assert daemon.stop() == 0, daemon.log()
    notices = [s for s in subjects(smtp_server) if not s.startswith("[kremlin-watch] calls:")]
    host = site.base_url.split("://", 1)[1]
    patterns = [
        rf"source-down: {re.escape(host)} blocks us",
        rf"recovered: {re.escape(host)} answers again after \d+ (s|min)",
        r"parser-broken: the parser cannot read 127\.0\.0\.1",
        r"recovered: the parser reads 127\.0\.0\.1 again after \d+ (s|min)",
    ]
    assert len(notices) == len(patterns), notices
    for notice, pattern in zip(notices, patterns, strict=True):
        assert re.fullmatch(rf"\[kremlin-watch\] {pattern}", notice), notice
    # The call published while the layout was broken was kept from the feed and alerted once.
    assert sum(s.startswith("[kremlin-watch] calls:") for s in subjects(smtp_server)) == 1


def test_sigterm_while_starting_still_exits_0(
    site: ReplicaServer, tmp_path: Path, smtp_server: SmtpServer
) -> None:
    env = daemon_env(site, f"sqlite:///{tmp_path / 'a.sqlite3'}", tmp_path, smtp_server)
    daemon = Daemon(env, tmp_path / "daemon.log")
    # Right after this line come the heavy imports and the migrations, before the event loop runs.
    wait_for("start-up", lambda: "starting kremlin-watch" in daemon.log())
    assert daemon.stop(signal.SIGTERM) == 0, daemon.log()
    assert "SIGTERM received" in daemon.log() and "check:" not in daemon.log()


def test_second_daemon_on_one_sqlite_file_refuses(
    site: ReplicaServer, tmp_path: Path, smtp_server: SmtpServer
) -> None:
    env = daemon_env(site, f"sqlite:///{tmp_path / 'a.sqlite3'}", tmp_path, smtp_server)
    first = Daemon(env, tmp_path / "first.log")
    try:
        wait_for("the first check", lambda: first.health().get("last_check_at"))
        second = run_cli("run", env={**env, "KREMLIN_WATCH_HTTP_PORT": str(free_port())})
        assert second.returncode == 1
        assert "another kremlin-watch daemon (pid " in second.stderr
        assert "is using the archive" in second.stderr and "Traceback" not in second.stderr
    finally:
        assert first.stop() == 0


def test_sigkill_at_random_moments_loses_nothing(
    site: ReplicaServer, tmp_path: Path, smtp_server: SmtpServer
) -> None:
    database_url = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    env = daemon_env(site, database_url, tmp_path, smtp_server)
    assert run_cli("crawl", env=env).returncode == 0  # the baseline: every call after it alerts
    rng = random.Random(20261125)
    published = []
    kills = 8
    for round_number in range(kills):
        daemon = Daemon(env, tmp_path / f"round{round_number}.log")
        for _ in range(2):
            published.append(publish_call(site, len(published)))
        time.sleep(rng.uniform(0.3, 3.0))
        daemon.stop(signal.SIGKILL)
    final = Daemon(env, tmp_path / "final.log")
    try:
        wait_for("the final daemon to lead", lambda: final.health().get("role") == "leader")
        engine = make_engine(database_url)

        def settled() -> bool:
            with Session(engine) as session:
                held = {item.id for item in session.exec(select(Item))}
                open_rows = session.exec(select(OutboxEntry).where(OutboxEntry.status != "sent")).all()
            return (
                {item.id for item in published} <= held
                and not open_rows
                and len(smtp_server.messages) >= len(published)
            )

        wait_for("every published call archived and alerted", settled)
    finally:
        assert final.stop() == 0, final.log()
    with Session(engine) as session:
        rows = session.exec(select(OutboxEntry).where(OutboxEntry.rule == "calls")).all()
        checks_crashed = session.exec(
            sa.text("SELECT count(*) FROM \"check\" WHERE outcome = 'crashed'")
        ).one()[0]
    assert sorted(row.item_id for row in rows) == sorted(item.id for item in published)  # one row per call
    counts = Counter(subjects(smtp_server))
    assert set(counts) == {f"[kremlin-watch] calls: {item.title}{MACRON}" for item in published}
    # The README's bound: a message goes out twice only if the process died between the SMTP
    # server accepting it and the "sent" mark, at most once per crash.
    assert sum(counts.values()) - len(published) <= kills
    assert checks_crashed <= kills


@pytest.mark.postgres
def test_two_daemons_on_postgres_one_leads_and_the_other_takes_over(
    site: ReplicaServer, postgres_server: str, tmp_path: Path, smtp_server: SmtpServer
) -> None:
    schema = f"kw_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(postgres_server.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.connect() as connection:
        connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
        connection.commit()
    database_url = f"{postgres_server}?options=-csearch_path%3D{schema}"
    try:
        first = Daemon(daemon_env(site, database_url, tmp_path, smtp_server), tmp_path / "a.log")
        wait_for("the first daemon to lead", lambda: first.health().get("role") == "leader")
        second = Daemon(daemon_env(site, database_url, tmp_path, smtp_server), tmp_path / "b.log")
        wait_for("the second daemon to stand by", lambda: second.health().get("role") == "standby")
        checks_before = second.checks_done()
        time.sleep(2)
        assert second.health()["role"] == "standby"
        first.stop(signal.SIGKILL)
        wait_for("the standby to take over", lambda: second.health().get("role") == "leader")
        wait_for("a check by the new leader", lambda: second.checks_done() > checks_before + 1)
        call = publish_call(site)
        wait_for("the alert from the new leader", lambda: smtp_server.messages)
        assert subjects(smtp_server) == [f"[kremlin-watch] calls: {call.title}{MACRON}"]
        assert second.stop() == 0, second.log()
        assert "another daemon leads on this archive; standing by" in second.log()
    finally:
        for daemon in (locals().get("first"), locals().get("second")):
            if daemon is not None and daemon.process.poll() is None:
                daemon.stop(signal.SIGKILL)
        with admin.connect() as connection:
            connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
            connection.commit()
        admin.dispose()
