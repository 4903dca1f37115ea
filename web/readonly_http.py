"""Only GET and HEAD reach the app: everything else is 405, whatever the path.

The routes are all GETs already; this makes "the server does not accept writes" one rule at the
door instead of a property every future route must keep, and it answers HEAD for every route by
running the GET and dropping the body (keeping its headers, Content-Length included).
"""

from __future__ import annotations

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ALLOWED = "GET, HEAD"


class ReadOnlyMiddleware:
    """ASGI middleware: 405 for any method but GET and HEAD; HEAD served as a body-less GET."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if method == "GET":
            await self.app(scope, receive, send)
        elif method == "HEAD":
            await self.app({**scope, "method": "GET"}, receive, _without_body(send))
        else:
            response = JSONResponse(
                {"detail": f"{method} is not allowed: this server is read-only ({ALLOWED} only)"},
                status_code=405,
                headers={"Allow": ALLOWED},
            )
            await response(scope, receive, send)


def _without_body(send: Send) -> Send:
    async def send_headers_only(message: Message) -> None:
        if message["type"] == "http.response.body":
            message = {**message, "body": b""}
        await send(message)

    return send_headers_only
