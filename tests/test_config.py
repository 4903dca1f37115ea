"""Settings: file, environment, and one-line errors that name the file, line and setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from settings.errors import ConfigError
from settings.loading import load_settings
from settings.schema import Settings
from tests.conftest import cli_env, run_cli


def test_defaults_are_polite_and_honest() -> None:
    settings = load_settings(env={})
    assert settings.base_url == "http://kremlin.ru"
    assert settings.download_delay >= 2
    assert settings.database_url.startswith("sqlite:///data/")
    assert settings.user_agent.startswith("kremlin-watch/0.1.0 (+")


def test_environment_overrides_the_file(tmp_path: Path) -> None:
    config = tmp_path / "kw.toml"
    config.write_text('base_url = "http://127.0.0.1:9999"\ndownload_delay = 3\nmax_pages = 4\n')
    settings = load_settings(config, env={"KREMLIN_WATCH_DOWNLOAD_DELAY": "7.5"})
    assert settings.base_url == "http://127.0.0.1:9999"
    assert settings.download_delay == 7.5
    assert settings.max_pages == 4


def test_config_path_from_environment(tmp_path: Path) -> None:
    config = tmp_path / "kw.toml"
    config.write_text('contact = "desk@example.org"\n')
    settings = load_settings(env={"KREMLIN_WATCH_CONFIG": str(config)})
    assert settings.user_agent == "kremlin-watch/0.1.0 (+desk@example.org)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'base_url = "http://kremlin.ru"\n\ndownload_delay = "soon"\n',
            ":3: download_delay: expected a number",
        ),
        ("max_pages = 0\n", ":1: max_pages: expected from 1 to 100000 pages"),
        ("\nspeed = 3\n", ":2: speed: unknown setting"),
        ('base_url = "kremlin.ru"\n', ":1: base_url: expected an http(s) address"),
        ('database_url = "mysql://x"\n', ":1: database_url: expected sqlite:///PATH"),
    ],
)
def test_file_errors_name_file_line_and_setting(tmp_path: Path, text: str, expected: str) -> None:
    config = tmp_path / "kw.toml"
    config.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_settings(config, env={})
    assert str(caught.value).startswith(str(config))
    assert expected in str(caught.value)


def test_toml_syntax_error_names_the_line(tmp_path: Path) -> None:
    config = tmp_path / "kw.toml"
    config.write_text('base_url = "http://kremlin.ru"\ndownload_delay = = 2\n')
    with pytest.raises(ConfigError, match=r"kw\.toml: .*line 2"):
        load_settings(config, env={})


def test_interval_accepts_durations() -> None:
    assert load_settings(env={"KREMLIN_WATCH_INTERVAL": "10m"}).interval == 600
    assert load_settings(env={"KREMLIN_WATCH_INTERVAL": "45"}).interval == 45


def test_bad_environment_value_is_one_line_and_exit_2() -> None:
    result = run_cli("export", env=cli_env(download_delay="fast"))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "kremlin-watch: error: configuration: KREMLIN_WATCH_DOWNLOAD_DELAY: expected a number of seconds, got 'fast'"
    )
    assert "Traceback" not in result.stderr


def test_missing_config_file_is_one_line(tmp_path: Path) -> None:
    result = run_cli("--config", str(tmp_path / "nope.toml"), "export")
    assert result.returncode == 2
    assert "nope.toml: cannot read the configuration file" in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_database_is_one_line_without_password() -> None:
    result = run_cli("export", env=cli_env(database_url="postgresql://kw:s3cret@127.0.0.1:1/none"))
    assert result.returncode == 1
    assert "cannot open the archive at postgresql://kw:***@127.0.0.1:1/none" in result.stderr
    assert "s3cret" not in result.stderr
    assert "Traceback" not in result.stderr


def test_file_names_in_a_config_file_are_relative_to_it(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    config = tmp_path / "conf" / "kw.toml"
    config.write_text('rules = "rules.toml"\nnotify_config = "/etc/kw/apprise.yml"\n')
    settings = load_settings(config, env={})
    assert settings.rules == str(tmp_path / "conf" / "rules.toml")
    assert settings.notify_config == "/etc/kw/apprise.yml"
    # From the environment a relative name stays as given (relative to where the command runs).
    assert load_settings(config, env={"KREMLIN_WATCH_RULES": "mine.toml"}).rules == "mine.toml"


def test_every_bad_value_is_one_line_naming_its_source(tmp_path: Path) -> None:
    config = tmp_path / "kw.toml"
    config.write_text('max_pages = 0\nretries = true\n\n[later]\nspeed = 3\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(config, env={"KREMLIN_WATCH_HTTP_PORT": "70000", "KREMLIN_WATCH_LOG_LEVEL": "loud"})
    assert str(caught.value).splitlines() == [
        f"{config}:1: max_pages: expected from 1 to 100000 pages, got 0",
        f"{config}:2: retries: expected a whole number, got True",
        "KREMLIN_WATCH_LOG_LEVEL: expected DEBUG, INFO, WARNING or ERROR, got 'LOUD'",
        "KREMLIN_WATCH_HTTP_PORT: expected a port from 1 to 65535, got '70000'",
    ]


def test_only_the_documented_variable_names_count() -> None:
    settings = load_settings(env={"kremlin_watch_max_pages": "4", "KREMLIN_WATCH_Max_Pages": "5"})
    assert settings.max_pages == 10
    assert load_settings(env={"KREMLIN_WATCH_PROXY": "", "KREMLIN_WATCH_HTTP_PORT": " "}).proxy is None


def test_settings_written_in_code_ignore_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KREMLIN_WATCH_MAX_PAGES", "4")
    assert Settings(retries=5).max_pages == 10
    assert load_settings().max_pages == 4
    with pytest.raises(ValueError, match="download_delay"):
        Settings(download_delay=-1)


def test_english_site_is_on_by_default_and_empty_turns_it_off(tmp_path: Path) -> None:
    defaults = load_settings(env={})
    assert defaults.en_base_url == "http://en.kremlin.ru"
    assert defaults.origins == ("http://kremlin.ru", "http://en.kremlin.ru")
    off = load_settings(env={"KREMLIN_WATCH_EN_BASE_URL": ""})
    assert off.en_base_url is None and off.origins == ("http://kremlin.ru",)
    config = tmp_path / "kw.toml"
    config.write_text('base_url = "http://127.0.0.1:8080"\nen_base_url = "http://127.0.0.1:8081"\n')
    assert load_settings(config, env={}).origins == ("http://127.0.0.1:8080", "http://127.0.0.1:8081")
    same = load_settings(env={"KREMLIN_WATCH_EN_BASE_URL": "http://kremlin.ru"})
    assert same.origins == ("http://kremlin.ru",)


def test_bad_english_address_is_one_line() -> None:
    result = run_cli("status", env=cli_env(en_base_url="en.kremlin.ru"))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "kremlin-watch: error: configuration: KREMLIN_WATCH_EN_BASE_URL: expected an http(s) address such "
        "as http://kremlin.ru, got 'en.kremlin.ru'"
    ]


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("download_delay", "inf", "expected from 0 to 3600 seconds, got inf"),
        ("download_delay", "nan", "expected from 0 to 3600 seconds, got nan"),
        ("jitter", "inf", "expected from 0 to 86400 seconds (a day), got inf"),
        ("interval", "99999999999999999999", "expected from 1 second to 30 days (2592000 seconds)"),
        ("interval", '"1e400"', "expected seconds or a duration such as 10m"),
        ("timeout", "inf", "expected more than 0 and at most 3600 seconds, got inf"),
        ("block_backoff", "1e9", "expected from 0 to 86400 seconds (a day), got 1000000000.0"),
        ("alert_backoff", "inf", "expected more than 0 and at most 3600 seconds, got inf"),
        ("alert_give_up", '"10000h"', "expected from 1 second to 30 days"),
        ("retries", "99999999999999999999", "expected from 0 to 100, got 99999999999999999999"),
        ("max_pages", "100001", "expected from 1 to 100000 pages, got 100001"),
        ("down_after", "1001", "expected from 1 to 1000 checks, got 1001"),
        ("database_url", '"postgresql://kw:secret@db:notaport/x"', "expected a port number after the host"),
    ],
)
def test_every_number_has_a_finite_range_said_in_the_error(
    tmp_path: Path, key: str, value: str, expected: str
) -> None:
    """`inf` once made a crawl wait forever and a huge interval overflowed the scheduler: each number
    is bounded at load time, and the error says the bounds."""
    config = tmp_path / "kw.toml"
    config.write_text(f"{key} = {value}\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(config, env={})
    assert str(caught.value).startswith(f"{config}:1: {key}: {expected}")
    assert "secret" not in str(caught.value)


def test_the_largest_values_in_range_are_accepted() -> None:
    settings = load_settings(
        env={
            "KREMLIN_WATCH_DOWNLOAD_DELAY": "3600",
            "KREMLIN_WATCH_INTERVAL": "720h",
            "KREMLIN_WATCH_JITTER": "86400",
            "KREMLIN_WATCH_RETRIES": "100",
        }
    )
    assert (settings.download_delay, settings.interval, settings.jitter, settings.retries) == (
        3600,
        2592000,
        86400,
        100,
    )
