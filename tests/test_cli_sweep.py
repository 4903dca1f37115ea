"""Every subcommand against bad input, a missing or unusable archive, signals and closed pipes.

What a user sees is asserted: the exit status and the one line on stderr (its words, not only its
presence), never a traceback; the archive left as it was (a read command creates nothing); a crawl
stopped by a signal recorded as ``cancelled``. The CLI runs as a subprocess, as a user runs it.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from archive.vocabulary import ITEM_ID_MAX, kind_problem, lang_problem
from replica.corpus import Corpus
from replica.server import ReplicaServer
from tests.conftest import FIXTURES, ROOT, cli_env, free_port, run_cli

HUGE = "100000000000000000000"  # once an OverflowError in SQLite, now refused by the argument's range


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    """The single stderr line of a failed command (fails the test when there are more, or a traceback)."""
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> str:
    """An SQLite archive of 200 items over two months (a backfill of the replica), shared read-only."""
    url = f"sqlite:///{tmp_path_factory.mktemp('sweep') / 'kw.sqlite3'}"
    with ReplicaServer(Corpus.generate(200, lang="ru", seed=11)) as site:
        filled = run_cli("crawl", "--pages", "10", env=cli_env(base_url=site.base_url, database_url=url))
    assert filled.returncode == 0, filled.stderr
    return url


# --- bad arguments and settings ---------------------------------------------------------------------

BAD_ARGUMENTS = [
    (("show", "99999999999999999999999"), f"id: 99999999999999999999999 is not an item id (0 to {ITEM_ID_MAX})"),
    (("show", "seven"), "id: expected an item id (a whole number), got 'seven'"),
    (("search", "x", "--limit", HUGE), f"limit: expected a whole number from 0 to 1000000000, got '{HUGE}'"),
    (("search", "--offset", HUGE), "offset: expected a whole number from 0 to 1000000000"),
    (("search", "--kind", "phonecall"), f"kind: {kind_problem('phonecall')}"),
    (("search", "--lang", "de"), f"lang: {lang_problem('de')}"),
    (("search", "--since", "2024-02-01", "--until", "2024-01-01"), "since (2024-02-01) is after until (2024-01-01)"),
    (("export", "--lang", "de"), f"lang: {lang_problem('de')}"),
    (("export", "--since", "2024-02-01", "--until", "2024-01-01"), "since (2024-02-01) is after until (2024-01-01)"),
    (("export", "--since", "yesterday"), "since: expected a day as YYYY-MM-DD, got 'yesterday'"),
    (("stats", "--lang", "de"), f"lang: {lang_problem('de')}"),
    (("stats", "--since", "2024-02-01", "--until", "2024-01-01"), "since (2024-02-01) is after until (2024-01-01)"),
    (("stats", "--limit", HUGE), "limit: expected a whole number from 0 to 1000000000"),
    (("calls", "--lang", "de"), f"lang: {lang_problem('de')}"),
    (("rules", "test", "x", "--limit", HUGE), "limit: expected a whole number from 0 to 1000000000"),
    (("alerts", "list", "--limit", HUGE), "limit: expected a whole number from 1 to 1000000000"),
    (("crawl", "--pages", HUGE), "pages: expected a whole number from 1 to 1000000000"),
    (("serve", "--port", HUGE), f"port: expected a port from 1 to 65535, got '{HUGE}'"),
    (
        ("parse", str(FIXTURES / "en_robots.txt"), "--url", "notaurl"),
        "url: expected the page's address, such as http://kremlin.ru/events/president/news/70001, "
        "got 'notaurl'",
    ),
    (("search", "--format", "yaml"), "format: invalid choice: 'yaml'"),
    (("edits", "--since", "yesterday"), "since: expected a day as YYYY-MM-DD, got 'yesterday'"),
    (("edits", "--kind", "phonecall"), f"kind: {kind_problem('phonecall')}"),
    (("edits", "--lang", "de"), f"lang: {lang_problem('de')}"),
    (("edits", "--format", "yaml"), "format: invalid choice: 'yaml'"),
    (("edits", "--limit", HUGE), "limit: expected a whole number from 1 to 1000000000"),
    (("show", "1", "--diff", "0"), "diff: expected a whole number from 1 to 1000000000, got '0'"),
    (("nosuch",), "command: invalid choice: 'nosuch'"),
]


@pytest.mark.parametrize(("args", "words"), BAD_ARGUMENTS, ids=[" ".join(args)[:40] for args, _ in BAD_ARGUMENTS])
def test_bad_argument_is_one_line_exit_2(archive: str, args: tuple[str, ...], words: str) -> None:
    result = run_cli(*args, env=cli_env(database_url=archive, base_url="http://127.0.0.1:9"))
    assert result.returncode == 2
    assert result.stdout == ""
    assert one_line(result).startswith(f"kremlin-watch: error: {words}")


BAD_SETTINGS = [
    ("download_delay", "inf", "expected from 0 to 3600 seconds, got 'inf'"),
    ("jitter", "inf", "expected from 0 to 86400 seconds (a day), got 'inf'"),
    ("interval", "99999999999999999999", "expected from 1 second to 30 days (2592000 seconds)"),
    ("timeout", "inf", "expected more than 0 and at most 3600 seconds, got 'inf'"),
    ("block_backoff", "inf", "expected from 0 to 86400 seconds (a day), got 'inf'"),
    ("alert_backoff", "inf", "expected more than 0 and at most 3600 seconds, got 'inf'"),
    ("database_url", "postgresql://kw:s3cret@127.0.0.1:notaport/x", "expected a port number after the host"),
]


@pytest.mark.parametrize("command", ["crawl", "status", "run"])
@pytest.mark.parametrize(("name", "value", "words"), BAD_SETTINGS, ids=[row[0] for row in BAD_SETTINGS])
def test_bad_setting_stops_every_command_in_one_line(command: str, name: str, value: str, words: str) -> None:
    result = run_cli(command, env=cli_env(**{name: value}, base_url="http://127.0.0.1:9"))
    assert result.returncode == 2
    assert one_line(result).startswith(
        f"kremlin-watch: error: configuration: KREMLIN_WATCH_{name.upper()}: {words}"
    )
    assert "s3cret" not in result.stderr


def test_cli_and_api_refuse_a_kind_and_a_language_in_the_same_words(archive: str) -> None:
    """One check (`archive.vocabulary`), two doors: the API's 422 says what the command line says."""
    from fastapi.testclient import TestClient

    from archive.engine import make_engine
    from web.app import create_app

    engine = make_engine(archive)
    try:
        client = TestClient(create_app(engine, "http://kremlin.ru", None))
        for name, value, problem in (("kind", "phonecall", kind_problem), ("lang", "de", lang_problem)):
            answer = client.get("/api/items", params={name: value})
            assert answer.status_code == 422
            assert problem(value) in answer.json()["detail"][0]["msg"]
            cli = run_cli("search", f"--{name}", value, env=cli_env(database_url=archive))
            assert one_line(cli) == f"kremlin-watch: error: {name}: {problem(value)}"
    finally:
        engine.dispose()


