"""The `kremlin-watch` command line.

Every failure a user can cause (a bad setting, an unreadable file, a database that is not there) ends
in one line on stderr and a non-zero exit status, never a traceback: 2 for bad input, 1 for a failure
of something outside (database, site), 3 for a crawl that was blocked or failed. `main` is the one
guard: what a command did not turn into a `UserError` itself (a database error half-way through, a
file it may not write, a number too large for the database) is still one line naming what failed;
``--debug`` shows the traceback as well. SIGINT and SIGTERM end any command with 130 and 143 (a crawl
first finishes the requests in flight and records its check as ``cancelled``; `run` and `serve` stop
gracefully with 0); output into a closed pipe ends quietly with 141.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
import traceback
from collections.abc import Awaitable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any, TypeVar
from urllib.parse import urlsplit

from kremlin_watch import alerting_cli, calls_cli, edits_cli, search_cli, serve_cli
from kremlin_watch.archive_open import database_reason, open_archive, refuse_missing_file
from kremlin_watch.arguments import OneLineParser, day, lang, whole
from kremlin_watch.errors import (
    EXIT_CRAWL_FAILED,
    EXIT_FAILURE,
    EXIT_INPUT,
    EXIT_PIPE,
    Stopped,
    UserError,
    signal_status,
)
from settings.errors import ConfigError
from settings.loading import load_settings
from settings.schema import Settings, masked_database_url
from settings.version import VERSION

logger = logging.getLogger("kremlin_watch")
T = TypeVar("T")


def _page_url(text: str) -> str:
    """The address a saved page came from: the parser resolves its links against it."""
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(
            "expected the page's address, such as http://kremlin.ru/events/president/news/70001, "
            f"got {text!r}"
        )
    return text


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with one subcommand per task."""
    parser = OneLineParser(
        prog="kremlin-watch",
        description="Watch kremlin.ru for new items, keep a deduplicated archive, export it.",
    )
    parser.add_argument("--version", action="version", version=f"kremlin-watch {VERSION}")
    parser.add_argument("--config", metavar="PATH", help="TOML settings file (else $KREMLIN_WATCH_CONFIG)")
    parser.add_argument("--debug", action="store_true", help="on an unexpected error, show the traceback too")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    parse = commands.add_parser("parse", help="print what the parser makes of a saved page, as JSON")
    parse.add_argument("file", metavar="FILE")
    parse.add_argument("--url", required=True, type=_page_url, help="the address the page was saved from")

    crawl = commands.add_parser(
        "crawl", help="run one check of base_url and en_base_url now, or a backfill of their list pages"
    )
    scope = crawl.add_mutually_exclusive_group()
    scope.add_argument(
        "--pages", type=whole(1), metavar="N", help="backfill: walk the newest N list pages of each host"
    )
    scope.add_argument(
        "--since", type=day, metavar="DATE", help="backfill: walk each host back to this Moscow day"
    )

    export = commands.add_parser(
        "export", help="write the archive as JSON lines, JSON or CSV: one row per language version"
    )
    export.add_argument("--format", choices=("jsonl", "json", "csv"), default="jsonl")
    export.add_argument("--since", type=day, metavar="DATE", help="first Moscow day (inclusive)")
    export.add_argument("--until", type=day, metavar="DATE", help="last Moscow day (inclusive)")
    export.add_argument("--lang", type=lang, metavar="L", help="only versions in this language: ru or en")
    export.add_argument("--output", "-o", metavar="FILE", help="write here instead of stdout")

    database = commands.add_parser("db", help="database schema")
    database.add_argument("action", choices=("upgrade", "current"))

    commands.add_parser("run", help="the daemon: check on a schedule, alert, serve /healthz and /metrics")
    status = commands.add_parser("status", help="how the watch is doing, from the archive")
    status.add_argument("--format", choices=("table", "json"), default="table")
    alerting_cli.add_commands(commands)
    search_cli.add_commands(commands)
    edits_cli.add_commands(commands)
    calls_cli.add_commands(commands)
    serve_cli.add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script: the command, behind the one guard of the command line."""
    args = build_parser().parse_args(argv)
    settings: Settings | None = None
    try:
        with _signals_raise() as received:
            try:
                settings = load_settings(args.config)
                from kremlin_watch.logs import configure_logging

                configure_logging(settings.log_level)
                status = COMMANDS[args.command](args, settings)
                sys.stdout.flush()  # a closed pipe is found here, not at exit
                if received:
                    # The signal's exception was raised where Python ignores it (a finalizer that ran
                    # at that moment prints "Exception ignored" and goes on): still stopped by it.
                    return _stopped(received[-1])
                return status
            except ConfigError as error:
                return _fail(f"configuration: {error}", EXIT_INPUT)
            except UserError as error:
                return _fail(str(error), error.status)
            except KeyboardInterrupt:
                return _stopped(signal.SIGINT)
            except Stopped as stop:
                return _stopped(stop.signum)
            except BrokenPipeError:
                return _closed_pipe()
            except Exception as error:  # the one guard: whatever a command did not foresee
                if args.debug:
                    traceback.print_exc()
                return _fail(*_describe(error, settings, debug=args.debug))
    except (KeyboardInterrupt, Stopped) as stop:  # a signal while an error was being reported
        return signal_status(getattr(stop, "signum", signal.SIGINT))


def _describe(error: Exception, settings: Settings | None, *, debug: bool) -> tuple[str, int]:
    """One line naming what failed, and the exit status: 1 for the database or the file system, 2
    for a number too large to use."""
    from sqlalchemy.exc import SQLAlchemyError

    if isinstance(error, SQLAlchemyError):
        where = f" at {masked_database_url(settings)}" if settings is not None else ""
        return f"the archive{where} failed: {database_reason(error)}", EXIT_FAILURE
    if isinstance(error, OSError):
        name = f"{error.filename}: " if error.filename else ""
        return f"{name}{error.strerror or error}", EXIT_FAILURE
    if isinstance(error, OverflowError):
        return f"a number is too large: {error}", EXIT_INPUT
    hint = "" if debug else " (--debug shows where)"
    return f"unexpected {type(error).__name__}: {error}{hint}", EXIT_FAILURE


@contextmanager
def _signals_raise() -> Iterator[list[int]]:
    """SIGTERM raises `Stopped` wherever the command is, SIGINT KeyboardInterrupt, so every command
    ends through the same guard (transactions roll back on the way out). The signals received are
    noted in the list yielded: an exception raised inside a finalizer is only printed by Python, and
    the command must not then end as if nobody had stopped it. (Commands that stop gracefully, such
    as `crawl` and `run`, put their own handlers in place while they run.)"""
    received: list[int] = []

    def stop(signum: int, _frame: FrameType | None) -> None:
        received.append(signum)
        if signum == signal.SIGINT:
            raise KeyboardInterrupt
        raise Stopped(signum)

    # A SIGINT that the process was started ignoring (a background job of a non-interactive shell)
    # stays ignored.
    wanted = [signal.SIGTERM] + (
        [signal.SIGINT] if signal.getsignal(signal.SIGINT) is signal.default_int_handler else []
    )
    previous = {signum: signal.signal(signum, stop) for signum in wanted}
    try:
        yield received
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _stopped(signum: int) -> int:
    print(f"kremlin-watch: stopped by {signal.Signals(signum).name}", file=sys.stderr)
    return signal_status(signum)


def _closed_pipe() -> int:
    """The reader of our output went away (``| head -1``): stop quietly. Python would otherwise
    complain once more when it flushes stdout at exit, so stdout is pointed at /dev/null first."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    finally:
        os.close(devnull)
    return EXIT_PIPE


