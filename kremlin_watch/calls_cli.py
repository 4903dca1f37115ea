"""The `calls` subcommand: the call ledger (who, which country, whose initiative), newest first.

Like `search` brings the search index up to date, `calls` first reads the calls that have no current
record (an archive upgraded from before call records, or a newer reader), so its answer is whole;
``--rebuild`` rereads every call, for when the readers improved without a `READER_VERSION` bump.

One line per call, whatever its versions: the Russian version when archived, else the English one
(``--lang en``: the English version), with the English twin's title and url when it is known; the
filters match the record of either version (`calls.ledger`).
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import sys
from typing import Any

from kremlin_watch.archive_open import open_archive
from kremlin_watch.arguments import day
from kremlin_watch.errors import UserError
from settings.schema import Settings

logger = logging.getLogger("kremlin_watch")

CALLS_FORMATS = ("table", "json", "csv")
#: The columns of ``--format csv``: those of ``--format json``, the lists joined by "; " (``en_title``
#: and ``en_url`` empty when no English version is archived).
CSV_FIELDS = (
    "id",
    "url",
    "lang",
    "published_at",
    "title",
    "counterparts",
    "countries",
    "initiated_by",
    "en_title",
    "en_url",
)


def add_commands(commands: Any) -> None:
    """Register the subcommand on the main parser's subparsers."""
    calls = commands.add_parser(
        "calls", help="the phone calls: counterparts, their countries, who asked for the call"
    )
    calls.add_argument("--country", metavar="C", help="a counterpart from this country (FR, EU, RU, …)")
    calls.add_argument(
        "--counterpart", metavar="NAME", help="a counterpart so named, in any form or language"
    )
    calls.add_argument(
        "--initiated-by", metavar="C|foreign|russia", help="who asked for the call, as the page says"
    )
    calls.add_argument("--since", type=day, metavar="DATE", help="first Moscow day (inclusive)")
    calls.add_argument("--until", type=day, metavar="DATE", help="last Moscow day (inclusive)")
    calls.add_argument("--lang", metavar="L", help="ru or en")
    calls.add_argument("--limit", type=int, metavar="N", help="the newest N calls (default: all)")
    calls.add_argument("--format", choices=CALLS_FORMATS, default="table")
    calls.add_argument(
        "--rebuild", action="store_true", help="reread every call item's record, then say how it went"
    )


def call_filter(args: argparse.Namespace) -> Any:
    """The `CallFilter` the options ask for; a bad code, language or period is a `UserError` (the
    checks and messages of `calls.filters`, which the web side uses too)."""
    from calls.filters import CallFilterError
    from calls.filters import call_filter as build

    if args.limit is not None and args.limit < 1:
        raise UserError(f"--limit must be at least 1, got {args.limit}")
    try:
        return build(
            country=args.country or "",
            counterpart=args.counterpart or "",
            initiated_by=args.initiated_by or "",
            since=args.since,
            until=args.until,
            lang=args.lang or "",
        )
    except CallFilterError as error:
        raise UserError(str(error)) from None


def cmd_calls(args: argparse.Namespace, settings: Settings) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from calls.ledger import fill_calls, load_calls

    wanted = call_filter(args)
    engine = open_archive(settings)
    if args.rebuild:
        print(fill_calls(engine, everything=True).line())
        return 0
    try:
        filled = fill_calls(engine)
        if filled.read:
            logger.info("%s (records that were missing or made by an older reader)", filled.line())
    except SQLAlchemyError as error:
        # A read-only archive, or one busy for longer than the lock timeout: list what is recorded.
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        logger.warning("call records not brought up to date: %s", reason)
    found = load_calls(engine, wanted)
    shown = found[: args.limit] if args.limit else found
    if args.format == "json":
        json.dump([call.to_json() for call in shown], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    elif args.format == "csv":
        _write_csv(shown)
    else:
        _print_table(shown, len(found))
    return 0


def _counterpart(counterpart: Any) -> str:
    """``Emmanuel Macron (FR)``: a name with its country, as a table cell or a CSV list entry."""
    return f"{counterpart.name} ({counterpart.country})" if counterpart.country else counterpart.name


def _write_csv(calls: list[Any]) -> None:
    writer = csv.DictWriter(sys.stdout, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for call in calls:
        row = call.to_json()
        row["counterparts"] = "; ".join(_counterpart(c) for c in call.counterparts)
        row["countries"] = "; ".join(call.countries)
        row["initiated_by"] = "; ".join(call.initiated_by)
        writer.writerow({name: row.get(name) or "" for name in CSV_FIELDS})


def _print_table(calls: list[Any], total: int) -> None:
    from archive.vocabulary import moscow_clock

    if calls:
        print(f"{'id':>6}  {'time (Moscow)':<16}  {'lang':<5}  {'initiative':<10}  counterparts")
    for call in calls:
        who = "; ".join(_counterpart(c) for c in call.counterparts) or f"(unreadable) {call.title}"
        initiative = ", ".join(call.initiated_by) or "-"
        when = moscow_clock(call.published_at) or "time unknown"
        # "ru+en": the Russian version is shown and the English one is archived too.
        langs = f"{call.lang}+en" if call.en_url and call.lang != "en" else call.lang
        print(f"{call.id:>6}  {when:<16}  {langs:<5}  {initiative:<10}  {who}")
    print(f"{len(calls)} of {total} matching call(s)" if len(calls) < total else f"{total} matching call(s)")
