"""Deterministic generated items: a realistic news stream without any real site behind it.

The stream looks like the president's news on kremlin.ru: several items a day, 20 minutes to a
few hours apart, mostly between 9:00 and midnight Moscow time, fewer at weekends; a phone call
about one item in eight, titled the way the site titles calls; meetings with a place line;
decrees (half of them in /acts/news); greetings; transcripts with speaker labels. Ids grow like
the site's (gaps, because other sections and languages take ids too) but are NOT in publication
order: neighbouring items swap ids now and then, as on the real site.

Everything comes from one `random.Random(seed)`, so the same arguments give the same corpus.
Generation is plain string formatting, about 10 µs an item.

The English site is a twin of the Russian one: an item has the same id, time and content on both,
in each language's words. So the random stream is always the Russian site's (`STREAM_LANG`) and only
the words depend on `lang`: every builder draws the same numbers in either language, and the
lexicon's Russian and English lists are parallel (entry i of one translates entry i of the other).
`generate_items(count, "en", seed)` is therefore the English twin of `generate_items(count, "ru",
seed)`, and `twin` makes the twin of one item made on its own (`Corpus.next_item`).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date, datetime, time, timedelta

from replica import lexicon
from replica.dates import EN_MONTHS, MOSCOW, RU_MONTHS_GENITIVE
from replica.item import ReplicaItem
from replica.lexicon import Leader, Official, Texts

NEWS = "events/president/news"
TRANSCRIPTS = "events/president/transcripts"
ACTS = "acts/news"

#: (kind, cumulative probability): calls are one item in eight.
_KIND_ODDS = (("call", 0.125), ("meeting", 0.375), ("transcript", 0.525), ("decree", 0.75), ("greeting", 1.0))
#: A known (id, date) of the real site, and its id growth rate, to give generated ids plausible values.
_ID_ANCHOR = (63907, date(2020, 8, 18))
_IDS_PER_DAY = 7.6
#: Where a generated corpus ends when no start is given (fixed, in the past, near the newest real ids).
DEFAULT_END = datetime(2026, 11, 20, 12, 0, tzinfo=MOSCOW)
#: Average items a day the schedule produces (used to place a default start before DEFAULT_END).
ITEMS_PER_DAY = 4.8
#: Whose random stream every language's items follow (see the module docstring).
STREAM_LANG = "ru"


def estimated_id(day: date) -> int:
    """The id the real site was handing out around `day` (≈ 7.6 ids a day since 2020)."""
    anchor_id, anchor_day = _ID_ANCHOR
    return max(1, round(anchor_id + _IDS_PER_DAY * (day - anchor_day).days))


def default_start(count: int) -> datetime:
    """A start that makes `count` items end around `DEFAULT_END`."""
    return DEFAULT_END - timedelta(days=count / ITEMS_PER_DAY)


def schedule(rng: random.Random, start: datetime, count: int) -> list[datetime]:
    """`count` publication times from `start` on: 3–9 items on weekdays, 1–4 at weekends.

    Times are multiples of five minutes (as on the site) between about 9:00 and 23:55 Moscow time,
    20 minutes to a few hours apart.
    """
    start = start.astimezone(MOSCOW)
    times: list[datetime] = []
    day = start.date()
    while len(times) < count:
        today = rng.randint(3, 9) if day.weekday() < 5 else rng.randint(1, 4)
        moment = datetime.combine(day, time(9, 0), MOSCOW) + timedelta(minutes=5 * rng.randint(0, 36))
        for _ in range(today):
            if moment.date() != day or len(times) >= count:
                break
            if moment >= start:
                times.append(moment)
            moment += timedelta(minutes=5 * rng.randint(4, 40))
        day += timedelta(days=1)
    return times


def assign_ids(
    rng: random.Random, times: list[datetime], first_id: int, reserved: Iterable[int]
) -> list[int]:
    """Growing ids with gaps, skipping `reserved`, with about one neighbour pair in eight swapped
    (only within a day, as on the real site: 63887 at 18:00, 63888 at 17:00)."""
    taken = set(reserved)
    ids: list[int] = []
    current = first_id - 1
    for _ in times:
        current += rng.choice((1, 1, 1, 2, 2, 3))
        while current in taken:
            current += 1
        ids.append(current)
    for i in range(1, len(ids)):
        if times[i].date() == times[i - 1].date() and rng.random() < 0.125:
            ids[i - 1], ids[i] = ids[i], ids[i - 1]
    return ids


def pick_kind(rng: random.Random) -> str:
    """A kind with the site's proportions (one call in eight)."""
    roll = rng.random()
    return next(kind for kind, odds in _KIND_ODDS if roll < odds)


