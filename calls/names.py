"""People's names compared as people mean them: «Макроном» is «Эммануэль Макрон», "Macron" is too.

Every word a person asks for must share a name lemma (`query.morphology.Lemmatizer.name_lemmas`,
which adds the Snowball stem pymorphy3 misses on foreign surnames: «Шольца» ~ «Шольц») with some word
of the counterpart's name. The rules' ``counterparts``, the ledger's ``--counterpart`` and the web
filter all compare through here.
"""

from __future__ import annotations

from collections.abc import Sequence

from query.morphology import Lemmatizer
from query.words import tokenize

NameWords = tuple[frozenset[str], ...]


def name_words(name: str, lemmatizer: Lemmatizer) -> NameWords:
    """The name lemmas of each word of ``name``."""
    return tuple(lemmatizer.name_lemmas(token.surface) for token in tokenize(name))


def names_match(wanted: Sequence[frozenset[str]], words: Sequence[frozenset[str]]) -> bool:
    """True when every wanted word shares a lemma with some word of the name."""
    return all(any(not lemmas.isdisjoint(word) for word in words) for lemmas in wanted)
