"""The one diff (`edits.diff`) and its renderings (`edits.render`), on the site's own texts.

Sentences come from the saved pages in tests/fixtures (a Russian meeting transcript with speaker
initials, the Biden call, the English Macron call), edited the ways kremlin.ru edits readouts: a
sentence removed, one added, a word changed, a title reworded, the typographer's quotes and dashes.
What is asserted is what a reader sees: the sentences listed, the words marked, and text that itself
looks like diff markup shown as text.
"""

from __future__ import annotations

import html
import re
from functools import cache
from typing import Any

import pytest
from lxml import html as lxml_html

from crawler.page import parse_page
from edits.diff import EditDiff, diff_versions, sentences
from edits.render import HTML, TEXT, render
from tests.conftest import FIXTURES


@cache
def page(name: str, url: str) -> dict[str, Any]:
    """A saved page as the parser reads it (the record's content fields)."""
    record = parse_page((FIXTURES / name).read_bytes(), url)
    return record.to_json()  # type: ignore[union-attr]


def meeting() -> dict[str, Any]:
    return page("ru_article_77329.html", "http://kremlin.ru/events/president/news/77329")


def macron() -> dict[str, Any]:
    return page("en_article_63907_call.html", "http://en.kremlin.ru/events/president/news/63907")


def biden_text() -> str:
    """The Biden call's text as the site printed it (paragraphs by line)."""
    lines = (FIXTURES / "seed_ru_call_67487.txt").read_text(encoding="utf-8").splitlines()
    body = [line.strip() for line in lines[6:] if line.strip() and not line.startswith("http")]
    return "\n\n".join(body)


def on_site(text: str, phrase: str) -> str:
    """``phrase`` as ``text`` spells it: the site puts no-break spaces after short words."""
    found = re.search(re.escape(phrase).replace("\\ ", "[ \u00a0]"), text)
    assert found is not None, phrase
    return found.group()


def content(**fields: Any) -> dict[str, Any]:
    return {"title": "T", "lead": None, "text": None, **fields}


def html_lines(diff: EditDiff) -> list[tuple[str, str, list[str], list[str]]]:
    """Per rendered line: its class, its text, the deleted and the inserted runs."""
    tree = lxml_html.fromstring(f"<div>{render(diff, HTML)}</div>")
    return [
        (
            item.get("class"),
            item.text_content(),
            [d.text_content() for d in item.cssselect("del")],
            [i.text_content() for i in item.cssselect("ins")],
        )
        for item in tree.cssselect("li")
    ]


# --- sentences ------------------------------------------------------------------------------------


def test_sentences_of_a_real_transcript_keep_speaker_initials() -> None:
    text = meeting()["text"]
    found = sentences(text)
    # «В.Путин:», «М.Хуснуллин:» open a sentence and never end one.
    assert "В.Путин: Уважаемые коллеги, добрый день!" in found
    assert "М.Хуснуллин: Уважаемый Владимир Владимирович!" in found
    assert "В.Путин: Я на это очень рассчитываю." in found and "А чего не хватает там?" in found
    # A closing bracket before the dot, a number after it.
    assert (
        "За период с 2022 года восстановлено и построено почти 23 тысячи различных объектов (порядка 22,8 [тысячи])."
        in found
    )
    assert (
        "Это жилые дома, школы, больницы, поликлиники, коммунальная и электросетевая инфраструктура." in found
    )
    assert not any(sentence.endswith((" В.", " М.", " Е.")) for sentence in found)


