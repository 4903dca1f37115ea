"""The `edits` subcommand: every edit and withdrawal the archive saw, newest first.

One line per step (`archive.edit_log.edits`): when the archive first saw it (Moscow), when the site
says it changed the item, the item, the version step (``2→3``, or ``withdrawn``), its title and the
sentence-level summary of `edits.diff.EditDiff`. Typography-only edits are kept by the archive but
are not edits to a reader, so they are listed only with ``--cosmetic``, and marked. ``--format json``
gives each step with its structured diff, the one the API and the web page show.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from kremlin_watch.archive_open import open_archive
from kremlin_watch.arguments import day, kind, lang, whole
from settings.schema import Settings

if TYPE_CHECKING:
    from archive.edit_log import Edit

#: How much of a title the table shows.
TITLE_WIDTH = 60
COSMETIC_MARK = "[typography only]"


def add_commands(commands: Any) -> None:
    """Register the subcommand on the main parser's subparsers."""
    edits = commands.add_parser(
        "edits", help="every edit and withdrawal of an archived item, newest first, sentence by sentence"
    )
    edits.add_argument("--since", type=day, metavar="DATE", help="seen since this Moscow day (inclusive)")
    edits.add_argument(
        "--kind", type=kind, metavar="K", help="call, decree, meeting, greeting, interview, address, news"
    )
    edits.add_argument("--lang", type=lang, metavar="L", help="only versions in this language: ru or en")
    edits.add_argument(
        "--cosmetic", action="store_true", help="list typography-only changes too (marked; never notified)"
    )
    edits.add_argument("--limit", type=whole(1), metavar="N", help="at most N, the newest (default: all)")
    edits.add_argument("--format", choices=("table", "json"), default="table")


def cmd_edits(args: argparse.Namespace, settings: Settings) -> int:
    from archive.edit_log import edits
    from archive.vocabulary import moscow_day_start

    since = moscow_day_start(args.since) if args.since is not None else None
    found = edits(
        open_archive(settings),
        since=since,
        kinds=[args.kind] if args.kind else (),
        lang=args.lang,
        cosmetic=args.cosmetic,
        limit=args.limit,
    )
    if args.format == "json":
        json.dump([edit_json(edit) for edit in found], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    _print_table(found, args)
    return 0


def edit_json(edit: Edit) -> dict[str, Any]:
    """One step as JSON: the item, the version step, the two times (ISO 8601, UTC) and ``diff``,
    `edits.diff.EditDiff.to_json` (None for a withdrawal, whose text did not change)."""
    from edits.diff import diff_versions

    diff = None if edit.withdrawn else diff_versions(edit.before, edit.after)
    return {
        "key": edit.key,
        "id": edit.item_id,
        "lang": edit.lang,
        "kind": edit.kind,
        "url": edit.url,
        "title": edit.title,
        "version": edit.version,
        "previous_version": None if edit.withdrawn else edit.version - 1,
        "withdrawn": edit.withdrawn,
        "cosmetic": edit.cosmetic,
        "seen_at": edit.seen_at.isoformat(),
        "site_at": edit.site_at.isoformat() if edit.site_at else None,
        "published_at": edit.published_at.isoformat() if edit.published_at else None,
        "summary": "withdrawn by the site" if diff is None else diff.summary(),
        "diff": None if diff is None else diff.to_json(),
    }


def version_step(edit: Edit) -> str:
    """``2→3``, or ``withdrawn``."""
    return "withdrawn" if edit.withdrawn else f"{edit.version - 1}→{edit.version}"


def _print_table(found: list[Edit], args: argparse.Namespace) -> None:
    from archive.vocabulary import moscow_clock
    from edits.diff import diff_versions

    rows = [("first seen (Moscow)", "site time", "id", "lang", "kind", "version", "title", "summary")]
    for edit in found:
        if edit.withdrawn:
            summary = "withdrawn by the site (its page answers 404/410); last text kept"
        else:
            summary = diff_versions(edit.before, edit.after).summary()
            if edit.cosmetic:
                summary = f"{COSMETIC_MARK} {summary}"
        title = edit.title if len(edit.title) <= TITLE_WIDTH else edit.title[: TITLE_WIDTH - 1] + "…"
        rows.append(
            (
                moscow_clock(edit.seen_at),
                moscow_clock(edit.site_at) or "—",
                str(edit.item_id),
                edit.lang,
                edit.kind,
                version_step(edit),
                title,
                summary,
            )
        )
    if not found:
        print("(no edits)")
    else:
        widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]) - 1)]
        for row in rows:
            cells = [
                cell.rjust(width) if column == 2 else cell.ljust(width)
                for column, (cell, width) in enumerate(zip(row, widths, strict=False))
            ]
            print("  ".join([*cells, row[-1]]).rstrip())
    print(_count_line(len(found), args))


def _count_line(count: int, args: argparse.Namespace) -> str:
    """``3 edit(s) and withdrawal(s), newest first`` with the filters said."""
    said = [f"since {args.since} (Moscow)" if args.since else "", f"kind {args.kind}" if args.kind else ""]
    said += [f"{args.lang} versions" if args.lang else "", f"at most {args.limit}" if args.limit else ""]
    said.append(
        "typography-only changes included"
        if args.cosmetic
        else "typography-only changes left out (--cosmetic)"
    )
    return f"{count} edit(s) and withdrawal(s), newest first; " + ", ".join(part for part in said if part)
