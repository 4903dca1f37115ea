"""Settings: a TOML file (``--config`` or ``KREMLIN_WATCH_CONFIG``) overridden by environment variables.

Every setting has one name in the file and one ``KREMLIN_WATCH_<NAME>`` variable. A wrong value is a
`ConfigError` that names where the value came from (file and line, or the variable) and the setting,
so the command line can print one line and exit 2 instead of a traceback.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from kremlin_watch import __version__

ENV_PREFIX = "KREMLIN_WATCH_"
DEFAULT_DATABASE_URL = "sqlite:///data/kremlin-watch.sqlite3"


class ConfigError(ValueError):
    """A setting that cannot be used; the message is the whole one-line explanation."""


@dataclass(frozen=True)
class Settings:
    """Everything kremlin-watch can be told; see the README's configuration table."""

    base_url: str = "http://kremlin.ru"
    database_url: str = DEFAULT_DATABASE_URL
    download_delay: float = 5.0
    proxy: str | None = None
    contact: str = "https://pypi.org/project/kremlin-watch/"
    max_pages: int = 10
    timeout: float = 30.0
    retries: int = 2
    log_level: str = "INFO"
    autothrottle: bool = True
    #: Seconds to pause after a 403/429 without Retry-After; doubled for each refusal in a row.
    block_backoff: float = 60.0
    #: Seconds between checks of `kremlin-watch run`.
    interval: float = 600.0
    #: Random spread added to each interval, in seconds; None = a tenth of the interval, 0 = none.
    jitter: float | None = None
    #: A 5-field cron expression (local time zone) used instead of the interval.
    cron: str | None = None
    #: Port of the health and metrics endpoint of `kremlin-watch run`; None = no endpoint.
    http_port: int | None = None
    #: Consecutive failed checks before a "source down" notice.
    down_after: int = 3
    #: The rules file (TOML); no rules, no alerts.
    rules: str | None = None
    #: Apprise URLs, one per line or space-separated, each optionally ``tag1, tag2 = URL``.
    notify: str | None = None
    #: An Apprise config file (text or YAML) with more destinations and their tags.
    notify_config: str | None = None
    #: Seconds before the first retry of a failed send; doubled each attempt, at most an hour.
    alert_backoff: float = 30.0
    #: Seconds after which an alert that could not be sent is marked failed (default a day).
    alert_give_up: float = 86400.0

    @property
    def user_agent(self) -> str:
        """The honest User-Agent the site sees."""
        return f"kremlin-watch/{__version__} (+{self.contact})"

    @property
    def effective_jitter(self) -> float:
        """The jitter in seconds: as set, else a tenth of the interval."""
        return self.interval / 10 if self.jitter is None else self.jitter

    @property
    def host(self) -> str:
        """The host the crawler stays on."""
        return urlsplit(self.base_url).hostname or ""


def _url(value: Any) -> str:
    text = _string(value).rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"expected an http(s) address such as http://kremlin.ru, got {value!r}")
    if parts.path not in ("", "/") or parts.query:
        raise ValueError(f"expected the site's origin only (no path), got {value!r}")
    return text


def _proxy(value: Any) -> str | None:
    text = _string(value)
    if not text:
        return None
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"expected a proxy address such as http://user:pass@host:3128, got {value!r}")
    return text


def _database(value: Any) -> str:
    text = _string(value)
    if not re.match(r"^(sqlite|postgresql)(\+\w+)?://", text):
        raise ValueError(f"expected sqlite:///PATH or postgresql://USER@HOST/DB, got {_mask(text)!r}")
    return text


def _seconds(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"expected a number of seconds, got {value!r}") from None
    if number < 0 or number != number:
        raise ValueError(f"expected zero or more seconds, got {value!r}")
    return number


def _positive_seconds(value: Any) -> float:
    number = _seconds(value)
    if number == 0:
        raise ValueError("expected more than zero seconds")
    return number


