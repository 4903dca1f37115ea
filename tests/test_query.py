"""Keyword rules as users see them: which items a rule fires on, what it highlights, how it complains.

Everything runs on the real pymorphy3 dictionaries and on saved kremlin.ru texts: the Russian seed
(a Putin–Biden call) and the English Macron call. Expectations are phrased as a user would check
them: «санкции» fires because the text says «санкций», and the highlight sits exactly on that word.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from archive.models import Item
from crawler.parse_article import parse_article
from query.document import IndexedDocument
from query.evaluate import Match, compile_query
from query.morphology import Lemmatizer
from query.snippets import snippets
from query.syntax import QuerySyntaxError, parse_query
from query.words import tokenize

FIXTURES = Path(__file__).parent / "fixtures"
EN_URL = "http://en.kremlin.ru/events/president/news/63907"


@pytest.fixture(scope="module")
def lemmatizer() -> Lemmatizer:
    return Lemmatizer()


@pytest.fixture(scope="module")
def seed(lemmatizer: Lemmatizer) -> IndexedDocument:
    """The Russian seed call: first line is the title, the body is everything after the date line."""
    lines = (FIXTURES / "seed_ru_call_67487.txt").read_text(encoding="utf-8").splitlines()
    title = next(line.strip() for line in lines if line.strip())  # "с Президентом": a no-break space
    date_line = next(
        i for i, line in enumerate(lines) if re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", line)
    )
    body = "\n".join(lines[date_line + 1 :]).strip()
    assert " ".join(title.split()) == "Телефонный разговор с Президентом США Джозефом Байденом"
    return IndexedDocument.from_fields({"title": title, "text": body}, lemmatizer)


@pytest.fixture(scope="module")
def english(lemmatizer: Lemmatizer) -> IndexedDocument:
    record = parse_article((FIXTURES / "en_article_63907_call.html").read_bytes(), EN_URL)
    return IndexedDocument.from_item(record, lemmatizer)


def match(rule: str, doc: IndexedDocument, lemmatizer: Lemmatizer) -> Match | None:
    return compile_query(rule, lemmatizer).match(doc)


def matched_words(rule: str, doc: IndexedDocument, lemmatizer: Lemmatizer) -> list[tuple[str, str]]:
    """(field, words as written) of every hit, or [] when the rule does not fire."""
    found = match(rule, doc, lemmatizer)
    return [] if found is None else [(hit.field, " ".join(hit.words)) for hit in found.hits]


# --- morphology -------------------------------------------------------------------------------


def test_lemmas_of_ambiguous_unknown_and_english_words(lemmatizer: Lemmatizer) -> None:
    assert {"сталь", "стать"} <= lemmatizer.lemmas("стали")
    assert "байден" in lemmatizer.lemmas("Байденом")
    assert lemmatizer.lemmas("санкций") == lemmatizer.lemmas("Санкциями") == {"санкция"}
    assert lemmatizer.lemmas("sanctions") == lemmatizer.lemmas("Sanction") == {"sanction"}
    assert lemmatizer.lemmas("Macron") == {"macron"}
    assert lemmatizer.lemmas("2021") == {"2021"}


def test_yo_is_folded_in_words_and_lemmas(lemmatizer: Lemmatizer) -> None:
    assert lemmatizer.lemmas("ещё") == lemmatizer.lemmas("еще") == {"еще"}
    assert lemmatizer.lemmas("Соединённых") == lemmatizer.lemmas("Соединенных")
    assert all("ё" not in lemma for lemma in lemmatizer.lemmas("Байденом"))


def test_cache_counts_hits_and_misses() -> None:
    fresh = Lemmatizer()
    fresh.lemmas("санкции")
    fresh.lemmas("санкции")
    fresh.lemmas("Санкции")  # another spelling of the same word: a hit, not a second analysis
    info = fresh.cache_info()
    assert (info.hits, info.misses) == (2, 1)


# --- tokenisation -----------------------------------------------------------------------------


def test_tokens_keep_offsets_and_hyphens_split() -> None:
    text = "разрывом российско-американских отношений, 9–10 января"
    tokens = tokenize(text)
    assert [token.surface for token in tokens] == [
        "разрывом",
        "российско",
        "американских",
        "отношений",
        "9",
        "10",
        "января",
    ]
    assert all(text[token.start : token.end] == token.surface for token in tokens)


def test_hyphenated_rule_word_is_a_phrase(seed: IndexedDocument, lemmatizer: Lemmatizer) -> None:
    assert matched_words("российско-американские", seed, lemmatizer) == [("text", "российско американских")]
    assert matched_words("американские", seed, lemmatizer) == [("text", "американских")]


# --- the Russian seed -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("санкции", [("text", "санкций")]),
        ("НАТО", [("text", "НАТО"), ("text", "НАТО")]),
        ('"юридические гарантии"', [("text", "юридических гарантий")]),
        ("title:Байден", [("title", "Байденом")]),
        ("санкции AND НАТО", [("text", "НАТО"), ("text", "НАТО"), ("text", "санкций")]),
        ("безопасн*", [("text", "безопасности"), ("text", "безопасность"), ("text", "безопасности")]),
        ("«Россия НАТО»", [("text", "Россия НАТО")]),
        # OR binds loosest: this is САНКЦИИ OR ((Макрон AND НАТО) AND NOT Байден).
        ("САНКЦИИ OR Макрон НАТО NOT Байден", [("text", "санкций")]),
    ],
)
def test_seed_rules_that_fire(
    rule: str, expected: list[tuple[str, str]], seed: IndexedDocument, lemmatizer: Lemmatizer
) -> None:
    assert matched_words(rule, seed, lemmatizer) == expected


@pytest.mark.parametrize(
    "rule",
    [
        '"гарантии юридические"',  # words present, order wrong
        "Макрон",
        "санкции NOT НАТО",
        "санкции -НАТО",
        "title:НАТО",
        "санкции and НАТО",  # lower-case "and" is a word, and the text has none
        "(САНКЦИИ OR Макрон) NOT Байден",
    ],
)
def test_seed_rules_that_stay_silent(rule: str, seed: IndexedDocument, lemmatizer: Lemmatizer) -> None:
    assert match(rule, seed, lemmatizer) is None


def test_biden_is_found_in_every_case(seed: IndexedDocument, lemmatizer: Lemmatizer) -> None:
    assert matched_words("Байден", seed, lemmatizer) == [
        ("title", "Байденом"),
        ("text", "Байденом"),
        ("text", "Байден"),
        ("text", "Байденом"),
    ]


def test_or_reports_the_branch_that_matched(seed: IndexedDocument, lemmatizer: Lemmatizer) -> None:
    found = match("(Макрон OR Байден) AND НАТО", seed, lemmatizer)
    assert found is not None
    assert found.terms() == ["Байден", "НАТО"]
    assert found.fields() == ["title", "text"]


def test_not_contributes_no_positions(seed: IndexedDocument, lemmatizer: Lemmatizer) -> None:
    assert matched_words("санкции NOT Макрон", seed, lemmatizer) == [("text", "санкций")]


def test_ambiguous_word_matches_both_readings(lemmatizer: Lemmatizer) -> None:
    steel = IndexedDocument.from_fields({"text": "Цены на сталь выросли."}, lemmatizer)
    become = IndexedDocument.from_fields({"text": "Это может стать ошибкой."}, lemmatizer)
    neither = IndexedDocument.from_fields({"text": "Стол и стул."}, lemmatizer)
    assert matched_words("стали", steel, lemmatizer) == [("text", "сталь")]
    assert matched_words("стали", become, lemmatizer) == [("text", "стать")]
    assert match("стали", neither, lemmatizer) is None


def test_yo_in_rule_and_text(lemmatizer: Lemmatizer) -> None:
    with_yo = IndexedDocument.from_fields({"text": "Обсудили ещё раз."}, lemmatizer)
    without = IndexedDocument.from_fields({"text": "Обсудили еще раз."}, lemmatizer)
    for rule in ("ещё", "еще", "ЕЩЁ", '"еще раз"', "ещ*"):
        assert match(rule, with_yo, lemmatizer) is not None, rule
        assert match(rule, without, lemmatizer) is not None, rule


def test_snippet_highlights_exactly_the_matched_word(seed: IndexedDocument, lemmatizer: Lemmatizer) -> None:
    found = match("санкции", seed, lemmatizer)
    assert found is not None
    [snippet] = snippets(found, seed)
    assert "санкций" in snippet.text
    [(start, end)] = snippet.highlights
    assert snippet.text[start:end] == "санкций"
    assert snippet.text.startswith("…") and snippet.text.endswith("…")
    assert "**санкций** против России" in snippet.marked()
    assert len(snippet.text) <= 2 * 60 + len("санкций") + 2
    assert not snippet.text[1].isspace()  # cut at a word boundary, not inside a word


def test_snippet_of_a_phrase_and_of_a_short_field(seed: IndexedDocument, lemmatizer: Lemmatizer) -> None:
    found = match('"юридические гарантии" OR title:Байден', seed, lemmatizer)
    assert found is not None
    title, phrase = snippets(found, seed, width=20)
    assert title.marked(str, "<mark>", "</mark>") == "…США Джозефом <mark>Байденом</mark>"
    [(start, end)] = phrase.highlights
    assert phrase.text[start:end] == "юридических гарантий"


# --- the English Macron call ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("Macron", [("title", "Macron"), ("lead", "Macron"), ("persons", "Macron")]),
        ("persons:Macron", [("persons", "Macron")]),
        ("Libya*", [("text", "Libyan")]),
        ('"Libyan crisis"', [("text", "Libyan crisis")]),
        ("geography:France AND topics:foreign", [("topics", "Foreign"), ("geography", "France")]),
    ],
)
def test_english_rules_that_fire(
    rule: str, expected: list[tuple[str, str]], english: IndexedDocument, lemmatizer: Lemmatizer
) -> None:
    assert matched_words(rule, english, lemmatizer) == expected


@pytest.mark.parametrize("rule", ["sanctions", "persons:France", '"crisis Libyan"'])
def test_english_rules_that_stay_silent(rule: str, english: IndexedDocument, lemmatizer: Lemmatizer) -> None:
    assert match(rule, english, lemmatizer) is None


def test_phrase_does_not_run_across_list_entries(lemmatizer: Lemmatizer) -> None:
    doc = IndexedDocument.from_fields({"persons": ["Macron Emmanuel", "Merkel Angela"]}, lemmatizer)
    assert doc.fields["persons"].text == "Macron Emmanuel; Merkel Angela"
    assert match('"Merkel Angela"', doc, lemmatizer) is not None
    assert match('"Emmanuel Merkel"', doc, lemmatizer) is None


def test_archive_item_indexes_like_a_record(lemmatizer: Lemmatizer) -> None:
    item = Item(
        id=1,
        url="http://kremlin.ru/events/president/news/1",
        lang="ru",
        section="events/president/news",
        kind="call",
        title="Телефонный разговор с Эммануэлем Макроном",
        content_hash="x",
        source="article",
        persons=["Макрон Эммануэль"],
        geography=["Франция"],
    )
    doc = IndexedDocument.from_item(item, lemmatizer)
    assert matched_words("Макрон AND geography:Франция", doc, lemmatizer) == [
        ("title", "Макроном"),
        ("persons", "Макрон"),
        ("geography", "Франция"),
    ]


# --- the language and its errors --------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "shown"),
    [
        ("санкции НАТО", "(санкции AND НАТО)"),
        ("a b OR c", "((a AND b) OR c)"),
        ("a OR b AND NOT c", "(a OR (b AND NOT c))"),
        ("title:(a OR persons:b) c", "((title:a OR persons:b) AND c)"),
        ("and or not", "(and AND or AND not)"),
    ],
)
def test_precedence(rule: str, shown: str) -> None:
    assert str(parse_query(rule)) == shown


@pytest.mark.parametrize(
    ("rule", "message", "column"),
    [
        ("", "empty query", 1),
        ("   ", "empty query", 1),
        ("НАТО (санкции", "unclosed ( at column 6", 6),
        ("санкции ) НАТО", "unexpected ) at column 9", 9),
        ('НАТО "юридические гарантии', 'unterminated quote " at column 6', 6),
        ("санкции AND", "AND at column 9 needs a word after it", 9),
        ("OR НАТО", "OR at column 1 needs a word before it", 1),
        ("санкции AND OR НАТО", "AND at column 9 needs a word after it", 9),
        ("санкции NOT", "NOT at column 9 needs a word after it", 9),
        (
            "author:x",
            "unknown field 'author' (known: title, lead, text, place, persons, topics, geography, country, counterpart, initiated_by)",
            1,
        ),
        (
            "NOT НАТО",
            "NOT at column 1 has nothing to subtract from: a rule must also name a word it wants",
            1,
        ),
        ("-НАТО", "NOT at column 1 has nothing to subtract from: a rule must also name a word it wants", 1),
        (
            "санкции OR NOT НАТО",
            "NOT at column 12 has nothing to subtract from: a rule must also name a word it wants",
            12,
        ),
        ("б*", "prefix 'б*' at column 1 is too short: write at least 2 letters before *", 1),
        ("НАТО бе*з", "* at column 8 must end a word (like безопасн*)", 8),
        ("title:", "title: at column 1 needs a word, phrase or (group) after it", 1),
        ("НАТО ()", "empty parentheses at column 6", 6),
        ("санкции & НАТО", "'&' at column 9 is not a word (operators are AND, OR, NOT, -word)", 9),
        ("НАТО - санкции", "- at column 6 must be glued to the word it excludes, like -НАТО", 6),
        ("НАТО «санкции", "unterminated quote « at column 6", 6),
        ("(" * 70 + "НАТО" + ")" * 70, "too deeply nested at column 65", 65),
    ],
)
def test_syntax_errors(rule: str, message: str, column: int) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        parse_query(rule)
    assert (caught.value.message, caught.value.column) == (message, column)
    assert str(caught.value) == message and "\n" not in message


def test_call_scopes_parse_and_only_scoped_terms_reach_them() -> None:
    query = parse_query("initiated_by:foreign (country:FR OR counterpart:«Олафом Шольцем») Украина")
    assert str(query) == (
        "(initiated_by:foreign AND (country:FR OR counterpart:«Олафом Шольцем») AND Украина)"
    )
    fields = [term.fields for term in query.terms()]
    assert fields[:3] == [("initiated_by",), ("country",), ("counterpart",)]
    assert "country" not in fields[3] and "counterpart" not in fields[3] and "title" in fields[3]
    with pytest.raises(QuerySyntaxError, match="unknown field 'initiated'"):
        parse_query("initiated:foreign")


def test_counterpart_names_compare_by_name_lemmas(lemmatizer: Lemmatizer) -> None:
    """pymorphy3 guesses «Шольца» → шолец but «Шольц» → шольц: names also compare by stem."""
    assert lemmatizer.lemmas("Шольца").isdisjoint(lemmatizer.lemmas("Шольц"))
    doc = IndexedDocument.from_fields({"counterpart": ["Олаф Шольц"], "title": "Шольц"}, lemmatizer)
    for rule in ("counterpart:Шольцем", 'counterpart:"Олафом Шольцем"', "counterpart:Шольца"):
        assert compile_query(rule, lemmatizer).match(doc) is not None, rule
    assert compile_query("counterpart:Макрон", lemmatizer).match(doc) is None
    # Outside the name fields words keep their lemmas only, as the search index holds them.
    assert compile_query("title:Шольца", lemmatizer).match(doc) is None
