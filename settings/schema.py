"""What kremlin-watch can be told: one typed, range-checked field per setting.

Pydantic checks the types and ranges. Each type also carries a `Wording`, so that an error says what
was expected in the project's words ("expected a number of seconds, got 'fast'") whichever source the
value came from. Only formats pydantic has no type for (the site's origin, a database or proxy URL, a
cron line, a duration such as ``10m``) have validators of their own.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BeforeValidator, Field
from pydantic_settings import BaseSettings, NoDecode, PydanticBaseSettingsSource, SettingsConfigDict

from archive.vocabulary import KINDS
from settings.version import VERSION

ENV_PREFIX = "KREMLIN_WATCH_"
DEFAULT_DATABASE_URL = "sqlite:///data/kremlin-watch.sqlite3"


@dataclass(frozen=True)
class Wording:
    """What a setting expects, for errors: ``kind`` when a value is of the wrong sort, ``range`` when
    it is of the right sort but out of bounds. A setting without one expects a string."""

    kind: str
    range: str = ""


@dataclass(frozen=True)
class NamesAFile:
    """Marks a setting that names a file: a relative path in a config file is relative to that file."""


def _blank_is_none(value: Any) -> Any:
    """An empty value of an optional setting means "not set" (``KREMLIN_WATCH_PROXY=`` turns it off)."""
    return None if isinstance(value, str) and not value.strip() else value


def _not_a_flag(value: Any) -> Any:
    """Pydantic would read ``true`` as 1; a count written as a flag is a mistake worth saying."""
    if isinstance(value, bool):
        raise ValueError(f"expected a whole number, got {value!r}")
    return value


def _flag_text(value: Any) -> Any:
    """Pydantic reads ``yes`` but not ``yes `` as a flag; a stray space in a variable is no mistake."""
    return value.strip() if isinstance(value, str) else value


def _upper(value: Any) -> Any:
    """Log levels are accepted in any case (``debug``) and kept as logging spells them."""
    return value.strip().upper() if isinstance(value, str) else value


def _duration(value: Any) -> Any:
    """Seconds, or a duration such as ``90s``, ``10m``, ``2h``, as seconds."""
    if isinstance(value, bool):
        return value  # left to the float check, which names what was expected
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([smh]?)", str(value).strip().lower())
    if not match:
        raise ValueError(f"expected seconds or a duration such as 10m, got {value!r}")
    return float(match[1]) * {"": 1, "s": 1, "m": 60, "h": 3600}[match[2]]


def _origin(text: str) -> str:
    text = text.rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"expected an http(s) address such as http://kremlin.ru, got {text!r}")
    if parts.path not in ("", "/") or parts.query:
        raise ValueError(f"expected the site's origin only (no path), got {text!r}")
    return text


def _optional_origin(text: str | None) -> str | None:
    return None if text is None else _origin(text)


def _proxy(text: str | None) -> str | None:
    if text is not None:
        parts = urlsplit(text)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"expected a proxy address such as http://user:pass@host:3128, got {text!r}")
    return text


def _database(text: str) -> str:
    if not re.match(r"^(sqlite|postgresql)(\+\w+)?://", text):
        raise ValueError(f"expected sqlite:///PATH or postgresql://USER@HOST/DB, got {mask_password(text)!r}")
    try:
        urlsplit(text).port  # noqa: B018 - read for its check: a port that is not a number raises
    except ValueError:
        raise ValueError(
            "expected a port number after the host (postgresql://USER@HOST:5432/DB), "
            f"got {mask_password(text)!r}"
        ) from None
    return text


def _contact(text: str) -> str:
    if not text or any(ch in text for ch in "()\r\n"):
        raise ValueError("expected an address or e-mail people can reach you at, without parentheses")
    return text


def _cron(text: str | None) -> str | None:
    if text is not None:
        from apscheduler.triggers.cron import CronTrigger

        try:
            CronTrigger.from_crontab(text)
        except ValueError as error:
            raise ValueError(f"expected a 5-field cron expression such as '*/10 * * * *': {error}") from None
    return text


#: The word of `edit_notices` for every kind.
ALL_KINDS = "all"


def _kind_list(value: Any) -> Any:
    """The kinds of `edit_notices`: a TOML list (``["call"]``), or in a variable a JSON list or words
    separated by commas or spaces (``call, decree``); each a kind of item (`archive.vocabulary.KINDS`)
    or ``all``. An empty value turns the notices off."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except ValueError:
                raise ValueError(f'expected a list of kinds such as ["call"], got {value!r}') from None
        else:
            value = [word for word in re.split(r"[\s,]+", text) if word]
    if not isinstance(value, list | tuple) or not all(isinstance(entry, str) for entry in value):
        raise ValueError(f'expected a list of kinds such as ["call"] or ["all"], got {value!r}')
    kinds = tuple(dict.fromkeys(entry.strip().lower() for entry in value if entry.strip()))
    for kind in kinds:
        if kind != ALL_KINDS and kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r} (known: {ALL_KINDS}, {', '.join(KINDS)})")
    if ALL_KINDS in kinds and len(kinds) > 1:
        raise ValueError(f"{ALL_KINDS!r} already names every kind; give it alone, got {list(kinds)!r}")
    return kinds


