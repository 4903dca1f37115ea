"""The `rules`, `alerts` and `notify` subcommands: tune rules on the archive, watch the outbox."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from kremlin_watch.archive_open import open_archive
from kremlin_watch.arguments import day, whole
from kremlin_watch.errors import EXIT_FAILURE, EXIT_INPUT, UserError
from settings.errors import ConfigError
from settings.schema import Settings


def add_commands(commands: Any) -> None:
    """Register the subcommands on the main parser's subparsers."""
    rules = commands.add_parser("rules", help="check a rules file, or try a rule on the archive")
    rules_commands = rules.add_subparsers(dest="rules_command", required=True, metavar="ACTION")
    check = rules_commands.add_parser("check", help="validate a rules file (default: the configured one)")
    check.add_argument("file", nargs="?", metavar="FILE")
    rules_commands.add_parser("list", help="the rules in force: the rules file's and the built-in ones")
    test = rules_commands.add_parser("test", help="which archived items a query or rule matches")
    what = test.add_mutually_exclusive_group(required=True)
    what.add_argument("query", nargs="?", metavar="QUERY")
    what.add_argument("--rule", metavar="NAME", help="a rule of the rules file")
    test.add_argument("--since", type=day, metavar="DATE", help="only items from this Moscow day on")
    test.add_argument("--format", choices=("table", "json"), default="table")
    test.add_argument(
        "--limit", type=whole(0), default=0, metavar="N", help="show at most N matches (0: all)"
    )

    alerts = commands.add_parser("alerts", help="the alert outbox")
    alerts_commands = alerts.add_subparsers(dest="alerts_command", required=True, metavar="ACTION")
    alerts_commands.add_parser("send", help="send every pending alert now, ignoring back-off")
    listing = alerts_commands.add_parser("list", help="show the outbox")
    listing.add_argument("--status", action="append", choices=("pending", "sending", "sent", "failed"))
    listing.add_argument("--format", choices=("table", "json"), default="table")
    listing.add_argument("--limit", type=whole(1), default=100, metavar="N")

    notify = commands.add_parser("notify", help="notification destinations")
    notify_commands = notify.add_subparsers(dest="notify_command", required=True, metavar="ACTION")
    notify_commands.add_parser("test", help="send a test message to every destination")


def cmd_rules(args: argparse.Namespace, settings: Settings) -> int:
    if args.rules_command == "check":
        return _rules_check(args, settings)
    if args.rules_command == "list":
        return _rules_list(settings)
    return _rules_test(args, settings)


def _rule_line(rule: Any) -> str:
    """One rule as listings show it: name, what it selects, where it goes, and how it notifies."""
    routed = ", ".join(rule.notify) if rule.notify else "all destinations"
    selects = rule.selector or "every item"
    if rule.edits_only:
        how = "  (built in: edit_notices; edit and withdrawal notices only)"
    else:
        how = "  + edit notices" if rule.edits else ""
    return f"  {rule.name}: {selects}  → {routed}{how}{'' if rule.enabled else '  (disabled)'}"


def _rules_list(settings: Settings) -> int:
    from scheduler.check import load_alerting

    rules, destinations = load_alerting(settings)
    source = settings.rules or "no rules file"
    print(f"{source}: {len(rules)} rules in force, {len(destinations)} destinations")
    for rule in rules:
        print(_rule_line(rule))
    return 0


def _rules_check(args: argparse.Namespace, settings: Settings) -> int:
    from alerts.destinations import DestinationError, load_destinations
    from alerts.rules import RulesError, load_rules, with_edit_notice_rules

    path = args.file or settings.rules
    if not path:
        raise UserError("no rules file: give one, or set rules / KREMLIN_WATCH_RULES")
    try:
        destinations = load_destinations(settings.notify, settings.notify_config)
    except DestinationError as error:
        raise ConfigError(str(error)) from None
    try:
        rules = with_edit_notice_rules(load_rules(Path(path), destinations), settings.edit_notices)
    except RulesError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return EXIT_INPUT
    enabled = sum(rule.enabled for rule in rules)
    print(f"{path}: {len(rules)} rules ({enabled} enabled), {len(destinations)} destinations: OK")
    for rule in rules:
        print(_rule_line(rule))
    return 0


