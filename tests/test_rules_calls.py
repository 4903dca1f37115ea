"""Rules and alerts about calls: the rule fields, the query's call scopes, search, messages, e-mail.

The call readers are written elsewhere; here the selector tests take `CallRecord` values built by
hand, through `alerts.selectors.rule_applies(rule, item, record)`, so they hold whatever the
readers make of a page.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from alerts.messages import AlertItem, compose, subject
from alerts.rules import Rule, RulesError, load_rules
from alerts.selectors import document_of, rule_applies
from archive.models import CallEntry
from archive.types import utcnow
from calls.record import CallRecord, Counterpart
from query.document import IndexedDocument, call_fields
from query.evaluate import compile_query
from query.morphology import Lemmatizer
from replica.corpus import Corpus
from replica.server import ReplicaServer
from search.engine import SearchError, search
from search.request import SearchRequest
from tests.conftest import SmtpServer, cli_env, run_cli
from tests.test_search import record, store

MACRON = Counterpart("Эммануэль Макрон", "Президент Франции", "FR")
SCHOLZ = Counterpart("Олаф Шольц", "Федеральный канцлер Германии", "DE")
GOVERNOR = Counterpart("Глеб Никитин", "Губернатор Нижегородской области", "RU")
#: «По инициативе французской стороны», with Macron and Scholz on the line.
FRENCH_ASKED = CallRecord((MACRON, SCHOLZ), ("FR",))
RUSSIA_ASKED = CallRecord((MACRON,), ("RU",))
DOMESTIC = CallRecord((GOVERNOR,), ())
TITLE = "Телефонный разговор с Президентом Франции Эммануэлем Макроном"


@pytest.fixture(scope="module")
def lemmatizer() -> Lemmatizer:
    return Lemmatizer()


def rules_from(tmp_path: Path, text: str) -> list[Rule]:
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    return load_rules(path)


def problems(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(RulesError) as caught:
        rules_from(tmp_path, text)
    prefix = f"{tmp_path / 'rules.toml'}:"
    assert all(line.startswith(prefix) for line in caught.value.problems)
    return [line.removeprefix(prefix) for line in caught.value.problems]


def call_item(item_id: int = 1, title: str = TITLE, **fields: object):  # type: ignore[no-untyped-def]
    return record(item_id, title, kind="call", lead="Состоялся телефонный разговор.", **fields)


# --- rules check ------------------------------------------------------------------------------


def test_call_selectors_make_the_query_optional(tmp_path: Path) -> None:
    rules = rules_from(
        tmp_path,
        '[[rule]]\nname = "calls"\nkinds = ["call"]\n\n'
        '[[rule]]\nname = "france"\ncountries = ["fr", "EU"]\ninitiated_by = "Foreign"\n\n'
        '[[rule]]\nname = "macron"\ncounterparts = ["Макрон"]\nquery = "country:FR Украина"\n',
    )
    assert [(r.name, r.query, r.selector) for r in rules[:2]] == [
        ("calls", None, "kinds=call"),
        ("france", None, "countries=FR,EU initiated_by=foreign"),
    ]
    assert rules[2].selector == "(country:FR AND Украина) counterparts=Макрон"


def test_rules_check_names_the_line_of_every_call_mistake(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        '[[rule]]\nname = "empty"\ndescription = "nothing to select"\n\n'  # 1
        '[[rule]]\nname = "blank"\nkinds = []\n\n'  # 5
        '[[rule]]\nname = "codes"\ncountries = ["FR", "XX"]\n\n'  # 9
        '[[rule]]\nname = "uk"\ncountries = "UK"\n\n'  # 13
        '[[rule]]\nname = "side"\ninitiated_by = ["them"]\n\n'  # 17
        '[[rule]]\nname = "scope"\nkinds = ["call"]\nquery = "Украина country:FRA"\n\n'  # 21
        '[[rule]]\nname = "who"\ncounterparts = [""]\n',  # 26
    )
    assert found == [
        "1: rule 'empty': selects nothing: give a query, or kinds, countries, counterparts or initiated_by",
        "7: rule 'blank': selects nothing: give a query, or kinds, countries, counterparts or initiated_by"
        " (kinds empty)",
        "11: rule 'codes': countries: unknown country code 'XX' (ISO 3166 alpha-2 such as FR, or EU, RU)",
        "15: rule 'uk': countries: unknown country code 'UK' (ISO 3166 alpha-2 such as FR, or EU, RU)",
        "19: rule 'side': initiated_by: unknown initiative 'them' (a country code such as FR, or foreign"
        " or russia)",
        "24: rule 'scope': query: country:FRA at column 17: unknown country code 'FRA' (ISO 3166 alpha-2"
        " such as FR, or EU, RU)",
        "28: rule 'who': counterparts: expected a list of strings, got ['']",
    ]


def test_rules_check_command_accepts_a_kinds_only_rule_and_lists_errors(tmp_path: Path) -> None:
    good = tmp_path / "good.toml"
    good.write_text('[[rule]]\nname = "calls"\nkinds = ["call"]\n', encoding="utf-8")
    ok = run_cli("rules", "check", str(good), env=cli_env())
    assert ok.returncode == 0, ok.stderr
    assert "  calls: kinds=call  → all destinations" in ok.stdout
    bad = tmp_path / "bad.toml"
    bad.write_text('[[rule]]\nname = "x"\n\ncountries = ["ZZ"]\n', encoding="utf-8")
    result = run_cli("rules", "check", str(bad), env=cli_env())
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"{bad}:4: rule 'x': countries: unknown country code 'ZZ' (ISO 3166 alpha-2 such as FR, or EU, RU)"
    )


# --- rule fields against call records --------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "french", "russian", "domestic"),
    [
        ('kinds = ["call"]', True, True, True),
        ('countries = ["DE"]', True, False, False),
        ('countries = ["US", "RU"]', False, False, True),
        ('initiated_by = ["foreign"]', True, False, False),
        ('initiated_by = "russia"', False, True, False),
        ('initiated_by = ["FR"]', True, False, False),
        ('counterparts = ["Макроном"]', True, True, False),
        ('counterparts = ["Олафа Шольца"]', True, False, False),
        ('counterparts = ["Шольц", "Никитин"]', True, False, True),
        ('countries = ["FR"]\ninitiated_by = ["russia"]', False, True, False),
        ('countries = ["FR"]\nquery = "title:Макрон"', True, True, False),
    ],
)
def test_rule_fields_select_calls_by_their_record(
    tmp_path: Path, lemmatizer: Lemmatizer, fields: str, french: bool, russian: bool, domestic: bool
) -> None:
    [rule] = rules_from(tmp_path, f'[[rule]]\nname = "r"\n{fields}\n')
    item = call_item()
    got = [rule_applies(rule, item, call, lemmatizer) for call in (FRENCH_ASKED, RUSSIA_ASKED, DOMESTIC)]
    assert got == [french, russian, domestic]


def test_call_fields_never_select_other_kinds_or_unreadable_calls(
    tmp_path: Path, lemmatizer: Lemmatizer
) -> None:
    [countries, everything] = rules_from(
        tmp_path, '[[rule]]\nname = "a"\ncountries = ["FR"]\n\n[[rule]]\nname = "b"\nkinds = ["call"]\n'
    )
    decree = record(2, "Указ о Франции", kind="decree")
    assert not rule_applies(countries, decree, None, lemmatizer)
    assert not rule_applies(countries, call_item(), CallRecord(), lemmatizer)
    assert rule_applies(everything, call_item(), CallRecord(), lemmatizer)  # every new call, read or not
    assert not rule_applies(everything, decree, None, lemmatizer)


def test_call_fields_may_be_passed_by_the_other_versions_record(tmp_path: Path, lemmatizer: Lemmatizer) -> None:
    """``counterparts = ["Macron"]``: the Russian record writes «Макрон», the English twin "Macron"."""
    [macron, french_asked] = rules_from(
        tmp_path,
        '[[rule]]\nname = "m"\ncounterparts = ["Macron"]\n\n'
        '[[rule]]\nname = "f"\ninitiated_by = ["FR"]\ncountries = ["FR"]\n',
    )
    english = CallRecord((Counterpart("Emmanuel Macron", "President of France", "FR"),), ("FR",))
    assert not rule_applies(macron, call_item(), RUSSIA_ASKED, lemmatizer)
    assert rule_applies(macron, call_item(), RUSSIA_ASKED, lemmatizer, twins=(english,))
    # Every field must hold on one version's record: the English one says France asked.
    assert not rule_applies(french_asked, call_item(), RUSSIA_ASKED, lemmatizer)
    assert rule_applies(french_asked, call_item(), RUSSIA_ASKED, lemmatizer, twins=(english,))
    # A version that is no call is not selected by its twin's record.
    assert not rule_applies(macron, record(2, "Указ", kind="decree"), None, lemmatizer, twins=(english,))


# --- query scopes ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "french", "russian", "domestic"),
    [
        ("country:FR", True, True, False),
        ("country:de", True, False, False),
        ("country:(US OR RU)", False, False, True),
        ("counterpart:Макрона", True, True, False),
        ('counterpart:"Олафом Шольцем"', True, False, False),
        ("initiated_by:foreign", True, False, False),
        ("initiated_by:russia", False, True, False),
        ("initiated_by:FR", True, False, False),
        ("country:FR NOT initiated_by:russia", True, False, False),
        ("country:FR телефонный", True, True, False),
        # Unscoped words keep searching the item's own text only: no item text says «FR».
        ("FR", False, False, False),
        ("foreign OR russia", False, False, False),
    ],
)
def test_call_scopes_see_the_record_and_unscoped_words_do_not(
    lemmatizer: Lemmatizer, query: str, french: bool, russian: bool, domestic: bool
) -> None:
    compiled = compile_query(query, lemmatizer)
    item = call_item()
    got = [
        compiled.match(document_of(item, call, lemmatizer)) is not None
        for call in (FRENCH_ASKED, RUSSIA_ASKED, DOMESTIC)
    ]
    assert got == [french, russian, domestic]


def test_call_fields_values() -> None:
    assert call_fields(["fr"], ["Эммануэль Макрон", " "], ["FR", "RU"]) == {
        "country": ["FR"],
        "counterpart": ["Эммануэль Макрон"],
        "initiated_by": ["FR", "RU", "foreign", "russia"],
    }
    assert call_fields([], [], [])["initiated_by"] == []


def test_a_call_scope_hit_is_reported_in_its_field(lemmatizer: Lemmatizer) -> None:
    doc = IndexedDocument.from_fields(
        {"title": TITLE, **call_fields(["FR"], ["Эммануэль Макрон"], [])}, lemmatizer
    )
    match = compile_query("counterpart:Макроном", lemmatizer).match(doc)
    assert match is not None
    assert [(hit.field, hit.words) for hit in match.hits] == [("counterpart", ("Макрон",))]


# --- search --------------------------------------------------------------------------------


def add_call(engine: sa.Engine, item_id: int, call: CallRecord) -> None:
    with Session(engine) as session:
        session.add(
            CallEntry(
                item_id=item_id,
                lang="ru",
                item_version=1,
                counterparts=[c.to_json() for c in call.counterparts],
                countries=list(call.countries),
                initiated_by=list(call.initiated_by),
                readable=call.readable,
                reader=1,
            )
        )
        session.commit()


@pytest.fixture
def call_archive(engine: sa.Engine) -> sa.Engine:
    """Three calls with records, one call without (not yet read), and a news item about France."""
    store(
        engine,
        call_item(1),
        call_item(2, "Телефонный разговор с Президентом Франции Эммануэлем Макроном", text="Украина"),
        call_item(3, "Телефонный разговор с губернатором Нижегородской области"),
        call_item(4, "Телефонный разговор с Федеральным канцлером Германии Олафом Шольцем"),
        record(5, "Новости о Франции FR", text="foreign russia Макрон"),
    )
    add_call(engine, 1, FRENCH_ASKED)
    add_call(engine, 2, RUSSIA_ASKED)
    add_call(engine, 3, DOMESTIC)
    return engine


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("country:FR", [2, 1]),
        ("country:DE", [1]),  # item 4 has no call row yet: only stored records count
        ("counterpart:Макроном", [2, 1]),
        ("initiated_by:foreign", [1]),
        ("initiated_by:russia Украина", [2]),
        ("country:RU OR Шольцем", [4, 3]),
        ("Макрон NOT country:FR", [5]),
    ],
)
def test_search_answers_call_scopes_from_the_call_table(
    call_archive: sa.Engine, lemmatizer: Lemmatizer, query: str, expected: list[int]
) -> None:
    for sort in ("date", "relevance"):
        result = search(call_archive, SearchRequest(query, limit=100, sort=sort), lemmatizer)
        assert sorted((hit.item["id"] for hit in result.hits), reverse=True) == expected
        assert result.total == len(expected)


def test_search_highlights_a_call_scope_and_rejects_unknown_codes(
    call_archive: sa.Engine, lemmatizer: Lemmatizer
) -> None:
    [hit] = search(call_archive, SearchRequest("initiated_by:FR", limit=10), lemmatizer).hits
    assert [(s.field, s.text) for s in hit.snippets] == [("initiated_by", "FR; foreign")]
    with pytest.raises(SearchError, match=r"^query: country:XX at column 9: unknown country code 'XX'"):
        search(call_archive, SearchRequest("country:XX", limit=10), lemmatizer)


def test_the_web_finds_what_a_rule_with_call_fields_fires_on(
    call_archive: sa.Engine, lemmatizer: Lemmatizer, tmp_path: Path
) -> None:
    from web.rules import rule_matches

    rules = {
        rule.name: rule
        for rule in rules_from(
            tmp_path,
            '[[rule]]\nname = "fr"\ncountries = ["FR"]\n\n'
            '[[rule]]\nname = "asked"\ninitiated_by = "foreign"\n\n'
            '[[rule]]\nname = "scholz"\nquery = "Украина OR Шольцем"\ncounterparts = ["Макрон"]\n\n'
            '[[rule]]\nname = "calls"\nkinds = ["call"]\n',
        )
    }
    assert rules["fr"].search_text == "country:((FR))"

    def found(name: str) -> list[int]:
        return [hit.item["id"] for hit in rule_matches(call_archive, rules[name], 10, lemmatizer).hits]

    assert found("fr") == [2, 1]
    assert found("asked") == [1]
    assert found("scholz") == [2]  # the words, and a counterpart named Macron
    assert found("calls") == [4, 3, 2, 1]  # every call, read or not; never the news item


# --- messages --------------------------------------------------------------------------------


def alert_item(call: CallRecord | None, kind: str = "call", title: str = TITLE) -> AlertItem:
    url = "http://kremlin.ru/events/president/news/67487"
    return AlertItem(67487, title, url, utcnow(), "Лид", kind, (), call)


def test_call_messages_name_the_counterparts_their_countries_and_the_initiative() -> None:
    item = alert_item(FRENCH_ASKED)
    assert subject("calls", [item]) == (
        f"[kremlin-watch] calls: {TITLE} — Эммануэль Макрон (FR), Олаф Шольц (DE), at the initiative of France"
    )
    three = CallRecord((MACRON,), ("FR", "DE", "EU"))
    assert subject("calls", [alert_item(three)]).endswith(
        "— Эммануэль Макрон (FR), at the initiative of France, Germany and European Union"
    )
    text = compose("other", "calls", "", [item]).body
    assert (
        "Call with: Эммануэль Макрон (Президент Франции, FR); Олаф Шольц (Федеральный канцлер Германии, DE)"
        in text.splitlines()
    )
    assert "Initiative: France (FR)" in text.splitlines()
    html = compose("email", "calls", "", [item]).body
    assert "<p>Initiative: France (FR)</p>" in html
    slack = compose("slack", "calls", "", [item]).body
    assert "Call with: Эммануэль Макрон (Президент Франции, FR); Олаф Шольц" in slack


def test_messages_say_nothing_of_what_the_page_does_not_say() -> None:
    unstated = alert_item(DOMESTIC)
    assert subject("calls", [unstated]).endswith("— Глеб Никитин (RU)")
    assert "Initiative" not in compose("other", "calls", "", [unstated]).body
    no_country = CallRecord((Counterpart("Антониу Гутерриш", None, None),), ())
    assert (
        "Call with: Антониу Гутерриш" in compose("other", "c", "", [alert_item(no_country)]).body.splitlines()
    )
    for plain in (alert_item(CallRecord()), alert_item(None, kind="news", title="Новости")):
        message = compose("other", "calls", "", [plain])
        assert message.title == f"[kremlin-watch] calls: {plain.title}"
        assert "Call with" not in message.body
    assert subject("calls", [alert_item(FRENCH_ASKED), alert_item(RUSSIA_ASKED)]) == (
        "[kremlin-watch] calls: 2 new items"
    )


def test_page_text_in_call_lines_is_escaped() -> None:
    hostile = CallRecord((Counterpart("<b>Имя</b> <!channel>", "Офис & Co", "FR"),), ())
    html = compose("email", "calls", "", [alert_item(hostile)]).body
    assert "&lt;b&gt;Имя&lt;/b&gt;" in html and "<b>Имя" not in html
    slack = compose("slack", "calls", "", [alert_item(hostile)]).body
    assert "<!channel>" not in slack


# --- end to end ----------------------------------------------------------------------------


@pytest.fixture
def site() -> Iterator[ReplicaServer]:
    corpus = Corpus.generate(40, lang="ru", seed=5)
    with ReplicaServer(corpus) as server:
        yield server


def test_every_new_call_alerts_a_kinds_only_rule_by_email(
    site: ReplicaServer, database_url: str, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text('[[rule]]\nname = "calls"\nkinds = ["call"]\n', encoding="utf-8")
    env = cli_env(
        base_url=site.base_url, database_url=database_url, rules=str(rules), notify=smtp_server.url()
    )
    assert run_cli("crawl", env=env).returncode == 0
    before = len(smtp_server.messages)
    site.corpus.publish(site.corpus.next_item(kind="decree"))
    call = site.corpus.next_item(kind="call")
    call = site.corpus.publish(dataclasses.replace(call, title=TITLE, lead="Состоялся телефонный разговор."))
    result = run_cli("crawl", env=env)
    assert result.returncode == 0, result.stderr
    assert "alerts: sent 1" in result.stdout
    message = smtp_server.messages[before]
    assert len(smtp_server.messages) == before + 1
    assert message["Subject"].startswith(f"[kremlin-watch] calls: {TITLE}")
    assert f"/events/president/news/{call.id}" in message.get_body(("html",)).get_content()
    tested = run_cli("rules", "test", "--rule", "calls", "--format", "json", env=env)
    assert tested.returncode == 0, tested.stderr
    assert f'"id": {call.id}' in tested.stdout
    assert '"kind": "decree"' not in tested.stdout
    bad = run_cli("rules", "test", "country:XX", env=env)
    assert bad.returncode == 2
    assert bad.stderr.strip().endswith(
        "query: country:XX at column 9: unknown country code 'XX' (ISO 3166 alpha-2 such as FR, or EU, RU)"
    )
    assert "Traceback" not in bad.stderr


def test_rules_test_matches_versions_and_shows_their_language(engine: sa.Engine, database_url: str, tmp_path: Path) -> None:
    from archive.store import ArchiveStore
    from calls.ledger import CallRecorder
    from tests.test_alerts import EN_CALL, RU_CALL

    store, recorder = ArchiveStore(engine), CallRecorder()
    store.store(RU_CALL, recorder)
    store.store(EN_CALL, recorder)
    rules = tmp_path / "rules.toml"
    rules.write_text(
        '[[rule]]\nname = "m"\ncounterparts = ["Macron"]\n\n[[rule]]\nname = "en"\nkinds = ["call"]\nlangs = ["en"]\n',
        encoding="utf-8",
    )
    env = cli_env(database_url=database_url, rules=str(rules))
    # The Russian version passes through its English twin's record, as it would when alerting.
    tested = run_cli("rules", "test", "--rule", "m", "--format", "json", env=env)
    assert tested.returncode == 0, tested.stderr
    assert [(entry["id"], entry["lang"]) for entry in json.loads(tested.stdout)] == [
        (RU_CALL.id, "en"),
        (RU_CALL.id, "ru"),
    ]
    table = run_cli("rules", "test", "--rule", "en", env=env).stdout.splitlines()
    assert table[0].split()[:4] == [str(EN_CALL.id), "20.02.2022", "19:00", "(Moscow)"]
    assert table[0].split()[4:6] == ["en", "call"]
    assert table[-1] == "1 matching item(s) for kinds=call"
