"""Apply the retention rules: erase or anonymise the records whose time has come."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.db.models import ProtectedError
from django.utils import timezone

from punte.core import retention, rls


class Command(BaseCommand):
    help = (
        "Erase or anonymise the records that the retention rules (<app>/retention.py, periods "
        "in PUNTE_RETENTION_* settings) say are due. With --dry-run, list per rule how many "
        "records and which ids (never names) would be affected, then every table kept with no rule "
        "and why, and change nothing. Without it, "
        "act in batches, one transaction each, writing one audit event per record. Safe to "
        "repeat and to interrupt."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be done; change nothing."
        )
        parser.add_argument(
            "--rule", action="append", default=[], metavar="NAME",
            help="Apply only this rule (repeatable). Default: every rule.",
        )  # fmt: skip
        parser.add_argument(
            "--batch-size", type=int, default=200, help="Records per transaction (default 200)."
        )

    @rls.as_system("retention clears and deletes rows of every organisation")
    def handle(self, *args, dry_run: bool, rule: list[str], batch_size: int, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.", returncode=2)
        try:
            rules = retention.discover()
            kept = retention.kept() if dry_run and not rule else {}
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc), returncode=2) from exc
        if rule:
            known = {r.name for r in rules}
            unknown = sorted(set(rule) - known)
            if unknown:
                raise CommandError(
                    f"Unknown rule(s): {', '.join(unknown)}. Known: {', '.join(sorted(known))}.",
                    returncode=2,
                )
            rules = [r for r in rules if r.name in rule]

        now = timezone.now()  # one instant for the whole run
        total = 0
        for item in rules:
            total += self._dry_run(item, now) if dry_run else self._apply(item, now, batch_size)
        if dry_run:
            for label, reason in sorted(kept.items()):
                self.stdout.write(f"kept: {label}: {reason}")
            if not rule:
                for label in retention.unaccounted():
                    self.stderr.write(f"NO RULE AND NO REASON TO KEEP: {label}")
            self.stdout.write(f"Dry run: {total} record(s) would be affected. Nothing was changed.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Done: {total} record(s) erased or anonymised."))

    def _dry_run(self, rule: retention.RetentionRule, now) -> int:
        count = retention.count_due(rule, now)
        verb = "erase" if rule.action == retention.ERASE else "anonymise"
        self.stdout.write(f"{rule.name}: would {verb} {count} record(s) ({rule.describe()})")
        if count:
            label = "" if rule.shown_id == "pk" else f" ({rule.shown_id})"
            ids = ", ".join(str(value) for value in retention.due_ids(rule, now))
            self.stdout.write(f"  ids{label}: {ids}")
        return count

    def _apply(self, rule: retention.RetentionRule, now, batch_size: int) -> int:
        done = 0
        verb = "erased" if rule.action == retention.ERASE else "anonymised"
        try:
            for size in retention.apply(rule, now, batch_size=batch_size):
                done += size
                self.stdout.write(f"{rule.name}: {done} record(s) {verb} so far")
        except ProtectedError as exc:
            raise CommandError(
                f"{rule.name}: records are still referenced by others and cannot be erased "
                f"({done} done before this batch; the batch was rolled back).",
                returncode=1,
            ) from exc
        self.stdout.write(f"{rule.name}: {verb} {done} record(s)")
        return done
