"""Shared fixtures: the archive on SQLite and on PostgreSQL, the replica, and the command line.

PostgreSQL runs at 127.0.0.1:5432 on these machines; each test gets a schema of its own. Where the
server is absent its tests skip with the reason, unless KREMLIN_WATCH_REQUIRE_POSTGRES=1 (set by
.ci/run), which turns the skip into a failure.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).parent.parent
POSTGRES_SERVER = os.environ.get("KREMLIN_WATCH_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def _postgres_unavailable() -> str | None:
    try:
        engine = sa.create_engine(POSTGRES_SERVER.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        engine.dispose()
    except Exception as error:  # any failure to connect means "absent"
        return f"PostgreSQL is not reachable at {POSTGRES_SERVER}: {str(error).splitlines()[0]}"
    return None


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The PostgreSQL server URL; skips (or fails in CI) when it cannot be reached."""
    reason = _postgres_unavailable()
    if reason:
        if os.environ.get("KREMLIN_WATCH_REQUIRE_POSTGRES") == "1":
            pytest.fail(reason + " (KREMLIN_WATCH_REQUIRE_POSTGRES=1 makes these tests mandatory)")
        pytest.skip(reason)
    return POSTGRES_SERVER


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty archive URL, once on SQLite and once on PostgreSQL (a fresh schema)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'archive.sqlite3'}"
        return
    server = request.getfixturevalue("postgres_server")
    schema = f"kw_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.connect() as connection:
        connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
        connection.commit()
    try:
        yield f"{server}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
            connection.commit()
        admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[sa.Engine]:
    """A migrated archive engine on each backend."""
    from archive.engine import make_engine
    from archive.migrate import upgrade

    engine = make_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


def cli_env(**settings: str) -> dict[str, str]:
    """The environment for a `kremlin-watch` subprocess: no user settings leak in, polite delays off."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("KREMLIN_WATCH_")}
    env.update(
        {
            "KREMLIN_WATCH_DOWNLOAD_DELAY": "0",
            "KREMLIN_WATCH_BLOCK_BACKOFF": "0.2",
            "KREMLIN_WATCH_TIMEOUT": "5",
            "KREMLIN_WATCH_RETRIES": "1",
            "KREMLIN_WATCH_CONTACT": "tests@example.org",
            # Off unless a test names an English replica: en.kremlin.ru is on the internet.
            "KREMLIN_WATCH_EN_BASE_URL": "",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update({f"KREMLIN_WATCH_{key.upper()}": value for key, value in settings.items()})
    return env


def run_cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run `kremlin-watch ARGS` as a user would, in a subprocess (a fresh reactor each time)."""
    return subprocess.run(
        [sys.executable, "-m", "kremlin_watch", *args],
        env=env if env is not None else cli_env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SmtpServer:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives; can be stopped and restarted."""

    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[Any] = []
        self._controller: Any = None

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        import email
        from email import policy

        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def url(self, to: str = "desk@example.org", **extra: str) -> str:
        query = "&".join(["from=kremlin-watch@example.org", f"to={to}", *(f"{k}={v}" for k, v in extra.items())])
        return f"mailto://127.0.0.1:{self.port}?{query}"


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


class WebhookReceiver:
    """A real HTTP server on 127.0.0.1 that records every POSTed JSON body."""

    def __init__(self) -> None:
        import json
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        received: list[dict[str, Any]] = []
        self.received = received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                received.append(json.loads(body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def url(self, path: str = "hook") -> str:
        return f"json://127.0.0.1:{self.port}/{path}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    yield receiver
    receiver.close()
