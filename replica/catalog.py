"""Catalogue addresses of tags and persons (``/catalog/keywords/82/events`` and the like).

The site links every topic, country, region and person tag to a catalogue page; tests of the tag
parser need those links to look right, and a name the lexicon does not know still needs a stable
address, so unknown names get an id derived from the name.
"""

from __future__ import annotations

import hashlib
import zlib

from replica.lexicon import (
    BELGOROD,
    DOMESTIC_TOPICS,
    FOREIGN_POLICY,
    LEADERS,
    MOSCOW_CITY,
    OFFICIALS,
    PETERSBURG,
    TATARSTAN,
    TULA,
)

_REGIONS = (BELGOROD, TULA, MOSCOW_CITY, PETERSBURG, TATARSTAN)


def _stable_number(name: str, low: int, high: int) -> int:
    return low + zlib.crc32(name.encode()) % (high - low)


def topic_path(name: str) -> str:
    """``/catalog/keywords/<id>/events`` of a topic."""
    for topic in (FOREIGN_POLICY, *DOMESTIC_TOPICS):
        if name in (topic.ru, topic.en):
            return f"/catalog/keywords/{topic.keyword_id}/events"
    return f"/catalog/keywords/{_stable_number(name, 100, 200)}/events"


def geography_path(name: str) -> str:
    """``/catalog/countries/FR/events`` of a country, ``/catalog/regions/BEL/events`` of a region."""
    for leader in LEADERS:
        if name in (leader.ru_country, leader.en_country):
            return f"/catalog/countries/{leader.code}/events"
    for region in _REGIONS:
        if name in (region.ru, region.en):
            return f"/catalog/regions/{region.code}/events"
    return f"/catalog/regions/R{_stable_number(name, 10, 99)}/events"


def person_id(name: str) -> int:
    """Catalogue id of a person given as a tag («Макрон Эммануэль») or a speaker label."""
    for leader in LEADERS:
        if name in (leader.ru_tag, leader.en_tag):
            return leader.person_id
    for official in OFFICIALS:
        if name in (official.ru_tag, official.en_tag, official.ru_label, official.en_label):
            return official.person_id
    return _stable_number(name, 7000, 9000)


def person_path(name: str) -> str:
    """``/catalog/persons/<id>/events`` of a person."""
    return f"/catalog/persons/{person_id(name)}/events"


def media_name(seed: str) -> str:
    """A 32-character file name like the site's media names (``Y1ecOgEemycLrJ8YwTjNBDTnUjGAqwnP``)."""
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    digest = hashlib.blake2b(seed.encode(), digest_size=32).digest()
    return "".join(alphabet[byte % len(alphabet)] for byte in digest)
