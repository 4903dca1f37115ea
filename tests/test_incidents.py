"""Incidents, health and the first check tell the truth (issue 10).

"Source down" is watched per host whether or not a destination exists; its notice says why (blocked,
not answering, server errors) and its recovery how long it lasted; the first plain check of a
language is a silent baseline; `status` tells checks from backfills. Everything runs against the
replica on 127.0.0.1, a real SMTP server and `kremlin-watch` subprocesses.
"""

from __future__ import annotations

import json
import re
import signal
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from replica.corpus import Corpus
from replica.server import ReplicaServer
from tests.conftest import SmtpServer, cli_env, free_port, run_cli
from tests.test_daemon import Daemon, wait_for

#: Every call alerts (the replica's first page holds two).
CALL_RULES = '[[rule]]\nname = "calls"\nkinds = ["call"]\nfollow_translation = true\n'


@pytest.fixture
def site() -> Iterator[ReplicaServer]:
    with ReplicaServer(Corpus.generate(40, lang="ru", seed=13)) as server:
        yield server


def host_of(server: ReplicaServer) -> str:
    """How notices, `status` and `/healthz` name a replica's host (its host:port, like en.kremlin.ru)."""
    return server.base_url.split("://", 1)[1]


def subjects(smtp: SmtpServer) -> list[str]:
    return [str(message["Subject"]) for message in smtp.messages]


def body(message: object) -> str:
    return message.get_body(("plain", "html")).get_content()  # type: ignore[attr-defined]


