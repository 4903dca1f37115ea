"""Settings from a TOML file and the environment, read by pydantic-settings' own sources.

Precedence, lowest first: the defaults, the file (``--config`` or ``KREMLIN_WATCH_CONFIG``), then one
``KREMLIN_WATCH_<NAME>`` variable per setting. Every bad value becomes one line of a `ConfigError` that
names where it came from (``FILE:LINE: key:`` or the variable), so the command line can print it and
exit 2 instead of showing a traceback.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, EnvSettingsSource, TomlConfigSettingsSource
from pydantic_settings.sources.utils import parse_env_vars

from settings.errors import ConfigError
from settings.schema import ENV_PREFIX, NamesAFile, Settings, Wording
from settings.toml_lines import line_of

#: Pydantic's error types for a value that is of the right sort but out of bounds (``inf`` and
#: ``nan`` are numbers outside every range).
_RANGE_ERRORS = frozenset(
    {"greater_than", "greater_than_equal", "less_than", "less_than_equal", "finite_number"}
)


def variable_name(setting: str) -> str:
    """The environment variable of a setting: ``KREMLIN_WATCH_`` and the name in capitals."""
    return f"{ENV_PREFIX}{setting.upper()}"


def load_settings(
    config_path: str | os.PathLike[str] | None = None, env: Mapping[str, str] | None = None
) -> Settings:
    """Settings from the defaults, then the TOML file, then the environment (``os.environ`` unless given)."""
    env = os.environ if env is None else env
    path = config_path or env.get(f"{ENV_PREFIX}CONFIG") or None
    config_file = _ConfigFile(Settings, Path(path)) if path else None
    variables = _Environment(Settings, env)()
    try:
        return Settings(**{**(config_file() if config_file else {}), **variables})
    except ValidationError as error:
        problems = error.errors()
        lines = (f"{_where(problem, variables, config_file)}: {_explain(problem)}" for problem in problems)
        raise ConfigError("\n".join(lines)) from None


class _Environment(EnvSettingsSource):
    """pydantic-settings' environment source over a given mapping, in which only the documented names
    (``KREMLIN_WATCH_BASE_URL``, never ``kremlin_watch_base_url``) count."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        names = {variable_name(name) for name in settings_cls.model_fields}
        self._environ = {name: value for name, value in environ.items() if name in names}
        super().__init__(settings_cls, case_sensitive=False)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return parse_env_vars(self._environ, False, self.env_ignore_empty, self.env_parse_none_str)


class _ConfigFile(TomlConfigSettingsSource):
    """pydantic-settings' TOML source that keeps the text (for the line of a bad value), says why a file
    cannot be read, and makes the file names it holds relative to the file."""

    def __init__(self, settings_cls: type[BaseSettings], path: Path) -> None:
        self.path = path
        self._file_names = {
            name
            for name, field in settings_cls.model_fields.items()
            if any(isinstance(mark, NamesAFile) for mark in field.metadata)
        }
        try:
            self.text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise ConfigError(f"{path}: cannot read the configuration file: {error.strerror}") from None
        except UnicodeDecodeError:
            raise ConfigError(f"{path}: the configuration file is not UTF-8 text") from None
        super().__init__(settings_cls, toml_file=path)

    def _read_file(self, file_path: Any) -> dict[str, Any]:
        try:
            data = tomllib.loads(self.text)
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"{self.path}: {error}") from None
        # Tables are not settings (every setting is a top-level key) and nothing reads them: they are
        # skipped, not refused, so a file may keep sections of its own.
        return {name: self._relative(name, raw) for name, raw in data.items() if not isinstance(raw, dict)}

    def _relative(self, name: str, raw: Any) -> Any:
        if name not in self._file_names or not isinstance(raw, str) or not raw.strip():
            return raw
        named = Path(raw.strip()).expanduser()
        return str(named if named.is_absolute() else self.path.parent / named)


def _where(problem: ErrorDetails, variables: Mapping[str, Any], config_file: _ConfigFile | None) -> str:
    """The variable that gave the bad value, else ``FILE:LINE: key`` (a value not set in the
    environment came from the file: defaults are not validated)."""
    name = str(problem["loc"][0]) if problem["loc"] else ""
    if name in variables or config_file is None:
        return variable_name(name)
    line = line_of(config_file.text, name)
    return f"{config_file.path}:{line}: {name}" if line else f"{config_file.path}: {name}"


def _explain(problem: ErrorDetails) -> str:
    """Pydantic's finding in the project's words: what was expected, and what was given."""
    if problem["type"] == "extra_forbidden":
        return f"unknown setting (known: {', '.join(sorted(Settings.model_fields))})"
    if problem["type"] == "value_error":
        return str(problem.get("ctx", {}).get("error", problem["msg"]))
    field = Settings.model_fields.get(str(problem["loc"][0]))
    marks = field.metadata if field is not None else []
    wording = next((mark for mark in marks if isinstance(mark, Wording)), Wording("a string"))
    expected = wording.range if problem["type"] in _RANGE_ERRORS and wording.range else wording.kind
    return f"expected {expected}, got {problem['input']!r}"