def make_item(
    rng: random.Random, lang: str, item_id: int, published: datetime, kind: str | None = None
) -> ReplicaItem:
    """One generated item of `kind` (a random kind when None) published at `published`."""
    kind = kind or pick_kind(rng)
    builder = next((build for name, build in _BUILDERS if name == kind), None)
    if builder is None:
        raise ValueError(f"unknown kind {kind!r}; one of {[name for name, _ in _BUILDERS]}")
    fields = builder(rng, lexicon.texts(lang), lang, published)
    late = rng.random() < 0.05
    delay = timedelta(days=rng.randint(1, 3), minutes=rng.randint(0, 600)) if late else None
    updated = published + (delay or timedelta(minutes=rng.randint(5, 240), seconds=rng.randint(0, 59)))
    return ReplicaItem(id=item_id, lang=lang, published=published, updated=updated, kind=kind, **fields)


def generate_items(
    count: int,
    lang: str = "ru",
    seed: int = 0,
    start: datetime | None = None,
    first_id: int | None = None,
    reserved: Iterable[int] = (),
) -> list[ReplicaItem]:
    """`count` items in publication order (oldest first); the same ids, times and content in either
    language (see the module docstring)."""
    if count <= 0:
        return []
    rng = random.Random(f"{seed}:{STREAM_LANG}")
    if start is not None and start.tzinfo is None:
        raise ValueError("start must be an aware datetime")
    times = schedule(rng, start or default_start(count), count)
    if start is None and times[-1] > DEFAULT_END:
        # Whole weeks keep the weekday rhythm; the corpus then ends before DEFAULT_END, in the past.
        weeks = -(-(times[-1] - DEFAULT_END).days // 7) + 1
        times = [moment - timedelta(weeks=weeks) for moment in times]
    ids = assign_ids(rng, times, first_id or estimated_id(times[0].date()), reserved)
    return [make_item(rng, lang, item_id, moment) for item_id, moment in zip(ids, times, strict=True)]


def made_alone(seed: str, lang: str, item_id: int, published: datetime, kind: str | None) -> ReplicaItem:
    """An item made from a random stream of its own (`seed`), remembering how (`ReplicaItem.recipe`)."""
    item = make_item(random.Random(seed), lang, item_id, published, kind)
    return replace(item, recipe=(seed, kind))


def twin(item: ReplicaItem, lang: str) -> ReplicaItem:
    """The `lang` version of `item`, made by `made_alone`: same id, section, times and content.

    The twin is made from the item's recipe, so it translates the item as generated (an edit made to
    the item since is not carried over). Items of a generated corpus have no recipe: their twins are
    the items of ``Corpus.generate(count, lang, seed)`` with the same arguments.
    """
    if item.recipe is None:
        raise ValueError(
            f"item {item.id} was not made on its own (no recipe): take its twin from the {lang} corpus "
            "generated with the same seed"
        )
    seed, kind = item.recipe
    return made_alone(seed, lang, item.id, item.published, kind)


# --- one builder per kind: (rng, texts, lang, published) -> ReplicaItem fields ---------------------

Fields = dict[str, object]
Builder = Callable[[random.Random, Texts, str, datetime], Fields]


def _fill(template: str, context: dict[str, str], rng: random.Random) -> str:
    return template.format(n=str(rng.randint(12, 480)), **context)


def _day_month(published: datetime, lang: str) -> str:
    # A call published after midnight took place the day before («30 декабря состоялся …» at 02:20).
    day = (published - timedelta(hours=6)).date()
    if lang == "ru":
        return f"{day.day} {RU_MONTHS_GENITIVE[day.month - 1]}"
    return f"{EN_MONTHS[day.month - 1]} {day.day}"


def _place(rng: random.Random, lang: str) -> str:
    ru, en = rng.choice(lexicon.PLACES)
    return ru if lang == "ru" else en


def _topic(topic: lexicon.Topic, lang: str) -> str:
    return topic.ru if lang == "ru" else topic.en


def _call(rng: random.Random, tx: Texts, lang: str, published: datetime) -> Fields:
    first: Leader = rng.choice(lexicon.LEADERS)
    leaders = [first]
    context = {**first.context(lang), "day_month": _day_month(published, lang)}
    context["initiative"] = tx.call_initiative.format(**context) if rng.random() < 0.3 else ""
    if rng.random() < 0.05:
        second = rng.choice([leader for leader in lexicon.LEADERS if leader.ru_name != first.ru_name])
        leaders.append(second)
        names = [f"{ctx['title_instr']} {ctx['name_instr']}" for ctx in (context, second.context(lang))]
        full = [f"{ctx['title_full_instr']} {ctx['name_instr']}" for ctx in (context, second.context(lang))]
        title = rng.choice(tx.call_titles_pair).format(a=names[0], b=names[1])
        lead = tx.call_lead_pair.format(a=full[0], b=full[1])
    else:
        weights = [weight for weight, _ in tx.call_titles]
        template = rng.choices([template for _, template in tx.call_titles], weights)[0]
        title = _fill(template, context, rng)
        lead = _fill(rng.choice(tx.call_leads), context, rng)
    body = [(None, _fill(text, context, rng)) for text in rng.sample(tx.call_body, rng.randint(2, 4))]
    body.append((None, rng.choice(tx.call_closing)))
    return {
        "section": NEWS, "title": title, "lead": lead, "paragraphs": body, "place": None,
        "topics": [_topic(lexicon.FOREIGN_POLICY, lang)],
        "geography": list(dict.fromkeys(leader.ru_country if lang == "ru" else leader.en_country
                                        for leader in leaders)),
        "persons": [leader.ru_tag if lang == "ru" else leader.en_tag for leader in leaders],
    }  # fmt: skip


def _meeting(rng: random.Random, tx: Texts, lang: str, published: datetime) -> Fields:
    topics = [_topic(topic, lang) for topic in rng.sample(lexicon.DOMESTIC_TOPICS, rng.randint(1, 2))]
    if rng.random() < 0.4:
        title, lead = rng.choice(tx.group_meetings)
        body = [(None, text) for text in rng.sample(tx.group_body, rng.randint(2, 3))]
        return {"section": NEWS, "title": title, "lead": lead, "paragraphs": body,
                "place": _place(rng, lang), "topics": topics, "geography": [], "persons": []}  # fmt: skip
    official: Official = rng.choice(lexicon.OFFICIALS)
    context = official.context(lang)
    body = [(None, _fill(text, context, rng)) for text in rng.sample(tx.meeting_body, rng.randint(2, 4))]
    region = official.region
    return {
        "section": NEWS, "title": _fill(rng.choice(tx.meeting_titles), context, rng),
        "lead": _fill(rng.choice(tx.meeting_leads), context, rng), "paragraphs": body,
        "place": _place(rng, lang), "topics": topics,
        "geography": [region.ru if lang == "ru" else region.en] if region else [],
        "persons": [official.ru_tag if lang == "ru" else official.en_tag],
    }  # fmt: skip


def _transcript(rng: random.Random, tx: Texts, lang: str, published: datetime) -> Fields:
    title, lead = rng.choice(tx.transcript_titles)
    putin = lexicon.putin_label(lang)
    body: list[tuple[str | None, str]] = []
    if rng.random() < 0.6:
        body += [(None, rng.choice(tx.transcript_narration)), (None, tx.separator)]
    body.append((putin, tx.putin_lines[0]))
    for official in rng.sample(lexicon.OFFICIALS, rng.randint(1, 3)):
        body.append((putin, _fill(rng.choice(tx.putin_lines[1:]), {}, rng)))
        for line in rng.sample(tx.official_lines, rng.randint(1, 3)):
            body.append((official.label(lang), _fill(line, {}, rng)))
    if rng.random() < 0.5:
        body.append((None, tx.omission))
    # As on the site, a label marks a change of speaker; further paragraphs of the same speaker have none.
    speaker: str | None = None
    for index, (label, line) in enumerate(body):
        if label is not None and label == speaker:
            body[index] = (None, line)
        elif label is not None:
            speaker = label
        elif line in (tx.separator, tx.omission):
            speaker = None
    return {"section": NEWS, "also_in": (TRANSCRIPTS,), "title": title, "lead": lead, "paragraphs": body,
            "place": _place(rng, lang), "topics": [_topic(lexicon.REGIONS, lang)], "geography": [],
            "persons": []}  # fmt: skip


def _decree(rng: random.Random, tx: Texts, lang: str, published: datetime) -> Fields:
    index = rng.randrange(len(tx.decree_names))
    name = tx.decree_names[index]
    topic = lexicon.AWARDS if index < 2 else rng.choice((lexicon.ECONOMY, lexicon.SECURITY, lexicon.SOCIAL))
    body = [(None, text) for text in rng.sample(tx.decree_body, rng.randint(1, 2))]
    return {
        "section": ACTS if rng.random() < 0.5 else NEWS,
        "title": tx.decree_title.format(name_lower=name[0].lower() + name[1:]),
        "lead": tx.decree_lead.format(name=name), "paragraphs": body, "place": None,
        "topics": [_topic(topic, lang)], "geography": [], "persons": [],
    }  # fmt: skip


def _greeting(rng: random.Random, tx: Texts, lang: str, published: datetime) -> Fields:
    body = [(None, text) for text in rng.sample(tx.greeting_body, rng.randint(1, 2))]
    if rng.random() < 0.3:
        leader: Leader = rng.choice(lexicon.LEADERS)
        context = leader.context(lang)
        return {
            "section": NEWS, "title": tx.greeting_leader_title.format(**context),
            "lead": tx.greeting_leader_lead.format(**context), "paragraphs": body, "place": None,
            "topics": [_topic(lexicon.FOREIGN_POLICY, lang)],
            "geography": [leader.ru_country if lang == "ru" else leader.en_country],
            "persons": [leader.ru_tag if lang == "ru" else leader.en_tag],
        }  # fmt: skip
    title, lead = rng.choice(tx.greeting_titles)
    return {"section": NEWS, "title": title, "lead": lead, "paragraphs": body, "place": None,
            "topics": [_topic(lexicon.CULTURE, lang)], "geography": [], "persons": []}  # fmt: skip


_BUILDERS: tuple[tuple[str, Builder], ...] = (
    ("call", _call), ("meeting", _meeting), ("transcript", _transcript), ("decree", _decree),
    ("greeting", _greeting),
)  # fmt: skip
