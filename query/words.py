"""What a word is, and the spelling words are compared in: the one home of the word pattern.

A word is a run of letters and digits. Hyphens, apostrophes and all other punctuation split words,
so «российско-американских» is two tokens, «российско» and «американских», that are adjacent.
Stress marks and soft hyphens inside a word do not split it. Rules, documents and the search index
all split text with `WORD`, which is what makes their answers agree.
"""

from __future__ import annotations

import re
from typing import NamedTuple

WORD = re.compile(r"[^\W_]+(?:[\u0301\u00ad]+[^\W_]+)*")

#: Lower-case, then fold ё and drop characters that may sit inside a word without being part of it
#: (combining acute stress mark, soft hyphen).
_FOLD = str.maketrans({"ё": "е", "\u0301": None, "\u00ad": None})


def fold(word: str) -> str:
    """The comparison spelling of a word: lower case, «ё» as «е», no stress marks or soft hyphens."""
    return word.lower().translate(_FOLD)


class Token(NamedTuple):
    """A word as it stands in the text, with its character offsets (``text[start:end] == surface``)."""

    surface: str
    start: int
    end: int


def tokenize(text: str) -> list[Token]:
    """Split text into words (runs of letters and digits; hyphens and punctuation split)."""
    return [Token(m.group(), m.start(), m.end()) for m in WORD.finditer(text)]
