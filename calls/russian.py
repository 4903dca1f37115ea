"""Reading calls from the Russian edition of kremlin.ru (to be written)."""

from __future__ import annotations

from calls.record import CallRecord, CallText


def read_russian(call: CallText) -> CallRecord:
    """The call record of a Russian call item."""
    return CallRecord()
