"""The replica over HTTP: a threaded server on 127.0.0.1 that behaves like kremlin.ru towards robots.

What it adds to the pages (`replica.routes`): HTTP/1.1 keep-alive with exact Content-Length;
ETag (a digest of the body) and Last-Modified (the newest `updated` the page shows) on every page,
and 304 to a matching If-None-Match or a fresh-enough If-Modified-Since; 403 to requests without a
User-Agent (the site gives them nothing useful); the switchable faults of `replica.faults`; and a
request log. Several servers can run at once: nothing is shared between instances.

    with ReplicaServer(Corpus.generate(500)) as server:
        urlopen(Request(server.base_url + "/events/president/news/feed", headers={"User-Agent": "t"}))
        assert not server.disallowed_requests()
"""

from __future__ import annotations

import hashlib
import socket
import struct
import threading
import time
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

from replica import render
from replica.chrome import Site
from replica.corpus import Corpus
from replica.dates import http_date
from replica.faults import Faults, Verdict
from replica.requestlog import RequestLog, RequestRecord
from replica.routes import HTML, Response, Router

_REASONS = (
    (403, b"Forbidden"),
    (404, b"Not Found"),
    (410, b"Gone"),
    (429, b"Too Many Requests"),
    (500, b"Internal Server Error"),
    (503, b"Service Unavailable"),
)

#: What an anti-bot service in front of the site answers instead of the page (a 200, as the common
#: "checking your browser" interstitials do): no kremlin.ru markup, a captcha form.
CHALLENGE_PAGE = (
    "<!DOCTYPE html><html lang=\"ru\"><head><meta charset=\"utf-8\"><title>Проверка браузера</title>"
    "<script src=\"/.well-known/ddos-guard/check.js\"></script></head><body><div class=\"captcha\">"
    "<h1>Checking your browser before accessing the site</h1><p>Подтвердите, что вы не робот.</p>"
    "<form method=\"post\" action=\"/.well-known/captcha\"><div class=\"smart-captcha\"></div></form>"
    "</div></body></html>"
).encode()


def etag_of(body: bytes) -> str:
    """A strong ETag from the body's digest: any change of the page changes it."""
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


def not_modified(headers: dict[str, str], etag: str, last_modified: str | None) -> bool:
    """True when the request's validators say the client's copy is current (RFC 9110 §13.2.2)."""
    if_none_match = _header(headers, "If-None-Match")
    if if_none_match is not None:
        tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
        return "*" in tags or etag in tags
    if_modified_since = _header(headers, "If-Modified-Since")
    if if_modified_since and last_modified:
        try:
            return parsedate_to_datetime(last_modified) <= parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
    return False


def _header(headers: dict[str, str], name: str) -> str | None:
    wanted = name.lower()
    return next((value for key, value in headers.items() if key.lower() == wanted), None)


