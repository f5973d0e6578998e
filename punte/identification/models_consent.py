"""Consent as a history of decisions, and anonymous notifications that hold no person at all."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from punte.core.fields import EncryptedTextField
from punte.core.models import TimeStampedModel


class ConsentPurpose(models.TextChoices):
    REFERRAL = "referral", _("Referral to assistance and protection")
    DATA_SHARING = "data_sharing", _("Sharing of personal data with the organisations involved")


class ConsentDecision(models.TextChoices):
    CONSENTED = "consented", _("Consented")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrew consent")


class RightsLanguage(models.TextChoices):
    RO = "ro", "Română"
    EN = "en", "English"
    UK = "uk", "Українська"


class ConsentEvent(models.Model):
    """One decision of an adult about one purpose. Never changed; the state is the last event."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(
        "identification.Person", on_delete=models.PROTECT, related_name="consent_events"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.CharField(max_length=16, choices=ConsentPurpose.choices)
    decision = models.CharField(max_length=12, choices=ConsentDecision.choices)
    # The day the person decided (a withdrawal may be reported later than it happened).
    decided_on = models.DateField()
    # The language the rights information was given in.
    rights_language = models.CharField(max_length=2, choices=RightsLanguage.choices)
    note = EncryptedTextField(null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["decided_on", "recorded_at"]
        indexes = [models.Index(fields=["person", "purpose", "decided_on"])]

    def __str__(self) -> str:
        return f"{self.purpose}: {self.decision} on {self.decided_on}"


class AgeGroup(models.TextChoices):
    CHILD = "child", _("Child")
    ADULT = "adult", _("Adult")


class CitizenshipGroup(models.TextChoices):
    """Eurostat's groups: the reporting country, another EU member state, outside the EU."""

    NATIONAL = "national", _("Romanian")
    EU = "eu", _("Other EU country")
    NON_EU = "non_eu", _("Non-EU country")
    UNKNOWN = "unknown", _("Unknown")


class AnonymousNotification(TimeStampedModel):
    """A presumed victim counted without consent to referral (as the UK's duty to notify).

    Deliberately no link to a person and no identifying field: only what national statistics
    count. `created_by` is the worker who notified, never the person notified about.
    """

    sex = models.CharField(max_length=8)
    age_group = models.CharField(max_length=8, choices=AgeGroup.choices)
    citizenship_group = models.CharField(max_length=8, choices=CitizenshipGroup.choices)
    exploitation_forms = models.JSONField(default=list)
    county = models.ForeignKey("core.County", on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    notified_on = models.DateField()

    class Meta:
        ordering = ["-notified_on", "-created_at"]
        indexes = [models.Index(fields=["notified_on", "county"])]

    def __str__(self) -> str:
        return f"Anonymous notification {str(self.pk)[:8]}"
