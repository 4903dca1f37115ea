"""The daemon holds only what it uses: no web stack without ``http_port``, no Alembic, one Apprise plugin
per kind of destination, none of the Scrapy components a crawl does not use; and it still alerts.

The daemon is the real `kremlin-watch run` in its own process, against the replica, mailing a real
SMTP server and posting to a real webhook. What it imported is read from the process itself: it is
started through a two-line wrapper that, on SIGUSR2, writes ``sys.modules`` to a file (nothing else
of the daemon is touched). The memory these imports cost is measured in `bench/memory.py`.
"""

from __future__ import annotations

import dataclasses
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from alerts.destinations import load_destinations, parse_notify_setting, service_for
from replica.corpus import Corpus
from replica.server import ReplicaServer
from tests.conftest import ROOT, SmtpServer, WebhookReceiver, cli_env, free_port
from tests.test_daemon import wait_for

HANG_GUARD = 90.0
RULES = '[[rule]]\nname = "calls"\nkinds = ["call"]\n'
#: Runs `kremlin-watch run` as the console script does; SIGUSR2 writes the imported modules to argv[1].
WRAPPER = (
    "import signal, sys\n"
    "path = sys.argv.pop(1)\n"
    "def dump(*_):\n"
    "    with open(path + '.part', 'w') as out:\n"
    "        out.write('\\n'.join(sorted(sys.modules)))\n"
    "    import os; os.replace(path + '.part', path)\n"
    "signal.signal(signal.SIGUSR2, dump)\n"
    "from kremlin_watch.cli import main\n"
    "sys.exit(main(['run']))\n"
)
#: Packages only some commands need; the daemon without ``http_port`` must not hold them.
WEB_STACK = ("starlette", "uvicorn", "fastapi", "prometheus_client", "jinja2")
MIGRATIONS = ("alembic", "mako")
#: What Scrapy imported for components a crawl does not use (cookies, telnet, remote control, S3).
UNUSED_CRAWL = ("tldextract", "filelock", "twisted.conch", "aiohttp", "botocore")


@pytest.fixture
def site() -> Iterator[ReplicaServer]:
    with ReplicaServer(Corpus.generate(40, lang="ru", seed=21)) as server:
        yield server


class WrappedDaemon:
    """`kremlin-watch run` whose imported modules can be asked for."""

    def __init__(self, env: dict[str, str], tmp_path: Path) -> None:
        self.modules_file = tmp_path / "modules.txt"
        self.log_path = tmp_path / "daemon.log"
        self.process = subprocess.Popen(
            [sys.executable, "-c", WRAPPER, str(self.modules_file)],
            env=env,
            cwd=ROOT,
            stdout=self.log_path.open("wb"),
            stderr=subprocess.STDOUT,
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def modules(self) -> set[str]:
        self.modules_file.unlink(missing_ok=True)
        self.process.send_signal(signal.SIGUSR2)
        wait_for("the module list", self.modules_file.exists, HANG_GUARD)
        return set(self.modules_file.read_text().split())

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=HANG_GUARD)


def held(modules: set[str], package: str) -> list[str]:
    return sorted(name for name in modules if name == package or name.startswith(package + "."))


def publish_call(site: ReplicaServer) -> str:
    item = site.corpus.next_item(kind="call")
    title = f"Телефонный разговор с Президентом Франции Эммануэлем Макроном ({item.id})"
    site.corpus.publish(dataclasses.replace(item, title=title))
    return title


def start(site: ReplicaServer, tmp_path: Path, notify: str, **extra: str) -> WrappedDaemon:
    rules = tmp_path / "rules.toml"
    rules.write_text(RULES, encoding="utf-8")
    env = cli_env(
        base_url=site.base_url,
        database_url=f"sqlite:///{tmp_path / 'archive.sqlite3'}",
        rules=str(rules),
        notify=notify,
        interval="1",
        jitter="0",
        alert_backoff="1",
        **extra,
    )
    daemon = WrappedDaemon(env, tmp_path)
    wait_for(
        "the baseline check",
        lambda: "baseline:" in daemon.log() or daemon.process.poll() is not None,
        HANG_GUARD,
    )
    assert daemon.process.poll() is None, daemon.log()
    return daemon


