"""manage.py create_api_token --user USERNAME [--organisation CODE] [--name NAME] [--days N]

Prints the new token, and nothing else, on stdout (so `TOKEN=$(manage.py create_api_token ...)`
works); what it is for and when it expires go to stderr. Every refusal exits with status 2.
"""

from django.core.management.base import BaseCommand, CommandError, no_translations

from punte.accounts.models import Membership, User
from punte.accounts.services import tokens
from punte.core.errors import ServiceError


class Command(BaseCommand):
    help = "Issue a bearer token for another agency's system, bound to a user's membership."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="username the token acts as")
        parser.add_argument(
            "--organisation", help="organisation code, if the user belongs to several"
        )
        parser.add_argument("--name", default="api client", help="what system uses the token")
        parser.add_argument("--days", type=int, default=None, help="lifetime in days (1-366)")

    # The command speaks English like the rest of the command line (ADR 0006), including the
    # refusals it passes on from the service, which pages show in the reader's language.
    @no_translations
    def handle(self, *args, user, organisation, name, days, **options):
        found = User.objects.filter(username=user).first()
        if found is None:
            raise CommandError(f"No user named {user!r}.", returncode=2)
        if not found.is_active:
            raise CommandError(f"The account {user!r} is deactivated.", returncode=2)
        active = list(
            Membership.objects.filter(
                user=found, is_active=True, organisation__is_active=True
            ).select_related("organisation", "user", "role")
        )
        codes = ", ".join(sorted(m.organisation.code for m in active)) or "none"
        if organisation:
            chosen = [m for m in active if m.organisation.code == organisation]
            if not chosen:
                raise CommandError(
                    f"{user!r} has no active membership in {organisation!r} "
                    f"(active memberships: {codes}).",
                    returncode=2,
                )
        elif len(active) != 1:
            if not active:
                raise CommandError(
                    f"{user!r} has no active membership in an active organisation.",
                    returncode=2,
                )
            raise CommandError(
                f"{user!r} belongs to several organisations; name one with --organisation "
                f"(active memberships: {codes}).",
                returncode=2,
            )
        else:
            chosen = active
        try:
            issued = tokens.apitoken_create(actor=None, membership=chosen[0], name=name, days=days)
        except ServiceError as exc:
            option = f"--{exc.field}: " if exc.field in ("days", "name") else ""
            raise CommandError(f"{option}{exc.message}", returncode=2) from exc
        self.stderr.write(
            f"Token {issued.token.name!r} for {found.username} at "
            f"{issued.token.membership.organisation.code}, expires "
            f"{issued.token.expires_at:%Y-%m-%d}. It is shown only once and stored only hashed:"
        )
        self.stdout.write(issued.secret)
