"""Chaos soak: the daemon against a replica whose faults follow a seeded random schedule.

`kremlin-watch run` runs as a subprocess (interval 1 s, jitter 0) against a Russian replica on
127.0.0.1, with a real SMTP server (aiosmtpd) as its only destination and one rule, "calls" (calls
that mention sanctions). The schedule advances one step per finished check (read from the archive's
``check`` table) and, from a `random.Random(seed)`, decides at each step:

* **new items**: a call that matches the rule (its title carries a serial number, so each e-mail
  maps to one item) or a quiet item that matches nothing;
* **edits** of published items' titles, and **withdrawals** of published items (the replica's
  `Corpus.remove`: the item leaves the feed and lists and its page answers 404);
* **glitches** that must cost no notice: one 429, one 500, a slow answer within the timeout, a new
  item's page truncated for one check;
* **outages** that must cost exactly one "source down" and one "recovered" notice: 403 on every
  request, 429 on every request, 500 on every request, answers slower than the timeout. Each lasts
  until at least ``down_after + 1`` checks that started after it began have finished;
* **parser outages** (a redesign, every page truncated), which must cost one "parser broken" and
  one "recovered" notice, and no "source down";
* **SIGKILL** of the daemon at a random moment of a step, and a restart.

At the end every fault is cleared, the daemon is left to settle (every published item archived,
the outbox empty, no incident open) and stopped with SIGTERM. The figures are printed; the exit
status is 1 when an invariant broke:

* every item the replica published (and did not withdraw before the archive had it) is archived,
  exactly once for its (id, lang);
* every matching call was e-mailed; more than once only within the documented crash window (a
  kill between the SMTP server's acceptance and the ``sent`` mark: at most one extra per kill);
* one "source down" and one "recovered" notice per outage, one "parser broken" and one "recovered"
  per parser outage, none for glitches or withdrawn pages.

Usage: ``python -m bench.chaos --checks 300 --seed 1`` (``make chaos``).
"""

from __future__ import annotations

import argparse
import dataclasses
import email
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from email import policy
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from replica.corpus import Corpus
from replica.item import ReplicaItem
from replica.server import ReplicaServer

ROOT = Path(__file__).resolve().parent.parent
#: The rule the soak alerts on; only the calls the schedule publishes mention sanctions.
RULES = '[[rule]]\nname = "calls"\nquery = "санкции"\nkinds = ["call"]\n'
MATCHING = "Обсуждались последствия санкций для торговли и безопасность в Европе."
QUIET = "Обсуждались вопросы регионального развития."
CALL_TITLE = "Телефонный разговор с Президентом Франции Эммануэлем Макроном (хаос {serial})"
DOWN_AFTER = 3
TIMEOUT = 2.0
#: Hang guard for one step (one check): far beyond a check's length even under a timeout outage.
STEP_GUARD = 120.0
QUIET_KINDS = ("meeting", "transcript", "decree", "greeting")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Inbox:
    """The SMTP destination: keeps the subject of every message it accepts."""

    def __init__(self) -> None:
        self.subjects: list[str] = []

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.subjects.append(str(message["Subject"]))
        return "250 OK"


@dataclass
class Fault:
    """One kind of bad day: how to switch it on, and what it must cost in notices."""

    name: str
    switch_on: Callable[[ReplicaServer], None]
    #: "source" (source down), "parser" (parser broken) or None (a glitch: no notice at all).
    incident: str | None


GLITCHES = (
    Fault("one 429", lambda site: site.faults.rate_limit(1, retry_after=1), None),
    Fault("one 500", lambda site: site.faults.server_errors(1, "/events/president/news/"), None),
    Fault("slow within the timeout", lambda site: site.faults.slow(TIMEOUT / 4), None),
)
OUTAGES = (
    Fault("403 on every request", lambda site: site.faults.forbid_after(0), "source"),
    Fault("429 on every request", lambda site: site.faults.rate_limit(10**9, retry_after=1), "source"),
    Fault("500 on every request", lambda site: site.faults.server_errors(10**9), "source"),
    Fault("slower than the timeout", lambda site: site.faults.slow(TIMEOUT * 1.5), "source"),
    Fault("redesigned markup", lambda site: site.faults.change_layout(True), "parser"),
)


def withdraw_listed_but_404(site: ReplicaServer, item: ReplicaItem) -> bool:
    """The site's other kind of withdrawal, for every other item (by id): the feed still lists the
    item and its page answers 404 (issue 10, point 1; `Corpus.withdraw`). True when done; False
    leaves the item to `Corpus.remove`, which takes it off the feed too."""
    if item.id % 2:
        return False
    site.corpus.withdraw(item.id)
    return True


