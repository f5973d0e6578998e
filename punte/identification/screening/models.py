"""Screening and what follows it: the indicator catalogue, screenings, consent and anonymous
notifications, identification decisions and the recovery and reflection period.

A screening's catalogue version is fixed when it starts, so its answers and its result stay
explainable by that version whatever the catalogue becomes (ADR 0020, ADR 0022). Consent is a
history of decisions; anonymous notifications hold no person at all. Decisions of competent
authorities are never changed: a later one supersedes them.
"""

import builtins
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from punte.core.fields import EncryptedJSONField, EncryptedTextField
from punte.core.models import TimeStampedModel
from punte.identification.screening.catalogue.vocabulary import Dimension, Grade, IndicatorList
from punte.identification.signals.models import exploitation_form_labels

# Models are declared in the order Django registered them before the split into parts, so that
# every listing by model (serialisation, key rotation) keeps its order.

# --- The indicator catalogue (see catalogue/ and ADR 0020) ---------------------------------


class IndicatorCatalogue(models.Model):
    """One version of the indicator catalogue and its assessment rule, as loaded from its file.

    A version is immutable: `load_indicator_catalogue` creates it once and refuses a file with
    the same version and different content (`checksum`). Screenings point to the version used.
    """

    version = models.CharField(max_length=40, unique=True)
    title = models.CharField(max_length=300)
    title_ro = models.CharField(max_length=300)
    published_at = models.DateField()
    sources = models.JSONField(default=list)
    # List metadata (list, source, text_en, text_ro, use_with), in file order.
    lists = models.JSONField(default=list)
    # The rule block of the file, verbatim: dimensions, how indicators make a dimension present,
    # how dimensions make a presumed victim (adult / child), the short-screen rule.
    rule = models.JSONField()
    # SHA-256 of the parsed file content (comments and layout excluded).
    checksum = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return self.version


class Indicator(models.Model):
    """One indicator (or short-screen question) of one catalogue version."""

    catalogue = models.ForeignKey(
        IndicatorCatalogue, on_delete=models.PROTECT, related_name="indicators"
    )
    code = models.CharField(max_length=16)
    list = models.CharField(max_length=16, choices=IndicatorList.choices)
    dimension = models.CharField(max_length=40, choices=Dimension.choices)
    # Blank only for short-screen questions, which are not graded.
    grade = models.CharField(max_length=8, choices=Grade.choices, blank=True)
    # Indicators of different lists with the same concept in a dimension are one indication.
    concept = models.CharField(max_length=64)
    position = models.PositiveSmallIntegerField()
    text_en = models.TextField()
    text_ro = models.TextField()
    # Short-screen questions: the indicator codes a "yes" points to. (`list` is a field here.)
    maps_to = models.JSONField(default=builtins.list, blank=True)

    class Meta:
        ordering = ["catalogue", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["catalogue", "code"], name="indicator_code_unique_in_catalogue"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(list=IndicatorList.CLINICAL, grade="")
                    | (~models.Q(list=IndicatorList.CLINICAL) & ~models.Q(grade=""))
                ),
                name="indicator_graded_unless_question",
            ),
        ]

    def __str__(self) -> str:
        return self.code


# --- Consent and anonymous notifications ---------------------------------------------------


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


# --- Identification decisions and the recovery and reflection period ------------------------


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

    @property
    def exploitation_form_labels(self) -> list[str]:
        return exploitation_form_labels(self.exploitation_forms)


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


# --- Screenings --------------------------------------------------------------------------


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