def _fail(message: str, status: int) -> int:
    print(f"kremlin-watch: error: {message}", file=sys.stderr)
    return status


def cmd_parse(args: argparse.Namespace, _settings: Settings) -> int:
    from archive.records import ItemRecord
    from crawler.errors import LayoutError
    from crawler.page import parse_page

    path = Path(args.file)
    try:
        body = path.read_bytes()
    except OSError as error:
        raise UserError(f"{path}: {error.strerror}") from None
    try:
        result = parse_page(body, args.url)
    except LayoutError as error:
        raise UserError(str(error), EXIT_FAILURE) from None
    if isinstance(result, ItemRecord):
        payload: object = result.to_json()
    else:
        payload = {"items": [item.to_json() for item in result.items], "next": result.next_url}
    json.dump(payload, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


def cmd_crawl(args: argparse.Namespace, settings: Settings) -> int:
    from crawler.plan import CrawlPlan
    from crawler.run import run_in_reactor
    from scheduler.check import CheckRunner

    engine = open_archive(settings, create=True)
    runner = CheckRunner(settings, engine)
    if args.pages or args.since:
        plan = CrawlPlan(mode="backfill", pages=args.pages, since=args.since, max_pages=settings.max_pages)
    else:
        plan = CrawlPlan(mode="check", max_pages=settings.max_pages)
    progress = plan.mode == "backfill" and sys.stderr.isatty()
    stop = _CrawlStop(runner)
    try:
        result = run_in_reactor(lambda: stop.guard(runner.run(plan, progress=progress)), signals=False)
    except asyncio.CancelledError:  # a second signal: stopped at once, the check recorded cancelled
        return _stopped(stop.signals[0])
    print(result.summary.line())
    if result.delivery is not None and (result.queued or result.delivery.sent or result.delivery.retried):
        print(f"{result.delivery.line()}; queued {result.queued}")
    if stop.signals:
        return signal_status(stop.signals[0])
    return EXIT_CRAWL_FAILED if result.summary.outcome in ("blocked", "error", "crashed") else 0


class _CrawlStop:
    """SIGINT or SIGTERM during a crawl. The first asks each host's crawler to finish the requests
    in flight and stop: the check is recorded ``cancelled``, its summary printed, and the exit status
    is 130 or 143. A second one stops at once (the check is still recorded ``cancelled``)."""

    def __init__(self, runner: Any) -> None:
        self.runner = runner
        #: The stop signals received, in order.
        self.signals: list[int] = []

    async def guard(self, work: Awaitable[T]) -> T:
        """Run ``work`` with the stop signals handled as above."""
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        stopper: list[asyncio.Future[None]] = []

        def received(signum: int) -> None:
            self.signals.append(signum)
            if len(self.signals) == 1:
                logger.warning(
                    "%s received: finishing the requests in flight (again to stop at once)",
                    signal.Signals(signum).name,
                )
                self.runner.stopping = True
                stopper.append(asyncio.ensure_future(self._stop_crawlers()))
            elif len(self.signals) == 2 and task is not None:
                task.cancel()

        previous = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
        for signum in previous:
            loop.add_signal_handler(signum, received, signum)
        try:
            return await work
        finally:
            for future in stopper:
                future.cancel()
            for signum, handler in previous.items():  # `main`'s again, for the summary's printing
                loop.remove_signal_handler(signum)
                signal.signal(signum, handler)

    async def _stop_crawlers(self) -> None:
        """Stop each crawler once its engine runs: one asked before that would not stop (Scrapy
        ignores a stop while the engine starts), so the crawlers are watched until the crawl ends."""
        while True:
            for crawler in list(self.runner.active_crawlers):
                engine = getattr(crawler, "engine", None)
                if getattr(crawler, "crawling", False) and getattr(engine, "running", False):
                    await crawler.stop_async()
            await asyncio.sleep(0.1)


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from archive.export import iter_items, write_export
    from archive.vocabulary import period_problem

    problem = period_problem(args.since, args.until)
    if problem is not None:
        raise UserError(problem)
    engine = open_archive(settings)
    items = iter_items(engine, args.since, args.until, args.lang)
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8", newline="") as out:
                count = write_export(items, out, args.format)
        except OSError as error:
            raise UserError(f"{args.output}: {error.strerror}") from None
        logger.info("wrote %d item versions to %s", count, args.output)
    else:
        write_export(items, sys.stdout, args.format)
    return 0


def cmd_db(args: argparse.Namespace, settings: Settings) -> int:
    from archive.migrate import current_revision, head_revision

    if args.action == "upgrade":
        engine = open_archive(settings, create=True)
    else:  # reading the revision must not create the archive it reports on
        from archive.engine import make_engine

        refuse_missing_file(settings)
        engine = make_engine(settings.database_url)
    current = current_revision(engine) or "empty"
    print(f"{masked_database_url(settings)}: schema {current} (newest {head_revision()})")
    return 0


def _upgrade_in_child(args: argparse.Namespace) -> int:
    """Create or migrate the archive with `kremlin-watch db upgrade` in a child process, so the
    daemon never holds Alembic and Mako (see `archive.migrate`); 0, or the child's exit status once
    it has said what failed. The child runs in a session of its own: a Ctrl-C meant for the daemon
    does not cut a migration short (the daemon notes it and stops once it runs, as for SIGTERM)."""
    import subprocess

    command = [sys.executable, "-m", "kremlin_watch"]
    if args.config:
        command += ["--config", args.config]
    if args.debug:
        command.append("--debug")
    child = subprocess.run(
        [*command, "db", "upgrade"], stdout=subprocess.PIPE, text=True, start_new_session=True, check=False
    )
    for line in child.stdout.splitlines():
        logger.info("%s", line)
    return child.returncode


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    import signal

    early: list[int] = []

    def remember(signum: int, _frame: object) -> None:
        early.append(signum)

    # A stop asked for while the daemon is still starting (`docker stop` right after `docker run`)
    # is honoured once it runs, instead of killing it half-way through a migration.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, remember)
    logger.info("starting kremlin-watch %s", VERSION)
    status = _upgrade_in_child(args)
    if status:
        return status
    from scheduler.daemon import Daemon
    from scheduler.leader import ArchiveInUse

    engine = open_archive(settings)  # created and at the newest schema: Alembic is not imported here
    try:
        return Daemon(settings, engine, stop_early=early).run()
    except ArchiveInUse as error:
        raise UserError(str(error), EXIT_FAILURE) from None
    except OSError as error:
        raise UserError(f"cannot start: {error.strerror or error}", EXIT_FAILURE) from None


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    from archive.status import read_status

    engine = open_archive(settings)
    status = read_status(engine, settings.host)
    if args.format == "json":
        json.dump(status.to_json(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    for line in status.lines(masked_database_url(settings)):
        print(line)
    return 0


COMMANDS = {
    "search": search_cli.cmd_search,
    "show": search_cli.cmd_show,
    "stats": search_cli.cmd_stats,
    "edits": edits_cli.cmd_edits,
    "calls": calls_cli.cmd_calls,
    "serve": serve_cli.cmd_serve,
    "rules": alerting_cli.cmd_rules,
    "alerts": alerting_cli.cmd_alerts,
    "notify": alerting_cli.cmd_notify,
    "parse": cmd_parse,
    "crawl": cmd_crawl,
    "export": cmd_export,
    "db": cmd_db,
    "run": cmd_run,
    "status": cmd_status,
}

if __name__ == "__main__":
    sys.exit(main())
