"""The daemon's resident memory beyond what it imports: cyclic garbage, malloc arenas, the heap's tail.

* **Cycles.** Every check builds its own Scrapy crawlers, whose settings copies, signal receivers and
  components reference each other: they are freed only by a full collection, which Python runs
  when it sees fit, so several checks' crawlers could be waiting at once. `release_after_check`
  collects them when the check ends. For that to be cheap, `freeze_startup_objects` first moves
  everything alive at start (modules, the analyser's dictionaries, the rules) to the permanent
  generation (``gc.freeze``): a collection then walks only what checks made.

Two glibc settings matter for a process that lives for months and runs its database and delivery
work on worker threads:

* **Arenas.** glibc gives each thread that allocates an arena of its own (up to eight per core), and
  the memory an arena once held stays resident in it. The daemon's few worker threads allocate
  little each, so two arenas serve them as well (`limit_arenas`, as ``MALLOC_ARENA_MAX=2`` does; the
  container image sets that variable too, and a value set in the environment is left alone).
* **Trimming.** What a check frees (parsed pages, SQL results) goes back to malloc, which keeps the
  free top of its heap; `trim_heap` hands that back to the system after each check.

Both are glibc's (``mallopt``, ``malloc_trim``); elsewhere they do nothing. `bench/memory.py`
measures their effect with the rest.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
import os
from functools import cache

logger = logging.getLogger(__name__)

#: ``M_ARENA_MAX`` of glibc's malloc.h.
_M_ARENA_MAX = -8
#: Arenas for the daemon's threads (the main thread's included).
ARENAS = 2


@cache
def _glibc() -> ctypes.CDLL | None:
    """The C library when it is glibc (which has ``mallopt`` and ``malloc_trim``), else None."""
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name)
    except OSError:
        return None
    if not hasattr(libc, "malloc_trim") or not hasattr(libc, "mallopt"):
        return None
    return libc


def limit_arenas(arenas: int = ARENAS) -> bool:
    """At most ``arenas`` malloc arenas from now on, unless ``MALLOC_ARENA_MAX`` already says how many;
    whether the limit was set. Call it before the worker threads start."""
    libc = _glibc()
    if libc is None or os.environ.get("MALLOC_ARENA_MAX"):
        return False
    return bool(libc.mallopt(_M_ARENA_MAX, arenas))


def trim_heap() -> None:
    """Give the free memory at the top of malloc's heaps back to the system."""
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)


def freeze_startup_objects() -> None:
    """Collect what start-up left behind, then keep every object alive now out of all later
    collections: they live as long as the process."""
    gc.collect()
    gc.freeze()


def release_after_check() -> None:
    """Free the check's cyclic garbage now, then give the heap's free top back (`trim_heap`)."""
    gc.collect()
    trim_heap()
