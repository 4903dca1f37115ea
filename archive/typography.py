"""Typography-only changes: what the site's typographer can change without changing what a text says.

kremlin.ru's editors re-save readouts, and its typographer then swaps straight quotes for «ёлочки», a
hyphen for a dash, a space for a no-break one. A reader would not call that an edit, so the archive
keeps such a change as a revision flagged ``cosmetic`` and nothing notifies about it. `typographic_form`
folds a text to what survives those swaps; two texts with the same form differ only in typography.
The diff (`edits.diff`) compares sentences and words by the same form, so a sentence that changed a
word and a quote shows the word, not the quote.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

#: Every quote mark the site (or a pasted document) uses, folded to ``"``; apostrophes to ``'``.
_QUOTES = str.maketrans(
    {
        "«": '"',
        "»": '"',
        "„": '"',
        "“": '"',
        "”": '"',
        "‟": '"',
        "″": '"',
        "‹": '"',
        "›": '"',
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "′": "'",
        "`": "'",
        # Dashes and minus signs, folded to a hyphen.
        "‐": "-",
        "‑": "-",
        "‒": "-",
        "–": "-",
        "—": "-",
        "―": "-",
        "−": "-",
        "…": "...",
    }
)
#: Spaces of every width (no-break, thin, narrow, figure, zero-width) and runs of them.
_SPACES = re.compile(r"[\s\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]+")
#: A dash set off by spaces or not («2020 — 2021», «2020–2021»): the spacing around it is typography.
_DASH_SPACING = re.compile(r" ?(-{1,3}) ?")
#: The fields whose changes can be typography only (the others are dates and lists of names).
TEXT_FIELDS = ("title", "lead", "text", "place")
LIST_FIELDS = ("topics", "geography", "persons")


def typographic_form(text: str) -> str:
    """``text`` with quotes, dashes, ellipses and spaces folded: equal forms mean the same words."""
    folded = _SPACES.sub(" ", text.translate(_QUOTES)).strip()
    return _DASH_SPACING.sub(lambda match: "-" if len(match.group(1)) == 1 else match.group(1), folded)


def same_words(before: object, after: object) -> bool:
    """Whether two values of a content field differ in typography at most (lists entry by entry)."""
    if before == after:
        return True
    if isinstance(before, str) and isinstance(after, str):
        return typographic_form(before) == typographic_form(after)
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        return all(same_words(old, new) for old, new in zip(before, after, strict=True))
    return False


def cosmetic_change(before: Mapping[str, object], after: Mapping[str, object]) -> bool:
    """Whether ``after`` differs from ``before`` (content fields) in typography only; an unchanged
    content is not a change, and so not cosmetic either."""
    differing = [name for name in before.keys() | after.keys() if before.get(name) != after.get(name)]
    return bool(differing) and all(same_words(before.get(name), after.get(name)) for name in differing)
