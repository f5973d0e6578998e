"""manage.py demo_otp USERNAME — the current 6-digit code of a demo user's authenticator app.

For the demo only: it lets a newcomer sign in as a demo user without setting up a phone. It
refuses (exit status 2) unless settings.PUNTE_DEMO is True, which only the dev settings set;
production settings set it to False, so this shortcut cannot work there. It reads the code the
way the user's app would compute it and changes nothing. The code alone goes to stdout, so
`CODE=$(manage.py demo_otp alice)` works; how long it stays valid goes to stderr.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from punte.accounts import mfa
from punte.accounts.models import User


class Command(BaseCommand):
    help = "Demo only: print the current TOTP code of a demo user's confirmed authenticator app."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        if getattr(settings, "PUNTE_DEMO", False) is not True:
            raise CommandError(
                "demo_otp works only in the demo (settings.PUNTE_DEMO is not True).",
                returncode=2,
            )
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.", returncode=2)
        device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()
        if device is None:
            raise CommandError(
                f"{username!r} has no confirmed authenticator app (load_demo gives one to each "
                "demo user).",
                returncode=2,
            )
        self.stdout.write(mfa.totp_current_code(device))
        left = device.step - int(time.time() - device.t0) % device.step
        self.stderr.write(f"Valid for about {left} more seconds (and 30 s after, by tolerance).")