def status_json(env: dict[str, str]) -> dict[str, object]:
    result = run_cli("status", "--format", "json", env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


# --- without any destination: detected, shown, 503, closed with its duration -----------------------


def test_source_down_without_destinations_is_shown_by_status_and_healthz_and_closes(
    site: ReplicaServer, tmp_path: Path
) -> None:
    """The default `make run`: no destination, and here an empty rules file. The daemon says at start
    that it can never alert; a blocked site still opens an incident that `status` and `/healthz` show,
    and the first answer closes it with a logged duration."""
    rules = tmp_path / "rules.toml"
    rules.write_text("# nothing yet\n", encoding="utf-8")
    env = cli_env(
        base_url=site.base_url,
        database_url=f"sqlite:///{tmp_path / 'a.sqlite3'}",
        rules=str(rules),
        interval="1",
        jitter="0",
        http_port=str(free_port()),
        down_after="2",
        block_backoff="0.1",
    )
    daemon = Daemon(env, tmp_path / "daemon.log")
    host = host_of(site)
    try:
        wait_for("the first check", lambda: daemon.health().get("last_check_at"))
        assert daemon.get("/healthz")[0] == 200
        site.faults.forbid_after(0)
        down = wait_for("the incident in /healthz", lambda: (h := daemon.health()).get("open_incidents") and h)
        assert daemon.get("/healthz")[0] == 503
        assert down["open_incidents"] == [f"source-down {host}"]  # type: ignore[index]
        assert f"{host} blocks us (refused by the site: " in down["reason"]  # type: ignore[index]
        assert "403" in down["reason"]  # type: ignore[index]
        shown = run_cli("status", env=env)
        assert shown.returncode == 0, shown.stderr
        assert re.search(rf"incident +source down since \S+: {re.escape(host)} blocks us \(refused", shown.stdout)
        assert status_json(env)["open_incidents"] == [f"source-down {host}"]
        metrics = daemon.get("/metrics")[1]
        assert f'kremlin_watch_open_incidents{{host="{host}",incident="source-down"}} 1.0' in metrics
        site.faults.clear()
        wait_for("/healthz 200 again", lambda: daemon.get("/healthz")[0] == 200)
    finally:
        assert daemon.stop(signal.SIGTERM) == 0, daemon.log()
    log = daemon.log()
    assert f"the rules file {rules} holds no rules: nothing can alert" in log
    assert "no destination (notify / notify_config): nobody is told" in log
    assert log.count(f"source-down: {host} did not answer its feed or news list in 2 check(s) in a row") == 1
    assert re.search(rf"recovered: {re.escape(host)} answers again after \d+ (s|min) down: from ", log)
    assert "Traceback" not in log
    assert status_json(env)["open_incidents"] == []
    assert "incidents   none open" in run_cli("status", env=env).stdout


# --- notices name the reason, per host, with a real SMTP server -------------------------------------

FAULTS: dict[str, tuple[Callable[[ReplicaServer], None], str, str]] = {
    "403": (lambda s: s.faults.forbid_after(0), "blocks us", "403"),
    "5xx": (lambda s: s.faults.server_errors(1000), "fails with server errors", "HTTP 500"),
    "timeout": (lambda s: s.faults.slow(3), "is not answering", "took longer than 1.0 seconds"),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_source_down_notice_says_why_and_recovery_says_how_long(
    fault: str, site: ReplicaServer, tmp_path: Path, smtp_server: SmtpServer
) -> None:
    apply, words, detail = FAULTS[fault]
    env = cli_env(
        base_url=site.base_url,
        database_url=f"sqlite:///{tmp_path / 'a.sqlite3'}",
        notify=f"ops = {smtp_server.url()}",
        down_after="2",
        timeout="1",
    )
    host = host_of(site)
    assert run_cli("crawl", env=env).returncode == 0
    apply(site)
    first = run_cli("crawl", env=env)
    assert first.returncode == 3 and smtp_server.messages == []  # one failed check is not an outage
    second = run_cli("crawl", env=env)
    assert second.returncode == 3, second.stderr
    assert "Traceback" not in second.stderr
    assert subjects(smtp_server) == [f"[kremlin-watch] source-down: {host} {words}"]
    notice = body(smtp_server.messages[0])
    assert f"{host} did not answer its feed or news list in 2 check(s) in a row" in notice
    assert detail in notice
    site.faults.clear()
    recovered = run_cli("crawl", env=env)
    assert recovered.returncode == 0, recovered.stderr
    assert len(smtp_server.messages) == 2
    assert re.fullmatch(
        rf"\[kremlin-watch\] recovered: {re.escape(host)} answers again after \d+ (s|min)",
        subjects(smtp_server)[1],
    )
    assert f"it {words}" in body(smtp_server.messages[1])
    assert run_cli("crawl", env=env).returncode == 0
    assert len(smtp_server.messages) == 2  # nothing more once it is over


def test_one_host_down_is_an_incident_of_that_host_only(
    site: ReplicaServer, tmp_path: Path, smtp_server: SmtpServer
) -> None:
    """kremlin.ru answers, en.kremlin.ru blocks us: the check is partial, and the English host alone
    is down, by name."""
    with ReplicaServer(Corpus(list(Corpus.generate(40, lang="en", seed=13)), lang="en")) as english:
        site.link(english)
        env = cli_env(
            base_url=site.base_url,
            en_base_url=english.base_url,
            database_url=f"sqlite:///{tmp_path / 'a.sqlite3'}",
            notify=f"ops = {smtp_server.url()}",
            down_after="1",
        )
        assert run_cli("crawl", env=env).returncode == 0
        english.faults.forbid_after(0)
        partial = run_cli("crawl", env=env)
        assert partial.returncode == 0 and "check: partial" in partial.stdout, partial.stdout
        assert subjects(smtp_server) == [f"[kremlin-watch] source-down: {host_of(english)} blocks us"]
        assert status_json(env)["open_incidents"] == [f"source-down {host_of(english)}"]
        english.faults.clear()
        assert run_cli("crawl", env=env).returncode == 0
    assert subjects(smtp_server)[1].startswith(f"[kremlin-watch] recovered: {host_of(english)} answers again")
    assert len(smtp_server.messages) == 2


# --- the first check is a baseline ----------------------------------------------------------------


def test_first_check_sets_a_silent_baseline_then_new_calls_alert(
    site: ReplicaServer, tmp_path: Path, smtp_server: SmtpServer
) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text(CALL_RULES, encoding="utf-8")
    env = cli_env(
        base_url=site.base_url,
        database_url=f"sqlite:///{tmp_path / 'a.sqlite3'}",
        rules=str(rules),
        notify=smtp_server.url(),
    )
    first = run_cli("crawl", env=env)
    assert first.returncode == 0, first.stderr
    assert "baseline: 20 items (ru), no alerts" in first.stderr
    assert status_json(env)["calls"] == 2  # two calls on the first page, archived without a word
    assert smtp_server.messages == []
    call = site.corpus.publish_generated(kind="call")
    second = run_cli("crawl", env=env)
    assert second.returncode == 0 and "baseline" not in second.stderr
    assert [call.title in s for s in subjects(smtp_server)] == [True]

    # The English site added later: its first check is a baseline too, even for the English version of
    # the call that alerted in Russian (no follow-up); the next call and its twin alert and follow up.
    with ReplicaServer(Corpus(list(Corpus.generate(40, lang="en", seed=13)), lang="en")) as english:
        site.link(english)
        twin = english.corpus.publish_twin(call)
        env = {**env, "KREMLIN_WATCH_EN_BASE_URL": english.base_url}
        third = run_cli("crawl", env=env)
        assert third.returncode == 0, third.stderr
        assert "baseline: 20 items (en), no alerts" in third.stderr
        assert twin.title in run_cli("show", str(call.id), env=env).stdout  # archived, silently
        assert len(smtp_server.messages) == 1
        later = site.corpus.publish_generated(kind="call")
        assert run_cli("crawl", env=env).returncode == 0
        english.corpus.publish_twin(later)
        assert run_cli("crawl", env=env).returncode == 0
    assert len(smtp_server.messages) == 3
    assert later.title in subjects(smtp_server)[1]
    assert "English version" in subjects(smtp_server)[2]


def test_a_backfill_then_a_check_is_not_a_baseline(
    site: ReplicaServer, tmp_path: Path, smtp_server: SmtpServer
) -> None:
    """A backfill fills the archive silently; the check after it is an ordinary check."""
    rules = tmp_path / "rules.toml"
    rules.write_text(CALL_RULES, encoding="utf-8")
    env = cli_env(
        base_url=site.base_url,
        database_url=f"sqlite:///{tmp_path / 'a.sqlite3'}",
        rules=str(rules),
        notify=smtp_server.url(),
    )
    assert run_cli("crawl", "--pages", "1", env=env).returncode == 0
    call = site.corpus.publish_generated(kind="call")
    check = run_cli("crawl", env=env)
    assert check.returncode == 0 and "baseline" not in check.stderr
    assert [call.title in s for s in subjects(smtp_server)] == [True]


# --- status after a backfill ----------------------------------------------------------------------


def test_status_after_a_backfill_says_no_check_yet_and_the_backfill(site: ReplicaServer, tmp_path: Path) -> None:
    env = cli_env(base_url=site.base_url, database_url=f"sqlite:///{tmp_path / 'a.sqlite3'}")
    assert run_cli("crawl", "--pages", "1", env=env).returncode == 0
    table = run_cli("status", env=env).stdout
    assert "last check  none yet" in table and "never (-)" not in table
    assert re.search(r"last backfill \d{4}-\d\d-\d\dT\S+ \(ok\)", table)
    assert "runs        ok 1" in table
    status = status_json(env)
    assert status["last_check_at"] is None and status["last_backfill_outcome"] == "ok"
    assert run_cli("crawl", env=env).returncode == 0
    table = run_cli("status", env=env).stdout
    assert re.search(r"last check  \d{4}-\d\d-\d\dT\S+ \((ok|unchanged)\); last success \d{4}", table)


# --- the outcome model's contract, and an archive upgraded with an incident open -------------------


def test_the_crawls_source_state_is_read_when_a_summary_has_it() -> None:
    """The outcome model (another part of issue 10) says per host whether the feed and list pages
    answered: ``source_state`` and ``source_reason``. A summary without them is read from its outcome."""
    from alerts.incidents import source_report, source_reports
    from archive.checks import CheckSummary

    class WithSourceState(CheckSummary):
        source_state: str | None = None
        source_reason: str = ""
        hosts: dict[str, WithSourceState] = {}  # noqa: RUF012 (pydantic copies defaults)

    challenge = WithSourceState(
        mode="check", outcome="error", source_state="challenge", source_reason="an anti-bot page"
    )
    assert source_report("kremlin.ru", challenge).state == "challenge"
    assert source_report("kremlin.ru", challenge).reason == "an anti-bot page"
    withdrawn = WithSourceState(mode="check", outcome="ok", source_state="answered")
    assert not source_report("kremlin.ru", withdrawn).down
    refused = CheckSummary(
        mode="check", outcome="blocked", source_state="blocked", source_reason="refused by the site: 4× 429"
    )
    assert (source_report("kremlin.ru", refused).state, source_report("kremlin.ru", refused).reason) == (
        "blocked",
        "refused by the site: 4× 429",
    )
    failing = CheckSummary(mode="check", outcome="error", source_state="server_error", status_counts={"503": 3})
    assert source_report("kremlin.ru", failing).state == "server_error"
    assert source_report("kremlin.ru", failing).reason == "HTTP 503"  # no words from the crawl: the statuses
    stopped = WithSourceState(mode="check", outcome="cancelled", source_state="answered")
    assert source_report("kremlin.ru", stopped).state is None  # says nothing either way
    both = WithSourceState(
        mode="check",
        outcome="partial",
        hosts={
            "kremlin.ru": WithSourceState(mode="check", outcome="ok", source_state="answered"),
            "en.kremlin.ru": WithSourceState(
                mode="check", outcome="error", source_state="unreachable", source_reason="connection refused"
            ),
        },
    )
    assert [(r.host, r.state, r.reason) for r in source_reports(both) or []] == [
        ("kremlin.ru", "answered", ""),
        ("en.kremlin.ru", "unreachable", "connection refused"),
    ]
    assert source_reports(CheckSummary(mode="check")) is None  # no per-host record: each crawler is read


def test_an_incident_opened_by_an_older_version_is_the_russian_sites_and_closes(engine) -> None:  # type: ignore[no-untyped-def]
    from alerts.incidents import IncidentWatch, SourceReport
    from archive.checks import CheckSummary
    from archive.status import health, read_status
    from archive.store import CrawlStateStore
    from archive.types import utcnow

    CrawlStateStore(engine).put("incident:source-down", utcnow().isoformat())
    assert read_status(engine, "kremlin.ru").open_incidents == ["source-down kremlin.ru"]
    healthy, details = health(engine, interval=600, started_at=utcnow(), host="kremlin.ru")
    assert not healthy and str(details["reason"]).startswith("source down since ")
    watch = IncidentWatch(engine, [], site="kremlin.ru", down_after=3)
    notices = watch.after_check(
        CheckSummary(mode="check", outcome="unchanged"),
        [SourceReport("kremlin.ru", "answered"), SourceReport("en.kremlin.ru", "answered")],
    )
    assert len(notices) == 1
    assert re.fullmatch(r"\[kremlin-watch\] recovered: kremlin.ru answers again after \d+ (s|min)", notices[0].title)
    assert read_status(engine).open_incidents == []
