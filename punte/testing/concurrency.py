"""Two or more people acting at the same moment, for the race tests on PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection


def run_together(
    calls: Sequence[Callable[[], Any]], *, return_exceptions: bool = False, timeout: float = 60
) -> list[Any]:
    """Run each call in a thread of its own (its own connection, real commits), released
    together by a barrier; the results in the calls' order. An exception fails the test, or,
    with `return_exceptions`, takes the call's place among the results for the test to judge."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)
    errors: list[BaseException] = []

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = call()
        except Exception as exc:
            if return_exceptions:
                results[index] = exc
            else:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not errors, errors
    return results
