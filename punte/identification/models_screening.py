"""Screenings: one run of the indicator questionnaire for one person, kept forever once completed.

The catalogue version is fixed when the screening starts, so its answers and its result stay
explainable by that version whatever the catalogue becomes (ADR 0020, ADR 0022).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from punte.core.fields import EncryptedJSONField, EncryptedTextField
from punte.core.models import TimeStampedModel


class ScreeningKind(models.TextChoices):
    FULL = "full", _("Full screening with the indicator lists")
    SHORT = "short", _("Short screen (clinical settings)")


class ScreeningStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    COMPLETED = "completed", _("Completed")


class DraftReason(models.TextChoices):
    INTERRUPTED = "interrupted", _("Interrupted")
    INTERPRETER_NEEDED = "interpreter_needed", _("Interpreter needed")
    PERSON_UNWELL = "person_unwell", _("The person is unwell")
    OTHER = "other", _("Other reason")


class ScreeningOutcome(models.TextChoices):
    """The outcomes of both engines (assessment.Outcome and assessment.ShortScreenOutcome)."""

    PRESUMED_VICTIM = "presumed_victim", _("Presumed victim")
    INSUFFICIENT_INDICATIONS = "insufficient_indications", _("Insufficient indications")
    REFER_FOR_FULL_SCREENING = "refer_for_full_screening", _("Refer for full screening")
    NOT_INDICATED = "not_indicated", _("Not indicated")


# The one transition a screening knows; completing is final (a new screening is a new row).
SCREENING_TRANSITIONS = {ScreeningStatus.DRAFT: {ScreeningStatus.COMPLETED}}


class Screening(TimeStampedModel):
    person = models.ForeignKey(
        "identification.Person", on_delete=models.PROTECT, related_name="screenings"
    )
    # The organisation that conducts it: its members may resume a draft.
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    catalogue = models.ForeignKey(
        "identification.IndicatorCatalogue", on_delete=models.PROTECT, related_name="screenings"
    )
    kind = models.CharField(max_length=8, choices=ScreeningKind.choices)
    # The catalogue lists used (IndicatorList values); ["clinical"] for the short screen.
    lists = models.JSONField(default=list)
    # The presumption of minority on the day the screening started (Person.is_treated_as_child).
    is_child = models.BooleanField()
    status = models.CharField(
        max_length=12, choices=ScreeningStatus.choices, default=ScreeningStatus.DRAFT
    )
    # What was observed about a victim is special-category data: encrypted, like the result.
    # Full screening: {code: true|false}; short screen: {code: "yes"|"no"|"unsure"}.
    answers = EncryptedJSONField(default=dict)
    draft_reason = models.CharField(max_length=24, choices=DraftReason.choices, blank=True)
    draft_note = EncryptedTextField(null=True, blank=True)
    outcome = models.CharField(max_length=32, choices=ScreeningOutcome.choices, blank=True)
    # assessment.Assessment.to_dict() / ShortScreenResult.to_dict() at completion.
    result = EncryptedJSONField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["person", "created_at"]),
            models.Index(fields=["organisation", "status", "created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(status="draft", completed_at__isnull=True, outcome="")
                    | (
                        models.Q(status="completed", completed_at__isnull=False)
                        & ~models.Q(outcome="")
                    )
                ),
                name="screening_completed_iff_outcome",
            )
        ]

    def __str__(self) -> str:
        return f"Screening {str(self.pk)[:8]}"

    @property
    def is_draft(self) -> bool:
        return self.status == ScreeningStatus.DRAFT