def test_sentences_of_the_biden_call() -> None:
    found = [sentence.replace("\u00a0", " ") for sentence in sentences(biden_text())]
    assert (
        "Подтверждено, что переговоры состоятся сначала в Женеве 9–10 января, а затем в рамках Совета Россия – НАТО в Брюсселе 12 января."
        in found
    )
    assert "13 января начнутся дискуссии и в ОБСЕ." in found  # a sentence may start with a number
    assert "Президенты обменялись новогодними поздравлениями и наилучшими пожеланиями." in found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Состоялась беседа В.В.Путина с Э.Макроном. Обсуждена ситуация на Украине.",
            ["Состоялась беседа В.В.Путина с Э.Макроном.", "Обсуждена ситуация на Украине."],
        ),
        (
            "Президент Франции Э. Макрон проинформировал В.В. Путина о контактах. Условлено продолжить.",
            ["Президент Франции Э. Макрон проинформировал В.В. Путина о контактах.", "Условлено продолжить."],
        ),
        ("Встреча с Дж. Байденом. Обсудили.", ["Встреча с Дж. Байденом.", "Обсудили."]),
        (
            "Указ подписан в 2020 г. в Москве. Вступает в силу.",
            ["Указ подписан в 2020 г. в Москве.", "Вступает в силу."],
        ),
        (
            "Обсудили экономику, культуру и т.д. Затем перешли к прессе.",
            ["Обсудили экономику, культуру и т.д.", "Затем перешли к прессе."],
        ),
        ("Он ответил: Да. Затем ушёл.", ["Он ответил: Да.", "Затем ушёл."]),
        ("Он сказал: «Хорошо». Затем ушёл.", ["Он сказал: «Хорошо».", "Затем ушёл."]),
        (
            "Mr. Putin met Dr. Smith in St. Petersburg. They talked.",
            ["Mr. Putin met Dr. Smith in St. Petersburg.", "They talked."],
        ),
        (
            "U.S. President Joe Biden called. Vladimir Putin answered.",
            ["U.S. President Joe Biden called.", "Vladimir Putin answered."],
        ),
    ],
)
def test_sentences_with_initials_and_abbreviations(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_sentences_of_the_english_call() -> None:
    found = sentences(macron()["text"])
    assert found[0].startswith("When discussing the tensions in Belarus, Vladimir Putin emphasised")
    assert found[1] == "Both parties expressed interest in the prompt resolution of the problems."
    assert found[-1] == "It was agreed to maintain contacts at various levels."


# --- edits ----------------------------------------------------------------------------------------


def test_a_sentence_removed_is_that_sentence() -> None:
    text = biden_text()
    gone = on_site(text, "13 января начнутся дискуссии и в ОБСЕ.")
    diff = diff_versions(content(text=text), content(text=text.replace(" " + gone, "")))
    assert diff.summary() == "text: 1 sentence removed"
    [change] = diff.fields
    assert [(s.op, s.before, s.after) for s in change.sentences] == [("removed", gone, None)]
    assert render(diff, TEXT) == f"Text — 1 sentence removed\n  − {gone}"
    assert html_lines(diff) == [("removed", f"− {gone}", [gone], [])]


def test_a_sentence_added_is_that_sentence() -> None:
    before = macron()
    added = "The Russian side noted the importance of the Normandy format."
    text = before["text"].replace("\n\nIt was agreed", f" {added}\n\nIt was agreed")
    diff = diff_versions(before, {**before, "text": text})
    assert diff.summary() == "text: 1 sentence added"
    assert render(diff, TEXT) == f"Text — 1 sentence added\n  + {added}"
    assert html_lines(diff) == [("added", f"+ {added}", [], [added])]


def test_a_word_changed_marks_only_that_word() -> None:
    before = meeting()
    sentence = "Отмечу, что в программе предусмотрено порядка 300 мероприятий."
    assert sentence in before["text"]
    edited = before["text"].replace(sentence, sentence.replace("300", "350"))
    diff = diff_versions(before, {**before, "text": edited})
    assert diff.summary() == "text: 1 sentence changed"
    [change] = diff.fields
    [changed] = change.sentences
    assert (changed.op, changed.before, changed.after) == (
        "changed",
        sentence,
        sentence.replace("300", "350"),
    )
    assert [(s.op, s.text) for s in changed.segments if s.op != "equal"] == [
        ("removed", "300"),
        ("added", "350"),
    ]
    assert (
        render(diff, TEXT).splitlines()[1]
        == "  ~ Отмечу, что в программе предусмотрено порядка [-300-]{+350+} мероприятий."
    )
    assert html_lines(diff) == [
        ("changed", "~ Отмечу, что в программе предусмотрено порядка 300350 мероприятий.", ["300"], ["350"])
    ]


def test_a_title_reworded_comes_first() -> None:
    before = content(title="Телефонный разговор с Президентом США Джозефом Байденом", text=biden_text())
    after = {
        **before,
        "title": "Телефонный разговор с Президентом Соединённых Штатов Америки Джозефом Байденом",
        "text": biden_text().replace("обменялись новогодними", "обменялись рождественскими"),
    }
    diff = diff_versions(before, after)
    assert [change.field for change in diff.fields] == ["title", "text"]
    assert diff.summary() == "title reworded; text: 1 sentence changed"
    lines = render(diff, TEXT).splitlines()
    assert lines[:2] == [
        "Title — reworded",
        "  ~ Телефонный разговор с Президентом [-США-]{+Соединённых Штатов Америки+} Джозефом Байденом",
    ]
    assert (
        "  ~ Президенты обменялись [-новогодними-]{+рождественскими+} поздравлениями и\u00a0наилучшими пожеланиями."
        in lines
    )
    rendered = html_lines(diff)
    assert rendered[0][2:] == (["США"], ["Соединённых Штатов Америки"])


def test_a_title_rewritten_whole_is_removed_and_added() -> None:
    diff = diff_versions(
        content(title="Указ о награждении"), content(title="Встреча с губернатором Курской области")
    )
    [change] = diff.fields
    assert [s.op for s in change.sentences] == ["removed", "added"]
    assert (
        render(diff, TEXT)
        == "Title — reworded\n  − Указ о награждении\n  + Встреча с губернатором Курской области"
    )


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("вариант принятия «масштабных» санкций", 'вариант принятия "масштабных" санкций'),
        ("в Женеве 9–10 января", "в Женеве 9-10 января"),
        ("Совета Россия – НАТО", "Совета Россия — НАТО"),
        ("поздравлениями и наилучшими", "поздравлениями и наилучшими"),  # no-break space → space
        ("Главной темой беседы стали", "Главной  темой\u00a0беседы стали"),
    ],
)
def test_typography_only_is_cosmetic_and_has_no_sentences(old: str, new: str) -> None:
    text = biden_text()
    old = on_site(text, old)
    assert old != new or "\u00a0" in old  # the no-break space case: the site has one there
    diff = diff_versions(content(text=text), content(text=text.replace(old, new)))
    assert diff.cosmetic and diff.real == ()
    assert diff.summary() == "typography only"
    assert [change.sentences for change in diff.fields] == [()]
    assert render(diff, TEXT) == "Typography\n  typography only (quotes, dashes, spaces): not an edit"


