"""Prove the audit trail intact: walk every hash chain, name the first broken entry of each.

Exit status 0 when every chain verifies, 1 when one does not, 2 on bad input (e.g. an unreadable
seal). Streams the trail in batches along its (chain, seq) index, so it runs in flat memory over
millions of entries; progress goes to stderr, the verdict to stdout.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from punte.core import audit


class Command(BaseCommand):
    help = (
        "Verify the hash chains of the audit trail. Reports, for each broken chain, the first "
        "entry that was altered, deleted or reordered, and exits with status 1."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size", type=int, default=5000, help="entries read per query (default 5000)"
        )
        parser.add_argument(
            "--anchors",
            action="append",
            default=[],
            metavar="FILE",
            help="a seal written by seal_audit (repeatable): prove the chains still contain "
            "the sealed entries, even if someone recomputed every hash since",
        )
        parser.add_argument(
            "--progress-every",
            type=int,
            default=100_000,
            metavar="N",
            help="report progress on stderr every N entries (0: never)",
        )

    def handle(self, *args, batch_size, anchors, progress_every, **options):
        if not 1 <= batch_size <= 100_000:
            raise CommandError("--batch-size must be between 1 and 100000.", returncode=2)
        if progress_every < 0:
            raise CommandError("--progress-every must be 0 or more.", returncode=2)
        anchor_list = [a for path in anchors for a in self._read_seal(path)]
        started = time.monotonic()
        reported = [0]

        def progress(state: audit.Progress) -> None:
            if not progress_every or state.checked - reported[0] < progress_every:
                return
            reported[0] = state.checked
            elapsed = time.monotonic() - started
            share = f" ({state.checked / state.expected:.0%})" if state.expected else ""
            self.stderr.write(
                f"checked {state.checked:,} of {state.expected:,} entries{share}, "
                f"{state.checked / max(elapsed, 1e-9):,.0f}/s"
            )

        state = audit.Progress()
        breaches = list(
            audit.verify(batch_size=batch_size, anchors=anchor_list, progress=progress, state=state)
        )
        elapsed = time.monotonic() - started
        anchored = f", {len(anchor_list)} sealed heads matched" if anchor_list else ""
        if not breaches:
            self.stdout.write(
                f"Audit trail OK: {state.chains} chains, {state.checked:,} entries checked"
                f"{anchored} in {elapsed:.1f} s."
            )
            return
        self.stdout.write(
            f"Audit trail BROKEN: {len(breaches)} of {state.chains} chains fail verification "
            f"({state.checked:,} entries checked in {elapsed:.1f} s)."
        )
        for breach in breaches:
            self.stdout.write(
                f"  chain {breach.shard}: first bad entry "
                f"id={breach.event_id if breach.event_id is not None else '-'} "
                f"seq={breach.seq if breach.seq is not None else '-'}: "
                f"{breach.problem}"
            )
        raise CommandError("The audit trail failed verification.", returncode=1)

    def _read_seal(self, path: str) -> list[audit.Anchor]:
        try:
            document = json.loads(Path(path).read_text(encoding="utf-8"))
            return audit.anchors_from(document)
        except OSError as exc:
            raise CommandError(
                f"--anchors: cannot read {path}: {exc.strerror}.", returncode=2
            ) from exc
        except ValueError as exc:
            raise CommandError(f"--anchors: {path} is {exc}.", returncode=2) from exc
