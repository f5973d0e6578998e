"""Criminal proceedings linked to an assistance case (DOMAIN.md §2.6, ADR 0040).

A proceeding is the prosecution's file as the case sees it: its number, the prosecuting office,
its stage, the charges, the victim's procedural role and protection measures, and the outcome
(conviction or acquittal, sentence, compensation ordered and paid). Suspects and offenders are
recorded with what Eurostat counts (sex, age group, citizenship, stage), encrypted like persons.
Stages move forward only, through `lifecycle.py`; each move is a `ProceedingEvent`.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from punte.core.fields import EncryptedJSONField, EncryptedTextField
from punte.core.models import TimeStampedModel
from punte.proceedings.offences import CHOICES as OFFENCE_CHOICES


class Stage(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    INVESTIGATION = "investigation", _("Criminal investigation")
    INDICTMENT = "indictment", _("Indictment")
    TRIAL = "trial", _("Trial")
    APPEAL = "appeal", _("Appeal")
    FINAL = "final", _("Final decision")


class VictimRole(models.TextChoices):
    INJURED_PARTY = "injured_party", _("Injured party")
    CIVIL_PARTY = "civil_party", _("Injured party and civil party")
    WITNESS = "witness", _("Witness")


class ProtectionMeasure(models.TextChoices):
    IDENTITY_PROTECTED = "identity_protected", _("Identity protected")
    HEARD_BY_VIDEO = "heard_by_video", _("Heard by video link")
    WITNESS_PROTECTION = "witness_protection", _("Witness protection programme")
    RESTRAINING_ORDER = "restraining_order", _("Restraining order")
    COUNSELLING = "counselling", _("Psychological counselling during the proceedings")
    CLOSED_HEARING = "closed_hearing", _("Hearing closed to the public")


class Outcome(models.TextChoices):
    CONVICTION = "conviction", _("Conviction")
    ACQUITTAL = "acquittal", _("Acquittal")
    DISMISSED = "dismissed", _("Case dismissed by the prosecutor")
    OTHER = "other", _("Other outcome")


class Proceeding(TimeStampedModel):
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="proceedings")
    # The prosecution's file number ("1234/D/P/2026"): not the person's, but it leads to them.
    # Required by the service; NULL only once retention has cleared it.
    file_number = EncryptedTextField(null=True)
    prosecuting_office = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="proceedings"
    )
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.COMPLAINT)
    victim_role = models.CharField(max_length=16, choices=VictimRole.choices)
    protection_measures = models.JSONField(default=list, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    sentence_months = models.PositiveIntegerField(null=True, blank=True)
    compensation_ordered = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True
    )
    compensation_paid = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(compensation_ordered__isnull=True) | Q(compensation_ordered__gte=0),
                name="proceeding_compensation_ordered_positive",
            ),
            models.CheckConstraint(
                condition=Q(compensation_paid__isnull=True) | Q(compensation_paid__gte=0),
                name="proceeding_compensation_paid_positive",
            ),
            # An outcome belongs to a final decision, and a final decision has one.
            models.CheckConstraint(
                condition=(Q(stage="final") & ~Q(outcome="")) | (~Q(stage="final") & Q(outcome="")),
                name="proceeding_outcome_when_final",
            ),
        ]
        indexes = [models.Index(fields=["case", "created_at"])]

    def __str__(self) -> str:
        return f"Proceeding {str(self.pk)[:8].upper()}"

    @property
    def protection_measure_labels(self) -> list[str]:
        return [ProtectionMeasure(code).label for code in self.protection_measures]


class Charge(models.Model):
    proceeding = models.ForeignKey(Proceeding, on_delete=models.CASCADE, related_name="charges")
    offence = models.CharField(max_length=40, choices=OFFENCE_CHOICES)
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["proceeding", "offence"], name="charge_once"),
        ]

    def __str__(self) -> str:
        return self.get_offence_display()


class OffenderStage(models.TextChoices):
    SUSPECTED = "suspected", _("Suspected")
    PROSECUTED = "prosecuted", _("Prosecuted")
    CONVICTED = "convicted", _("Convicted")
    ACQUITTED = "acquitted", _("Acquitted")


class AgeGroup(models.TextChoices):
    MINOR = "0-17", _("Under 18")
    YOUNG = "18-24", _("18 to 24")
    ADULT_25 = "25-34", _("25 to 34")
    ADULT_35 = "35-44", _("35 to 44")
    ADULT_45 = "45-54", _("45 to 54")
    OLDER = "55+", _("55 and over")
    UNKNOWN = "unknown", _("Unknown")


SEX_LABELS = {"female": _("Female"), "male": _("Male"), "unknown": _("Unknown")}


class Offender(TimeStampedModel):
    """A suspect or offender in a proceeding: what Eurostat counts, encrypted like persons. The
    name is optional (the prosecution's file holds it); statistics never need it."""

    proceeding = models.ForeignKey(Proceeding, on_delete=models.PROTECT, related_name="offenders")
    name = EncryptedTextField(null=True, blank=True)
    # {"sex": "female|male|unknown", "age_group": AgeGroup, "citizenship": ISO 3166-1 alpha-2}
    profile = EncryptedJSONField()
    stage = models.CharField(
        max_length=12, choices=OffenderStage.choices, default=OffenderStage.SUSPECTED
    )

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Offender {str(self.pk)[:8].upper()}"

    @property
    def sex_label(self) -> str:
        return SEX_LABELS.get(self.profile.get("sex"), SEX_LABELS["unknown"])

    @property
    def age_group_label(self) -> str:
        return AgeGroup(self.profile.get("age_group", AgeGroup.UNKNOWN)).label


class ProceedingEvent(models.Model):
    """One step of a proceeding's history. Appended by the services, never changed."""

    proceeding = models.ForeignKey(Proceeding, on_delete=models.PROTECT, related_name="events")
    from_stage = models.CharField(max_length=16, blank=True)
    to_stage = models.CharField(max_length=16)
    occurred_at = models.DateTimeField()
    actor = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_stage} -> {self.to_stage}"

    @property
    def to_stage_label(self) -> str:
        return Stage(self.to_stage).label
