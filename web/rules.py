"""The configured keyword rules as the web side shows them, each with the items it matches.

The rules file is read on every request rather than once at start: people edit it while the daemon
and the server run, and the daemon picks edits up at its next check, so the server should agree with
it. Reading and parsing a rules file costs far less than the search that follows.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from alerts.rules import Rule, RulesError, load_rules
from query.morphology import Lemmatizer
from search.engine import search
from search.request import SearchHit, SearchRequest

#: Hits asked of the search engine per round when a rule's sections filter has to be applied here.
_PAGE = 100


class RulesUnavailable(RuntimeError):
    """The configured rules file cannot be read; the message lists every problem."""


@dataclass
class RuleMatches:
    """The newest items a rule matches, and how many it matches in all."""

    hits: list[SearchHit]
    total: int


def configured_rules(rules_path: str | None) -> list[Rule]:
    """The rules of the configured file; none when no file is configured."""
    if not rules_path:
        return []
    try:
        return load_rules(Path(rules_path))
    except RulesError as error:
        raise RulesUnavailable("; ".join(error.problems)) from None


def find_rule(rules_path: str | None, name: str) -> Rule | None:
    """The rule called ``name``, or None."""
    return next((rule for rule in configured_rules(rules_path) if rule.name == name), None)


def rule_json(rule: Rule) -> dict[str, Any]:
    """A rule's settings as JSON (what the rules file says, the query as written)."""
    return {
        "name": rule.name,
        "query": rule.query_text,
        "description": rule.description,
        "kinds": list(rule.kinds),
        "langs": list(rule.langs),
        "sections": list(rule.sections),
        "notify": list(rule.notify),
        "enabled": rule.enabled,
    }


def rule_matches(engine: Engine, rule: Rule, limit: int, lemmatizer: Lemmatizer | None) -> RuleMatches:
    """The ``limit`` newest items ``rule`` matches, applying its kinds, langs and sections filters.

    A search request takes one kind and one language, a rule any number: each (kind, lang) pair is
    searched on its own (the pairs cannot overlap) and the pages are merged by date. Sections are not
    a search filter, so a rule that names them is filtered here, page by page.
    """
    hits: list[SearchHit] = []
    total = 0
    for kind, lang in itertools.product(rule.search_kinds or (None,), rule.langs or (None,)):
        base = SearchRequest(query=rule.search_text, kind=kind, lang=lang, sort="date")
        if not rule.sections:
            result = search(engine, _page(base, 0, limit), lemmatizer)
            hits.extend(result.hits)
            total += result.total
            continue
        for count, hit in enumerate(_in_sections(engine, base, rule, lemmatizer)):
            if count < limit:
                hits.append(hit)
            total += 1
    hits.sort(key=_newest_first, reverse=True)
    return RuleMatches(hits=hits[:limit], total=total)


def _in_sections(
    engine: Engine, base: SearchRequest, rule: Rule, lemmatizer: Lemmatizer | None
) -> Iterator[SearchHit]:
    """Every hit of ``base`` in one of the rule's sections, newest first."""
    offset = 0
    while True:
        result = search(engine, _page(base, offset, _PAGE), lemmatizer)
        for hit in result.hits:
            if hit.item.get("section") in rule.sections:
                yield hit
        offset += _PAGE
        if offset >= result.total:
            return


def _page(base: SearchRequest, offset: int, limit: int) -> SearchRequest:
    return dataclasses.replace(base, offset=offset, limit=limit)


def _newest_first(hit: SearchHit) -> tuple[str, int]:
    # ISO 8601 UTC strings with the same offset sort like the times they name.
    return (hit.item.get("published_at") or "", hit.item.get("id") or 0)
