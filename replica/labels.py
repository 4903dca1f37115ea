"""The fixed words of the site's pages (headings, buttons, status lines) in Russian and English.

Parsers key on some of them (the tag headings Темы / География / Лица, «Дата публикации»), so they
are copied from the real pages; the few that no saved page shows (the Russian list buttons, the
Russian feed title) are marked as guesses.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Labels:
    """Every fixed text of one language's pages."""

    site_name: str
    events: str
    open_hint: str
    reading_label: str
    close_hint: str
    menu_label: str
    main_menu_label: str
    nav: tuple[tuple[str, str], ...]
    search: str
    topics: str
    geography: str
    persons: str
    status: str
    published_in: str
    publication_date: str
    direct_link: str
    text_version: str
    last_updated: str
    text_tab: str
    print_label: str
    share: str
    list_title: str
    newer: str
    older: str
    calendar: str
    author_vcard: str
    article_text: str
    feed_title: str
    all_feed_title: str
    feed_author: str
    subnav: tuple[tuple[str, str], ...]
    not_found: str
    #: (section, name) for the «Опубликован в разделах» line and the read__categ link.
    section_names: tuple[tuple[str, str], ...]

    def section_name(self, section: str) -> str:
        """«Новости» for events/president/news and so on."""
        return next((name for key, name in self.section_names if key == section), self.events)


RU = Labels(
    site_name="Президент России",
    events="События",
    open_hint="Открыть",
    reading_label="Материал для чтения",
    close_hint="Нажмите Esc, чтобы закрыть",
    menu_label="Меню портала",
    main_menu_label="Основное меню",
    nav=(("/events/president/news", "События"), ("/structure/president", "Структура"),
         ("/multimedia/video", "Видео и фото"), ("/acts/news", "Документы"), ("/contacts", "Контакты")),
    search="Поиск",
    topics="Темы",
    geography="География",
    persons="Лица",
    status="Статус материала",
    published_in="Опубликован в разделах:",
    publication_date="Дата публикации:",
    direct_link="Ссылка на материал:",
    text_version="Текстовая версия",
    last_updated="Последнее обновление материала",
    text_tab="Текст",
    print_label="Распечатать",
    share="Поделиться",
    list_title="Новости ∙ Президент ∙ События ∙ Президент России",
    newer="Следующие",  # guess: mirrors the English "Next" (newer items)
    older="Предыдущие",  # guess: mirrors the English "Previous" (older items)
    calendar="Календарь:",
    author_vcard="Команда официального сайта Президента России",  # guess, after the English one
    article_text="Текст материала",
    feed_title="Сайт Президента России: Президент: Новости",  # guess, after the English title
    all_feed_title="Сайт Президента России: Все материалы",  # guess
    feed_author="Пресс-служба Президента России",  # guess
    subnav=(("/events/president/news", "Новости"),
            ("/events/president/transcripts", "Выступления и стенограммы"),
            ("/events/president/trips", "Поездки"), ("/structure/president", "О Президенте")),
    not_found="Страница не найдена",
    section_names=(("events/president/news", "Новости"),
                   ("events/president/transcripts", "Выступления и стенограммы"),
                   ("acts/news", "Документы"), ("misc", "Прочее")),
)  # fmt: skip

EN = Labels(
    site_name="President of Russia",
    events="Events",
    open_hint="Open",
    reading_label="Material for reading",
    close_hint="Press Esc to close",
    menu_label="Portal Menu",
    main_menu_label="Main menu",
    nav=(("/events/president/news", "Events"), ("/structure/president", "Structure"),
         ("/multimedia/video", "Videos and Photos"), ("/acts/news", "Documents"), ("/contacts", "Contacts")),
    search="Search",
    topics="Topics",
    geography="Geography",
    persons="Persons",
    status="Publication status",
    published_in="Published in section:",
    publication_date="Publication date:",
    direct_link="Direct link:",
    text_version="Text version",
    last_updated="Last updated at",
    text_tab="Text",
    print_label="Print",
    share="Share",
    list_title="News ∙ President ∙ Events ∙ President of Russia",
    newer="Next",
    older="Previous",
    calendar="Calendar:",
    author_vcard="Team of the Official Website of the President of Russia",
    article_text="Text of the article",
    feed_title="Website of the President of Russia: President: News",
    all_feed_title="Website of the President of Russia: All materials",
    feed_author="Presidential Press and Information Office",
    subnav=(("/events/president/news", "News"), ("/events/president/transcripts", "Transcripts"),
            ("/events/president/trips", "Trips"), ("/structure/president", "About President")),
    not_found="Page not found",
    section_names=(("events/president/news", "News"), ("events/president/transcripts", "Transcripts"),
                   ("acts/news", "Documents"), ("misc", "Miscellaneous")),
)  # fmt: skip


def labels(lang: str) -> Labels:
    """The labels of `lang` ("ru" or "en")."""
    return RU if lang == "ru" else EN
