"""The `kremlin-watch` command line.

Every failure a user can cause (a bad setting, an unreadable file, a database that is not there) ends
in one line on stderr and a non-zero exit status, never a traceback: 2 for bad input, 1 for a failure
of something outside (database, site), 3 for a crawl that was blocked or failed.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from kremlin_watch import alerting_cli, calls_cli, search_cli, serve_cli
from kremlin_watch.archive_open import open_archive
from kremlin_watch.errors import EXIT_CRAWL_FAILED, EXIT_FAILURE, EXIT_INPUT, UserError
from settings.errors import ConfigError
from settings.loading import load_settings
from settings.schema import Settings, masked_database_url
from settings.version import VERSION

logger = logging.getLogger("kremlin_watch")


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a day as YYYY-MM-DD, got {text!r}") from None


def _positive(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return number


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with one subcommand per task."""
    parser = argparse.ArgumentParser(
        prog="kremlin-watch",
        description="Watch kremlin.ru for new items, keep a deduplicated archive, export it.",
    )
    parser.add_argument("--version", action="version", version=f"kremlin-watch {VERSION}")
    parser.add_argument("--config", metavar="PATH", help="TOML settings file (else $KREMLIN_WATCH_CONFIG)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    parse = commands.add_parser("parse", help="print what the parser makes of a saved page, as JSON")
    parse.add_argument("file", metavar="FILE")
    parse.add_argument("--url", required=True, help="the address the page was saved from")

    crawl = commands.add_parser(
        "crawl", help="run one check of base_url and en_base_url now, or a backfill of their list pages"
    )
    scope = crawl.add_mutually_exclusive_group()
    scope.add_argument(
        "--pages", type=_positive, metavar="N", help="backfill: walk the newest N list pages of each host"
    )
    scope.add_argument(
        "--since", type=_day, metavar="DATE", help="backfill: walk each host back to this Moscow day"
    )

    export = commands.add_parser(
        "export", help="write the archive as JSON lines, JSON or CSV: one row per language version"
    )
    export.add_argument("--format", choices=("jsonl", "json", "csv"), default="jsonl")
    export.add_argument("--since", type=_day, metavar="DATE", help="first Moscow day (inclusive)")
    export.add_argument("--until", type=_day, metavar="DATE", help="last Moscow day (inclusive)")
    export.add_argument("--lang", metavar="L", help="only versions in this language: ru or en")
    export.add_argument("--output", "-o", metavar="FILE", help="write here instead of stdout")

    database = commands.add_parser("db", help="database schema")
    database.add_argument("action", choices=("upgrade", "current"))

    commands.add_parser("run", help="the daemon: check on a schedule, alert, serve /healthz and /metrics")
    status = commands.add_parser("status", help="how the watch is doing, from the archive")
    status.add_argument("--format", choices=("table", "json"), default="table")
    alerting_cli.add_commands(commands, _day)
    search_cli.add_commands(commands, _day)
    calls_cli.add_commands(commands, _day)
    serve_cli.add_commands(commands, _day)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings(args.config)
        from kremlin_watch.logs import configure_logging

        configure_logging(settings.log_level)
        return COMMANDS[args.command](args, settings)
    except ConfigError as error:
        return _fail(f"configuration: {error}", EXIT_INPUT)
    except UserError as error:
        return _fail(str(error), error.status)
    except KeyboardInterrupt:
        return 130


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

    engine = open_archive(settings)
    runner = CheckRunner(settings, engine)
    if args.pages or args.since:
        plan = CrawlPlan(mode="backfill", pages=args.pages, since=args.since, max_pages=settings.max_pages)
    else:
        plan = CrawlPlan(mode="check", max_pages=settings.max_pages)
    progress = plan.mode == "backfill" and sys.stderr.isatty()
    result = run_in_reactor(lambda: runner.run(plan, progress=progress))
    print(result.summary.line())
    if result.delivery is not None and (result.queued or result.delivery.sent or result.delivery.retried):
        print(f"{result.delivery.line()}; queued {result.queued}")
    return EXIT_CRAWL_FAILED if result.summary.outcome in ("blocked", "error", "crashed") else 0


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from archive.export import iter_items, write_export

    lang = search_cli.checked_lang(args.lang)
    engine = open_archive(settings)
    items = iter_items(engine, args.since, args.until, lang)
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

    engine = open_archive(settings) if args.action == "upgrade" else None
    if engine is None:
        from archive.engine import make_engine

        engine = make_engine(settings.database_url)
    current = current_revision(engine) or "empty"
    print(f"{masked_database_url(settings)}: schema {current} (newest {head_revision()})")
    return 0


def cmd_run(_args: argparse.Namespace, settings: Settings) -> int:
    import signal

    early: list[int] = []

    def remember(signum: int, _frame: object) -> None:
        early.append(signum)

    # A stop asked for while the daemon is still starting (`docker stop` right after `docker run`)
    # is honoured once it runs, instead of killing it half-way through a migration.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, remember)
    logger.info("starting kremlin-watch %s", VERSION)
    from scheduler.daemon import Daemon
    from scheduler.leader import ArchiveInUse

    engine = open_archive(settings)
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
