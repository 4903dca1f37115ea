"""Writing a crawl's records into the archive in batches, off the reactor.

A backfill stores thousands of items; one transaction each cost a commit, a thread hand-off and (on
SQLite) a write lock taken and given up per item. The `ItemWriter` collects the records the spider
yields and stores up to `BATCH_ITEMS` in one transaction (`ArchiveStore.store_batch`: a savepoint
per item, so a broken item is undone alone with its outbox rows and the rest is stored). A record
never waits long: a batch is written when it is full, `FLUSH_AFTER` seconds after its first record
came (a polite crawl, one page every few seconds, still writes each item as it comes), and when the
crawl closes, before the spider's own ``closed`` (Scrapy closes the pipelines first), so the feed's
validators are never saved ahead of the items they cover. A crawl killed outright loses at most the
records of one unwritten batch: nothing of them was stored, so nothing counts as seen and the next
check reads them again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence

from scrapy.utils.asyncio import run_in_thread

from archive.records import ItemRecord
from archive.store import ArchiveStore, BeforeCommit, StoreFailure, StoreResult, one_line_error

logger = logging.getLogger(__name__)

#: Records per transaction: about a list page and a half; more saves little and holds SQLite's write
#: lock longer (another writer, e.g. the other host's crawl, waits for it).
BATCH_ITEMS = 50
#: Seconds a record may wait for its batch to fill before it is written anyway.
FLUSH_AFTER = 1.0

#: Told the outcome of each record once its batch is written.
OnStored = Callable[[ItemRecord, StoreResult | StoreFailure], None]


class ItemWriter:
    """Stores records in batches through ``store``; ``on_stored(record, outcome)`` hears each outcome
    (a `StoreResult`, or a `StoreFailure` for a record that could not be stored).

    ``add`` returns at once unless the batch is full, then it waits for the write (so a crawl that
    parses faster than the archive writes is held back, not buffered without bound). Batches are
    written one at a time, in order.
    """

    def __init__(
        self,
        store: ArchiveStore,
        on_stored: OnStored,
        before_commit: BeforeCommit | None = None,
        *,
        batch_items: int = BATCH_ITEMS,
        flush_after: float = FLUSH_AFTER,
    ) -> None:
        self.store = store
        self.on_stored = on_stored
        self.before_commit = before_commit
        self.batch_items = batch_items
        self.flush_after = flush_after
        self._pending: list[ItemRecord] = []
        self._lock = asyncio.Lock()
        self._timer: asyncio.TimerHandle | None = None
        self._timed: set[asyncio.Task[None]] = set()

    async def add(self, record: ItemRecord) -> None:
        """Queue ``record``; write the batch when it is full."""
        self._pending.append(record)
        if len(self._pending) >= self.batch_items:
            await self.flush()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self.flush_after, self._flush_later)

    def _flush_later(self) -> None:
        self._timer = None
        task = asyncio.ensure_future(self.flush())
        self._timed.add(task)
        task.add_done_callback(self._timed.discard)

    async def flush(self) -> None:
        """Write every queued record (waiting for a batch in flight first)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        async with self._lock:
            while self._pending:
                batch, self._pending = self._pending[: self.batch_items], self._pending[self.batch_items :]
                outcomes = await run_in_thread(self._write, batch)
                for record, outcome in zip(batch, outcomes, strict=True):
                    self.on_stored(record, outcome)

    async def close(self) -> None:
        """Write what is left; call once the crawl yields no more records."""
        await self.flush()
        if self._timed:
            await asyncio.gather(*self._timed)

    def _write(self, batch: Sequence[ItemRecord]) -> list[StoreResult | StoreFailure]:
        """One transaction for ``batch``; if the batch as a whole fails (its commit, the
        connection), each record again in a transaction of its own, so one broken record, or a
        passing fault, costs that record only."""
        try:
            return self.store.store_batch(batch, self.before_commit)
        except Exception as error:
            logger.warning(
                "a batch of %d items could not be written (%s); storing them one by one",
                len(batch),
                one_line_error(error),
            )
        return [self.store.store_or_failure(record, self.before_commit) for record in batch]