@dataclass
class Figures:
    """What happened, as the report prints it."""

    checks: int = 0
    kills: int = 0
    published: list[int] = field(default_factory=list)
    calls: dict[str, int] = field(default_factory=dict)  # subject prefix → item id
    edits: int = 0
    withdrawn: list[int] = field(default_factory=list)
    glitches: Counter[str] = field(default_factory=Counter)
    outages: Counter[str] = field(default_factory=Counter)


class Daemon:
    """`kremlin-watch run` as a subprocess, its output appended to one log file."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log = env, log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "kremlin_watch", "run"], env=self.env, cwd=ROOT, stdout=out,
                stderr=subprocess.STDOUT,
            )  # fmt: skip

    def stop(self, sig: int) -> int:
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout=STEP_GUARD)


class Archive:
    """Read-only looks at the daemon's SQLite archive (short connections, as the daemon writes)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _query(self, sql: str) -> list[tuple[Any, ...]]:
        if not self.path.exists():
            return []
        with sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=10) as connection:
            try:
                return connection.execute(sql).fetchall()
            except sqlite3.OperationalError as error:
                if "no such table" in str(error) and not self._migrated(connection):
                    return []  # the daemon has not created the archive yet
                raise

    @staticmethod
    def _migrated(connection: sqlite3.Connection) -> bool:
        return bool(
            connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'alembic_version'").fetchall()
        )

    def finished_checks(self) -> int:
        rows = self._query("SELECT count(*) FROM \"check\" WHERE outcome != 'running'")
        return int(rows[0][0]) if rows else 0

    def item_rows(self) -> Counter[int]:
        return Counter(row[0] for row in self._query("SELECT id FROM item WHERE lang = 'ru'"))

    def unsent(self) -> int:
        rows = self._query("SELECT count(*) FROM outbox WHERE status != 'sent'")
        return int(rows[0][0]) if rows else 0

    def outcomes(self) -> Counter[str]:
        return Counter(row[0] for row in self._query('SELECT outcome FROM "check"'))


def wait_until(what: str, condition: Callable[[], object], guard: float = STEP_GUARD) -> None:
    deadline = time.monotonic() + guard
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise TimeoutError(f"gave up waiting for {what} after {guard:.0f} s")


def kind_of_notice(subject: str) -> str | None:
    """source-down, parser-broken, source-recovered, parser-recovered, or None for an alert."""
    text = subject.removeprefix("[kremlin-watch] ")
    if text.startswith("source-down"):
        return "source-down"
    if text.startswith("parser-broken"):
        return "parser-broken"
    if text.startswith("recovered"):
        return "parser-recovered" if "parser" in text else "source-recovered"
    return None


