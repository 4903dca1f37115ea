"""Reading a call record from a call item, in the item's language."""

from __future__ import annotations

import logging

from calls.english import read_english
from calls.record import CallRecord, CallText
from calls.russian import RussianReader

#: Bump when what the readers make of a page changes: `kremlin-watch calls --rebuild` then rereads.
READER_VERSION = 1

logger = logging.getLogger(__name__)


class CallReader:
    """Reads call records in both languages. Build one and share it: the Russian reader loads
    pymorphy3's dictionaries (about 0.2 s), after which a call reads in milliseconds."""

    def __init__(self) -> None:
        self._russian: RussianReader | None = None

    def read(self, call: CallText) -> CallRecord:
        """The call record of one language version of a call item (no counterparts when unreadable).

        A reader that fails on a page is logged and the call counted as unreadable: storing the item
        and alerting on it must go on (a broken page is skipped, never a failed check)."""
        try:
            if call.lang == "en":
                return read_english(call)
            if self._russian is None:
                self._russian = RussianReader()
            return self._russian.read(call)
        except Exception as error:
            logger.warning("the call reader failed on %r (%s: %s)", call.title, type(error).__name__, error)
            return CallRecord()


def read_call(call: CallText, reader: CallReader | None = None) -> CallRecord:
    """The call record of one item; pass a shared `CallReader` when reading more than one."""
    return (reader or CallReader()).read(call)
