"""Load synthetic demonstration data and print the logins. Refuses unless settings.PUNTE_DEMO."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp

from punte.core import rls
from punte.demo import loading as demo


class Command(BaseCommand):
    help = (
        "Load synthetic organisations, one login per role and a few persons (demo only; "
        "safe to run again), then print the logins."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-qr", action="store_true", help="Do not print the authenticator QR code."
        )

    @rls.as_system("the demo loader writes every organisation's synthetic records")
    def handle(self, *args, no_qr: bool = False, **options):
        if not getattr(settings, "PUNTE_DEMO", False):
            raise CommandError(
                "load_demo only runs where settings.PUNTE_DEMO is True (punte.settings.dev). "
                "It creates logins with a published password and must never touch real data.",
                returncode=2,
            )
        summary, table = demo.load()
        out = self.stdout
        if summary.created:
            out.write(
                f"Demo data loaded: {summary.organisations} organisations, {summary.users} users, "
                f"{summary.memberships} memberships, {summary.persons} persons, "
                f"{summary.signals} signals created."
            )
        else:
            out.write("Demo data already in place; nothing to add.")
        if not no_qr:
            import io

            import segno

            qr = io.StringIO()
            segno.make(demo.demo_otpauth_uri(), error="m").terminal(out=qr, compact=True)
            out.write("Authenticator QR code for every demo login (scan it with a phone app):")
            out.write(qr.getvalue(), ending="")
        demo.print_logins(out, table)
        code = totp(bytes.fromhex(demo.DEMO_TOTP_KEY))
        out.write(
            "\n"
            f"Password for every demo login:  {demo.DEMO_PASSWORD}\n"
            "Second factor: every demo login has the same authenticator (TOTP) secret.\n"
            f"  Secret for a phone app:  {demo.demo_totp_secret()}\n"
            f"  otpauth URI:             {demo.demo_otpauth_uri()}\n"
            f"  Code right now:          {code:06d}  (changes every 30 seconds)\n"
            "  A fresh code any time:   .venv/bin/python manage.py demo_otp USERNAME\n"
            "\n"
            "Open http://localhost:8000 (passkeys need the name localhost, not 127.0.0.1).\n"
        )
