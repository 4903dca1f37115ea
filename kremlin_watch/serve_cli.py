"""The `serve` subcommand: the read-only web side (API, Atom feeds, search page) under uvicorn.

The archive is opened read-only and not migrated (a web server may run as a database user that can
only read); a missing archive stops the command with one line and exit status 2, like every read
command's, and one behind the code's schema with exit status 1.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import signal
import socket
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Any

from kremlin_watch.archive_open import open_readonly_archive
from kremlin_watch.errors import EXIT_FAILURE, UserError
from settings.schema import Settings, masked_database_url

logger = logging.getLogger("kremlin_watch.serve")


def _port(text: str) -> int:
    try:
        number = int(text, 10)
    except ValueError:
        number = 0
    if not 0 < number < 65536:
        raise argparse.ArgumentTypeError(f"expected a port from 1 to 65535, got {text!r}")
    return number


def add_commands(commands: Any) -> None:
    """Register ``serve`` on the main parser's subparsers."""
    serve = commands.add_parser(
        "serve", help="serve the archive read-only: JSON API, Atom feeds, search page"
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=_port, default=8000, help="port to listen on (default 8000)")


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    """Run the web app until interrupted (SIGINT/SIGTERM end it cleanly, exit status 0)."""
    import uvicorn

    from web.app import create_app

    engine = open_readonly_archive(settings)
    try:
        listener = _listen(args.host, args.port)
    except OSError as error:
        engine.dispose()
        raise UserError(
            f"cannot listen on {args.host}:{args.port}: {error.strerror or error}", EXIT_FAILURE
        ) from None
    config = uvicorn.Config(
        create_app(engine, settings.base_url, settings.rules),
        host=args.host,
        port=args.port,
        log_level=settings.log_level.lower(),
        # Logging is configured already (kremlin_watch.logs): uvicorn's records go through it.
        log_config=None,
        server_header=False,
    )
    logger.info(
        "serving the archive %s read-only on http://%s:%d/",
        masked_database_url(settings),
        args.host,
        args.port,
    )
    try:
        with _stop_signals_end_cleanly():
            uvicorn.Server(config).run(sockets=[listener])
    finally:
        listener.close()
        engine.dispose()
    return 0


@contextlib.contextmanager
def _stop_signals_end_cleanly() -> Iterator[None]:
    """SIGTERM and SIGINT stop the server with exit status 0, as they stop `kremlin-watch run`.

    uvicorn shuts down gracefully on them and then raises the signal again for the handler it found
    installed, so that the default action (death by signal, or KeyboardInterrupt) follows. The stop
    was asked for and done; the handler found here just lets ``cmd_serve`` return.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, _stopped) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _stopped(_signal: int, _frame: FrameType | None) -> None:
    """The stop signal, raised again by uvicorn after its shutdown: nothing left to do."""


def _listen(host: str, port: int) -> socket.socket:
    """A listening socket, bound here so that a taken port is our one-line error, not uvicorn's exit."""
    family, kind, proto, _name, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    listener = socket.socket(family, kind, proto)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(address)
        listener.listen(2048)
    except OSError:
        listener.close()
        raise
    listener.set_inheritable(True)
    return listener