# --- the archive: missing, unusable --------------------------------------------------------------------

READ_COMMANDS = [
    ("search",),
    ("search", "санкции"),
    ("show", "1"),
    ("show", "1", "--diff"),
    ("edits",),
    ("stats",),
    ("export",),
    ("status",),
    ("calls",),
    ("serve", "--port", "1"),
    ("rules", "test", "санкции"),
    ("alerts", "list"),
    ("alerts", "send"),
    ("db", "current"),
]


def test_read_commands_refuse_a_missing_archive_and_create_none(database_url: str, tmp_path: Path) -> None:
    """A mistyped SQLite path (or a PostgreSQL database without kremlin-watch's tables) is "no archive"
    for every command that only reads; none creates an archive, a file or a directory."""
    if database_url.startswith("sqlite"):
        mistyped = tmp_path / "typo" / "kw.sqlite3"
        database_url, where = f"sqlite:///{mistyped}", str(mistyped)
    else:
        where = database_url
    for command in READ_COMMANDS:
        result = run_cli(*command, env=cli_env(database_url=database_url))
        if command == ("db", "current") and not database_url.startswith("sqlite"):
            # A PostgreSQL database is there: its (empty) schema is a true answer, and nothing is made.
            assert result.returncode == 0 and "schema empty" in result.stdout, result.stderr
            continue
        assert result.returncode == 2, command
        assert one_line(result) == (
            f"kremlin-watch: error: no archive at {where}; run `kremlin-watch crawl` or check database_url"
        ), command
        assert result.stdout == ""
    assert list(tmp_path.iterdir()) == []
    if not database_url.startswith("sqlite"):
        engine = sa.create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
        try:
            assert sa.inspect(engine).get_table_names() == []
        finally:
            engine.dispose()