class ReplicaServer:
    """kremlin.ru on 127.0.0.1, serving `corpus` from a background thread.

    `port=0` picks a free port (see `base_url`). `public_origin`, e.g. ``"http://kremlin.ru"``,
    makes absolute links in pages use that origin instead of the address the request came in on.
    `twin_origin` is where the other language's pages are (the twin links of every page); `link`
    sets it for a pair of replicas.
    """

    def __init__(
        self,
        corpus: Corpus | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        public_origin: str | None = None,
        twin_origin: str | None = None,
    ) -> None:
        self.corpus = corpus if corpus is not None else Corpus.generate(200)
        self.faults = Faults()
        self.log = RequestLog()
        self.router = Router(self.corpus)
        self.public_origin = public_origin.rstrip("/") if public_origin else None
        self.twin_origin = twin_origin.rstrip("/") if twin_origin else None
        handler = type("ReplicaHandler", (_Handler,), {"replica": self})
        self._httpd = ThreadingHTTPServer((host, port), handler)
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``, the replica's origin."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def port(self) -> int:
        """The port the server listens on."""
        return int(self._httpd.server_address[1])

    @property
    def origin(self) -> str:
        """The origin absolute links are written with when no Host header says otherwise."""
        return self.public_origin or self.base_url

    def link(self, twin: ReplicaServer) -> ReplicaServer:
        """Make this replica and `twin` (the other language, e.g. the same seed's English corpus)
        link each other's pages with ``hreflang``, as kremlin.ru and en.kremlin.ru do; returns self."""
        if twin.corpus.lang == self.corpus.lang:
            raise ValueError(f"both replicas serve {self.corpus.lang!r}: a twin is the other language")
        self.twin_origin, twin.twin_origin = twin.origin, self.origin
        return self

    def start(self) -> ReplicaServer:
        """Serve in a background (daemon) thread; returns self."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._httpd.serve_forever, name="replica", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted (used by ``python -m replica``)."""
        try:
            self._httpd.serve_forever()
        finally:
            self._httpd.server_close()

    def __enter__(self) -> ReplicaServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # --- log helpers --------------------------------------------------------------------------

    def requests_to(self, path_prefix: str) -> list[RequestRecord]:
        """Logged requests whose path starts with `path_prefix`."""
        return self.log.requests_to(path_prefix)

    def clear_log(self) -> None:
        """Forget the logged requests."""
        self.log.clear()

    def disallowed_requests(self) -> list[RequestRecord]:
        """Logged requests to addresses the served robots.txt disallows (should be none)."""
        return self.log.disallowed(render.robots_txt())

    # --- answering ----------------------------------------------------------------------------

    def site_for(self, host_header: str | None) -> Site:
        """The `Site` a request is answered as: its Host (or `public_origin`) becomes the origin."""
        origin = self.public_origin or (f"http://{host_header}" if host_header else self.base_url)
        return Site(self.corpus.lang, origin, self.twin_origin)

    def answer(self, path: str, headers: dict[str, str]) -> tuple[Response, Verdict]:
        """The response to a GET/HEAD of `path` after User-Agent check, faults and validators."""
        site = self.site_for(_header(headers, "Host"))
        if not (_header(headers, "User-Agent") or "").strip():
            return _status_page(403), Verdict(status=403)
        verdict = self.faults.decide(path)
        if verdict.status is not None:
            response = _status_page(verdict.status)
            if verdict.retry_after is not None:
                response.headers["Retry-After"] = str(verdict.retry_after)
            return response, verdict
        if verdict.reset:
            return Response(0, HTML, b""), verdict
        if verdict.challenge:
            return Response(200, HTML, CHALLENGE_PAGE), verdict
        if verdict.redirect is not None:
            target = f"{verdict.redirect_origin or site.origin}{path}/"
            return Response(verdict.redirect, HTML, b"", None, {"Location": target}), verdict
        response = self.router.handle(path, site, verdict.redesign, verdict.empty_feed)
        if response.status == 200:
            if verdict.bad_encoding:
                response.body = response.body.decode("utf-8").encode("cp1251", errors="replace")
            if verdict.pad_to > len(response.body):
                padding = verdict.pad_to - len(response.body)
                response.body += b"<!-- " + b"x" * padding + b" -->"
            etag = etag_of(response.body)
            last_modified = http_date(response.last_modified) if response.last_modified else None
            response.headers["ETag"] = etag
            if last_modified:
                response.headers["Last-Modified"] = last_modified
            if not_modified(headers, etag, last_modified):
                response = Response(304, response.content_type, b"", response.last_modified, response.headers)
            elif verdict.truncate:
                response.body = response.body[: len(response.body) // 2]
        return response, verdict


def _status_page(status: int) -> Response:
    reason = next((text for code, text in _REASONS if code == status), b"Error")
    body = b"<html><head><title>" + reason + b"</title></head><body><h1>" + reason + b"</h1></body></html>"
    return Response(status, HTML, body)


class _Handler(BaseHTTPRequestHandler):
    """Request handler; the server instance is bound as the class attribute `replica`."""

    replica: ReplicaServer
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle on, keep-alive clients wait for the delayed
    # ACK (~40 ms) before the body, which would make the replica, not the crawler, the bottleneck.
    disable_nagle_algorithm = True
    server_version = "nginx"
    sys_version = ""

    def do_GET(self) -> None:
        self._serve(with_body=True)

    def do_HEAD(self) -> None:
        self._serve(with_body=False)

    def log_message(self, format: str, *args: object) -> None:
        """Silence the default stderr access log; the request log records everything."""

    def _serve(self, with_body: bool) -> None:
        headers = {key: value for key, value in self.headers.items()}
        response, verdict = self.replica.answer(self.path, headers)
        body = response.body if with_body and response.status not in (0, 304) else b""
        # Logged before answering (and before a delay), so a client that has its answer, or gave up
        # waiting for it, finds the request in the log; a reset is logged as status 0.
        self.replica.log.add(self.command, self.path, response.status, len(body), headers)
        if verdict.delay:
            time.sleep(verdict.delay)
        if verdict.reset:
            # SO_LINGER 0 makes the close a TCP reset.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            return
        try:
            self.send_response(response.status)
            if response.status != 304:
                self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body) if response.status != 304 else 0))
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.end_headers()
            if body:
                self.wfile.write(body)
        except OSError:  # the client gave up (a timeout, a body too large to read): its business
            self.close_connection = True
