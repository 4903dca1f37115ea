"""The compiled rule set's lemma lookup skips only rules that could not match: over replica items and
a wide set of rules it returns exactly what matching every rule returns (the same rules, the same
hits), and the lazily worked-out positions of a field are those of its full lemma index."""

from __future__ import annotations

import random
import re
from collections import Counter

import pytest

from alerts.rules import Rule
from alerts.selectors import CompiledRule, CompiledRules, call_record_of, document_of
from archive.records import ItemRecord
from bench.rules_bench import item_record
from calls.reader import CallReader
from calls.record import CallRecord
from query.document import IndexedDocument
from query.evaluate import Match
from query.morphology import Lemmatizer
from query.syntax import QuerySyntaxError, parse_query
from query.words import WORD
from replica.corpus import Corpus

#: Rules written by hand: every operator, phrases, prefixes, every scope, call scopes.
QUERIES = (
    "санкции",
    "Президент",
    "Путин OR Макрон",
    "Россия Франция",
    "Россия AND сотрудничество",
    '"Президент России"',
    '"телефонный разговор"',
    "«Владимир Путин»",
    "безопасн*",
    "президент* NOT Франция",
    "(совещание OR встреча) NOT губернатор",
    "-НАТО Россия",
    "title:Путин",
    "title:(разговор NOT Франция)",
    "lead:встреча",
    'text:"в рамках"',
    "persons:Путин",
    "persons:(Путин OR Песков)",
    'persons:"Путин Владимир"',
    "topics:экономика",
    "topics:эконом*",
    "geography:Франция",
    "place:Москва",
    "country:FR",
    "country:(US OR DE)",
    "counterpart:Макрон",
    'counterpart:"Эммануэль Макрон"',
    "initiated_by:foreign",
    "initiated_by:russia OR санкции",
    "country:FR NOT initiated_by:russia",
    "country:FR телефонный",
    "российско-американских",
    "Putin",
    "President OR Minister",
    '"Vladimir Putin"',
    "2024",
    "газ* нефть*",
    "ро* NOT Россия",
    "(Путин OR пре*) (Россия OR Франции)",
    "Путин OR (безопасн* NOT НАТО)",
    "(Путин Макрон) OR (Россия -Франция)",
)
_WORD = re.compile(r"[А-Яа-яЁёA-Za-z]{4,}")


def _records(count: int, lang: str, seed: int) -> list[ItemRecord]:
    return [item_record(item) for item in Corpus.generate(count, lang=lang, seed=seed, real_items=True)]


def _generated(items: list[ItemRecord], count: int, seed: int) -> list[str]:
    """Rules from the items' own words: single words, AND, OR, NOT, phrases of adjacent words,
    prefixes and scopes, so most of them match some item."""
    words = Counter(word for item in items for word in _WORD.findall(f"{item.title} {item.text}"))
    pool = [word for word, _ in words.most_common(600)]
    pairs = [
        found
        for item in items[:200]
        for found in zip(item.title.split(), item.title.split()[1:], strict=False)
    ]
    rng = random.Random(seed)
    queries = []
    for index in range(count):
        a, b, c = rng.sample(pool, 3)
        first, second = rng.choice(pairs)
        queries.append(
            [
                a,
                f"{a} {b}",
                f"{a} OR {b}",
                f"({a} OR {b}) NOT {c}",
                f'"{first} {second}"',
                f"{a[:4]}* {b}",
                f"title:{a} OR text:{b}",
                f"{a} OR {b[:3]}*",
                f"{a} -{b}",
                f"persons:{a} OR geography:{b} OR topics:{c}",
            ][index % 10]
        )
    return queries


