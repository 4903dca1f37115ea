"""Reading a call record from a call item, in the item's language."""

from __future__ import annotations

from calls.english import read_english
from calls.record import CallRecord, CallText
from calls.russian import read_russian

#: Bump when what the readers make of a page changes: `kremlin-watch calls --rebuild` then rereads.
READER_VERSION = 1


def read_call(call: CallText) -> CallRecord:
    """The call record of one language version of a call item (empty counterparts when unreadable)."""
    if call.lang == "en":
        return read_english(call)
    return read_russian(call)