def _count(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(f"expected a whole number, got {value!r}")
    try:
        number = int(str(value), 10)
    except ValueError:
        raise ValueError(f"expected a whole number, got {value!r}") from None
    if number < 0:
        raise ValueError(f"expected zero or more, got {value!r}")
    return number


def _pages(value: Any) -> int:
    number = _count(value)
    if number == 0:
        raise ValueError("expected at least 1 page")
    return number


def _interval(value: Any) -> float:
    """Seconds, or a duration such as ``90s``, ``10m``, ``2h``."""
    text = str(value).strip().lower()
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([smh]?)", text)
    if not match:
        raise ValueError(f"expected seconds or a duration such as 10m, got {value!r}")
    seconds = float(match[1]) * {"": 1, "s": 1, "m": 60, "h": 3600}[match[2]]
    if seconds < 1:
        raise ValueError(f"expected at least one second, got {value!r}")
    return seconds


def _cron(value: Any) -> str | None:
    text = _string(value)
    if not text:
        return None
    from apscheduler.triggers.cron import CronTrigger

    try:
        CronTrigger.from_crontab(text)
    except ValueError as error:
        raise ValueError(f"expected a 5-field cron expression such as '*/10 * * * *': {error}") from None
    return text


def _port(value: Any) -> int | None:
    if isinstance(value, str) and not value.strip():
        return None
    number = _count(value)
    if not 0 < number < 65536:
        raise ValueError(f"expected a port from 1 to 65535, got {value!r}")
    return number


def _optional_string(value: Any) -> str | None:
    return _string(value) or None


def _optional_path(value: Any) -> str | None:
    text = _string(value)
    return str(Path(text).expanduser()) if text else None


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a string, got {value!r}")
    return value.strip()


def _contact(value: Any) -> str:
    text = _string(value)
    if not text or any(ch in text for ch in "()\r\n"):
        raise ValueError("expected an address or e-mail people can reach you at, without parentheses")
    return text


def _log_level(value: Any) -> str:
    text = _string(value).upper()
    if text not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ValueError(f"expected DEBUG, INFO, WARNING or ERROR, got {value!r}")
    return text


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"expected true or false, got {value!r}")


PARSERS: Mapping[str, Callable[[Any], Any]] = {
    "base_url": _url,
    "database_url": _database,
    "download_delay": _seconds,
    "proxy": _proxy,
    "contact": _contact,
    "max_pages": _pages,
    "timeout": _positive_seconds,
    "retries": _count,
    "log_level": _log_level,
    "autothrottle": _flag,
    "interval": _interval,
    "block_backoff": _seconds,
    "rules": _optional_path,
    "notify": _optional_string,
    "notify_config": _optional_path,
    "alert_backoff": _positive_seconds,
    "alert_give_up": _interval,
    "jitter": _seconds,
    "cron": _cron,
    "http_port": _port,
    "down_after": _pages,
}
#: Settings naming files: relative paths in a config file are relative to that file.
PATH_SETTINGS = ("rules", "notify_config")
assert set(PARSERS) == {f.name for f in fields(Settings)}


def load_settings(
    config_path: str | os.PathLike[str] | None = None, env: Mapping[str, str] | None = None
) -> Settings:
    """Settings from the defaults, then the TOML file, then the environment."""
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    path = config_path or env.get(f"{ENV_PREFIX}CONFIG") or None
    if path:
        values.update(_read_file(Path(path)))
    for name, parse in PARSERS.items():
        variable = f"{ENV_PREFIX}{name.upper()}"
        if variable in env:
            try:
                values[name] = parse(env[variable])
            except ValueError as error:
                raise ConfigError(f"{variable}: {error}") from None
    return Settings(**values)


def _read_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"{path}: cannot read the configuration file: {error.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: the configuration file is not UTF-8 text") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: {error}") from None
    values: dict[str, Any] = {}
    for name, raw in data.items():
        line = _line_of(text, name)
        where = f"{path}:{line}" if line else str(path)
        if isinstance(raw, dict):
            # Tables belong to later features (rules, notifications); they are read by those.
            continue
        if name not in PARSERS:
            known = ", ".join(sorted(PARSERS))
            raise ConfigError(f"{where}: {name}: unknown setting (known: {known})")
        try:
            values[name] = PARSERS[name](raw)
        except ValueError as error:
            raise ConfigError(f"{where}: {name}: {error}") from None
        if name in PATH_SETTINGS and values[name] and not Path(values[name]).is_absolute():
            values[name] = str(path.parent / values[name])
    return values


def _line_of(text: str, key: str) -> int | None:
    """The 1-based line where a top-level ``key = ...`` stands, for error messages."""
    pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.match(line):
            return number
    return None


def _mask(url: str) -> str:
    """A URL with its password replaced, for messages."""
    return re.sub(r"(://[^:/@]+:)[^@]+@", r"\1***@", url)


def masked_database_url(settings: Settings) -> str:
    """The database URL without its password, for logs and status output."""
    return _mask(settings.database_url)
