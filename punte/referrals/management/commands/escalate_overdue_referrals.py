"""Escalate overdue referrals to the receiving organisation's supervisors.

The task worker (`manage.py run_worker`) runs this every 15 minutes (punte/referrals/jobs.py);
the command is for running it by hand. It is idempotent: each late step is escalated once, so
running it twice, or on two machines at once (rows are locked with SKIP LOCKED), tells nobody
twice.
"""

from django.core.management.base import BaseCommand

from punte.core import rls
from punte.referrals.escalation import referrals_escalate_overdue


class Command(BaseCommand):
    help = (
        "Escalate every open referral past the deadline of its current step to the receiving "
        "organisation's supervisors (else its parent's, else the national agency). Idempotent."
    )

    @rls.as_system("escalation reads every organisation's overdue referrals")
    def handle(self, *args, **options):
        result = referrals_escalate_overdue()
        levels = ", ".join(f"{level}: {n}" for level, n in sorted(result.by_level.items()))
        self.stdout.write(
            f"{result.escalated} overdue referral(s) escalated" + (f" ({levels})" if levels else "")
        )
