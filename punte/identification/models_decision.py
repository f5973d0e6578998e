"""Identification decisions of competent authorities, and the recovery and reflection period."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from punte.core.fields import EncryptedTextField
from punte.core.models import TimeStampedModel


class DecisionOutcome(models.TextChoices):
    PRESUMED_VICTIM = "presumed_victim", _("Presumed victim")
    IDENTIFIED_VICTIM = "identified_victim", _("Formally identified victim")
    NOT_A_VICTIM = "not_a_victim", _("Not a victim")


class IdentificationDecision(TimeStampedModel):
    """A decision is never changed: a later decision about the same person supersedes it."""

    person = models.ForeignKey(
        "identification.Person", on_delete=models.PROTECT, related_name="identification_decisions"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(max_length=24, choices=DecisionOutcome.choices)
    decided_on = models.DateField()
    grounds = EncryptedTextField()
    exploitation_forms = models.JSONField(default=list)

    class Meta:
        ordering = ["-decided_on", "-created_at"]
        indexes = [models.Index(fields=["person", "decided_on"])]

    def __str__(self) -> str:
        return f"Decision {str(self.pk)[:8]}"


class ReflectionStatus(models.TextChoices):
    ACTIVE = "active", _("Running")
    ENDED = "ended", _("Ended")
    TERMINATED = "terminated", _("Terminated early")


class ReflectionPeriod(TimeStampedModel):
    """Law 678/2001 art. 39^1: up to 90 days for a foreign victim to recover and decide.

    `ends_on` is the end the events give (start, then each extension); it is kept on the row,
    in the transaction of the event that changes it, so worklists can filter and sort on it.
    """

    person = models.ForeignKey(
        "identification.Person", on_delete=models.PROTECT, related_name="reflection_periods"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    decision = models.ForeignKey(
        IdentificationDecision,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reflection_periods",
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    status = models.CharField(
        max_length=12, choices=ReflectionStatus.choices, default=ReflectionStatus.ACTIVE
    )
    terminated_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["ends_on"]
        indexes = [models.Index(fields=["status", "ends_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(status="active"),
                name="reflection_one_active_period_per_person",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="reflection_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"Reflection period {str(self.pk)[:8]}"


class ReflectionEventKind(models.TextChoices):
    STARTED = "started", _("Started")
    EXTENDED = "extended", _("Extended")
    TERMINATED = "terminated", _("Terminated")


class ReflectionPeriodEvent(models.Model):
    period = models.ForeignKey(ReflectionPeriod, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=12, choices=ReflectionEventKind.choices)
    occurred_on = models.DateField()
    # The end date after this event (the new end for an extension, the stop for a termination).
    ends_on = models.DateField()
    reason = EncryptedTextField(null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.occurred_on}"


class ReflectionReminder(models.Model):
    """A reminder sent (or passed over as superseded by a later one) for one end date.

    Unique per period, end date and lead time: running the reminder command twice, or two
    workers at once, never sends the same reminder twice; an extension moves the end date and
    so earns fresh reminders.
    """

    period = models.ForeignKey(ReflectionPeriod, on_delete=models.PROTECT, related_name="reminders")
    ends_on = models.DateField()
    days_before = models.PositiveSmallIntegerField()
    sent = models.BooleanField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["period", "ends_on", "days_before"], name="reflection_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.days_before} days before {self.ends_on}"
