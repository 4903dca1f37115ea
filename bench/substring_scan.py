"""Baseline for `rules test`: read the same archive and keep items whose text contains the word as typed."""

from __future__ import annotations

import sys

from archive.engine import make_engine
from archive.export import iter_items


def main(url: str, word: str) -> None:
    needle = word.lower()
    found = 0
    for item in iter_items(make_engine(url)):
        if needle in f"{item.title}\n{item.lead}\n{item.text}".lower():
            found += 1
    print(found)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