def _expand_user(text: str | None) -> str | None:
    return str(Path(text).expanduser()) if text is not None else None


OptionalText = Annotated[str | None, BeforeValidator(_blank_is_none)]
SiteOrigin = Annotated[str, AfterValidator(_origin)]
OptionalOrigin = Annotated[str | None, BeforeValidator(_blank_is_none), AfterValidator(_optional_origin)]
DatabaseUrl = Annotated[str, AfterValidator(_database)]
ProxyUrl = Annotated[str | None, BeforeValidator(_blank_is_none), AfterValidator(_proxy)]
Contact = Annotated[str, AfterValidator(_contact)]
CronLine = Annotated[str | None, BeforeValidator(_blank_is_none), AfterValidator(_cron)]
FileName = Annotated[str | None, BeforeValidator(_blank_is_none), AfterValidator(_expand_user), NamesAFile()]
#: Upper bounds: every number is finite and sized for what it does, so a typo (``inf``, an extra
#: zero run) is a one-line error at load time, not a crawl that never starts or a scheduler overflow.
HOUR = 3600.0
DAY = 86400.0
_SECONDS = Wording("a number of seconds", "from 0 to 3600 seconds")
Seconds = Annotated[float, Field(ge=0, le=HOUR), _SECONDS]
_DAY_SECONDS = Wording("a number of seconds", "from 0 to 86400 seconds (a day)")
DaySeconds = Annotated[float, Field(ge=0, le=DAY), _DAY_SECONDS]
OptionalDaySeconds = Annotated[Annotated[float, Field(ge=0, le=DAY)] | None, _DAY_SECONDS]
PositiveSeconds = Annotated[
    float, Field(gt=0, le=HOUR), Wording("a number of seconds", "more than 0 and at most 3600 seconds")
]
Duration = Annotated[
    float,
    BeforeValidator(_duration),
    Field(ge=1, le=30 * DAY),
    Wording("seconds or a duration such as 10m", "from 1 second to 30 days (2592000 seconds)"),
]
Whole = Annotated[int, BeforeValidator(_not_a_flag)]
Retries = Annotated[Whole, Field(ge=0, le=100), Wording("a whole number", "from 0 to 100")]
Pages = Annotated[Whole, Field(ge=1, le=100_000), Wording("a whole number", "from 1 to 100000 pages")]
Checks = Annotated[Whole, Field(ge=1, le=1000), Wording("a whole number", "from 1 to 1000 checks")]
Port = Annotated[
    Annotated[int, Field(ge=1, le=65535)] | None,
    BeforeValidator(_not_a_flag),
    BeforeValidator(_blank_is_none),
    Wording("a whole number", "a port from 1 to 65535"),
]
Flag = Annotated[bool, BeforeValidator(_flag_text), Wording("true or false")]
KindList = Annotated[tuple[str, ...], NoDecode, BeforeValidator(_kind_list), Wording("a list of kinds")]
LogLevel = Annotated[
    Literal["DEBUG", "INFO", "WARNING", "ERROR"],
    BeforeValidator(_upper),
    Wording("DEBUG, INFO, WARNING or ERROR"),
]


