"""`/healthz` and `/metrics` of the daemon: a small asyncio HTTP server, read-only.

The answers come from the archive (`archive.status`), read in a worker thread so a slow database
never stalls the crawl. ``/healthz`` is 200 while a check finished within three intervals and the
archive answers, else 503 with the reason as JSON; ``/metrics`` is Prometheus' text format.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Engine

from archive.status import health, prometheus, read_status

logger = logging.getLogger(__name__)


class HealthServer:
    """Serves the two endpoints on ``127.0.0.1`` or ``0.0.0.0`` (in a container) at ``port``."""

    def __init__(
        self,
        engine: Engine,
        *,
        interval: float,
        started_at: datetime,
        is_leader: Callable[[], bool],
        host: str = "0.0.0.0",
        port: int = 8080,
    ) -> None:
        self.engine = engine
        self.interval = interval
        self.started_at = started_at
        self.is_leader = is_leader
        self.host = host
        self.port = port
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, self.host, self.port)
        logger.info("health and metrics on http://%s:%d/healthz and /metrics", self.host, self.port)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request_line = (await asyncio.wait_for(reader.readline(), 5)).decode("latin-1")
            while (await asyncio.wait_for(reader.readline(), 5)) not in (b"\r\n", b"\n", b""):
                pass
            parts = request_line.split()
            path = parts[1].split("?", 1)[0] if len(parts) >= 2 else ""
            method = parts[0] if parts else ""
            status, content_type, body = await self._answer(method, path)
            head = (
                f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
                "Connection: close\r\nCache-Control: no-store\r\n\r\n"
            )
            writer.write(head.encode("latin-1") + (body if method != "HEAD" else b""))
            await writer.drain()
        except (TimeoutError, ConnectionError):
            pass
        finally:
            writer.close()

    async def _answer(self, method: str, path: str) -> tuple[str, str, bytes]:
        if method not in ("GET", "HEAD"):
            return "405 Method Not Allowed", "text/plain", b"read-only\n"
        if path == "/healthz":
            healthy, details = await asyncio.to_thread(health, self.engine, self.interval, self.started_at)
            details["role"] = "leader" if self.is_leader() else "standby"
            body = json.dumps(details, ensure_ascii=False).encode("utf-8")
            return ("200 OK" if healthy else "503 Service Unavailable"), "application/json", body
        if path == "/metrics":
            try:
                status = await asyncio.to_thread(read_status, self.engine)
            except Exception as error:  # the archive is down: say so, as /healthz does
                return "503 Service Unavailable", "text/plain", f"archive unreachable: {error}\n".encode()
            extra = {"kremlin_watch_leader": 1.0 if self.is_leader() else 0.0}
            return "200 OK", "text/plain; version=0.0.4", prometheus(status, extra).encode("utf-8")
        return "404 Not Found", "text/plain", b"try /healthz or /metrics\n"
