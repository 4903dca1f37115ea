"""`make demo`: the whole product, offline, in under a minute.

Replicas of kremlin.ru and of its English twin en.kremlin.ru (the same items under the same ids), a
local SMTP server and `kremlin-watch run` on a short interval, all on 127.0.0.1: every check reads
both hosts. After the daemon's first check a new phone call is published on the replica; the daemon
finds it, matches the rule, and the e-mail the SMTP server receives is printed.
"""

from __future__ import annotations

import dataclasses
import email
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from email import policy
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from replica.corpus import Corpus
from replica.server import ReplicaServer

RULES = """[[rule]]
name = "sanctions"
description = "phone calls that mention sanctions or NATO"
query = 'санкции OR НАТО'
kinds = ["call"]
"""


class Inbox:
    """The SMTP server's handler: keeps every message."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait(what: str, condition: Any, seconds: float = 45) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"demo: gave up waiting for {what}")
        time.sleep(0.2)


def step(text: str) -> None:
    print(f"\n==> {text}", flush=True)


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="kremlin-watch-demo-"))
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    site = ReplicaServer(Corpus.generate(200, lang="ru", seed=1))
    twin = ReplicaServer(Corpus.generate(200, lang="en", seed=1))
    site.link(twin)
    site.start()
    twin.start()
    (workdir / "rules.toml").write_text(RULES, encoding="utf-8")
    http_port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("KREMLIN_WATCH_")},
        "KREMLIN_WATCH_BASE_URL": site.base_url,
        "KREMLIN_WATCH_EN_BASE_URL": twin.base_url,
        "KREMLIN_WATCH_DATABASE_URL": f"sqlite:///{workdir / 'archive.sqlite3'}",
        "KREMLIN_WATCH_DOWNLOAD_DELAY": "0",
        "KREMLIN_WATCH_INTERVAL": "5",
        "KREMLIN_WATCH_JITTER": "0",
        "KREMLIN_WATCH_HTTP_PORT": str(http_port),
        "KREMLIN_WATCH_RULES": str(workdir / "rules.toml"),
        "KREMLIN_WATCH_NOTIFY": f"mailto://127.0.0.1:{smtp.port}?from=kremlin-watch@example.org&to=you@example.org",
        "KREMLIN_WATCH_CONTACT": "demo@example.org",
    }
    step(
        f"replica of kremlin.ru at {site.base_url} and of en.kremlin.ru at {twin.base_url} "
        f"({len(site.corpus)} items each); SMTP at 127.0.0.1:{smtp.port}"
    )
    print(RULES)
    step("starting `kremlin-watch run` (a check every 5 s)")
    daemon = subprocess.Popen([sys.executable, "-m", "kremlin_watch", "run"], env=env)
    try:

        def health() -> dict[str, Any]:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{http_port}/healthz", timeout=2) as response:
                    return dict(json.loads(response.read()))
            except OSError:
                return {}

        wait("the first check", lambda: health().get("last_check_at"))
        print(f"/healthz: {json.dumps(health(), ensure_ascii=False)}")
        step("publishing a new phone call on the replica")
        item = site.corpus.next_item(kind="call")
        item = dataclasses.replace(
            item,
            title="Телефонный разговор с Президентом Финляндии Александром Стуббом",
            lead="Состоялся телефонный разговор с Президентом Финляндии Александром Стуббом.",
            paragraphs=[
                (None, "Обсуждалась ситуация на российско-финляндской границе и расширение НАТО на север."),
                (None, "Президент России отметил, что односторонние санкции вредят обеим странам."),
            ],
            place=None,
        )
        site.corpus.publish(item)
        print(f"published {item.id}: {item.title}")

        def ours() -> list[Any]:  # only this call: the first check was a silent baseline
            return [m for m in inbox.messages if item.title in str(m["Subject"])]

        wait("the e-mail", ours)
        message = ours()[0]
        step("the e-mail the SMTP server received")
        print(f"From:    {message['From']}\nTo:      {message['To']}\nSubject: {message['Subject']}\n")
        print(message.get_body(("plain",)).get_content())
    finally:
        step("stopping the daemon (SIGTERM)")
        daemon.send_signal(signal.SIGTERM)
        code = daemon.wait(timeout=30)
        print(f"daemon exited with status {code}")
        site.stop()
        twin.stop()
        smtp.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
