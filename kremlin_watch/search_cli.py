"""The `search`, `show` and `stats` subcommands: find archived items, read one, count them.

Search lists item versions (the Russian and English version of an item are separate hits, each with
its language); `show` prints every version of an item with what each edit changed (`show ID --diff
N`: only the edit that made version N, rendered by `edits.render.TEXT` like every other reader of
edits); `stats` counts each item once unless a language is asked for.

`search` brings the search index up to date before it searches (the command line may write; the
web server does not, and `search.engine` is right without it, only slower for unindexed items).
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import shutil
import sys
from typing import Any

from kremlin_watch.archive_open import open_archive
from kremlin_watch.arguments import day, item_id, kind, lang, whole
from kremlin_watch.errors import UserError
from settings.schema import Settings

logger = logging.getLogger("kremlin_watch")

SEARCH_FORMATS = ("table", "json", "csv", "jsonl")
#: Items to index before a search that deserve a word on a terminal (it takes a while).
_ANNOUNCE_INDEXING = 2000
_BLOCKS = " ▏▎▍▌▋▊▉"


def add_commands(commands: Any) -> None:
    """Register the subcommands on the main parser's subparsers."""
    from search.request import SORTS
    from search.stats import STATS_BY

    search = commands.add_parser("search", help="search the archive (the rules' query language)")
    search.add_argument(
        "query", nargs="?", default="", metavar="QUERY", help="empty: every item, newest first"
    )
    search.add_argument("--since", type=day, metavar="DATE", help="first Moscow day (inclusive)")
    search.add_argument("--until", type=day, metavar="DATE", help="last Moscow day (inclusive)")
    search.add_argument(
        "--kind", type=kind, metavar="K", help="call, decree, meeting, greeting, interview, address, news"
    )
    search.add_argument("--lang", type=lang, metavar="L", help="only versions in this language: ru or en")
    search.add_argument("--person", metavar="P", help="a person the item lists (any part of the name)")
    search.add_argument("--topic", metavar="T", help="a topic the item lists (any part of it)")
    search.add_argument("--limit", type=whole(0), default=20, metavar="N", help="show at most N items (20)")
    search.add_argument("--offset", type=whole(0), default=0, metavar="N", help="skip the first N items")
    search.add_argument("--sort", choices=SORTS, default="date")
    search.add_argument("--format", choices=SEARCH_FORMATS, default="table")

    show = commands.add_parser(
        "show", help="one archived item in full: every language version, each with its earlier versions"
    )
    show.add_argument("id", type=item_id, metavar="ID")
    show.add_argument("--format", choices=("text", "json"), default="text")
    show.add_argument(
        "--diff",
        nargs="?",
        type=whole(1),
        const=0,
        metavar="N",
        help="only what the edit to version N changed, sentence by sentence (default: the newest version)",
    )
    show.add_argument(
        "--lang",
        type=lang,
        metavar="L",
        help="only the version in this language: ru or en (--diff: ru if held)",
    )

    stats = commands.add_parser(
        "stats",
        help="how many items by month, kind, person or geography; calls by country, counterpart, initiative",
    )
    stats.add_argument("--by", choices=STATS_BY, default="month")
    stats.add_argument("--since", type=day, metavar="DATE", help="first Moscow day (inclusive)")
    stats.add_argument("--until", type=day, metavar="DATE", help="last Moscow day (inclusive)")
    stats.add_argument(
        "--lang",
        type=lang,
        metavar="L",
        help="count the versions in this language (ru or en); else each item once",
    )
    stats.add_argument(
        "--limit",
        type=whole(0),
        default=25,
        metavar="N",
        help="the newest N months or the largest N rows (25; 0: all)",
    )


