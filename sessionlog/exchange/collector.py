"""Holding off Python's cyclic garbage collector while a large file is read and checked.

Reading a 100,000-session export makes millions of objects that all stay alive
until the import ends, and checking it makes millions more. The collector's passes
walk them again and again, and none of it is garbage (plain dicts, lists, strings and
numbers: no reference cycles to find). Measured on the 100,000-session benchmark
export, in one process, alternating: checking the rows took 18-19 s with the collector
paused, 28-31 s with it running. Memory is not at stake: what the collector would
find is freed by reference counting anyway, and it runs again as soon as the import is
done.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector inside the block; it resumes after it if it
    was running before (so a pause inside another leaves it to the outer one)."""
    was_running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_running:
            gc.enable()
