"""What a linking run needs from the Python runtime."""

from __future__ import annotations

import contextlib
import gc


@contextlib.contextmanager
def collection_paused():
    """Python's cyclic garbage collector paused for a linking run, then as it was.

    A run allocates tens of thousands of small containers (pairs, groups, a record's links),
    and each time they cross the collector's thresholds it walks every long-lived object of
    the process: on 30,000 records that took 0.1-0.3 s of a 1 s run (docs/PERFORMANCE.md).
    The run makes few reference cycles (memory is still freed by reference counting), and
    what it makes is collected when the collector resumes.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
