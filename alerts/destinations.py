"""Where alerts go: Apprise URLs from ``KREMLIN_WATCH_NOTIFY`` or an Apprise config file, with tags.

``KREMLIN_WATCH_NOTIFY`` holds one entry per line or per ``;`` (URLs within an entry may also be
separated by spaces), each an Apprise URL with
optional tags in Apprise's own text-config form: ``desk, ops = mailto://…``. An Apprise config file
(text or YAML, ``notify_config``) may be used instead or as well. Apprise drops entries it cannot
read without a word; here each one is checked and a bad one is an error naming it (secrets masked).

Memory: to read a URL, Apprise imports every one of its ~200 plugins (about 24 MiB that a daemon
would keep for months). `load_destinations` therefore reads the settings in a forked child, which
hands back plain `Destination`s naming each one's plugin class, and `service_for` imports only that
plugin, when a message is first sent.

Secrets: a destination's full URL is only ever handed to Apprise. People see ``label`` (Apprise's
privacy rendering), the outbox stores ``key`` (a digest), and `redact` scrubs secret parts of every
URL out of error texts before they are logged or stored.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import io
import logging
import os
import pickle
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TypeVar

import apprise

T = TypeVar("T")

logger = logging.getLogger(__name__)


@contextlib.contextmanager
def apprise_log(level: int = logging.WARNING) -> Iterator[io.StringIO]:
    """Capture Apprise's own log lines instead of letting them reach ours.

    Apprise's messages can quote the URL it was given; callers report them through `redact`.
    """
    apprise_logger = logging.getLogger("apprise")
    propagate = apprise_logger.propagate
    apprise_logger.propagate = False
    try:
        with apprise.LogCapture(level=level, fmt="%(message)s") as captured:
            yield captured
    finally:
        apprise_logger.propagate = propagate


class DestinationError(ValueError):
    """A notification setting that cannot be used; the message names it, with secrets masked."""


@dataclass(frozen=True)
class Destination:
    """One Apprise service."""

    key: str
    label: str
    tags: frozenset[str]
    url: str = field(repr=False)
    #: "email", "slack" or "other": decides the message format.
    kind: str = "other"

    #: Apprise's privacy rendering with its options: what may be shown, options included.
    shown: str = field(default="", repr=False)
    #: The Apprise class that sends to it, ``module:Class``: `service_for` imports that plugin alone.
    plugin: str = field(default="", repr=False)

    def secrets(self) -> list[str]:
        """Parts of the URL that the privacy rendering hides (passwords, tokens, webhook ids)."""
        parts = re.split(r"[/:@?&=#,]+", self.url)
        return [part for part in parts if len(part) >= 4 and part not in self.shown]


#: Apprise service class → destination kind (the key of its message format in `alerts.messages`).
_SERVICE_KINDS: Mapping[str, str] = MappingProxyType({"NotifyEmail": "email", "NotifySlack": "slack"})


def _kind_of(service: object) -> str:
    return _SERVICE_KINDS.get(type(service).__name__, "other")


def _from_service(service: apprise.NotifyBase) -> Destination:
    full = service.url()
    return Destination(
        key=hashlib.sha256(full.encode("utf-8")).hexdigest()[:16],
        label=service.url(privacy=True).split("?", 1)[0],
        tags=frozenset(str(tag) for tag in service.tags),
        url=full,
        kind=_kind_of(service),
        shown=service.url(privacy=True),
        plugin=f"{type(service).__module__}:{type(service).__qualname__}",
    )


def service_for(destination: Destination) -> apprise.NotifyBase:
    """The Apprise service that sends to ``destination``, built from its own plugin module only.

    `Apprise.instantiate` would first import all of Apprise's plugins to find the one a URL's scheme
    names; the destination already names it (read in `load_destinations`' child), so only that module
    is imported, and the URL is parsed and the service made as `Apprise.instantiate` does. A
    destination that names no plugin (made by hand) goes through `Apprise.instantiate`. Raises
    `DestinationError` when the URL cannot be used.
    """
    if destination.plugin:
        module_name, _, class_name = destination.plugin.partition(":")
        plugin = getattr(importlib.import_module(module_name), class_name)
        # Apprise reads "/#" in a URL as a fragment unless it is escaped first, as url_to_dict does.
        results = plugin.parse_url(destination.url.replace("/#", "/%23"))
        if results:
            results["tag"] = set(destination.tags)
            results["asset"] = apprise.AppriseAsset()
            return plugin(**results)  # type: ignore[no-any-return]
    with apprise_log():
        service = apprise.Apprise.instantiate(destination.url, tag=sorted(destination.tags))
    if service is None:
        raise DestinationError(f"not a URL the installed Apprise can send to: {destination.label}")
    return service


def mask_url(text: str) -> str:
    """A URL as people may see it when it could not even be parsed: credentials and paths hidden."""
    text = re.sub(r"(://[^:/@\s]+:)[^@\s]+@", r"\1****@", text)
    return re.sub(r"(://[^/\s]+/).+", r"\1…", text)


def parse_notify_setting(value: str, source: str = "KREMLIN_WATCH_NOTIFY") -> list[Destination]:
    """Destinations from the notify setting; raises `DestinationError` naming a bad entry."""
    found: list[Destination] = []
    # Newlines or semicolons separate entries: env files and `docker run -e` take one line only.
    entries = [entry.strip() for entry in re.split(r"[\r\n;]+", value)]
    number = 0
    for line in entries:
        if not line or line.startswith("#"):
            continue
        tags_text, url_text = _split_tags(line)
        for url in url_text.split():
            number += 1
            with apprise_log():
                service = apprise.Apprise.instantiate(url, suppress_exceptions=True)
            if service is None:
                raise DestinationError(
                    f"{source}: entry {number} is not a URL the installed Apprise can send to: "
                    f"{mask_url(url)}"
                )
            service.tags = set(tags_text)
            found.append(_from_service(service))
    return found


def _split_tags(line: str) -> tuple[list[str], str]:
    """Apprise's text-config ``tag1, tag2 = URL`` form; no ``=`` before ``://`` means no tags."""
    head, sep, tail = line.partition("=")
    if sep and "://" not in head:
        tags = [tag.strip() for tag in re.split(r"[,\s]+", head) if tag.strip()]
        return tags, tail.strip()
    return [], line


def load_config_file(path: Path) -> list[Destination]:
    """Destinations from an Apprise config file (text or YAML, as Apprise detects)."""
    if not path.is_file():
        raise DestinationError(f"{path}: no such notification config file")
    config = apprise.AppriseConfig()
    with apprise_log() as captured:
        config.add(str(path))
        services = config.services()
    complaints = [line for line in captured.getvalue().splitlines() if line.strip()]
    if complaints or not services:
        reason = complaints[0] if complaints else "no notification URL in it"
        raise DestinationError(f"{path}: {mask_url(reason)}")
    return [_from_service(service) for service in services]


def load_destinations(notify: str | None, config_file: str | None) -> list[Destination]:
    """Every configured destination, from the setting and the file; duplicates once.

    Read in a forked child where the system can fork (see the module's docstring: the caller never
    imports Apprise's plugins); `DestinationError` is raised here as the child raised it.
    """
    if not notify and not config_file:
        return []
    if not hasattr(os, "fork"):
        return _read_destinations(notify, config_file)
    return _in_forked_child(_read_destinations, notify, config_file)


def _read_destinations(notify: str | None, config_file: str | None) -> list[Destination]:
    found: list[Destination] = []
    if notify:
        found.extend(parse_notify_setting(notify))
    if config_file:
        found.extend(load_config_file(Path(config_file)))
    unique: dict[str, Destination] = {}
    for destination in found:
        unique.setdefault(destination.key, destination)
    return list(unique.values())


def _in_forked_child(work: Callable[..., T], *args: object) -> T:
    """``work(*args)`` in a forked child, its answer (or its `DestinationError`) pickled back.

    The child ends with ``os._exit``: no exit handlers, no flushing of buffers it shares with the
    parent. Any other failure in the child is raised here as a `RuntimeError` naming it.
    """
    readable, writable = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        status = 0
        try:
            os.close(readable)
            try:
                answer: tuple[str, object] = ("ok", work(*args))
            except DestinationError as error:
                answer = ("refused", str(error))
            except BaseException as error:
                answer = ("failed", f"{type(error).__name__}: {error}")
            with os.fdopen(writable, "wb") as out:
                pickle.dump(answer, out)
        except BaseException:
            status = 1
        finally:
            os._exit(status)
    os.close(writable)
    with os.fdopen(readable, "rb") as channel:
        data = channel.read()
    _pid, status = os.waitpid(pid, 0)
    if not data:
        raise RuntimeError(f"reading the notification settings failed in a child (wait status {status})")
    outcome, value = pickle.loads(data)
    if outcome == "refused":
        raise DestinationError(value)
    if outcome == "failed":
        raise RuntimeError(f"reading the notification settings failed: {value}")
    return value  # type: ignore[no-any-return]


def route(destinations: list[Destination], tags: list[str] | None) -> list[Destination]:
    """The destinations a rule's ``notify`` tags pick; no tags means all of them."""
    if not tags:
        return list(destinations)
    wanted = set(tags)
    return [destination for destination in destinations if destination.tags & wanted]


def redact(text: str, destinations: list[Destination]) -> str:
    """``text`` with every secret part of every destination URL replaced by ``****``."""
    for destination in destinations:
        text = text.replace(destination.url, destination.label)
        for secret in destination.secrets():
            text = text.replace(secret, "****")
    return text
