from django.core.management.base import BaseCommand, CommandError

from punte.accounts import services
from punte.accounts.models import Membership, User
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

    def handle(self, *args, user, organisation, name, days, **options):
        found = User.objects.filter(username=user, is_active=True).first()
        if found is None:
            raise CommandError(f"No active user named {user!r}.", returncode=2)
        memberships = Membership.objects.filter(user=found, is_active=True).select_related(
            "organisation", "user"
        )
        if organisation:
            memberships = memberships.filter(organisation__code=organisation)
        if memberships.count() != 1:
            codes = ", ".join(m.organisation.code for m in memberships) or "none"
            raise CommandError(
                f"Name one organisation with --organisation (active memberships: {codes}).",
                returncode=2,
            )
        try:
            issued = services.apitoken_create(
                actor=None, membership=memberships.get(), name=name, days=days
            )
        except ServiceError as exc:
            raise CommandError(f"{exc.field}: {exc.message}", returncode=2) from exc
        self.stderr.write(
            f"Token for {found.username} at {issued.token.membership.organisation.code}, "
            f"expires {issued.token.expires_at:%Y-%m-%d}. It is shown only once:"
        )
        self.stdout.write(issued.secret)