def test_a_word_and_a_quote_changed_marks_the_word_only() -> None:
    text = biden_text()
    edited = text.replace("«масштабных» санкций", '"широких" санкций')
    diff = diff_versions(content(text=text), content(text=edited))
    [changed] = diff.fields[0].sentences
    assert [(s.op, s.text.strip()) for s in changed.segments if s.op != "equal"] == [
        ("removed", "масштабных"),
        ("added", "широких"),
    ]


def test_list_fields() -> None:
    before = content(topics=["Внешняя политика", "Экономика"], persons=["Байден Джозеф"], geography=["США"])
    after = content(
        topics=["Экономика", "Безопасность"], persons=["Байден Джозеф"], geography=["США", "Швейцария"]
    )
    diff = diff_versions(before, after)
    assert diff.summary() == "topics: -Внешняя политика, +Безопасность; geography: +Швейцария"
    assert render(diff, TEXT) == (
        "Topics — 1 removed, 1 added\n  − Внешняя политика\n  + Безопасность\n"
        "Geography — 1 added\n  + Швейцария"
    )
    assert html_lines(diff) == [
        ("removed", "− Внешняя политика", ["Внешняя политика"], []),
        ("added", "+ Безопасность", [], ["Безопасность"]),
        ("added", "+ Швейцария", [], ["Швейцария"]),
    ]
    reordered = diff_versions(content(topics=["A", "B"]), content(topics=["B", "A"]))
    assert reordered.summary() == "topics: order changed" and not reordered.cosmetic
    assert render(reordered, TEXT) == "Topics — order changed\n  now: B; A"
    quoted = diff_versions(content(persons=["«Газпром»"]), content(persons=['"Газпром"']))
    assert quoted.cosmetic


# --- text that looks like markup ------------------------------------------------------------------

MARKUP = "Текст содержит {+вставку+}, [-удаление-], <del>тег</del> и </ins> & <b>."


def test_markup_in_the_page_renders_as_text_in_html() -> None:
    before = content(text=f"{MARKUP} Второе предложение.")
    changed = MARKUP.replace("тег", "знак")
    after = content(text=f"{changed} Второе предложение. Новое: {{+a+}} [-b-] </del>.")
    diff = diff_versions(before, after)
    rendered = render(diff, HTML)
    # Only the renderer's own tags: a <del> and an <ins> for the changed word, an <ins> for the
    # added sentence; the page's tags are text.
    assert rendered.count("<del") == 1 and rendered.count("</del>") == 1
    assert rendered.count("<ins") == 2 and rendered.count("</ins>") == 2
    assert html.escape("<b>.") in rendered and html.escape("</ins>") in rendered
    assert html_lines(diff) == [
        ("changed", f"~ {MARKUP.replace('тег', 'тегзнак')}", ["тег"], ["знак"]),
        ("added", "+ Новое: {+a+} [-b-] </del>.", [], ["Новое: {+a+} [-b-] </del>."]),
    ]


def test_markup_in_the_page_renders_as_text_in_text() -> None:
    before = content(text=f"Первое предложение. {MARKUP}")
    after = content(text=f"Первое предложение. {MARKUP.replace('тег', 'знак')}")
    diff = diff_versions(before, after)
    [line] = render(diff, TEXT).splitlines()[1:]
    # The page's own marks are made inert with a backslash; the diff's marks are the only bare ones.
    assert line == (
        "  ~ Текст содержит \\{+вставку\\+}, \\[-удаление\\-], <del>[-тег-]{+знак+}</del> и </ins> & <b>."
    )
    bare = line.replace("\\{+", "").replace("\\+}", "").replace("\\[-", "").replace("\\-]", "")
    assert bare.count("{+") == 1 and bare.count("[-") == 1


def test_summaries() -> None:
    text = biden_text()
    edited = text.replace(" " + on_site(text, "13 января начнутся дискуссии и в ОБСЕ."), "").replace(
        "Президенты обменялись", "Президенты тепло обменялись"
    )
    edited += "\n\nСтороны договорились о новом разговоре. Дата будет согласована."
    diff = diff_versions(content(text=text, lead="Лид."), content(text=edited, lead="Лид изменён."))
    assert diff.summary() == "lead: 1 sentence changed; text: 1 sentence removed, 2 added, 1 changed"
    assert diff.to_json()["summary"] == diff.summary()
    assert [f["field"] for f in diff.to_json()["fields"]] == ["lead", "text"]
    assert diff_versions(content(text=text), content(text=text)).summary() == "no change"