class Soak:
    """One run: the replica, the SMTP server, the daemon and the seeded schedule."""

    def __init__(self, checks: int, seed: int, workdir: Path) -> None:
        self.checks, self.seed, self.workdir = checks, seed, workdir
        self.rng = random.Random(seed)
        self.figures = Figures()
        self.inbox = Inbox()
        self.archive = Archive(workdir / "chaos.sqlite3")
        corpus = Corpus.generate(40, lang="ru", seed=seed)
        quiet = [dataclasses.replace(item, paragraphs=[(None, QUIET)]) for item in corpus]
        self.site = ReplicaServer(Corpus(quiet, lang="ru"))

    def env(self, smtp_port: int) -> dict[str, str]:
        (self.workdir / "rules.toml").write_text(RULES, encoding="utf-8")
        env = {key: value for key, value in os.environ.items() if not key.startswith("KREMLIN_WATCH_")}
        settings = {
            "base_url": self.site.base_url,
            "en_base_url": "",
            "database_url": f"sqlite:///{self.archive.path}",
            "rules": str(self.workdir / "rules.toml"),
            "notify": f"mailto://127.0.0.1:{smtp_port}?from=kremlin-watch@example.org&to=desk@example.org",
            "interval": "1",
            "jitter": "0",
            "http_port": str(free_port()),
            "download_delay": "0",
            "block_backoff": "0.2",
            "alert_backoff": "1",
            "timeout": str(TIMEOUT),
            "retries": "1",
            "down_after": str(DOWN_AFTER),
            "contact": "chaos@example.org",
            "log_level": "WARNING",
        }
        env.update({f"KREMLIN_WATCH_{key.upper()}": value for key, value in settings.items()})
        env["PYTHONUNBUFFERED"] = "1"
        return env

    # -- the schedule ------------------------------------------------------------------------------

    def publish(self) -> None:
        corpus = self.site.corpus
        if self.rng.random() < 0.5:
            serial = len(self.figures.calls) + 1
            item = corpus.next_item(kind="call")
            title = CALL_TITLE.format(serial=serial)
            corpus.publish(dataclasses.replace(item, title=title, paragraphs=[(None, MATCHING)]))
            self.figures.calls[title] = item.id
            self.figures.published.append(item.id)
        else:
            item = self.publish_quiet()
        if self.rng.random() < 0.1:  # its page cut short for this step: kept from the feed, completed later
            self.site.faults.truncate(f"/{item.section}/{item.id}")
            self.figures.glitches["a new item's page truncated"] += 1

    def publish_quiet(self) -> ReplicaItem:
        """Publish an item that matches no rule."""
        item = self.site.corpus.next_item(kind=self.rng.choice(QUIET_KINDS))
        self.site.corpus.publish(dataclasses.replace(item, paragraphs=[(None, QUIET)]))
        self.figures.published.append(item.id)
        return item

    def quiet_published(self) -> list[int]:
        calls = set(self.figures.calls.values())
        withdrawn = set(self.figures.withdrawn)
        return [i for i in self.figures.published if i not in calls and i not in withdrawn]

    def edit(self) -> None:
        if candidates := self.quiet_published():
            item_id = self.rng.choice(candidates)
            item = self.site.corpus.get(item_id)
            if item is not None:
                self.site.corpus.edit(item_id, title=f"{item.title} (уточнено)")
                self.figures.edits += 1

    def withdraw(self) -> None:
        if candidates := self.quiet_published():
            item_id = self.rng.choice(candidates)
            item = self.site.corpus.get(item_id)
            if item is not None and not withdraw_listed_but_404(self.site, item):
                self.site.corpus.remove(item_id)
            self.figures.withdrawn.append(item_id)

    def step(self, daemon: Daemon) -> None:
        """Wait for one more finished check, with the step's events around it."""
        target = self.archive.finished_checks() + 1
        roll = self.rng.random()
        if roll < 0.35:
            self.publish()
        elif roll < 0.45:
            self.edit()
        elif roll < 0.50:
            self.withdraw()
        if self.rng.random() < 0.05:
            glitch = self.rng.choice(GLITCHES)
            glitch.switch_on(self.site)
            self.figures.glitches[glitch.name] += 1
        if self.rng.random() < 0.04:
            self.kill_and_restart(daemon)
        wait_until("the next check", lambda: self.archive.finished_checks() >= target)
        self.site.faults.clear_slow()  # a glitch lasts one check
        self.site.faults.clear_truncate()

    def outage(self, daemon: Daemon, fault: Fault) -> None:
        """Switch `fault` on until ``DOWN_AFTER + 1`` checks that started under it have finished.

        A redesign shows only in HTML pages, and an idle check reads none (the feed answers 304), so
        a parser outage starts, and ends, with a new item whose page the next check must read."""
        fault.switch_on(self.site)
        self.figures.outages[fault.name] += 1
        if fault.incident == "parser":
            self.publish_quiet()
        start = self.archive.finished_checks() + 1  # the check running now may have started before
        wait_until(
            f"{DOWN_AFTER + 1} checks under {fault.name}",
            lambda: self.archive.finished_checks() >= start + DOWN_AFTER + 1,
        )
        self.site.faults.clear()
        if fault.incident == "parser":
            self.publish_quiet()
        # One check that started after the fault ended, so that the next outage is a new incident.
        over = self.archive.finished_checks() + 2
        wait_until(f"a check after {fault.name}", lambda: self.archive.finished_checks() >= over)

    def kill_and_restart(self, daemon: Daemon) -> None:
        time.sleep(self.rng.uniform(0.0, 1.5))
        daemon.stop(signal.SIGKILL)
        self.figures.kills += 1
        daemon.start()

    def run(self) -> int:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            smtp_port = probe.getsockname()[1]
        smtp = Controller(self.inbox, hostname="127.0.0.1", port=smtp_port)
        smtp.start()
        self.site.start()
        daemon = Daemon(self.env(smtp_port), self.workdir / "daemon.log")
        started = time.monotonic()
        try:
            daemon.start()
            wait_until("the first check", lambda: self.archive.finished_checks() >= 1)
            first_page = set(self.archive.item_rows())
            while self.archive.finished_checks() < self.checks:
                if self.rng.random() < 0.04:
                    self.outage(daemon, self.rng.choice(OUTAGES))
                else:
                    self.step(daemon)
            self.site.faults.clear()
            self.settle()
            code = daemon.stop(signal.SIGTERM)
        finally:
            if daemon.process is not None and daemon.process.poll() is None:
                daemon.stop(signal.SIGKILL)
            self.site.stop()
            smtp.stop()
        self.figures.checks = self.archive.finished_checks()
        return self.report(first_page, code, time.monotonic() - started)

    def settle(self) -> None:
        """Let the daemon catch up: every live published item archived, the outbox empty, and no
        incident left open (a final clean check has closed them)."""
        wanted = set(self.figures.published) - set(self.figures.withdrawn)

        def settled() -> bool:
            return wanted <= set(self.archive.item_rows()) and self.archive.unsent() == 0

        try:
            wait_until("the archive and the outbox to settle", settled, guard=STEP_GUARD)
            target = self.archive.finished_checks() + 2
            wait_until("two clean checks", lambda: self.archive.finished_checks() >= target)
            wait_until("the outbox after them", lambda: self.archive.unsent() == 0)
        except TimeoutError as error:
            print(f"   settling: {error}")

    # -- the verdict --------------------------------------------------------------------------------

    def report(self, first_page: set[int], exit_code: int, elapsed: float) -> int:
        figures, rows = self.figures, self.archive.item_rows()
        withdrawn = set(figures.withdrawn)
        expected = (first_page | set(figures.published)) - withdrawn
        missing = sorted(expected - set(rows))
        duplicates = {item_id: n for item_id, n in rows.items() if n > 1}
        withdrawn_archived = sorted(withdrawn & set(rows))
        alerts = Counter(s for s in self.inbox.subjects if kind_of_notice(s) is None)
        delivered = {title: sum(n for s, n in alerts.items() if title in s) for title in figures.calls}
        not_delivered = sorted(t for t, n in delivered.items() if n == 0)
        duplicated = sum(n - 1 for n in delivered.values() if n > 1)
        strangers = sorted(s for s in alerts if not any(t in s for t in figures.calls))
        notices = Counter(kind for s in self.inbox.subjects if (kind := kind_of_notice(s)))
        source_outages = sum(n for name, n in figures.outages.items() if _incident(name) == "source")
        parser_outages = sum(n for name, n in figures.outages.items() if _incident(name) == "parser")

        print(f"Chaos soak: seed {self.seed}, {elapsed:.0f} s, daemon exit {exit_code} after SIGTERM")
        print(f"   checks finished      {figures.checks} (outcomes {dict(self.archive.outcomes())})")
        print(f"   SIGKILL + restart    {figures.kills}")
        print(f"   items published      {len(figures.published)} ({len(figures.calls)} matching calls), "
              f"first page {len(first_page)}, edits {figures.edits}, withdrawn {len(withdrawn)} "
              f"({len(withdrawn_archived)} archived before)")  # fmt: skip
        print(f"   items archived       {len(expected) - len(missing)} of {len(expected)}; "
              f"missing {len(missing)}, duplicates {len(duplicates)}")  # fmt: skip
        print(f"   alerts               expected {len(figures.calls)}, delivered "
              f"{len(figures.calls) - len(not_delivered)}, duplicated {duplicated} (crash window: "
              f"at most {figures.kills}), unexpected {len(strangers)}")  # fmt: skip
        print(f"   glitches             {sum(figures.glitches.values())} {dict(figures.glitches)}")
        print(f"   outages              source {source_outages}, parser {parser_outages} "
              f"{dict(figures.outages)}")  # fmt: skip
        print(f"   notices              {dict(notices) or 'none'}")

        broken = []
        if missing:
            broken.append(f"published items never archived: {missing[:10]}")
        if duplicates:
            broken.append(f"items archived more than once: {duplicates}")
        if not_delivered:
            broken.append(f"matching calls never e-mailed: {not_delivered[:5]}")
        if duplicated > figures.kills:
            broken.append(f"{duplicated} duplicate alerts, more than the {figures.kills} kills allow")
        if strangers:
            broken.append(f"alerts for nothing the schedule published: {strangers[:5]}")
        for kind, expected_count in (
            ("source-down", source_outages),
            ("source-recovered", source_outages),
            ("parser-broken", parser_outages),
            ("parser-recovered", parser_outages),
        ):
            if notices[kind] != expected_count:
                broken.append(f"{notices[kind]} {kind} notices for {expected_count} outages")
        if exit_code != 0:
            broken.append(f"the daemon exited {exit_code} on SIGTERM")
        for line in broken:
            print(f"   BROKEN: {line}")
        print("   all invariants hold" if not broken else f"   {len(broken)} invariant(s) broken; "
              f"work directory kept: {self.workdir}")  # fmt: skip
        return 1 if broken else 0


def _incident(name: str) -> str | None:
    return next(fault.incident for fault in OUTAGES if fault.name == name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.chaos", description=__doc__.split("\n\n")[0])
    parser.add_argument("--checks", type=int, default=300, help="checks to run (default 300)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the fault schedule (default 1)")
    args = parser.parse_args(argv)
    if args.checks < 1:
        parser.error("--checks must be at least 1")
    workdir = Path(tempfile.mkdtemp(prefix="kw-chaos-"))
    try:
        code = Soak(args.checks, args.seed, workdir).run()
    except TimeoutError as error:
        print(f"chaos: {error}; daemon log: {workdir / 'daemon.log'}", file=sys.stderr)
        return 1
    if code == 0:
        shutil.rmtree(workdir, ignore_errors=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
