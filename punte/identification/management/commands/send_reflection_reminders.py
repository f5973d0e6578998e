"""Send the reminders before recovery and reflection periods end. Run daily from cron:

    15 6 * * *  cd /srv/punte && .venv/bin/python manage.py send_reflection_reminders

Idempotent: each reminder (period, end date, lead time) is recorded once, so running it again,
late, or on two machines at once never sends the same reminder twice.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError, no_translations

from punte.core import rls
from punte.identification.screening.services.decisions import (
    REFLECTION_REMINDER_DAYS,
    send_reflection_reminders,
)


class Command(BaseCommand):
    help = (
        "Notify the competent authority of recovery and reflection periods ending in "
        f"{' or '.join(str(d) for d in REFLECTION_REMINDER_DAYS)} days (each reminder once)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", help="Act as if today were this date (YYYY-MM-DD), e.g. to catch up."
        )

    @no_translations
    @rls.as_system("reminders are due for periods of every organisation")
    def handle(self, *args, today=None, **options):
        day = None
        if today:
            try:
                day = datetime.date.fromisoformat(today)
            except ValueError as exc:
                raise CommandError("--today: expected a date as YYYY-MM-DD.", returncode=2) from exc
        sent = send_reflection_reminders(today=day)
        self.stdout.write(f"{sent} reminder(s) sent.")
