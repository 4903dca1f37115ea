"""The argument types of every subcommand: days, bounded whole numbers, item ids, kinds, languages.

Each is an argparse ``type``, so a bad value is refused before any command runs, in one line naming
the option. Kinds, languages and ids are checked by `archive.vocabulary` — the checks the API makes —
so the command line and the web side accept and refuse the same values with the same words.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from datetime import date
from typing import NoReturn, TypeVar

from archive.vocabulary import item_id_problem, kind_problem, lang_problem

#: The most rows a `--limit` or `--offset` may name: far more than the archive will hold, and well
#: inside the 64-bit integers the databases compare with (a larger number once overflowed there).
MAX_ROWS = 1_000_000_000

T = TypeVar("T")


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr (exit 2) in the words of every other
    error of the command line: ``kremlin-watch: error: lang: 'de' is not a language …``, as a bad
    setting is ``download_delay: expected …``. The usage is one ``--help`` away, not printed above."""

    def error(self, message: str) -> NoReturn:
        about = re.fullmatch(r"argument ([^:]+): (.*)", message, re.DOTALL)
        if about is not None:  # "argument -o/--output: …" → "output: …"
            name = max(about[1].split("/"), key=len).lstrip("-").lower()
            text = f"{name}: {about[2]}"
        else:  # a missing or unknown argument: the usage says what is expected
            text = f"{message} (see {self.prog} --help)"
        self.exit(2, f"kremlin-watch: error: {text}\n")


def day(text: str) -> date:
    """A Moscow calendar day, ``YYYY-MM-DD``."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a day as YYYY-MM-DD, got {text!r}") from None


def whole(low: int, high: int = MAX_ROWS) -> Callable[[str], int]:
    """The type of a whole number from ``low`` to ``high``; the error says both bounds."""

    def parse(text: str) -> int:
        try:
            number = int(text, 10)
        except ValueError:
            number = None
        if number is None or not low <= number <= high:
            raise argparse.ArgumentTypeError(f"expected a whole number from {low} to {high}, got {text!r}")
        return number

    parse.__name__ = "whole number"  # what argparse calls the type in its own messages
    return parse


def item_id(text: str) -> int:
    """An item id, as the API's ``/api/items/{id}`` accepts it."""
    try:
        number = int(text, 10)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an item id (a whole number), got {text!r}") from None
    return _checked(number, item_id_problem(number))


def kind(text: str) -> str:
    """A kind of item (`archive.vocabulary.KINDS`)."""
    return _checked(text, kind_problem(text))


def lang(text: str) -> str:
    """A language of the archive (`archive.vocabulary.LANGS`)."""
    return _checked(text, lang_problem(text))


def _checked(value: T, problem: str | None) -> T:
    if problem is not None:
        raise argparse.ArgumentTypeError(problem)
    return value
