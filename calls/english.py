"""Reading calls from the English edition of kremlin.ru (to be written)."""

from __future__ import annotations

from calls.record import CallRecord, CallText


def read_english(call: CallText) -> CallRecord:
    """The call record of a English call item."""
    return CallRecord()