def _rules(queries: list[str]) -> list[Rule]:
    rules: list[Rule] = []
    for index, text in enumerate(queries):
        try:
            query = parse_query(text)
        except QuerySyntaxError:
            continue  # a generated phrase of punctuation only
        rules.append(Rule(name=f"q{index}", query_text=text, query=query))
    rules += [
        Rule(name="calls", query_text="", query=None, kinds=("call",)),
        Rule(name="france", query_text="", query=None, countries=("FR",)),
        Rule(name="macron", query_text="", query=None, counterparts=("Макрон",)),
        Rule(name="foreign", query_text="разговор", query=parse_query("разговор"), initiated_by=("foreign",)),
        Rule(name="en-only", query_text="President", query=parse_query("President"), langs=("en",)),
        Rule(
            name="news", query_text="Путин", query=parse_query("Путин"), sections=("events/president/news",)
        ),
    ]
    return rules


@pytest.fixture(scope="module")
def lemmatizer() -> Lemmatizer:
    return Lemmatizer()


@pytest.fixture(scope="module")
def items() -> list[ItemRecord]:
    return _records(300, "ru", 11) + _records(100, "en", 12)


def _every_rule(
    rules: CompiledRules, item: ItemRecord, call: CallRecord | None, doc: IndexedDocument
) -> list[tuple[CompiledRule, Match]]:
    """What matching every rule, one by one, finds."""
    found = []
    for compiled in rules.compiled:
        match = compiled.match(item, call, doc)
        if match is not None:
            found.append((compiled, match))
    return found


def test_the_lookup_finds_exactly_what_every_rule_finds(
    lemmatizer: Lemmatizer, items: list[ItemRecord]
) -> None:
    rules = CompiledRules.of(_rules(list(QUERIES) + _generated(items, 300, seed=4)), lemmatizer)
    assert rules.lookup and rules.always  # both paths are exercised
    reader = CallReader()
    matched = checked = 0
    calls = 0
    for item in items:
        call = call_record_of(item, reader)
        calls += call is not None
        doc = document_of(item, call, lemmatizer)
        fast = rules.matches(item, call, doc)
        slow = _every_rule(rules, item, call, doc)
        assert [(compiled.rule.name, match) for compiled, match in fast] == [
            (compiled.rule.name, match) for compiled, match in slow
        ], item.id
        candidates = rules.candidates(doc)
        assert {rules.compiled.index(compiled) for compiled, _ in slow} <= candidates
        matched += len(slow)
        checked += len(candidates)
    assert calls and matched
    assert checked < len(items) * len(rules) / 2  # the lookup does skip rules


def test_the_lookup_agrees_on_fresh_documents(lemmatizer: Lemmatizer, items: list[ItemRecord]) -> None:
    """Each document matched once, before any term looked at it (nothing cached on the fields)."""
    rules = CompiledRules.of(_rules(list(QUERIES) + _generated(items, 100, seed=9)), lemmatizer)
    for item in items[:150]:
        fast = rules.matches(item, None, document_of(item, None, lemmatizer))
        slow = _every_rule(rules, item, None, document_of(item, None, lemmatizer))
        assert [(c.rule.name, m) for c, m in fast] == [(c.rule.name, m) for c, m in slow]


def test_positions_are_those_of_the_full_index(lemmatizer: Lemmatizer, items: list[ItemRecord]) -> None:
    rng = random.Random(2)
    for item in items[:100]:
        doc = IndexedDocument.from_item(item, lemmatizer)
        for field in doc.fields.values():
            assert field.words == WORD.findall(field.text)  # list fields reuse their entries' words
            lemmas = sorted(field.vocabulary)
            assert set(field.index) == field.vocabulary
            for lemma in lemmas:
                assert field.positions(frozenset((lemma,))) == field.index[lemma]
            for _ in range(5):
                some = frozenset([*rng.sample(lemmas, min(3, len(lemmas))), "нетакогослова"])
                expected = sorted({position for lemma in some for position in field.index.get(lemma, [])})
                assert field.positions(some) == expected
            for position in range(len(field.words)):
                token = field.tokens[position]
                assert field.span(position, position) == (token.start, token.end)
