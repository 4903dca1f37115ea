"""Where a key stands in a TOML text: tomllib gives values, not lines, and an error should name both."""

from __future__ import annotations

import re


def line_of(text: str, key: str, after: int = 0) -> int | None:
    """The 1-based line of the first ``key = ...`` after line ``after``, or None.

    With ``after`` (the line of a table header), the search stops at the next table, so a key is found
    in its own table only; with ``after=0`` the whole text is searched.
    """
    pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
    for number, line in enumerate(text.splitlines(), start=1):
        if number <= after:
            continue
        if after and number > after + 1 and re.match(r"^\s*\[", line):
            return None
        if pattern.match(line):
            return number
    return None
