from django.db import models
from django.utils.translation import gettext_lazy as _

from punte.core.fields import EncryptedDateField, EncryptedJSONField, EncryptedTextField
from punte.core.models import TimeStampedModel


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class Person(TimeStampedModel):
    """What is known about a person, and no more. Identifying fields are encrypted at rest.

    Sex, citizenship and birth year stay in clear because national statistics count by them;
    alone they do not identify anyone, and published figures are protected separately.
    """

    owner_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    identity_unknown = models.BooleanField(default=False)
    given_name = EncryptedTextField(null=True, blank=True)
    family_name = EncryptedTextField(null=True, blank=True)
    aliases = EncryptedJSONField(null=True, blank=True)
    date_of_birth = EncryptedDateField(null=True, blank=True)
    contact = EncryptedTextField(null=True, blank=True)
    notes = EncryptedTextField(null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    sex = models.CharField(max_length=8, choices=Sex.choices, default=Sex.UNKNOWN)
    citizenship = models.ForeignKey(
        "core.Country", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Blind indexes (keyed hashes) make exact search possible without decrypting.
    family_name_index = models.CharField(max_length=32, blank=True, db_index=True)
    given_name_index = models.CharField(max_length=32, blank=True, db_index=True)
    date_of_birth_index = models.CharField(max_length=32, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner_organisation", "created_at"])]

    def __str__(self) -> str:
        return f"Person {str(self.pk)[:8]}"

    @property
    def display_name(self) -> str:
        if self.identity_unknown or not (self.given_name or self.family_name):
            return str(_("Identity unknown"))
        return " ".join(filter(None, [self.given_name, self.family_name]))


class PersonAccessReason(models.TextChoices):
    OWNER = "owner", _("Recorded the person")
    REFERRAL = "referral", _("Accepted a referral")
    TEAM = "team", _("Member of the multidisciplinary team")


class PersonAccess(models.Model):
    """Need to know, as data: which organisation may open which person's record, and why."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="access_grants")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="person_grants"
    )
    reason = models.CharField(max_length=16, choices=PersonAccessReason.choices)
    granted_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "organisation", "reason"],
                condition=models.Q(revoked_at__isnull=True),
                name="person_access_one_active_grant",
            )
        ]
        indexes = [models.Index(fields=["organisation", "person"])]
