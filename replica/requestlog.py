"""Every request the replica answered, for tests to assert on what a crawler did.

The most important assertion is a negative one: the crawler must never fetch an address robots.txt
disallows (``/events/president/news/copy/<id>``, ``/search``), so the log can list those directly.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.robotparser import RobotFileParser


@dataclass(frozen=True)
class RequestRecord:
    """One answered request."""

    method: str
    #: Path with the query string, as requested.
    path: str
    status: int
    #: Body bytes sent (0 for HEAD and 304).
    bytes: int
    headers: dict[str, str] = field(default_factory=dict)
    #: time.time() when the answer was sent.
    at: float = 0.0

    def header(self, name: str) -> str | None:
        """A request header, case-insensitively."""
        wanted = name.lower()
        return next((value for key, value in self.headers.items() if key.lower() == wanted), None)


class RequestLog:
    """Thread-safe list of `RequestRecord`s."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[RequestRecord] = []

    def add(self, method: str, path: str, status: int, size: int, headers: dict[str, str]) -> RequestRecord:
        """Record one answered request."""
        record = RequestRecord(method, path, status, size, dict(headers), time.time())
        with self._lock:
            self._records.append(record)
        return record

    def records(self) -> list[RequestRecord]:
        """A snapshot of every record, oldest first."""
        with self._lock:
            return list(self._records)

    def requests_to(self, path_prefix: str) -> list[RequestRecord]:
        """Records whose path starts with `path_prefix`."""
        return [record for record in self.records() if record.path.startswith(path_prefix)]

    def disallowed(self, robots_txt: str, user_agent: str = "*") -> list[RequestRecord]:
        """Records of requests to addresses `robots_txt` disallows for `user_agent`."""
        rules = RobotFileParser()
        rules.parse(robots_txt.splitlines())
        return [record for record in self.records() if not rules.can_fetch(user_agent, record.path)]

    def clear(self) -> None:
        """Forget every record."""
        with self._lock:
            self._records.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._records)

    def __iter__(self) -> Iterator[RequestRecord]:
        """Iterate over a snapshot (``for entry in server.log``), oldest first."""
        return iter(self.records())
