"""`/healthz` and `/metrics` of the daemon: a read-only Starlette app on uvicorn, in the daemon's loop.

The answers come from the archive (`archive.status`), read in a worker thread so a slow database
never stalls the crawl. ``/healthz`` is 200 while a check finished within three intervals, the
archive answers and no incident is open (source down, parser broken), else 503 with the reason as
JSON; ``/metrics`` is prometheus_client's exposition (Prometheus text, or OpenMetrics when the
scraper asks for it) of `scheduler.metrics`, 503 while the archive cannot be read.

uvicorn runs as a task on the loop the daemon already has (Scrapy's reactor), not in a process or
thread of its own. The daemon binds the socket itself, so a port in use is an ``OSError`` that the
command line reports in one line (uvicorn would log and ``sys.exit``), and it keeps SIGTERM/SIGINT to
itself (uvicorn would take them over).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Callable, Iterator
from datetime import datetime

import uvicorn
from prometheus_client.exposition import choose_encoder
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from archive.status import health
from scheduler.metrics import daemon_registry

logger = logging.getLogger(__name__)

#: Every answer is about now: no proxy or client may keep it.
NO_STORE = {"Cache-Control": "no-store"}
#: How long a stopping daemon waits for a scrape in flight.
SHUTDOWN_GRACE_SECONDS = 2


def health_app(
    engine: Engine,
    *,
    interval: float,
    started_at: datetime,
    is_leader: Callable[[], bool],
    host: str = "",
) -> Starlette:
    """The two endpoints (GET and HEAD only; anything else is 405, any other path 404). ``host`` is the
    Russian site's, named by a ``source-down`` incident an older version opened without one."""
    registry = daemon_registry(engine, is_leader, host)

    async def healthz(_request: Request) -> Response:
        try:
            healthy, details = await asyncio.to_thread(health, engine, interval, started_at, None, host)
        except Exception as error:  # it answers, but cannot be read (no schema, say): unhealthy too
            healthy, details = False, {"status": "unhealthy", "reason": f"archive unreadable: {error}"}
        details["role"] = "leader" if is_leader() else "standby"
        return JSONResponse(details, status_code=200 if healthy else 503, headers=NO_STORE)

    async def metrics(request: Request) -> Response:
        encoder, content_type = choose_encoder(request.headers.get("accept", ""))
        try:
            body = await asyncio.to_thread(encoder, registry)  # the collector reads the archive
        except Exception as error:  # the archive is down: say so, as /healthz does
            return PlainTextResponse(f"archive unreachable: {error}\n", status_code=503, headers=NO_STORE)
        return Response(body, media_type=content_type, headers=NO_STORE)

    async def not_found(_request: Request, _error: Exception) -> Response:
        return PlainTextResponse("try /healthz or /metrics\n", status_code=404, headers=NO_STORE)

    return Starlette(
        routes=[Route("/healthz", healthz, methods=["GET"]), Route("/metrics", metrics, methods=["GET"])],
        exception_handlers={404: not_found},
    )


class _EmbeddedServer(uvicorn.Server):
    """uvicorn inside the daemon: the daemon handles SIGTERM/SIGINT and tells the server to stop."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class HealthServer:
    """Serves the two endpoints on ``0.0.0.0`` (reachable in a container) or ``host``, at ``port``."""

    def __init__(
        self,
        engine: Engine,
        *,
        interval: float,
        started_at: datetime,
        is_leader: Callable[[], bool],
        host: str = "0.0.0.0",
        port: int = 8080,
        site: str = "",
    ) -> None:
        self.app = health_app(
            engine, interval=interval, started_at=started_at, is_leader=is_leader, host=site
        )
        self.host = host
        self.port = port
        self._server: _EmbeddedServer | None = None
        self._serving: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Bind and listen (raises ``OSError`` when the port is taken), then serve in the background."""
        listening = socket.create_server((self.host, self.port))
        config = uvicorn.Config(
            self.app,
            lifespan="off",
            log_config=None,  # the daemon's logging stays as the command line set it up
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=SHUTDOWN_GRACE_SECONDS,
        )
        self._server = _EmbeddedServer(config)
        self._serving = asyncio.create_task(self._server.serve(sockets=[listening]))
        logger.info("health and metrics on http://%s:%d/healthz and /metrics", self.host, self.port)

    async def close(self) -> None:
        if self._server is not None and self._serving is not None:
            self._server.should_exit = True
            await self._serving
