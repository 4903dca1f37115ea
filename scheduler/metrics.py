"""The daemon's Prometheus metrics: the archive's figures, read when Prometheus scrapes.

A custom collector rather than counters kept in memory: the archive is the one source of truth
(a standby or a restarted daemon reports what the leader did), so the figures are computed from it
at scrape time, the way `kremlin-watch status` computes them. Each daemon gets its own
`CollectorRegistry` (no module-level registry), holding this collector and prometheus_client's
process, platform and garbage-collector metrics.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client import GCCollector, PlatformCollector, ProcessCollector
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import CollectorRegistry
from sqlalchemy import Engine

from archive.checks import OUTCOMES
from archive.status import WatchStatus, read_status

#: The outbox states, in the order the exposition lists them.
ALERT_STATES = ("pending", "sending", "sent", "failed")


def watch_metrics(status: WatchStatus, leading: bool) -> Iterator[Metric]:
    """The metric families of one status (names and meanings as the README lists them)."""
    checks = CounterMetricFamily(
        "kremlin_watch_checks", "Crawls recorded in the archive, by outcome.", labels=["outcome"]
    )
    for outcome in OUTCOMES:
        checks.add_metric([outcome], status.checks_by_outcome.get(outcome, 0))
    yield checks
    items = CounterMetricFamily(
        "kremlin_watch_items", "Items stored by crawls, by what storing did.", labels=["change"]
    )
    items.add_metric(["new"], status.items_new)
    items.add_metric(["changed"], status.items_changed)
    yield items
    yield GaugeMetricFamily("kremlin_watch_archive_items", "Items in the archive.", value=status.items)
    yield GaugeMetricFamily("kremlin_watch_archive_calls", "Phone calls in the archive.", value=status.calls)
    yield GaugeMetricFamily(
        "kremlin_watch_unreadable_calls",
        "Phone calls whose counterpart could not be read (a rise means the site changed its wording).",
        value=status.unreadable_calls,
    )
    alerts = GaugeMetricFamily("kremlin_watch_alerts", "Outbox rows by status.", labels=["status"])
    for state in ALERT_STATES:
        alerts.add_metric([state], status.alerts_by_status.get(state, 0))
    yield alerts
    yield CounterMetricFamily(
        "kremlin_watch_requests", "HTTP requests made by crawls.", value=status.requests
    )
    yield GaugeMetricFamily(
        "kremlin_watch_last_success_timestamp_seconds",
        "When the last successful check finished (Unix time; 0 = never).",
        value=status.last_success_at.timestamp() if status.last_success_at else 0,
    )
    # One sample per open incident (source down per host), or one bare 0 when none is open.
    incidents = GaugeMetricFamily(
        "kremlin_watch_open_incidents", "Open incidents (source down per host, parser broken)."
    )
    for incident in status.incidents:
        incidents.add_sample(
            "kremlin_watch_open_incidents", {"incident": incident.kind, "host": incident.host}, 1
        )
    if not status.incidents:
        incidents.add_sample("kremlin_watch_open_incidents", {}, 0)
    yield incidents
    yield GaugeMetricFamily(
        "kremlin_watch_leader",
        "1 while this daemon holds the leadership (checks and sends), 0 while it stands by.",
        value=1 if leading else 0,
    )


class WatchCollector:
    """Reads the archive's status on every scrape; an unreachable archive raises (the caller says 503)."""

    def __init__(self, engine: Engine, is_leader: Callable[[], bool], host: str = "") -> None:
        self.engine = engine
        self.is_leader = is_leader
        self.host = host

    def collect(self) -> Iterator[Metric]:
        yield from watch_metrics(read_status(self.engine, self.host), self.is_leader())

    def describe(self) -> Iterator[Metric]:
        """The families without reading the archive, so registering never touches the database."""
        yield from watch_metrics(WatchStatus(), False)


def daemon_registry(engine: Engine, is_leader: Callable[[], bool], host: str = "") -> CollectorRegistry:
    """A registry of one daemon: the archive's figures plus the ``process_*`` / ``python_*`` metrics."""
    registry = CollectorRegistry()
    registry.register(WatchCollector(engine, is_leader, host))
    ProcessCollector(registry=registry)
    PlatformCollector(registry=registry)
    GCCollector(registry=registry)
    return registry