# --- search ---------------------------------------------------------------------------------------


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from query.morphology import Lemmatizer
    from search.engine import SearchError, prepare
    from search.index import IndexWriter
    from search.request import SearchRequest

    request = SearchRequest(
        query=args.query,
        since=args.since,
        until=args.until,
        kind=args.kind,
        lang=args.lang,
        person=args.person,
        topic=args.topic,
        limit=args.limit,
        offset=args.offset,
        sort=args.sort,
    )
    lemmatizer = Lemmatizer()
    try:
        prepared = prepare(request, lemmatizer)
    except SearchError as error:
        raise UserError(str(error)) from None
    engine = open_archive(settings)
    writer = IndexWriter(engine, lemmatizer)
    try:
        pending = writer.pending()
        if pending >= _ANNOUNCE_INDEXING and sys.stderr.isatty():
            print(f"indexing {pending} item(s) for search (once)…", file=sys.stderr)
        writer.update()
    except SQLAlchemyError as error:
        # A read-only archive, or one busy for longer than the lock timeout: the search is right
        # without the update (unindexed items are matched one by one), only slower.
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        logger.warning("search index not brought up to date: %s", reason)
    result = prepared.run(engine)
    if args.format == "json":
        json.dump([hit.to_json() for hit in result.hits], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    elif args.format == "jsonl":
        for hit in result.hits:
            sys.stdout.write(json.dumps({**hit.item, "snippet": _snippet(hit)}, ensure_ascii=False) + "\n")
    elif args.format == "csv":
        _write_csv([{**hit.item, "snippet": _snippet(hit)} for hit in result.hits])
    else:
        _print_table(result)
    return 0


def _chosen(hit: Any) -> Any:
    """The snippet to show for an item: the first match outside the title (the title is shown
    anyway), else the first; None without matches."""
    return next((s for s in hit.snippets if s.field != "title"), hit.snippets[0] if hit.snippets else None)


def _snippet(hit: Any, before: str = "**", after: str = "**") -> str:
    """The chosen snippet, highlighted; empty without matches."""
    chosen = _chosen(hit)
    return chosen.marked(str, before, after) if chosen is not None else ""


def _write_csv(rows: list[dict[str, Any]]) -> None:
    from archive.export import EXPORT_FIELDS

    writer = csv.DictWriter(sys.stdout, fieldnames=[*EXPORT_FIELDS, "snippet"], lineterminator="\n")
    writer.writeheader()
    for row in rows:
        for name in ("topics", "geography", "persons"):
            row[name] = "; ".join(row[name] or [])
        writer.writerow(row)


def _print_table(result: Any) -> None:
    from archive.vocabulary import moscow_stamp

    before, after = ("\033[1m", "\033[0m") if sys.stdout.isatty() else ("**", "**")
    for hit in result.hits:
        data = hit.item
        when = moscow_stamp(data["published_at"])
        print(f"{data['id']:>6}  {when}  {data['lang']}  {data['kind']:<8} {data['title']}")
        chosen = _chosen(hit)
        if chosen is not None:
            print(f"        [{chosen.field}] {chosen.marked(str, before, after)}")
    request = result.request
    what = f"for {request.query}" if request.query.strip() else "(no query: every item, newest first)"
    first = request.offset + 1 if result.hits else request.offset
    print(f"{first}–{request.offset + len(result.hits)} of {result.total} matching item version(s) {what}")


# --- show -----------------------------------------------------------------------------------------


def cmd_show(args: argparse.Namespace, settings: Settings) -> int:
    from archive.edit_log import edits
    from search.show import item_versions

    engine = open_archive(settings)
    data = item_versions(engine, args.id)
    if data is None:
        raise UserError(f"no item {args.id} in the archive")
    versions = data["versions"]
    if args.lang is not None:
        versions = [version for version in versions if version["lang"] == args.lang]
        if not versions:
            raise UserError(f"no {args.lang} version of item {args.id} in the archive")
    if args.diff is not None:
        return _print_diff(engine, versions[0], args.diff, args.format == "json")
    if args.format == "json":
        json.dump({**data, "versions": versions}, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    steps = {
        (step.lang, step.version): step
        for step in edits(engine, item_id=args.id, cosmetic=True, withdrawn=False)
    }
    for position, version in enumerate(versions):
        if position:
            print()
            print("─" * 40)
        _print_version(version, steps)
    return 0


def _print_diff(engine: Any, data: dict[str, Any], wanted: int, as_json: bool) -> int:
    """Version ``wanted`` (0: the newest) of one language version against its predecessor, in
    `edits.render.TEXT` with the two times (``as_json``: as one object of `kremlin-watch edits
    --format json`)."""
    from archive.edit_log import edit_of
    from archive.vocabulary import moscow_stamp

    newest = data["version"]
    number = wanted or newest
    which = f"item {data['id']} ({data['lang']})"
    if number > newest:
        span = "one version" if newest == 1 else f"versions 1 to {newest}"
        raise UserError(f"{which} has {span}, not version {number}")
    if number == 1:
        nothing = "nothing was edited" if newest == 1 else f"--diff 2 to {newest} shows an edit"
        raise UserError(f"version 1 of {which} is the first: it replaced nothing ({nothing})")
    edit = edit_of(engine, data["id"], data["lang"], number)
    if edit is None:  # the version was there a moment ago: an archive changing under us
        raise UserError(f"{which} has no version {number} any more")
    if as_json:
        from kremlin_watch.edits_cli import edit_json

        json.dump(edit_json(edit), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    print(f"{data['id']}  {data['lang']}  {edit.kind}  version {number - 1} → {number}: {edit.title}")
    print(edit.url)
    print(f"the site says it changed {moscow_stamp(edit.site_at)}; first seen {moscow_stamp(edit.seen_at)}")
    print()
    print(_rendered(edit))
    return 0


def _rendered(edit: Any) -> str:
    """An edit in `edits.render.TEXT` (the same diff the web page and the messages show)."""
    from edits.diff import diff_versions
    from edits.render import TEXT, render

    return render(diff_versions(edit.before, edit.after), TEXT)


def _print_version(data: dict[str, Any], steps: dict[tuple[str, int], Any]) -> None:
    """One language version: what it says, its url and language, and what each edit changed."""
    from archive.vocabulary import moscow_stamp

    when = moscow_stamp(data["published_at"])
    print(f"{data['id']}  {when}  {data['kind']}  {data['lang']}  version {data['version']}")
    print(data["title"])
    print(data["url"])
    for label, name in (
        ("place", "place"),
        ("persons", "persons"),
        ("topics", "topics"),
        ("geography", "geography"),
    ):
        value = data[name]
        if value:
            print(f"{label}: {value if isinstance(value, str) else '; '.join(value)}")
    print(f"first seen {moscow_stamp(data['first_seen_at'])}, updated {moscow_stamp(data['updated_at'])}")
    if data.get("gone_at"):
        since = moscow_stamp(data["gone_at"])
        print(f"(withdrawn by the site on {since}: its page answers 404/410; kept as listed)")
    elif data["details_pending"]:
        print("(the item's own page has not been read yet: place and tags may be missing)")
    for name in ("lead", "text"):
        if data[name]:
            print()
            print(data[name])
    revisions = data["revisions"]
    if not revisions:
        return
    print()
    print(f"Edits ({len(revisions)}), newest first:")
    for revision in reversed(revisions):
        number = revision["version"] + 1
        step = steps.get((data["lang"], number))
        site = f", the site says {moscow_stamp(step.site_at)}" if step is not None and step.site_at else ""
        seen = moscow_stamp(revision["replaced_at"])
        print(f"  version {number - 1} → {number}, first seen {seen}{site}: {revision['changes']['summary']}")
        if step is not None:
            for line in _rendered(step).splitlines():
                print(f"    {line}")


# --- stats ----------------------------------------------------------------------------------------


def cmd_stats(args: argparse.Namespace, settings: Settings) -> int:
    from archive.vocabulary import period_problem
    from search.stats import CALL_STATS, counts

    problem = period_problem(args.since, args.until)
    if problem is not None:
        raise UserError(problem)
    every = counts(open_archive(settings), args.by, args.since, args.until, lang=args.lang)
    rows = _shown(every, args.by, args.limit)
    window = ""
    if args.since or args.until:
        window = f", {args.since or '…'} to {args.until or '…'} (Moscow days)"
    what = "calls" if args.by in CALL_STATS else "items"
    versions = f", {args.lang} versions only" if args.lang is not None else ""
    print(f"{what} by {args.by}{window}{versions}")
    if not rows:
        print(f"(no {what})")
        return 0
    for line in bar_chart(rows, shutil.get_terminal_size((100, 24)).columns):
        print(line)
    hidden = len(every) - len(rows)
    if hidden and args.by == "month":  # each item falls in one month: the count says what is left out
        older = sum(count for _, count in every[:hidden])
        print(f"({hidden} older month(s) with {older} {what} not shown; --limit 0 shows all)")
    elif hidden:  # an item may count in several rows (tags), so only the rows are counted
        print(f"({hidden} more row(s) not shown; --limit 0 shows all)")
    return 0


def _shown(rows: list[tuple[str, int]], by: str, limit: int) -> list[tuple[str, int]]:
    """The rows ``--limit`` keeps (0: all): the newest months, else the largest rows (`counts`
    orders months oldest first and the rest largest first)."""
    if not limit or limit >= len(rows):
        return rows
    return rows[-limit:] if by == "month" else rows[:limit]


def bar_chart(rows: list[tuple[str, int]], columns: int = 100) -> list[str]:
    """One line per row: the label, a bar of █ scaled to the largest count (eighths for the
    remainder), and the count at the end."""
    label_width = min(max(len(label) for label, _ in rows), 40)
    count_width = len(str(max(count for _, count in rows)))
    bar_width = max(10, columns - label_width - count_width - 3)
    largest = max(count for _, count in rows) or 1
    lines = []
    for label, count in rows:
        eighths = round(count / largest * bar_width * 8)
        bar = "█" * (eighths // 8) + (_BLOCKS[eighths % 8] if eighths % 8 else "")
        shown = label if len(label) <= label_width else label[: label_width - 1] + "…"
        lines.append(f"{shown:<{label_width}} {bar:<{bar_width}} {count:>{count_width}}")
    return lines
