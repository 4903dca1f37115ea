"""Daemon memory side by side: `kremlin-watch run` and changedetection.io on the same replica.

Both watchers run as their own processes against one replica of kremlin.ru and its English twin,
checking every ``--interval`` seconds, and both mail a local SMTP server (aiosmtpd). Each first sees
the replica as it is (kremlin-watch sets a silent baseline, changedetection.io takes its first
snapshot), then a new phone call is published and each must mail its alert; only then is resident
memory sampled, every second for ``--settle`` seconds, and the median of those samples is the steady
figure. Memory is the resident set (VmRSS) of the whole process tree of each watcher (a watcher that
keeps helper processes pays for them), read from /proc.

changedetection.io is run from its own virtual environment (``--peer-venv``, default ``.venv-peer``;
``pip install changedetection.io`` into it). If it is not installed the report says so and prints no
peer figure. ``--also LABEL=ROOT`` runs another kremlin-watch checkout (its ``ROOT/.venv``) beside
this one in the same run, for a before/after pair.

Usage: ``python -m bench memory [--interval 5] [--settle 60] [--http-port] [--also main=/work/main]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.chaos import free_port

ROOT = Path(__file__).resolve().parent.parent
FEED = "/events/president/news/feed"
#: Every new phone call alerts: what changedetection.io does for any change of the feed.
RULES = '[[rule]]\nname = "calls"\nkinds = ["call"]\n'
HANG_GUARD = 180.0


def rss_kib(pid: int) -> int:
    """VmRSS of one process in KiB (0 once it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it, from the parent ids in /proc/*/stat."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def tree_rss_mib(pid: int) -> tuple[float, int]:
    """Resident memory of a process tree in MiB, and how many processes it holds."""
    pids = descendants(pid)
    return sum(rss_kib(one) for one in pids) / 1024, len(pids)


class Inbox:
    """An aiosmtpd handler that keeps the recipients of every message."""

    def __init__(self) -> None:
        self.recipients: list[str] = []

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        self.recipients.extend(envelope.rcpt_tos)
        return "250 OK"

    def count(self, to: str) -> int:
        return sum(1 for rcpt in self.recipients if rcpt == to)


@dataclass
class Watcher:
    """One watcher process under measurement."""

    label: str
    to: str
    process: subprocess.Popen[bytes]
    log: Path
    checked: Callable[[], bool]
    samples: list[float] = field(default_factory=list)
    processes: int = 1

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        if self.alive():
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def wait_for(what: str, condition: Callable[[], bool], watchers: list[Watcher]) -> None:
    deadline = time.monotonic() + HANG_GUARD
    while time.monotonic() < deadline:
        if condition():
            return
        for watcher in watchers:
            if not watcher.alive():
                raise SystemExit(f"{watcher.label} exited ({watcher.process.returncode}): see {watcher.log}")
        time.sleep(0.5)
    raise SystemExit(f"timed out waiting for {what}")


def start_kremlin_watch(
    label: str, root: Path, workdir: Path, site: Any, twin: Any, smtp_port: int, interval: float, http: bool
) -> Watcher:
    """`kremlin-watch run` of the checkout at ``root`` (its own .venv), with its own archive."""
    python = root / ".venv" / "bin" / "python"
    if not python.exists():
        python = Path(sys.executable)
    home = workdir / label
    home.mkdir()
    (home / "rules.toml").write_text(RULES)
    database = home / "archive.sqlite3"
    to = f"{label}@example.org"
    env = {key: value for key, value in os.environ.items() if not key.startswith("KREMLIN_WATCH_")}
    env.update(
        KREMLIN_WATCH_BASE_URL=site.base_url,
        KREMLIN_WATCH_EN_BASE_URL=twin.base_url,
        KREMLIN_WATCH_DATABASE_URL=f"sqlite:///{database}",
        KREMLIN_WATCH_DOWNLOAD_DELAY="0",
        KREMLIN_WATCH_INTERVAL=str(interval),
        KREMLIN_WATCH_JITTER="0",
        KREMLIN_WATCH_RULES=str(home / "rules.toml"),
        KREMLIN_WATCH_NOTIFY=f"mailto://127.0.0.1:{smtp_port}?from=kw@example.org&to={to}",
        KREMLIN_WATCH_CONTACT="bench@example.org",
        KREMLIN_WATCH_LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    if http:
        env["KREMLIN_WATCH_HTTP_PORT"] = str(free_port())
    log = home / "daemon.log"
    process = subprocess.Popen(
        [str(python), "-m", "kremlin_watch", "run"],
        env=env,
        cwd=root,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )

    def checked() -> bool:
        return log.exists() and ("baseline:" in log.read_text(errors="replace"))

    return Watcher(label, to, process, log, checked)


def peer_python(venv: Path) -> Path | None:
    """The changedetection.io entry script of ``venv``, if it is installed there."""
    script = venv / "bin" / "changedetection.py"
    return script if script.exists() else None


def start_peer(
    script: Path, workdir: Path, site: Any, twin: Any, smtp_port: int, interval: float
) -> Watcher:
    """changedetection.io watching the two feeds, mailing the same SMTP server."""
    home = workdir / "changedetection"
    home.mkdir()
    to = "changedetection@example.org"
    options = json.dumps(
        {
            "time_between_check": {"seconds": int(interval)},
            "time_between_check_use_default": False,
            "notification_urls": [f"mailto://127.0.0.1:{smtp_port}?from=cd@example.org&to={to}"],
        }
    )
    env = dict(os.environ, ALLOW_IANA_RESTRICTED_ADDRESSES="true", MINIMUM_SECONDS_RECHECK_TIME="1")
    log = home / "peer.log"
    process = subprocess.Popen(
        [
            str(script), "-d", str(home / "datastore"), "-C", "-h", "127.0.0.1", "-p", str(free_port()),
            "-u", site.base_url + FEED, "-u0", options, "-u", twin.base_url + FEED, "-u1", options,
        ],
        env=env,
        cwd=home,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    def checked() -> bool:  # its first look at each feed (its requests name no kremlin-watch)
        return all(
            any("kremlin-watch" not in (asked.header("User-Agent") or "") for asked in host.requests_to(FEED))
            for host in (site, twin)
        )

    return Watcher("changedetection.io", to, process, log, checked)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench memory", description=__doc__.split("\n")[0])
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between checks, both watchers")
    parser.add_argument("--settle", type=float, default=60.0, help="seconds of sampling after the alerts")
    parser.add_argument("--peer-venv", type=Path, default=ROOT / ".venv-peer")
    parser.add_argument("--http-port", action="store_true", help="kremlin-watch serves /healthz and /metrics")
    parser.add_argument("--also", action="append", default=[], metavar="LABEL=ROOT",
                        help="another kremlin-watch checkout to run beside this one")
    args = parser.parse_args(argv)

    from aiosmtpd.controller import Controller

    from replica.corpus import Corpus
    from replica.server import ReplicaServer

    print(
        f"8. Daemon memory: kremlin-watch run and changedetection.io side by side, the same replica, "
        f"every {args.interval:.0f} s, after both sent an alert; resident memory (VmRSS) of each process tree"
        + (" (kremlin-watch with /healthz and /metrics)" if args.http_port else "")
    )
    workdir = Path(tempfile.mkdtemp(prefix="kw-memory-"))
    inbox = Inbox()
    smtp_port = free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    watchers: list[Watcher] = []
    peer_missing = None
    try:
        with (
            ReplicaServer(Corpus.generate(200, lang="ru", seed=3)) as site,
            ReplicaServer(Corpus.generate(200, lang="en", seed=3)) as twin,
        ):
            site.link(twin)
            watchers.append(
                start_kremlin_watch("kremlin-watch", ROOT, workdir, site, twin, smtp_port, args.interval,
                                    args.http_port)
            )
            for also in args.also:
                label, _, root = also.partition("=")
                watchers.append(
                    start_kremlin_watch(label, Path(root), workdir, site, twin, smtp_port, args.interval,
                                        args.http_port)
                )
            script = peer_python(args.peer_venv)
            if script is None:
                peer_missing = (
                    f"changedetection.io is not installed in {args.peer_venv} "
                    f"(python3 -m venv {args.peer_venv} && "
                    f"{args.peer_venv}/bin/pip install changedetection.io): no peer figure, no ratio"
                )
            else:
                watchers.append(start_peer(script, workdir, site, twin, smtp_port, args.interval))
            for watcher in watchers:
                wait_for(f"the first check of {watcher.label}", watcher.checked, watchers)
            time.sleep(args.interval * 1.5)  # a second look for every watcher: both hold their baseline
            call = site.corpus.publish(site.corpus.next_item(kind="call"))
            for watcher in watchers:
                wait_for(f"the alert of {watcher.label} (item {call.id})",
                         lambda w=watcher: inbox.count(w.to) > 0, watchers)
            started = time.monotonic()
            while time.monotonic() - started < args.settle:
                for watcher in watchers:
                    rss, count = tree_rss_mib(watcher.process.pid)
                    watcher.samples.append(rss)
                    watcher.processes = max(watcher.processes, count)
                time.sleep(1.0)
            for watcher in watchers:
                if not watcher.alive():
                    raise SystemExit(f"{watcher.label} exited during the measurement: see {watcher.log}")
    finally:
        for watcher in watchers:
            watcher.stop()
        smtp.stop()

    steady = {watcher.label: statistics.median(watcher.samples) for watcher in watchers}
    peer = steady.get("changedetection.io")
    for watcher in watchers:
        figure = steady[watcher.label]
        mine = peer and watcher.label != "changedetection.io"
        ratio = f"  {figure / peer:.2f}× changedetection.io" if mine else ""
        print(
            f"   {watcher.label:<20} steady {figure:6.1f} MiB (min {min(watcher.samples):.1f}, max "
            f"{max(watcher.samples):.1f}; {watcher.processes} process(es); alerts mailed "
            f"{inbox.count(watcher.to)}){ratio}"
        )
    if peer_missing:
        print(f"   {peer_missing}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
