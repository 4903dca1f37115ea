"""Field-by-field tests of the page parsers on real saved kremlin.ru pages.

Every expected value below is what a user would see on the page (titles, first and last
paragraphs, Moscow times converted to UTC), so a parser change that alters what the archive stores
fails here.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape

import lxml.html
import pytest

from archive.records import ItemRecord
from crawler.errors import LayoutError
from crawler.kinds import classify
from crawler.moscow_time import moscow_datetime, parse_feed_time, parse_site_datetime
from crawler.page import parse_page
from crawler.page_parts import ItemPage
from crawler.parse_article import parse_article
from crawler.parse_feed import parse_feed
from crawler.parse_list import parse_list
from crawler.text import fragment_text, join_paragraphs, normalize_space

FIXTURES = Path(__file__).parent / "fixtures"
EN_URL = "http://en.kremlin.ru/events/president/news/63907"
RU_URL = "http://kremlin.ru/events/president/news/77329"
LIST_URL = "http://en.kremlin.ru/events/president/news/page/2"
FEED_URL = "http://en.kremlin.ru/events/president/news/feed"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture(scope="module")
def en_call() -> ItemRecord:
    return parse_article(fixture("en_article_63907_call.html"), EN_URL)


@pytest.fixture(scope="module")
def ru_meeting() -> ItemRecord:
    return parse_article(fixture("ru_article_77329.html"), RU_URL)


@pytest.fixture(scope="module")
def en_list() -> ItemPage:
    return parse_list(fixture("en_list_page2.html"), LIST_URL)


@pytest.fixture(scope="module")
def en_feed() -> ItemPage:
    return parse_feed(fixture("en_feed_president_news.xml"), FEED_URL)


# --- article pages -------------------------------------------------------------------------------


def test_en_call_article_fields(en_call: ItemRecord) -> None:
    assert en_call.id == 63907
    assert en_call.url == "http://en.kremlin.ru/events/president/news/63907"
    assert en_call.lang == "en"
    assert en_call.section == "events/president/news"
    assert en_call.title == "Telephone conversation with President of France Emmanuel Macron"
    assert en_call.lead == (
        "Vladimir Putin had a telephone conversation with President of the French Republic "
        "Emmanuel Macron at the initiative of the French side."
    )
    assert en_call.kind == "call"
    assert en_call.source == "article"
    assert en_call.complete
    assert en_call.published_at == utc(2020, 8, 18, 11, 40)  # 14:40 Moscow
    assert en_call.site_updated_at == utc(2020, 8, 18, 12, 51)  # «Last updated at … 15:51»
    assert en_call.place is None
    assert en_call.geography == ["France"]
    assert en_call.topics == ["Foreign policy"]
    assert en_call.persons == ["Macron Emmanuel"]


def test_en_call_article_text(en_call: ItemRecord) -> None:
    assert en_call.text == (
        "When discussing the tensions in Belarus, Vladimir Putin emphasised that interfering in the "
        "republic’s domestic affairs and putting pressure on the Belarusian leadership would be "
        "unacceptable. Both parties expressed interest in the prompt resolution of the problems."
        "\n\nThe two leaders had a comprehensive exchange of opinions on the Libyan crisis."
        "\n\nIt was agreed to maintain contacts at various levels."
    )
    for status in ("Publication date", "Published in section", "Text version", "Direct link", "Geography"):
        assert status not in en_call.text


def test_the_update_time_is_the_first_one_inside_an_update_block() -> None:
    """The update time is read from the first ``div.read__updated`` that holds a ``<time>``: an empty
    block before it (or none at all) does not lose it or invent one."""
    page = fixture("ru_article_77329.html")
    real = b'<div class="read__updated">'
    assert page.count(real) == 1
    url = "http://kremlin.ru/events/president/news/77329"
    empty_first = page.replace(real, b'<div class="read__updated">soon</div>' + real)
    assert parse_article(empty_first, url).site_updated_at == utc(2025, 6, 30, 17, 56)
    without = page.replace(real, b'<div class="read__other">')
    assert parse_article(without, url).site_updated_at is None


def test_ru_article_fields(ru_meeting: ItemRecord) -> None:
    assert ru_meeting.id == 77329
    assert ru_meeting.url == "http://kremlin.ru/events/president/news/77329"
    assert ru_meeting.lang == "ru"
    assert ru_meeting.section == "events/president/news"
    assert ru_meeting.title == (
        "Совещание по вопросам социально-экономического развития ДНР, ЛНР, Запорожской и Херсонской областей"
    )
    assert ru_meeting.lead == (
        "Владимир Путин провёл совещание по вопросам социально-экономического развития новых "
        "субъектов РФ: Донецкой и Луганской народных республик, Запорожской и Херсонской областей."
    )
    assert ru_meeting.published_at == utc(2025, 6, 30, 14, 25)  # 17:25 Moscow
    assert ru_meeting.site_updated_at == utc(2025, 6, 30, 17, 56)  # 20:56 Moscow
    assert ru_meeting.place == "Москва, Кремль"
    assert ru_meeting.topics == ["Регионы"]
    assert ru_meeting.geography == []
    assert ru_meeting.persons == []
    assert ru_meeting.kind == "meeting"
    assert ru_meeting.kind != "call"


def test_ru_article_text(ru_meeting: ItemRecord) -> None:
    text = ru_meeting.text
    assert text is not None
    paragraphs = text.split("\n\n")
    assert len(paragraphs) == 207
    assert paragraphs[0] == (
        "В ходе совещания по видеосвязи состоялось открытие ряда социальных объектов в новых регионах: "
        "стадиона «Западный» в Мариуполе, бассейна в Спортивной школе Первомайска, Северодонецкой "
        "специализированной школы № 17 в Луганской Народной Республике, шахматной школы при Спортивной "
        "школе № 1 в Мелитополе, физкультурно-оздоровительного комплекса в Новоалексеевской школе № 2 "
        "Генического района Херсонской области."
    )
    assert paragraphs[1] == "* * *"
    assert paragraphs[2] == "В.Путин: Уважаемые коллеги, добрый день!"
    assert paragraphs[-2] == (
        "Ещё раз хочу обратиться ко всем коллегам, которые находятся на прямой связи в регионах "
        "сегодня. Вам всего самого доброго, успехов на новых площадках. Спасибо."
    )
    assert paragraphs[-1] == "<…>"
    # Speaker label kept, person tooltip (name, photo alt, job title) dropped.
    assert "М.Хуснуллин: Уважаемый Владимир Владимирович!" in paragraphs
    assert "Хуснуллин Марат Шакирзянович" not in text
    assert "Заместитель Председателя Правительства" not in text
    # Labels with the space inside <b>: «<b>В.Путин: </b>Пожалуйста.»
    assert "В.Путин: Пожалуйста." in paragraphs
    # Status lines, tags, «see also» box and the video description are not text.
    for junk in (
        "Дата публикации",
        "Опубликован в разделах",
        "Текстовая версия",
        "Статус материала",
        "Смотрите также",
        "Участники совещания",
    ):
        assert junk not in text
    assert not text.startswith("Совещание по вопросам")  # the video description repeats the title
    # Whitespace normalised: no \xa0, no hard line breaks inside paragraphs, no double spaces.
    assert "\xa0" not in text
    assert all("\n" not in p and "  " not in p and p == p.strip() for p in paragraphs)
    assert "Татьяна Григорьевна, рядом с Вами, видимо, шахматисты стоят." in text


def test_print_page_and_replica_origin() -> None:
    html = fixture("en_article_63907_call.html")
    printed = parse_article(html, "http://en.kremlin.ru/events/president/news/63907/print")
    assert printed.url == EN_URL
    assert printed.section == "events/president/news"
    replica = parse_article(html, "http://127.0.0.1:8080/events/president/news/63907")
    assert replica.url == "http://127.0.0.1:8080/events/president/news/63907"
    assert replica.lang == "en"
    assert replica.text == printed.text


# --- list pages ----------------------------------------------------------------------------------

LIST_IDS = [
    63911, 63908, 63907, 63904, 63903, 63906, 63905, 63900, 63898, 63897,
    63896, 63894, 63893, 63892, 63887, 63888, 63886, 63885, 63884, 63883,
]  # fmt: skip


def test_list_page(en_list: ItemPage) -> None:
    assert len(en_list.items) == 20
    assert [item.id for item in en_list.items] == LIST_IDS
    assert en_list.page == 2
    assert en_list.pages == 1198
    assert en_list.next_url == "http://en.kremlin.ru/events/president/news/page/3"
    assert all(item.source == "list" and item.lang == "en" for item in en_list.items)
    assert all(item.section == "events/president/news" for item in en_list.items)
    assert all(
        item.lead is None
        and item.text is None
        and item.place is None
        and item.topics is None
        and item.geography is None
        and item.persons is None
        for item in en_list.items
    )


def test_list_item_fields(en_list: ItemPage) -> None:
    macron = en_list.items[2]
    assert macron.id == 63907
    assert macron.url == EN_URL  # not the saved copy's "../63907.html"
    assert macron.title == "Telephone conversation with President of France Emmanuel Macron"
    assert macron.published_at == utc(2020, 8, 18, 11, 40)
    assert macron.site_updated_at == utc(2020, 8, 17, 21, 0)  # «2020-08-18», 00:00 Moscow
    assert macron.kind == "call"
    michel = en_list.items[1]
    assert michel.published_at == utc(2020, 8, 18, 13, 25)  # 16:25 Moscow
    assert michel.site_updated_at == utc(2020, 8, 19, 21, 0)  # updated 2020-08-20
    assert en_list.items[-2].published_at == utc(2020, 8, 12, 20, 10)  # 23:10 Moscow, same UTC day
    assert en_list.items[3].extra == {"list_place": "Novo-Ogaryovo, Moscow Region"}


def test_list_kinds(en_list: ItemPage) -> None:
    calls = [item.id for item in en_list.items if item.kind == "call"]
    assert calls == [63908, 63907, 63903, 63897, 63894, 63893, 63884]
    kinds = {item.id: item.kind for item in en_list.items}
    assert kinds[63911] == "greeting"  # Greetings on opening of …
    assert kinds[63900] == "greeting"  # Congratulations to the Russian Geographical Society
    assert kinds[63904] == "meeting"  # Meeting with Rosneft CEO Igor Sechin
    assert kinds[63896] == "news"  # Condolences on Nikolai Gubenko’s passing


def test_ru_list_fragment_decree() -> None:
    page = parse_list(fixture("ru_list_item_fragment.html"), "http://kremlin.ru/events/president/news")
    assert page.next_url is None
    (item,) = page.items
    assert item.id == 80518
    assert item.section == "acts/news"
    assert item.url == "http://kremlin.ru/acts/news/80518"
    assert item.title == "Указ о награждении государственными наградами"
    assert item.kind == "decree"
    assert item.lang == "ru"
    assert item.published_at == utc(2026, 8, 12, 13, 30)  # «12 августа 2026 года, 16:30»


def test_list_next_from_rel_next_link() -> None:
    html = fixture("en_list_page2.html").decode()
    html = re.sub(r'data-url-template="[^"]*"', "", html)
    page = parse_list(html, LIST_URL)
    # The saved copy's rel=next is "3.html"; resolved and cleaned it is the real address.
    assert page.next_url == "http://en.kremlin.ru/events/president/news/page/3"


def test_last_list_page_has_no_next() -> None:
    html = fixture("en_list_page2.html").decode().replace('data-page="2"', 'data-page="1198"')
    assert parse_list(html, LIST_URL).next_url is None


# --- Atom feed -----------------------------------------------------------------------------------


def test_feed_page(en_feed: ItemPage) -> None:
    assert len(en_feed.items) == 20
    assert en_feed.next_url == "http://en.kremlin.ru/events/president/news/feed/page/2"
    assert en_feed.page == 1
    assert en_feed.pages == 1198
    assert [item.id for item in en_feed.items][:5] == [63953, 63951, 63950, 63949, 63945]
    assert all(item.source == "feed" and item.lang == "en" for item in en_feed.items)
    assert all(item.place is None and item.topics is None and item.persons is None for item in en_feed.items)


def test_feed_first_entry(en_feed: ItemPage) -> None:
    first = en_feed.items[0]
    assert first.id == 63953
    assert first.url == "http://en.kremlin.ru/events/president/news/63953"
    assert first.section == "events/president/news"
    assert first.title == "Launching motor traffic on completed sections of Taurida motorway"
    assert first.published_at == utc(2020, 8, 27, 12, 20)  # "15:20:00+04:00" is 15:20 Moscow
    assert first.site_updated_at == utc(2020, 8, 27, 17, 9, 44)
    assert first.lead == (
        "During his working trip to the Republic of Crimea, Vladimir Putin took part in the launch "
        "of motor traffic on the finished sections of the Taurida motorway."
    )
    assert first.text is not None
    paragraphs = first.text.split("\n\n")
    assert paragraphs[0] == (
        "The President drove an Aurus limousine along a newly-built section of the Taurida motorway "
        "with Minister of Transport Yevgeny Ditrikh, VAD Director General Valery Abramov and VAD Chief "
        "Production Engineer Andrei Volkov."
    )
    assert paragraphs[-1] == (
        "Under the road construction project, 95 engineering structures, including bridges and "
        "overpasses, as well as 18 transport interchanges and 30 pedestrian crossings with elevators "
        "for people with disabilities, will be built."
    )
    assert "During his working trip" not in first.text  # the c-summary is the lead, not text


def test_feed_entries_detail(en_feed: ItemPage) -> None:
    by_id = {item.id: item for item in en_feed.items}
    assert by_id[63949].kind == "call"
    assert by_id[63951].kind == "interview"
    assert by_id[63936].kind == "meeting"  # Working meeting with …
    torkunov = by_id[63952]
    assert torkunov.lead is not None and "on his 70th birthday." in torkunov.lead  # 70<sup>th</sup>
    assert torkunov.text is not None and torkunov.text.startswith("The message reads, in part:\n\n“You are")
    army = by_id[63933]  # no c-summary in this entry: no lead rather than a made-up one
    assert army.lead is None
    assert army.text is not None and army.text.startswith(
        "Vladimir Putin: Dear guests,\n\nI am happy to welcome"
    )
    assert army.published_at == utc(2020, 8, 23, 10, 0)
    assert army.site_updated_at == utc(2020, 8, 22, 9, 37, 48)  # prepared before publication


def _feed_with_content(content_html: str, published: str = "2025-06-30T17:25:00+04:00") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" ?><feed xml:lang="ru" xmlns="http://www.w3.org/2005/Atom">'
        "<title>t</title><id>http://kremlin.ru/events/president/news/feed</id>"
        '<link href="http://kremlin.ru/events/president/news/feed" rel="self" />'
        "<entry><title>Совещание</title><id>http://kremlin.ru/events/president/news/77329</id>"
        f"<updated>{published}</updated><published>{published}</published>"
        '<link href="http://kremlin.ru/events/president/news/77329" rel="alternate" type="text/html" />'
        f'<content type="html">{escape(content_html)}</content></entry></feed>'
    ).encode()


def test_feed_text_equals_article_text(ru_meeting: ItemRecord) -> None:
    """The feed carries the article body after a c-summary block and a picture: same text out."""
    doc = lxml.html.document_fromstring(fixture("ru_article_77329.html").decode())
    body = doc.xpath("//div[contains(@class, 'read__internal_content')]")[0]
    lead = doc.xpath("//div[contains(@class, 'read__lead')]//p")[0]
    inner = (body.text or "") + "".join(lxml.html.tostring(child, encoding="unicode") for child in body)
    content = (
        f'<div class="c-summary" style="font-size: 1.2em">{lxml.html.tostring(lead, encoding="unicode")}</div>'
        '  <img src="http://static.kremlin.ru/x.jpg" alt="Совещание" />  ' + inner
    )
    page = parse_feed(_feed_with_content(content), "http://kremlin.ru/events/president/news/feed")
    (entry,) = page.items
    assert entry.text == ru_meeting.text
    assert entry.lead == ru_meeting.lead
    assert entry.lang == "ru"
    assert entry.published_at == ru_meeting.published_at
    assert page.next_url is None


# --- Moscow time ---------------------------------------------------------------------------------


def test_feed_offset_is_moscow_wall_clock() -> None:
    # 2020: Moscow is UTC+3, the "+04:00" label is wrong; 15:20 Moscow = 12:20 UTC.
    assert parse_feed_time("2020-08-27T15:20:00+04:00") == utc(2020, 8, 27, 12, 20)
    # 2012: Moscow really was UTC+4: the same label now means 4 hours ahead of UTC.
    assert parse_feed_time("2012-05-07T12:00:00+04:00") == utc(2012, 5, 7, 8, 0)
    # Winter 2010 (UTC+3, MSK) and summer 2010 (UTC+4, MSD).
    assert parse_feed_time("2010-01-15T12:00:00+04:00") == utc(2010, 1, 15, 9, 0)
    assert parse_feed_time("2010-07-15T12:00:00+04:00") == utc(2010, 7, 15, 8, 0)
    # Around the October 2014 switch back to UTC+3.
    assert parse_feed_time("2014-10-25T12:00:00+04:00") == utc(2014, 10, 25, 8, 0)
    assert parse_feed_time("2014-10-27T12:00:00+04:00") == utc(2014, 10, 27, 9, 0)


def test_site_date_texts() -> None:
    assert parse_site_datetime("12 августа 2026 года, 16:30") == utc(2026, 8, 12, 13, 30)
    assert parse_site_datetime("30 июня 2025 года", "17:25") == utc(2025, 6, 30, 14, 25)
    assert parse_site_datetime("August 18, 2020, 14:40") == utc(2020, 8, 18, 11, 40)
    assert parse_site_datetime("30 июня 2025 года") == utc(2025, 6, 29, 21, 0)  # date only: 00:00 Moscow
    assert parse_site_datetime("1 января 2013 года, 00:30") == utc(2012, 12, 31, 20, 30)  # UTC+4 then
    assert parse_site_datetime("18 сентября 2019 года, 10:00") == utc(2019, 9, 18, 7, 0)
    assert parse_site_datetime("без даты") is None
    # The seed text's «2021-12-31 02:20:00» (Moscow) is the evening before in UTC.
    seed = fixture("seed_ru_call_67487.txt").decode()
    seed_time = re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", seed)
    assert seed_time is not None
    assert parse_site_datetime(seed_time[0]) == utc(2021, 12, 30, 23, 20)
    assert moscow_datetime(datetime(2020, 8, 18).date()) == utc(2020, 8, 17, 21, 0)


# --- kinds ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "lead", "kind"),
    [
        ("Телефонный разговор с Президентом США Джозефом Байденом", None, "call"),
        ("Телефонный разговор Владимира Путина с Премьер-министром Индии", None, "call"),
        ("Телефонные разговоры с лидерами стран СНГ", None, "call"),
        ("Владимир Путин поговорил по телефону с Президентом Франции", None, "call"),
        ("ТЕЛЕФОННЫЙ РАЗГОВОР С КАНЦЛЕРОМ ГЕРМАНИИ", None, "call"),
        ("Telephone conversation between Vladimir Putin and Joseph Biden", None, "call"),
        ("Vladimir Putin had a telephone conversation with Emmanuel Macron", None, "call"),
        ("Vladimir Putin spoke on the phone with Xi Jinping", None, "call"),
        (
            "Беседа с Президентом Египта",
            "Состоялся телефонный разговор Владимира Путина с Президентом Египта.",
            "call",
        ),
        (
            "Contacts with Italy",
            "Vladimir Putin had a telephone conversation with the Prime Minister.",
            "call",
        ),
        ("Указ о награждении государственными наградами", None, "decree"),
        ("Executive Order on awarding state decorations", None, "decree"),
        ("Встреча с губернатором Пермского края", None, "meeting"),
        ("Рабочая встреча с главой Росатома", None, "meeting"),
        ("Совещание с членами Правительства", None, "meeting"),
        ("Заседание Совета Безопасности", None, "meeting"),
        (
            "Meeting with Government members",
            "The President held a meeting; earlier he had a telephone conversation.",
            "meeting",
        ),
        ("Поздравление с Днём России", None, "greeting"),
        ("Приветствие участникам форума", None, "greeting"),
        ("Message of greetings to the Army Games", None, "greeting"),
        ("Интервью телеканалу «Россия»", None, "interview"),
        ("Обращение к гражданам России", None, "address"),
        ("Address to the Nation", None, "address"),
        ("Соболезнования в связи с кончиной Бориса Патона", None, "news"),
        ("Подписан закон о бюджете", "Владимир Путин подписал Федеральный закон.", "news"),
    ],
)
def test_classify(title: str, lead: str | None, kind: str) -> None:
    assert classify(title, lead) == kind


def test_classify_folds_yo_and_nbsp() -> None:
    assert classify("Владимир\xa0Путин поговорил по телефону с Президентом", None) == "call"
    assert classify("Беседа", "Состоялся телефонный разговор Владимира Путина") == "call"
    assert classify("Совещание", "Владимир Путин провёл совещание") == "meeting"
    assert classify("Итоги", "Владимир Путин провёл телефонный разговор") == "news"


def test_seed_call_classified_by_title_and_lead() -> None:
    seed = fixture("seed_ru_call_67487.txt").decode()
    lines = [normalize_space(line) for line in seed.splitlines() if line.strip()]
    title, lead = lines[0], lines[2]
    assert title == "Телефонный разговор с Президентом США Джозефом Байденом"
    assert classify(title, lead) == "call"
    assert classify("Разговор", lead) == "call"  # «30 декабря состоялся телефонный разговор …»


# --- text helpers --------------------------------------------------------------------------------


def test_text_normalisation() -> None:
    assert normalize_space(" Президент\xa0России\nВладимир  Путин ") == "Президент России Владимир Путин"
    assert join_paragraphs(["a\nb", "  ", "c\xa0d"]) == "a b\n\nc d"
    html = (
        '<p><b><a href="/catalog/persons/625/events">М.Хуснуллин<span class="read__tooltip tooltip_person '
        'hidden masha-ignore"> <span class="tooltip_title">Хуснуллин Марат Шакирзянович</span></span></a>:'
        "</b> Уважаемый Владимир\nВладимирович!</p><script>var x = 1;</script>"
        "<p>Строка<br/>вторая</p>"
        '<div class="read__bottommeta"><p>Дата публикации: 30 июня 2025 года</p></div>'
    )
    assert fragment_text(html) == "М.Хуснуллин: Уважаемый Владимир Владимирович!\n\nСтрока вторая"
    assert fragment_text("plain &lt;text&gt; without tags") == "plain <text> without tags"
    assert fragment_text("   ") == ""


# --- dispatch and layout errors ------------------------------------------------------------------


def test_parse_page_dispatches_on_content() -> None:
    article = parse_page(fixture("ru_article_77329.html"), RU_URL)
    assert isinstance(article, ItemRecord) and article.id == 77329
    listing = parse_page(fixture("en_list_page2.html"), LIST_URL)
    assert isinstance(listing, ItemPage) and listing.items[0].source == "list"
    feed = parse_page(fixture("en_feed_president_news.xml").decode(), FEED_URL)
    assert isinstance(feed, ItemPage) and feed.items[0].source == "feed"


def test_layout_error_on_renamed_classes() -> None:
    html = fixture("en_article_63907_call.html").decode()
    renamed = (
        html.replace("entry-title", "headline")
        .replace("read__internal_content", "article-body")
        .replace('id="event-', 'id="item-')
    )
    with pytest.raises(LayoutError) as error:
        parse_page(renamed, EN_URL)
    assert EN_URL in str(error.value)
    with pytest.raises(LayoutError):
        parse_article(renamed, EN_URL)
    listing = (
        fixture("en_list_page2.html")
        .decode()
        .replace("hentry", "card")
        .replace("data-url-template", "data-t")
    )
    with pytest.raises(LayoutError) as error:
        parse_page(listing, LIST_URL)
    assert "div.hentry[data-id]" in str(error.value)
    with pytest.raises(LayoutError):
        parse_list(listing, LIST_URL)


def test_layout_error_on_missing_title_or_body() -> None:
    html = fixture("ru_article_77329.html").decode()
    no_title = re.sub(r'<h1 class="entry-title[^"]*"[^>]*>.*?</h1>', "", html, flags=re.S)
    with pytest.raises(LayoutError, match=r"no article title \(h1.entry-title\)"):
        parse_article(no_title, RU_URL)
    no_body = html.replace("read__internal_content", "read__something_else")
    with pytest.raises(LayoutError, match="no article body"):
        parse_article(no_body, RU_URL)


def test_layout_error_on_truncated_article() -> None:
    html = fixture("ru_article_77329.html")
    cut = html[: html.index("М.Хуснуллин".encode())]  # download stopped in the middle of the body
    with pytest.raises(LayoutError, match="truncated"):
        parse_article(cut, RU_URL)
    with pytest.raises(LayoutError, match="truncated"):
        parse_page(cut, RU_URL)
    assert issubclass(LayoutError, ValueError)


def test_layout_error_on_non_feed_xml_and_empty_body() -> None:
    with pytest.raises(LayoutError):
        parse_feed(b"<html><body>503 Service Unavailable</body></html>", FEED_URL)
    with pytest.raises(LayoutError):
        parse_page(b"", FEED_URL)
    with pytest.raises(LayoutError, match="empty response body"):
        parse_article(b"  \n", RU_URL)
    with pytest.raises(LayoutError):
        parse_page("<html><body><p>Access denied</p></body></html>", RU_URL)
