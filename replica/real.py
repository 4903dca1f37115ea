"""The real kremlin.ru items the replica can serve next to generated ones.

Three real items are kept in ``replica/pages/`` (package data, so the project never reads the
shared folder at run time):

- 77329 (ru, 2025): the saved page is served VERBATIM, so parsers meet the real page with its
  video block, «Смотрите также» insert, person tooltips and status block;
- 63907 (en, 2020, a phone call): the saved page is served verbatim too. It was saved with
  ``wget --convert-links``; the copy in ``pages/`` has wget's rewrites undone (``../63907.html`` →
  ``/events/president/news/63907``, absolute ``http://en.kremlin.ru/…`` links back to the
  root-relative form the live Russian page uses, except the canonical, og:url and ``/d/`` links,
  which the live site writes absolute);
- 67487 (ru, 30 Dec 2021, the Putin–Biden call): only its text is known
  (``seed_ru_call_67487.txt``: title, Moscow time, paragraphs, address), so it is rendered through
  the replica's templates like a generated item. The file dates it 2021-12-31 02:20 Moscow time
  (the call itself took place on the evening of the 30th, as its first sentence says). That first
  sentence («30 декабря состоялся телефонный разговор …») becomes the lead, as on call pages.

The ground-truth fields of the two HTML items are read from the pages themselves, so they always
agree with what is served.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from importlib import resources

import lxml.html
from lxml.etree import _Element

from replica.dates import MOSCOW
from replica.item import ReplicaItem

RU_77329 = "ru_article_77329.html"
EN_63907 = "en_article_63907.html"
SEED_67487 = "seed_ru_call_67487.txt"
ROBOTS = "en_robots.txt"
#: Ids of every real item, reserved so generated items never take them.
REAL_IDS = (63907, 67487, 77329)

_SPACES = re.compile(r"\s+")
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})")
_TAG_GROUPS = {
    "topics": ("Темы", "Topics"),
    "geography": ("География", "Geography"),
    "persons": ("Лица", "Persons"),
}


def read_page(name: str) -> str:
    """The text of a file in ``replica/pages/``."""
    return resources.files("replica").joinpath("pages", name).read_text(encoding="utf-8")


def normalise(text: str) -> str:
    """Collapse every whitespace run (U+00A0 and line breaks included) into one space."""
    return _SPACES.sub(" ", text).strip()


def _text(element: _Element) -> str:
    """Visible text of `element` without the ``.masha-ignore`` parts (tooltips, video captions)."""
    clone = lxml.html.fromstring(lxml.html.tostring(element, encoding="unicode", with_tail=False))
    for hidden in clone.xpath(".//*[contains(concat(' ', @class, ' '), ' masha-ignore ')]"):
        hidden.drop_tree()
    return normalise(clone.text_content())


def _moment(day: str, clock_text: str) -> datetime:
    match = _CLOCK.search(clock_text)
    if match is None:
        raise ValueError(f"no time of day in {clock_text!r}")
    return datetime.combine(date.fromisoformat(day), time(int(match[1]), int(match[2])), MOSCOW)


def _paragraph(p: _Element) -> tuple[str | None, str]:
    text = _text(p)
    first = p[0] if len(p) else None
    if first is not None and first.tag == "b" and not (p.text or "").strip():
        label = _text(first)
        rest = text[len(label) :].strip()
        if label.endswith(":"):
            return label[:-1].strip(), rest
        if rest.startswith(":") and label:  # «<b>В.Путин</b>: Успехов.» also occurs
            return label, rest[1:].strip()
    return None, text


def item_from_page(name: str, kind: str) -> ReplicaItem:
    """A `ReplicaItem` read from a saved article page in ``replica/pages/``."""
    doc = lxml.html.document_fromstring(read_page(name))
    article = doc.xpath("//article[contains(@class, 'read__in')]")[0]
    body = article.xpath(".//div[contains(@class, 'read__internal_content')]")[0]
    published_el = article.xpath(".//time[@class='read__published']")[0]
    published = _moment(published_el.get("datetime"), article.xpath(".//div[@class='read__time']")[0].text)
    updated_el = doc.xpath("//div[@class='read__updated']/time")
    updated = _moment(updated_el[0].get("datetime"), updated_el[0].text) if updated_el else published
    place = article.xpath(".//div[contains(@class, 'read__place')]")
    tags: dict[str, list[str]] = {group: [] for group in _TAG_GROUPS}
    for column in body.xpath(".//div[@class='read__tagscol']"):
        heading = normalise(column.xpath("h3")[0].text_content())
        group = next(group for group, names in _TAG_GROUPS.items() if heading in names)
        tags[group] = [normalise(a.text_content()) for a in column.xpath(".//a[@rel='tag']")]
    sections = [
        a.get("href").strip("/") for a in body.xpath(".//div[contains(@class, 'read__status')]//p[1]/a")
    ]
    return ReplicaItem(
        id=int(article.get("id").removeprefix("event-")),
        lang=doc.get("lang"),
        section=sections[0],
        also_in=tuple(sections[1:]),
        title=normalise(article.xpath(".//h1")[0].text_content()),
        lead=_text(article.xpath(".//div[contains(@class, 'read__lead')]")[0]),
        paragraphs=[_paragraph(p) for p in body.xpath("./p")],
        published=published,
        updated=updated,
        place=_text(place[0]) if place else None,
        kind=kind,
        real_page=name,
        **tags,
    )


def seed_call_67487() -> ReplicaItem:
    """The Putin–Biden call of 30 December 2021 from its plain-text copy."""
    lines = [normalise(line) for line in read_page(SEED_67487).splitlines() if line.strip()]
    title, stamp, *texts, _address = lines
    published = datetime.fromisoformat(stamp).replace(tzinfo=MOSCOW)
    return ReplicaItem(
        id=67487,
        lang="ru",
        section="events/president/news",
        title=title,
        lead=texts[0],
        paragraphs=[(None, text) for text in texts[1:]],
        published=published,
        updated=published,
        place=None,
        topics=["Внешняя политика"],
        geography=["США"],
        persons=["Байден Джозеф"],
        kind="call",
    )


def real_items(lang: str) -> list[ReplicaItem]:
    """The real items of `lang`: 77329 and 67487 in Russian, 63907 in English."""
    if lang == "ru":
        return [item_from_page(RU_77329, "meeting"), seed_call_67487()]
    return [item_from_page(EN_63907, "call")]