def test_daemon_without_http_port_holds_no_web_stack_alembic_or_unused_plugins(
    site: ReplicaServer, tmp_path: Path, smtp_server: SmtpServer, webhook: WebhookReceiver
) -> None:
    daemon = start(site, tmp_path, f"{smtp_server.url()}; {webhook.url()}")
    try:
        title = publish_call(site)
        # Behaviour stays: the alert reaches both destinations.
        wait_for("the e-mail", lambda: any(title in str(m["Subject"]) for m in smtp_server.messages), HANG_GUARD)
        wait_for("the webhook", lambda: any(title in str(body.get("title")) for body in webhook.received), HANG_GUARD)
        modules = daemon.modules()
    finally:
        assert daemon.stop() == 0, daemon.log()
    assert "scheduler.daemon" in modules and "scrapy" in modules  # the list is the daemon's own
    for package in WEB_STACK + MIGRATIONS + UNUSED_CRAWL:
        assert not held(modules, package), f"the daemon imported {package}: {held(modules, package)[:5]}"
    plugins = {name.split(".")[2] for name in held(modules, "apprise.plugins") if name.count(".") >= 2}
    # The two destinations' plugins (e-mail, JSON webhook) and Apprise's base: not its ~200 others.
    assert plugins == {"base", "email", "custom_json"}, plugins
    # The archive was created by `kremlin-watch db upgrade` in a child, whose report is in the log.
    from archive.migrate import head_revision

    assert f"schema {head_revision()} (newest {head_revision()})" in daemon.log()


def test_daemon_with_http_port_serves_health_through_the_web_stack(
    site: ReplicaServer, tmp_path: Path, smtp_server: SmtpServer
) -> None:
    port = free_port()
    daemon = start(site, tmp_path, smtp_server.url(), http_port=str(port))
    try:
        import urllib.request

        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
            assert answer.status == 200
        modules = daemon.modules()
    finally:
        assert daemon.stop() == 0, daemon.log()
    # The module list sees the web stack when it is there (so its absence above means something).
    assert held(modules, "starlette") and held(modules, "uvicorn") and held(modules, "prometheus_client")
    assert not held(modules, "alembic")


def test_revision_checks_without_alembic_agree_with_alembic(engine: sa.Engine, tmp_path: Path) -> None:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from archive.engine import make_engine
    from archive.migrate import MIGRATIONS as SCRIPTS
    from archive.migrate import current_revision, head_revision

    assert head_revision() == ScriptDirectory(str(SCRIPTS)).get_current_head()
    with engine.connect() as connection:
        alembic_says = MigrationContext.configure(connection).get_current_revision()
    assert current_revision(engine) == alembic_says == head_revision()
    empty = make_engine(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    with empty.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() is None
    assert current_revision(empty) is None


def test_db_upgrade_imports_alembic_only_to_migrate(tmp_path: Path) -> None:
    """An archive at the newest schema is opened without importing Alembic at all."""
    env = cli_env(database_url=f"sqlite:///{tmp_path / 'archive.sqlite3'}")
    probe = (
        "import sys\n"
        "from kremlin_watch.cli import main\n"
        "status = main(['db', 'upgrade'])\n"
        "print('alembic' in sys.modules)\n"
        "sys.exit(status)\n"
    )
    first = subprocess.run([sys.executable, "-c", probe], env=env, cwd=ROOT, capture_output=True, text=True)
    second = subprocess.run([sys.executable, "-c", probe], env=env, cwd=ROOT, capture_output=True, text=True)
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert first.stdout.splitlines()[-1] == "True"  # it migrated an empty archive
    assert second.stdout.splitlines()[-1] == "False"  # nothing to migrate: no Alembic


@pytest.mark.parametrize(
    "url",
    [
        "mailto://user:secret@smtp.example.org?to=desk@example.org&from=kw@example.org",
        "json://127.0.0.1:9/hook",
        "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ",
    ],
)
def test_a_destination_is_sent_through_its_own_plugin_as_apprise_reads_it(url: str) -> None:
    import apprise

    [destination] = load_destinations(url, None)  # read in a forked child
    assert destination == parse_notify_setting(url)[0]  # the same as read in this process
    service = service_for(destination)
    reference = apprise.Apprise.instantiate(url)
    assert type(service) is type(reference)
    assert service.url() == reference.url() == destination.url


def test_a_bad_destination_is_refused_from_the_child_with_its_message() -> None:
    from alerts.destinations import DestinationError

    with pytest.raises(DestinationError, match="entry 1 is not a URL the installed Apprise can send to"):
        load_destinations("nosuchservice://x", None)