class Settings(BaseSettings):
    """Everything kremlin-watch can be told; the configuration reference lists each with its variable."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        case_sensitive=True,  # a key in the file is spelt as documented; variables: `settings.loading`
        extra="forbid",
        frozen=True,
        str_strip_whitespace=True,
        allow_inf_nan=False,
    )

    base_url: SiteOrigin = "http://kremlin.ru"
    #: The English edition (en.kremlin.ru: same ids, pages hours later); empty turns it off.
    en_base_url: OptionalOrigin = "http://en.kremlin.ru"
    database_url: DatabaseUrl = DEFAULT_DATABASE_URL
    download_delay: Seconds = 5.0
    proxy: ProxyUrl = None
    contact: Contact = "https://pypi.org/project/kremlin-watch/"
    max_pages: Pages = 10
    timeout: PositiveSeconds = 30.0
    retries: Retries = 2
    log_level: LogLevel = "INFO"
    autothrottle: Flag = True
    #: Seconds to pause after a 403/429 without Retry-After; doubled for each refusal in a row.
    block_backoff: DaySeconds = 60.0
    #: Seconds between checks of `kremlin-watch run`.
    interval: Duration = 600.0
    #: Random spread added to each interval, in seconds; None = a tenth of the interval, 0 = none.
    jitter: OptionalDaySeconds = None
    #: A 5-field cron expression (local time zone) used instead of the interval.
    cron: CronLine = None
    #: Port of the health and metrics endpoint of `kremlin-watch run`; None = no endpoint.
    http_port: Port = None
    #: Consecutive failed checks before a "source down" notice.
    down_after: Checks = 3
    #: The rules file (TOML); no rules, no alerts.
    rules: FileName = None
    #: Apprise URLs, one per line or space-separated, each optionally ``tag1, tag2 = URL``.
    notify: OptionalText = None
    #: An Apprise config file (text or YAML) with more destinations and their tags.
    notify_config: FileName = None
    #: Seconds before the first retry of a failed send; doubled each attempt, at most an hour.
    alert_backoff: PositiveSeconds = 30.0
    #: Seconds after which an alert that could not be sent is marked failed (default a day).
    alert_give_up: Duration = 86400.0
    #: Kinds whose every edit and withdrawal is notified (``["call"]``, ``["all"]``): each adds the
    #: built-in rule ``edits-<kind>`` (`alerts.rules.edit_notice_rules`); empty: none.
    edit_notices: KindList = ()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Only the values passed in: `settings.loading.load_settings` is the one reader of the file and
        the environment, so a ``Settings(...)`` written in code (a test, the soak bench) means exactly
        what it says, whatever the environment holds."""
        return (init_settings,)

    @property
    def user_agent(self) -> str:
        """The honest User-Agent the site sees."""
        return f"kremlin-watch/{VERSION} (+{self.contact})"

    @property
    def effective_jitter(self) -> float:
        """The jitter in seconds: as set, else a tenth of the interval."""
        return self.interval / 10 if self.jitter is None else self.jitter

    @property
    def host(self) -> str:
        """The host of ``base_url`` (the Russian edition)."""
        return urlsplit(self.base_url).hostname or ""

    @property
    def origins(self) -> tuple[str, ...]:
        """The origins one check reads, each with its own feed check and politeness budget:
        ``base_url``, then ``en_base_url`` unless it is off or the same origin."""
        if self.en_base_url is None or self.en_base_url == self.base_url:
            return (self.base_url,)
        return (self.base_url, self.en_base_url)


def mask_password(url: str) -> str:
    """A URL with its password replaced, for messages."""
    return re.sub(r"(://[^:/@]+:)[^@]+@", r"\1***@", url)


def masked_database_url(settings: Settings) -> str:
    """The database URL without its password, for logs and status output."""
    return mask_password(settings.database_url)
