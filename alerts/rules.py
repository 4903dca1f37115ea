"""The rules file: which items alert whom.

A TOML file (``KREMLIN_WATCH_RULES`` or the config's ``rules`` path) of ``[[rule]]`` tables::

    [[rule]]
    name = "sanctions"              # required, unique; letters, digits, - and _
    query = 'санкции OR НАТО'       # the query language (README, "Query language"); optional when
                                    # the rule names kinds, countries, counterparts or initiated_by
    description = "for the desk"    # optional, shown in alerts and listings
    kinds = ["call"]                # optional: only items of these kinds (call, decree, meeting, …)
    countries = ["US", "FR"]        # optional: calls with a counterpart of these countries (ISO, EU, RU)
    counterparts = ["Макрон"]       # optional: calls with a counterpart so named (any form)
    initiated_by = ["foreign"]      # optional: calls these sides asked for (codes, foreign, russia)
    langs = ["ru"]                  # optional: only items of these languages
    sections = ["events/president/news"]   # optional: only items from these sections
    notify = ["desk"]               # optional: Apprise tags; default every destination
    digest = false                  # optional: several matches in one check go out as one message
    realert = false                 # optional: alert again when the site edits a matched item
    edits = false                   # optional: one edit notice per real edit of a matched item
    follow_translation = false      # optional: one short follow-up when the other language appears
    enabled = true                  # optional: false keeps the rule for `rules test` only

The three call fields only select items of kind ``call`` (a decree has no counterpart); within one
field any entry will do, and every field given must hold. ``kinds = ["call"]`` alone is a rule too:
every new call.

An item alerts a rule and destination once, when its first matching language version appears
(usually the Russian page; the English one comes hours later with the same id). A later version of
the same item never alerts again; with ``follow_translation = true`` it sends one short follow-up
with its title and link instead.

With ``edits = true`` the rule also sends one **edit notice** per real edit of an item it matches
(what changed, sentence by sentence: `alerts.messages`), and one **withdrawal notice** when the site
withdraws such an item (its page answers 404/410); the edit notice replaces ``realert``. An edit
matches when the rule passes on the new version OR on the version it replaced (an edit that removed
«санкции» is news to a «санкции» rule). Typography-only edits (quotes, dashes, spaces) never notify.
The setting ``edit_notices = ["call"]`` (or ``["all"]``) adds a built-in rule ``edits-call``
(``edits-all``) that sends only these notices, for every item of its kind (`edit_notice_rules`).

Every error names the file, the line and what is wrong, so `kremlin-watch rules check` can list them
all at once instead of stopping at the first.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alerts.destinations import Destination
from archive.vocabulary import CALL, KIND_LABELS, KINDS, LANGS
from calls.codes import code_problem, initiative_problem, parse_call_query
from query.syntax import Query, QuerySyntaxError
from settings.toml_lines import line_of

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


#: The fields that say which items a rule wants; a rule must give at least one of them.
SELECTORS = ("query", "kinds", "countries", "counterparts", "initiated_by")


@dataclass(frozen=True)
class Rule:
    """One rule, its query parsed (None when the rule selects by its other fields only)."""

    name: str
    query_text: str
    query: Query | None = field(repr=False, compare=False)
    description: str = ""
    kinds: tuple[str, ...] = ()
    #: Country codes (upper case): a counterpart from one of them.
    countries: tuple[str, ...] = ()
    #: Names as the user wrote them: a counterpart so named (compared by lemma).
    counterparts: tuple[str, ...] = ()
    #: Codes (upper case), ``foreign`` or ``russia``: the call was asked for by one of them.
    initiated_by: tuple[str, ...] = ()
    langs: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    notify: tuple[str, ...] = ()
    digest: bool = False
    realert: bool = False
    #: Send one short follow-up (title and link) when the other language version of an alerted item
    #: appears (`alerts.trigger`).
    follow_translation: bool = False
    #: Send an edit notice per real edit, and a withdrawal notice, of a matched item (`alerts.trigger`).
    edits: bool = False
    #: Only those notices, no alert for a new item: the built-in rules of ``edit_notices``.
    edits_only: bool = False
    enabled: bool = True
    line: int = 0

    @property
    def call_selectors(self) -> bool:
        """Whether the rule selects by the call record (countries, counterparts, initiated_by)."""
        return bool(self.countries or self.counterparts or self.initiated_by)

    @property
    def selector(self) -> str:
        """What the rule selects, for listings: the query fully parenthesised (precedence visible),
        then its other selectors (``kinds=call countries=FR``)."""
        given = [f"{name}={','.join(getattr(self, name))}" for name in SELECTORS[1:] if getattr(self, name)]
        return " ".join(([str(self.query)] if self.query is not None else []) + given)

    @property
    def search_text(self) -> str:
        """The rule as one query of the query language: its query and its call fields as scopes
        (``country:(FR OR US)``), so a search finds what the rule fires on (the web's rule pages and
        feeds search this way). A rule with neither is "" (every item of its kinds)."""
        parts = [f"({self.query_text})"] if self.query is not None else []
        for scope, values in (
            ("country", self.countries),
            ("counterpart", self.counterparts),
            ("initiated_by", self.initiated_by),
        ):
            if values:
                parts.append(f"{scope}:(" + " OR ".join(f"({value})" for value in values) + ")")
        return " ".join(part for part in parts if part)

    @property
    def search_kinds(self) -> tuple[str, ...]:
        """The kinds a search for the rule asks for (call selectors pass only calls)."""
        return (CALL,) if self.call_selectors and not self.kinds else self.kinds

    def applies_to(self, kind: str, lang: str, section: str) -> bool:
        """Whether the item's kind, language and section pass the rule's filters (call selectors
        pass only calls; whether the call itself passes is `alerts.selectors`' business)."""
        return (
            (not self.kinds or kind in self.kinds)
            and (not self.call_selectors or kind == CALL)
            and (not self.langs or lang in self.langs)
            and (not self.sections or section in self.sections)
        )


class RulesError(ValueError):
    """The rules file cannot be used; ``problems`` lists every error, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a string, got {value!r}")
    return value


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(entry, str) and entry.strip() for entry in value):
        raise ValueError(f"expected a list of strings, got {value!r}")
    return tuple(entry.strip() for entry in value)


def _checked(
    problem: Callable[[str], str | None], case: Callable[[str], str] = str
) -> Callable[[Any], tuple[str, ...]]:
    """A reader of a list of strings (or one string) each of which ``problem`` accepts, put in ``case``."""

    def read(value: Any) -> tuple[str, ...]:
        entries = _strings(value)
        for entry in entries:
            found = problem(entry)
            if found is not None:
                raise ValueError(found)
        return tuple(case(entry) for entry in entries)

    return read


def _one_of(known: tuple[str, ...], what: str) -> Callable[[Any], tuple[str, ...]]:
    """A reader of a list of strings each of which must be one of ``known`` (kinds, languages)."""

    def problem(entry: str) -> str | None:
        return None if entry in known else f"unknown {what} {entry!r} (known: {', '.join(known)})"

    return _checked(problem)


def _initiative_case(entry: str) -> str:
    """Codes upper case, the words ``foreign`` and ``russia`` lower case."""
    return entry.upper() if len(entry) == 2 else entry.lower()


_kinds = _one_of(KINDS, "kind")
_langs = _one_of(LANGS, "language")


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {value!r}")
    return value


FIELDS: dict[str, Callable[[Any], Any]] = {
    "name": _string,
    "query": _string,
    "description": _string,
    "kinds": _kinds,
    "langs": _langs,
    "sections": _strings,
    "notify": _strings,
    "digest": _flag,
    "realert": _flag,
    "follow_translation": _flag,
    "edits": _flag,
    "enabled": _flag,
    "countries": _checked(code_problem, str.upper),
    "counterparts": _strings,
    "initiated_by": _checked(initiative_problem, _initiative_case),
}


def load_rules(path: Path, destinations: list[Destination] | None = None) -> list[Rule]:
    """Rules from ``path``; raises `RulesError` with every problem found.

    With ``destinations``, a ``notify`` tag that no destination carries is an error too (its alerts
    could never go anywhere).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise RulesError([f"{path}: cannot read the rules file: {error.strerror}"]) from None
    except UnicodeDecodeError:
        raise RulesError([f"{path}: the rules file is not UTF-8 text"]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise RulesError([f"{path}: {error}"]) from None
    problems: list[str] = []
    unknown_top = [key for key in data if key != "rule"]
    for key in unknown_top:
        problems.append(
            f"{path}:{line_of(text, key, 0) or 1}: unknown top-level key {key!r} (rules are [[rule]] tables)"
        )
    tables = data.get("rule", [])
    if not isinstance(tables, list):
        problems.append(f"{path}: 'rule' must be written as [[rule]] tables")
        tables = []
    headers = _table_lines(text)
    rules: list[Rule] = []
    seen: dict[str, int] = {}
    for index, table in enumerate(tables):
        start = headers[index] if index < len(headers) else 0
        name = table.get("name")
        if isinstance(name, str) and name in seen:
            problems.append(
                f"{path}:{start}: rule {name!r}: duplicate name (first defined on line {seen[name]})"
            )
            continue
        if isinstance(name, str):
            seen[name] = start
        rule = _read_rule(path, text, table, start, problems)
        if rule is not None:
            rules.append(rule)
    if destinations is not None:
        known_tags = (
            set().union(*(destination.tags for destination in destinations)) if destinations else set()
        )
        for rule in rules:
            for tag in rule.notify:
                if tag not in known_tags:
                    where = line_of(text, "notify", rule.line) or rule.line
                    listed = ", ".join(sorted(known_tags)) or "no destination has tags"
                    problems.append(
                        f"{path}:{where}: rule {rule.name!r}: notify: unknown tag {tag!r} (known: {listed})"
                    )
    if problems:
        raise RulesError(problems)
    return rules


def _read_rule(path: Path, text: str, table: dict[str, Any], start: int, problems: list[str]) -> Rule | None:
    label = f"rule {table.get('name')!r}" if isinstance(table.get("name"), str) else f"rule at line {start}"
    values: dict[str, Any] = {}
    ok = True
    for key, raw in table.items():
        line = line_of(text, key, start) or start
        if key not in FIELDS:
            problems.append(f"{path}:{line}: {label}: unknown field {key!r} (known: {', '.join(FIELDS)})")
            ok = False
            continue
        try:
            values[key] = FIELDS[key](raw)
        except ValueError as error:
            problems.append(f"{path}:{line}: {label}: {key}: {error}")
            ok = False
    if "name" not in table:
        problems.append(f"{path}:{start}: {label}: missing required field 'name'")
        ok = False
    if ok and not any(values.get(name) for name in SELECTORS):
        given = [name for name in SELECTORS[1:] if name in table]
        where = line_of(text, given[0], start) if given else start
        problems.append(
            f"{path}:{where or start}: {label}: selects nothing: give a query, or kinds, countries, "
            "counterparts or initiated_by" + (f" ({', '.join(given)} empty)" if given else "")
        )
        ok = False
    name = values.get("name")
    if isinstance(name, str) and not _NAME.match(name):
        problems.append(
            f"{path}:{line_of(text, 'name', start) or start}: {label}: name: use letters, digits, - and _ "
            f"(at most 64), got {name!r}"
        )
        ok = False
    query: Query | None = None
    if "query" in values:
        where = line_of(text, "query", start) or start
        try:
            query = parse_call_query(values["query"])
        except QuerySyntaxError as error:
            problems.append(f"{path}:{where}: {label}: query: {error}")
            ok = False
    if not ok:
        return None
    return Rule(
        name=values["name"],
        query_text=values.get("query", ""),
        query=query,
        description=values.get("description", ""),
        kinds=values.get("kinds", ()),
        countries=values.get("countries", ()),
        counterparts=values.get("counterparts", ()),
        initiated_by=values.get("initiated_by", ()),
        langs=values.get("langs", ()),
        sections=values.get("sections", ()),
        notify=values.get("notify", ()),
        digest=values.get("digest", False),
        realert=values.get("realert", False),
        follow_translation=values.get("follow_translation", False),
        edits=values.get("edits", False),
        enabled=values.get("enabled", True),
        line=start,
    )


#: The name of the built-in rule that notifies every edit of one kind: ``edits-call``, ``edits-all``.
EDIT_RULE_PREFIX = "edits-"


def edit_notice_rules(kinds: tuple[str, ...]) -> list[Rule]:
    """The built-in rules of the ``edit_notices`` setting: one ``edits-<kind>`` rule per kind (or
    ``edits-all`` for ``all``) that sends an edit notice for every real edit and a withdrawal notice
    for every withdrawal of an item of that kind, to every destination, and never an alert."""
    return [
        Rule(
            name=f"{EDIT_RULE_PREFIX}{kind}",
            query_text="",
            query=None,
            description=f"every edit of {'any item' if kind == 'all' else f'a {KIND_LABELS[kind]}'}",
            kinds=() if kind == "all" else (kind,),
            edits=True,
            edits_only=True,
        )
        for kind in kinds
    ]


def with_edit_notice_rules(
    rules: list[Rule], kinds: tuple[str, ...], where: str = "edit_notices"
) -> list[Rule]:
    """``rules`` and the built-in rules of ``edit_notices``; a rules file rule of the same name is a
    `RulesError` (the two would share outbox rows)."""
    builtin = edit_notice_rules(kinds)
    taken = {rule.name: rule for rule in rules}
    problems = [
        f"{where}: the built-in rule {rule.name!r} has the name of the rule on line {taken[rule.name].line}"
        " of the rules file; rename that rule"
        for rule in builtin
        if rule.name in taken
    ]
    if problems:
        raise RulesError(problems)
    return [*rules, *builtin]


def _table_lines(text: str) -> list[int]:
    """The 1-based line of every ``[[rule]]`` header, in order."""
    return [
        number
        for number, line in enumerate(text.splitlines(), start=1)
        if re.match(r"^\s*\[\[\s*rule\s*\]\]", line)
    ]
