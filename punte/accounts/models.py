import uuid
from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from punte.accounts.permissions import ROLE_DEFINITIONS, Scope
from punte.core.models import TimeStampedModel


class OrganisationType(models.TextChoices):
    NATIONAL_AGENCY = "national_agency", _("National agency (ANITP)")
    REGIONAL_CENTRE = "regional_centre", _("Regional centre of the national agency")
    POLICE = "police", _("Police")
    BORDER_POLICE = "border_police", _("Border police")
    IMMIGRATION = "immigration", _("Immigration (IGI)")
    LABOUR_INSPECTORATE = "labour_inspectorate", _("Labour inspectorate (ITM)")
    PROSECUTION = "prosecution", _("Prosecutor's office")
    CHILD_PROTECTION = "child_protection", _("Child protection directorate (DGASPC)")
    HOSPITAL = "hospital", _("Hospital")
    NGO = "ngo", _("Non-governmental organisation")
    INTERNATIONAL = "international", _("International organisation")
    CONSULATE = "consulate", _("Consular service")
    EDUCATION = "education", _("School or education authority")
    FUND_COMMISSION = "fund_commission", _("Emergency fund commission")
    EMERGENCY_INSPECTORATE = "emergency_inspectorate", _("Emergency inspectorate (IGSU)")
    EVALUATOR = "evaluator", _("Independent evaluator")
    SERVICE_PROVIDER = "service_provider", _("Service provider")


class Organisation(TimeStampedModel):
    code = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    type = models.CharField(max_length=32, choices=OrganisationType.choices)
    county = models.ForeignKey(
        "core.County",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("Empty for bodies with national reach."),
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    email = models.EmailField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    preferred_language = models.CharField(max_length=8, blank=True)

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Role(models.Model):
    code = models.SlugField(max_length=64, primary_key=True)
    name = models.CharField(max_length=200)
    scope = models.CharField(
        max_length=16,
        choices=[
            (Scope.ALL, _("All records")),
            (Scope.ORGANISATION, _("Organisation")),
            (Scope.OWN, _("Own records")),
        ],
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        # A catalogue role is named in the reader's language; `name` keeps the English name the
        # seed stored (and names a role the catalogue does not know).
        default = ROLE_DEFINITIONS.get(self.code)
        return str(default[0]) if default else self.name


class RolePermission(models.Model):
    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="grants")
    permission = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["role", "permission"], name="role_permission_unique")
        ]

    def __str__(self) -> str:
        return f"{self.role_id}: {self.permission}"


class DefaultGrantOffered(models.Model):
    """A default permission (an app's DEFAULT_GRANTS) once given to a role: `seed_roles` never
    gives it again, so a grant the administrator removed stays removed."""

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="+")
    permission = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["role", "permission"], name="default_grant_offered_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.role_id}: {self.permission}"


class Membership(TimeStampedModel):
    """A user's place in one organisation with one role: the principal every check is made for."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="memberships")
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="membership_user_organisation_unique"
            )
        ]
        ordering = ["organisation__name"]

    def __str__(self) -> str:
        return f"{self.user} — {self.role} @ {self.organisation}"

    @cached_property
    def permission_codes(self) -> frozenset[str]:
        return frozenset(
            RolePermission.objects.filter(role_id=self.role_id).values_list("permission", flat=True)
        )

    def has_perm(self, permission: str) -> bool:
        return permission in self.permission_codes

    @property
    def scope(self) -> str:
        return self.role.scope


class ApiToken(models.Model):
    """A bearer token for another system. Only its SHA-256 is stored; the secret is shown once."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} (pnt_{self.prefix}_…)"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class UserSession(models.Model):
    """A login, so a user can see where they are signed in and end those sessions."""

    session_key = models.CharField(max_length=40, primary_key=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="login_sessions")
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(auto_now_add=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-last_seen_at"]

    def __str__(self) -> str:
        return f"session of user {self.user_id}"


class SignInThrottle(models.Model):
    """Failed password sign-ins counted across addresses for one account, or across accounts for
    one address, to slow guessing down (services/sign_in_throttle.py, ADR 0007).

    The key is a keyed hash (HMAC) of the typed username or of the client's address: neither is
    stored, and a username that matches no account is counted alike, so the table tells nobody
    which accounts exist. Rows are erased a day after their last failure (retention.py).
    """

    class Kind(models.TextChoices):
        ACCOUNT = "account", _("one account, from any address")
        ADDRESS = "address", _("one address, for any account")

    kind = models.CharField(max_length=8, choices=Kind.choices)
    key = models.CharField(max_length=64)
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField()
    # The next attempt is refused, unanswered and uncounted, until then.
    blocked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="sign_in_throttle_one_per_key")
        ]
        indexes = [models.Index(fields=["last_failure_at"])]

    def __str__(self) -> str:
        return f"{self.failures} failed sign-ins ({self.kind})"