def _rules_test(args: argparse.Namespace, settings: Settings) -> int:
    from alerts.rules import Rule, RulesError, load_rules, with_edit_notice_rules
    from alerts.selectors import CompiledRules, call_record_of, document_of
    from alerts.trigger import alert_snippets
    from archive.export import item_object, iter_items, iter_versions
    from calls.codes import parse_call_query
    from calls.reader import CallReader
    from query.evaluate import compile_query
    from query.morphology import Lemmatizer
    from query.syntax import QuerySyntaxError
    from search.engine import candidate_versions

    if args.rule:
        if not settings.rules and not settings.edit_notices:
            raise UserError("--rule needs a rules file: set rules / KREMLIN_WATCH_RULES")
        try:
            written = load_rules(Path(settings.rules)) if settings.rules else []
            rules = {r.name: r for r in with_edit_notice_rules(written, settings.edit_notices)}
        except RulesError as error:
            raise UserError("\n".join(error.problems)) from None
        if args.rule not in rules:
            where = settings.rules or "edit_notices"
            raise UserError(f"no rule named {args.rule!r} in {where} (rules: {', '.join(rules) or 'none'})")
        rule = rules[args.rule]
    else:
        try:
            query = parse_call_query(args.query)
        except QuerySyntaxError as error:
            raise UserError(f"query: {error}") from None
        rule = Rule(name="query", query_text=args.query, query=query)
    engine = open_archive(settings)
    lemmatizer = Lemmatizer()
    compiled = CompiledRules.of([rule], lemmatizer)  # what alerts match with
    reader = CallReader()
    twins = _call_records(engine) if rule.call_selectors else {}
    # The search index narrows the versions to match, as a search's (None: every version).
    candidates = candidate_versions(engine, compile_query(rule.query, lemmatizer)) if rule.query else None
    found: list[dict[str, Any]] = []
    # Every language version, as alerts see them; only the index's candidates where it can narrow.
    items = (
        iter_items(engine, since=args.since)
        if candidates is None
        else iter_versions(engine, candidates, since=args.since)
    )
    for item in items:
        if not rule.applies_to(item.kind, item.lang, item.section):
            continue
        call = call_record_of(item, reader) if compiled.reads_calls else None
        doc = document_of(item, call, lemmatizer)
        others = [record for lang, record in twins.get(item.id, {}).items() if lang != item.lang]
        matches = compiled.matches(item, call, doc, others)
        if not matches:
            continue
        [(_, match)] = matches
        data = item_object(item)
        data["matches"] = [s.to_json() for s in alert_snippets(match, doc)]
        found.append(data)
    found.reverse()  # newest first
    shown = found[: args.limit] if args.limit else found
    if args.format == "json":
        json.dump(shown, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        _print_matches(shown)
        showing = f", showing {len(shown)}" if len(shown) < len(found) else ""
        print(f"{len(found)} matching item(s) for {rule.query or rule.selector}{showing}")
    return 0


def _call_records(engine: Any) -> dict[int, dict[str, Any]]:
    """Every stored call record, id -> {lang: record}: a rule's call fields may be passed by the record
    of another version of the item, as when alerting (`alerts.trigger`)."""
    from sqlmodel import Session, select

    from archive.models import CallEntry
    from calls.ledger import record_of

    found: dict[int, dict[str, Any]] = {}
    with Session(engine) as session:
        for entry in session.exec(select(CallEntry)):
            found.setdefault(entry.item_id, {})[entry.lang] = record_of(entry)
    return found


def _print_matches(found: list[dict[str, Any]]) -> None:
    from archive.vocabulary import moscow_stamp
    from query.snippets import Snippet

    before, after = ("\033[1m", "\033[0m") if sys.stdout.isatty() else ("**", "**")
    for data in found:
        when = moscow_stamp(data["published_at"]) if data["published_at"] else ""
        print(f"{data['id']:>6}  {when}  {data['lang']:<2}  {data['kind']:<8} {data['title']}")
        for entry in data["matches"]:
            snippet = Snippet.from_json(entry)
            print(f"        [{snippet.field}] {snippet.marked(str, before, after)}")


def cmd_alerts(args: argparse.Namespace, settings: Settings) -> int:

    engine = open_archive(settings)
    if args.alerts_command == "send":
        from alerts.delivery import Deliverer
        from scheduler.check import load_alerting

        rules, destinations = load_alerting(settings)
        report = Deliverer(engine, destinations, rules, backoff=settings.alert_backoff).send_due(
            ignore_backoff=True
        )
        print(report.line())
        return 0 if not report.retried and not report.failed else EXIT_FAILURE
    from archive.outbox import Outbox

    rows = Outbox(engine).rows(args.status or (), limit=args.limit)
    objects = [
        {
            "id": row.id,
            "item_id": row.item_id,
            "item_lang": row.item_lang,
            "item_version": row.item_version,
            "follow_up": row.follow_up,
            "notice": row.notice,
            "rule": row.rule,
            "destination": row.destination_label,
            "status": row.status,
            "attempts": row.attempts,
            "last_error": row.last_error,
            "created_at": row.created_at.isoformat(),
            "next_attempt_at": row.next_attempt_at.isoformat() if row.status == "pending" else None,
            "sent_at": row.sent_at.isoformat() if row.sent_at else None,
        }
        for row in rows
    ]
    if args.format == "json":
        json.dump(objects, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    for entry in objects:
        error = f"  last error: {entry['last_error']}" if entry["last_error"] else ""
        about = f"{entry['item_id']}/{entry['item_lang']}" if entry["item_lang"] else f"{entry['item_id']}"
        what = entry["notice"] or ("follow-up" if entry["follow_up"] else "alert")
        print(
            f"{entry['id']:>5} {entry['status']:<8} {what:<9} item {about:<9} {entry['rule']:<16} "
            f"attempts {entry['attempts']}  → {entry['destination']}{error}"
        )
    print(f"{len(objects)} alert(s)")
    return 0


def cmd_notify(args: argparse.Namespace, settings: Settings) -> int:
    import apprise

    from alerts.delivery import send_message
    from alerts.messages import Message
    from scheduler.check import load_alerting

    del args
    _rules, destinations = load_alerting(settings)
    if not destinations:
        raise UserError("no destinations: set notify / KREMLIN_WATCH_NOTIFY or notify_config")
    failures = 0
    for destination in destinations:
        message = Message(
            "[kremlin-watch] test message",
            "This is a test message from kremlin-watch: this destination works.",
            apprise.NotifyFormat.TEXT,
        )
        error = send_message(destination, message, destinations)
        tags = f" [{', '.join(sorted(destination.tags))}]" if destination.tags else ""
        print(
            f"{'ok    ' if error is None else 'FAILED'} {destination.label}{tags}"
            + (f": {error}" if error else "")
        )
        failures += error is not None
    return EXIT_FAILURE if failures else 0
