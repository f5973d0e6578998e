"""Periodic work of the documents app, run by the task worker once across workers (ADR 0030)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from punte.core.contract import PeriodicJob
from punte.documents import storage
from punte.documents.models import CaseDocument

# Bytes younger than this may belong to an upload whose transaction is still open.
GRACE = datetime.timedelta(hours=1)


def sweep_unreferenced(now: datetime.datetime | None = None) -> int:
    """Delete stored bytes that no document row names (an upload whose commit failed)."""
    now = now or timezone.now()
    store = storage.document_storage()
    known = set(CaseDocument.objects.values_list("storage_name", flat=True))
    removed = 0
    for name in storage.stored_names():
        if name in known:
            continue
        try:
            written = store.get_created_time(name)
        except (NotImplementedError, OSError):
            continue
        if now - written > GRACE:
            store.delete(name)
            removed += 1
    return removed


JOBS = [
    PeriodicJob(
        name="documents.sweep_unreferenced",
        every=datetime.timedelta(hours=6),
        run=sweep_unreferenced,
    )
]