def test_crawl_creates_the_archive_the_read_commands_refused(tmp_path: Path) -> None:
    """Only the commands that fill the archive create it (here: a crawl of a site that is not there)."""
    path = tmp_path / "new" / "kw.sqlite3"
    crawled = run_cli("crawl", env=cli_env(database_url=f"sqlite:///{path}", base_url="http://127.0.0.1:9"))
    assert crawled.returncode == 3  # the site did not answer: said, and the archive exists now
    assert path.exists()
    status = run_cli("status", env=cli_env(database_url=f"sqlite:///{path}"))
    assert status.returncode == 0 and "0 items" in status.stdout


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """``path`` cannot be written, even by root (who ignores file modes): immutable where possible."""
    if os.geteuid() != 0:
        path.chmod(0o444)
        yield
        return
    made = subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)
    if made.returncode != 0:
        pytest.skip(f"running as root and cannot make a file immutable: {made.stderr!r}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def test_an_unusable_archive_is_one_line_naming_it(archive: str, tmp_path: Path) -> None:
    not_a_database = tmp_path / "notes.txt"
    not_a_database.write_text("shopping list\n" * 100)
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    cases = [
        (
            ("status",),
            f"sqlite:///{not_a_database}",
            f"cannot open the archive at sqlite:///{not_a_database}: file is not a database",
        ),
        (
            ("crawl",),
            f"sqlite:///{blocked}/sub/kw.sqlite3",
            f"cannot create the archive at sqlite:///{blocked}/sub/kw.sqlite3: Not a directory",
        ),
        (
            ("search",),
            "postgresql://kw:s3cret@127.0.0.1:1/none",
            "cannot open the archive at postgresql://kw:***@127.0.0.1:1/none: connection failed",
        ),
    ]
    for args, url, words in cases:
        result = run_cli(*args, env=cli_env(database_url=url, base_url="http://127.0.0.1:9"))
        assert result.returncode == 1, args
        assert one_line(result).startswith(f"kremlin-watch: error: {words}"), args
        assert "s3cret" not in result.stderr
    assert not_a_database.read_text() == "shopping list\n" * 100


def test_an_archive_from_a_newer_release_is_refused_in_one_line_and_left_alone(
    archive: str, tmp_path: Path
) -> None:
    """After a downgrade of kremlin-watch the archive is at a revision this release has no script for:
    upgrading it (Alembic would fail with "Can't locate revision") or reading it would guess."""
    copy = tmp_path / "newer.sqlite3"
    copy.write_bytes(Path(archive.removeprefix("sqlite:///")).read_bytes())
    url = f"sqlite:///{copy}"
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()  # its last connection closed: the write-ahead log is in the file now
    before = copy.read_bytes()
    words = (
        f"kremlin-watch: error: {url}: the archive's schema is 9999, newer than this kremlin-watch knows "
        "(newest "
    )
    for args in (("db", "upgrade"), ("search", "Путин"), ("status",), ("crawl",), ("serve", "--port", str(free_port()))):
        result = run_cli(*args, env=cli_env(database_url=url, base_url="http://127.0.0.1:9"))
        assert result.returncode == 1, (args, result.stdout, result.stderr)
        line = one_line(result)
        assert line.startswith(words), (args, line)
        assert line.endswith("it was written by a newer release; run that release, or restore a backup "
                             "made before the upgrade"), (args, line)
    assert copy.read_bytes() == before
    current = run_cli("db", "current", env=cli_env(database_url=url))
    assert current.returncode == 0 and "schema 9999 (newest " in current.stdout


def test_a_read_only_archive_is_read_and_a_crawl_says_it_cannot_write(archive: str, tmp_path: Path) -> None:
    source = Path(archive.removeprefix("sqlite:///"))
    copy = tmp_path / "kw.sqlite3"
    copy.write_bytes(source.read_bytes())
    url = f"sqlite:///{copy}"
    with read_only(copy):
        status = run_cli("status", env=cli_env(database_url=url))
        assert status.returncode == 0 and "200 items" in status.stdout, status.stderr
        crawled = run_cli("crawl", env=cli_env(database_url=url, base_url="http://127.0.0.1:9"))
        assert crawled.returncode == 1
        assert one_line(crawled) == (
            f"kremlin-watch: error: the archive at {url} failed: attempt to write a readonly database"
        )
        debug = run_cli("--debug", "crawl", env=cli_env(database_url=url, base_url="http://127.0.0.1:9"))
        assert debug.returncode == 1
        assert "Traceback" in debug.stderr  # asked for
        assert debug.stderr.strip().splitlines()[-1] == one_line(crawled)


# --- what the answers say -----------------------------------------------------------------------------


def test_rules_test_says_how_many_match_and_how_many_are_shown(archive: str) -> None:
    env = cli_env(database_url=archive)
    every = run_cli("rules", "test", "Путин", "--format", "json", env=env)
    total = len(json.loads(every.stdout))
    assert total > 2
    shown = run_cli("rules", "test", "Путин", "--limit", "2", env=env)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines()[-1] == f"{total} matching item(s) for Путин, showing 2"
    whole = run_cli("rules", "test", "Путин", env=env)
    assert whole.stdout.splitlines()[-1] == f"{total} matching item(s) for Путин"


def test_stats_by_month_says_what_the_limit_leaves_out(archive: str) -> None:
    env = cli_env(database_url=archive)
    months = run_cli("stats", "--limit", "0", env=env).stdout.splitlines()[1:]
    counts = [int(line.split()[-1]) for line in months]
    assert len(counts) >= 2 and sum(counts) == 200
    newest = run_cli("stats", "--limit", "1", env=env).stdout.splitlines()
    assert newest[1].split()[::len(newest[1].split()) - 1] == months[-1].split()[::len(months[-1].split()) - 1]
    assert newest[-1] == (
        f"({len(counts) - 1} older month(s) with {sum(counts[:-1])} items not shown; --limit 0 shows all)"
    )
    kinds = run_cli("stats", "--by", "kind", "--limit", "1", env=env).stdout.splitlines()
    every_kind = run_cli("stats", "--by", "kind", "--limit", "0", env=env).stdout.splitlines()
    assert kinds[-1] == f"({len(every_kind) - 2} more row(s) not shown; --limit 0 shows all)"


# --- closed pipes and signals ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [("export",), ("export", "--format", "csv"), ("search", "--limit", "200", "--format", "jsonl"), ("search", "--limit", "200")],
)
def test_output_into_a_closed_pipe_ends_quietly(archive: str, args: tuple[str, ...]) -> None:
    """`kremlin-watch export | head -1`: the reader leaves after one line; the writer stops with the
    status of a program ended by SIGPIPE and says nothing."""
    process = subprocess.Popen(
        [sys.executable, "-m", "kremlin_watch", *args],
        env=cli_env(database_url=archive),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    # A small pipe, so that the output does not fit and the writer meets the closed end.
    fcntl.fcntl(process.stdout.fileno(), fcntl.F_SETPIPE_SZ, 4096)
    first = process.stdout.readline()
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait() == 141
    assert first.strip()
    assert stderr == ""


@pytest.fixture
def slow_site() -> Iterator[ReplicaServer]:
    """A replica whose every answer takes two seconds: a crawl is surely in flight when stopped."""
    with ReplicaServer(Corpus.generate(40, lang="ru", seed=3)) as site:
        site.faults.slow(2.0)
        yield site


def checks_of(url: str) -> list[tuple[str, str]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(sa.text('SELECT mode, outcome FROM "check"'))]
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("sent", "times", "status"),
    [
        (signal.SIGINT, 1, 130),
        (signal.SIGTERM, 1, 143),
        (signal.SIGTERM, 2, 143),  # the second one stops at once
    ],
    ids=["SIGINT", "SIGTERM", "SIGTERM twice"],
)
def test_a_crawl_stopped_by_a_signal_is_recorded_cancelled(
    slow_site: ReplicaServer, tmp_path: Path, sent: signal.Signals, times: int, status: int
) -> None:
    url = f"sqlite:///{tmp_path / 'kw.sqlite3'}"
    process = subprocess.Popen(
        [sys.executable, "-m", "kremlin_watch", "crawl"],
        env=cli_env(base_url=slow_site.base_url, database_url=url),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    while not slow_site.log.records() and process.poll() is None:  # the crawl has begun asking
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(0.05)
    assert process.poll() is None, process.communicate()
    assert process.stderr is not None
    process.send_signal(sent)
    heard = ""
    if times == 2:  # once the first is heard (two pending signals would merge into one)
        while "received" not in heard:
            heard += process.stderr.readline()
        process.send_signal(sent)
    stdout, stderr = process.communicate(timeout=120)
    stderr = heard + stderr
    assert process.returncode == status
    assert "Traceback" not in stderr
    assert f"{sent.name} received: finishing the requests in flight" in stderr
    if times == 1:
        assert stdout.startswith("check: cancelled; ")
    else:
        assert stderr.strip().splitlines()[-1] == f"kremlin-watch: stopped by {sent.name}"
    assert checks_of(url) == [("check", "cancelled")]


@pytest.mark.parametrize(("sent", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["SIGINT", "SIGTERM"])
def test_any_command_stopped_by_a_signal_says_so_in_one_line(
    archive: str, sent: signal.Signals, status: int
) -> None:
    """An `export` blocked on a reader that does not read (a full pipe) is stopped where it is."""
    process = subprocess.Popen(
        [sys.executable, "-m", "kremlin_watch", "export"],
        env=cli_env(database_url=archive),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    fcntl.fcntl(process.stdout.fileno(), fcntl.F_SETPIPE_SZ, 4096)
    first = process.stdout.readline()  # it runs, and now waits for the reader
    process.send_signal(sent)
    _rest, stderr = process.communicate(timeout=120)
    assert first.startswith("{")
    assert process.returncode == status
    assert "Traceback" not in stderr
    assert stderr.strip().splitlines() == [f"kremlin-watch: stopped by {sent.name}"]


# Python hands the ignored KeyboardInterrupt to sys.unraisablehook, which pytest turns into a warning.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_signal_python_only_prints_still_ends_the_command_as_stopped(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ctrl-C landing in a finalizer raises where Python only prints "Exception ignored" and goes
    on; the command still ends as stopped by it (130), not as if it had finished (0)."""
    from kremlin_watch import cli

    class Finalized:
        def __del__(self) -> None:
            os.kill(os.getpid(), signal.SIGINT)

    def command(_args: object, _settings: object) -> int:
        Finalized()  # dropped at once: the signal arrives inside its finalizer
        return 0

    for key, value in cli_env().items():
        if key.startswith("KREMLIN_WATCH_"):
            monkeypatch.setenv(key, value)
    monkeypatch.setitem(cli.COMMANDS, "status", command)
    # In this process the command line must not take over the root logger (pytest's, the fixtures').
    monkeypatch.setattr("kremlin_watch.logs.configure_logging", lambda _level: None)
    assert cli.main(["status"]) == 130
    assert capsys.readouterr().err.strip().splitlines()[-1] == "kremlin-watch: stopped by SIGINT"
