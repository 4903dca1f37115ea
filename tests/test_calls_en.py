"""The English call reader against real en.kremlin.ru calls labelled by hand, and each wording it knows.

`fixtures/calls_eval_en.json`: 91 calls of 2021-2022 from the dataset (every group call, every call
without a country in the title, every wording of who initiated the call) and the real page 63907,
each labelled by reading it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from calls.countries_en import country_code, find_countries
from calls.english import read_english
from calls.reader import read_call
from calls.record import CallRecord, CallText, Counterpart

EVAL = json.loads((Path(__file__).parent / "fixtures" / "calls_eval_en.json").read_text(encoding="utf-8"))


def _text(item: dict) -> CallText:
    return CallText("en", item["title"], item["lead"], item["text"], item["persons"], item["geography"])


def _read(title: str, lead: str | None = None, text: str | None = None, **tags: list[str]) -> CallRecord:
    return read_english(CallText("en", title, lead, text, tags.get("persons"), tags.get("geography")))


@pytest.mark.parametrize("item", EVAL, ids=[item["id"] for item in EVAL])
def test_every_labelled_call_is_read_right(item: dict) -> None:
    record = read_call(_text(item))
    got = {"counterparts": [c.to_json() for c in record.counterparts], "initiated_by": list(record.initiated_by)}
    assert got == item["expected"], f"item {item['id']} ({item['title']!r}): read {got}, labelled {item['expected']}"


def _scores(pairs: list[tuple[set, set]]) -> tuple[float, float]:
    """Micro precision and recall over (item, value) pairs."""
    found = sum(len(got) for got, _ in pairs)
    wanted = sum(len(want) for _, want in pairs)
    right = sum(len(got & want) for got, want in pairs)
    return (right / found if found else 1.0), (right / wanted if wanted else 1.0)


def evaluation() -> dict[str, tuple[float, float]]:
    """Precision and recall of countries, initiated_by and names over the evaluation set."""
    kinds: dict[str, list[tuple[set, set]]] = {"countries": [], "initiated_by": [], "names": []}
    for item in EVAL:
        record = read_english(_text(item))
        expected = item["expected"]["counterparts"]
        kinds["countries"].append((set(record.countries), {c["country"] for c in expected if c["country"]}))
        kinds["initiated_by"].append((set(record.initiated_by), set(item["expected"]["initiated_by"])))
        kinds["names"].append(({c.name for c in record.counterparts}, {c["name"] for c in expected}))
    return {kind: _scores(pairs) for kind, pairs in kinds.items()}


def test_the_evaluation_set_covers_what_the_issue_names() -> None:
    assert len(EVAL) >= 61
    assert sum(len(item["expected"]["counterparts"]) > 1 for item in EVAL) >= 9
    assert sum(bool(item["expected"]["initiated_by"]) for item in EVAL) >= 30
    assert any(item["persons"] for item in EVAL)


def test_precision_and_recall_meet_the_bar() -> None:
    scores = evaluation()
    bars = {"countries": 0.97, "initiated_by": 0.95, "names": 0.95}
    for kind, (precision, recall) in scores.items():
        assert precision >= bars[kind] and recall >= bars[kind], f"{kind}: P={precision:.3f} R={recall:.3f}"


# --- each wording -------------------------------------------------------------------------------------

LEAD = "Vladimir Putin had a telephone conversation with President of the French Republic Emmanuel Macron"


@pytest.mark.parametrize(
    ("lead", "initiated_by"),
    [
        (f"{LEAD} at the French side's initiative.", ("FR",)),
        (f"{LEAD} at the initiative of the French side.", ("FR",)),
        (f"At the initiative of the French side, {LEAD}.", ("FR",)),
        (f"{LEAD} at the latter's initiative.", ("FR",)),
        (f"{LEAD} at the Russian side's initiative.", ("RU",)),
        (f"{LEAD} at the initiative of the Russian side.", ("RU",)),
        (f"{LEAD}. The conversation was initiated by the French side.", ("FR",)),
        ("During a lengthy telephone conversation initiated by the President of the French Republic, "
         "Vladimir Putin and Emmanuel Macron had a serious exchange of views.", ("FR",)),
        (f"{LEAD} at Emmanuel Macron's initiative.", ("FR",)),
        (f"{LEAD}.", ()),
        (f"{LEAD}. The situation in Mali was reviewed at Emmanuel Macron's initiative.", ()),
        (f"{LEAD}. At the request of Emmanuel Macron, Vladimir Putin informed him of the talks.", ()),
    ],
)
def test_initiative_wordings(lead: str, initiated_by: tuple[str, ...]) -> None:
    assert _read("Telephone conversation with President of France Emmanuel Macron", lead).initiated_by == initiated_by


def test_initiative_of_several_partners_names_them_all() -> None:
    record = _read(
        "Telephone conversation with President of France Emmanuel Macron and Federal Chancellor of Germany Olaf Scholz",
        "Vladimir Putin had a telephone conversation with President of France Emmanuel Macron and Federal "
        "Chancellor of Germany Olaf Scholz at the initiative of the French and German sides.",
    )
    assert record.initiated_by == ("FR", "DE")
    assert record.countries == ("DE", "FR")


def test_derived_and_listed_adjectives() -> None:
    lead = "Vladimir Putin had a telephone conversation with President of the Republic of Uzbekistan Shavkat Mirziyoyev"
    for wording in ("on the Uzbekistani side's initiative", "at the initiative of the Uzbek side"):
        assert _read("Telephone conversation with President of Uzbekistan Shavkat Mirziyoyev",
                     f"{lead} {wording}.").initiated_by == ("UZ",)
    assert _read("Telephone conversation with President of Kyrgyzstan Sadyr Japarov", None,
                 "Held at Kyrgyzstan's initiative, the telephone conversation between Vladimir Putin and "
                 "President of the Kyrgyz Republic Sadyr Japarov focused on Ukraine.").initiated_by == ("KG",)


def test_office_before_after_and_as_adjective() -> None:
    cases = {
        "Telephone conversation with King Hamad bin Isa Al Khalifa of Bahrain":
            Counterpart("Hamad bin Isa Al Khalifa", "King of Bahrain", "BH"),
        "Telephone conversation with Serbian President Aleksandar Vucic":
            Counterpart("Aleksandar Vucic", "Serbian President", "RS"),
        "Telephone conversation with European Council President Charles Michel":
            Counterpart("Charles Michel", "European Council President", "EU"),
        "Telephone conversations with US President Joseph Biden": Counterpart("Joseph Biden", "US President", "US"),
        "Telephone conversation with President of Korea Yoon Suk Yeol":
            Counterpart("Yoon Suk Yeol", "President of Korea", "KR"),
        "Telephone conversation with President of Türkiye Recep Tayyip Erdogan":
            Counterpart("Recep Tayyip Erdogan", "President of Türkiye", "TR"),
    }
    for title, expected in cases.items():
        assert _read(title).counterparts == (expected,), title


def test_names_only_in_the_title_take_offices_from_the_lead() -> None:
    record = _read(
        "Telephone conversation with Olaf Scholz and Emmanuel Macron",
        "Vladimir Putin had a telephone conversation with Chancellor of the Federal Republic of Germany Olaf "
        "Scholz and President of the French Republic Emmanuel Macron.",
    )
    assert [(c.name, c.country) for c in record.counterparts] == [("Olaf Scholz", "DE"), ("Emmanuel Macron", "FR")]


def test_leaders_of_group_reads_the_names_from_the_text() -> None:
    record = _read(
        "Vladimir Putin had several telephone conversations with heads of CSTO member states",
        "On January 6–7, Vladimir Putin had several telephone conversations with heads of the Collective "
        "Security Treaty Organisation member states.",
        "The Russian President had telephone conversations with President of Kyrgyzstan Sadyr Japarov and "
        "Prime Minister of Armenia Nikol Pashinyan. Russia's Defence Minister Sergei Shoigu reported.",
    )
    assert [c.name for c in record.counterparts] == ["Sadyr Japarov", "Nikol Pashinyan"]
    assert record.countries == ("AM", "KG")


def test_domestic_call_is_russian() -> None:
    record = _read(
        "Telephone conversation with Mark Koblenev",
        "Vladimir Putin had a telephone conversation with 14-year-old Mark Koblenev from the Moscow Region.",
    )
    assert record.counterparts == (Counterpart("Mark Koblenev", None, "RU"),)


def test_governor_is_russian_and_an_international_office_has_no_country() -> None:
    assert _read("Telephone conversation with Governor of Belgorod Region Vyacheslav Gladkov").counterparts == (
        Counterpart("Vyacheslav Gladkov", "Governor of Belgorod Region", "RU"),
    )
    assert _read("Telephone conversation with UN Secretary-General Antonio Guterres").counterparts == (
        Counterpart("Antonio Guterres", "UN Secretary-General", None),
    )


def test_tags_add_a_person_and_a_country_the_text_lacks() -> None:
    record = _read("Telephone conversation", "A telephone conversation took place.",
                   persons=["Macron Emmanuel"], geography=["France"])
    assert record.counterparts == (Counterpart("Emmanuel Macron", None, "FR"),)


def test_unreadable_call_has_no_counterparts() -> None:
    record = _read("Telephone conversation", None, None)
    assert record.counterparts == () and not record.readable and record.initiated_by == ()


def test_no_break_spaces_and_curly_quotes_of_real_pages() -> None:
    record = _read("Telephone conversation with President of\xa0France Emmanuel Macron",
                   "Vladimir Putin had a\xa0telephone conversation with Emmanuel Macron at\xa0the French side’s initiative.")
    assert record.counterparts == (Counterpart("Emmanuel Macron", "President of France", "FR"),)
    assert record.initiated_by == ("FR",)


def test_country_table() -> None:
    assert country_code("the Untied States of America") == "US"
    assert country_code("Republic of Korea") == "KR"
    assert country_code("Türkiye") == "TR" and country_code("Turkey") == "TR"
    assert country_code("Emirati") == "AE"
    assert country_code("European Commission") == "EU"
    assert country_code("Russian Federation") == "RU"
    assert country_code("Islamic Republic of Iran") == "IR"
    assert country_code("Tajikistani") == "TJ"
    assert country_code("South Ossetia") == ""
    assert country_code("Atlantis") is None
    assert [code for code, _, _ in find_countries("President of the Republic of South Africa")] == ["ZA"]
