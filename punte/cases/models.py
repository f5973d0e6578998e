"""Assistance cases (DOMAIN.md §2.6): the case, its history, transfers between case managers,
needs and risk assessments, the versioned individual assistance plan, services requested from
the registry's providers, follow-ups, the multidisciplinary team and its restricted notes.

A case's status changes only through `services` by the tables in `lifecycle.py`; each change
writes a CaseEvent (the case's history, which a transfer or a reopening never loses) and an
audit event in the same transaction. Free text about the person is encrypted.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from punte.core.fields import EncryptedJSONField, EncryptedTextField
from punte.core.models import TimeStampedModel
from punte.referrals.models import ServiceType


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSURE_REQUESTED = "closure_requested", _("Closure requested")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")


# A case in these states is worked on; a closed case is read-only except for reopening.
ACTIVE_STATUSES = (CaseStatus.OPEN, CaseStatus.REOPENED, CaseStatus.CLOSURE_REQUESTED)


class ClosureReason(models.TextChoices):
    GOALS_ACHIEVED = "goals_achieved", _("The plan's goals were achieved")
    REINTEGRATED = "reintegrated", _("The person is reintegrated and safe")
    DECLINED_ASSISTANCE = "declined_assistance", _("The person declined further assistance")
    LOST_CONTACT = "lost_contact", _("Contact with the person was lost")
    RETURNED_HOME = "returned_home", _("The person returned to their country")
    MOVED_ABROAD = "moved_abroad", _("The person moved abroad")
    CAME_OF_AGE = "came_of_age", _("The child came of age and an adult case took over")
    DECEASED = "deceased", _("The person died")


class Case(TimeStampedModel):
    """One person's assistance, managed by one organisation at a time."""

    person = models.ForeignKey(
        "identification.Person", on_delete=models.PROTECT, related_name="assistance_cases"
    )
    owner_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="cases_managed"
    )
    county = models.ForeignKey("core.County", on_delete=models.PROTECT, related_name="+")
    # What the case was opened from: an accepted referral or an identification decision.
    referral = models.ForeignKey(
        "referrals.Referral", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.ForeignKey(
        "identification.IdentificationDecision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Treated as a child when the case opened: children's cases follow the child rules.
    is_child = models.BooleanField()
    status = models.CharField(max_length=20, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    # The closure asked for (kept after a refusal until the next request replaces it).
    closure_reason = models.CharField(max_length=32, choices=ClosureReason.choices, blank=True)
    closure_note = EncryptedTextField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    times_reopened = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(referral__isnull=False) | Q(decision__isnull=False),
                name="case_opened_from_referral_or_decision",
            ),
            # One case at a time for a person: two organisations opening one at once cannot
            # both pass the service's check. A closed case stays as history; reopening it
            # (re-trafficking) is the way back.
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status__in=["open", "reopened", "closure_requested"]),
                name="case_one_active_per_person",
            ),
        ]
        indexes = [
            models.Index(fields=["owner_organisation", "status", "created_at"]),
            models.Index(fields=["person", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"Case {self.reference}"

    @property
    def reference(self) -> str:
        return str(self.pk)[:8].upper()

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class CaseEvent(models.Model):
    """One step of a case's history. Appended by the services, never changed."""

    class Action(models.TextChoices):
        OPENED = "opened", _("Opened")
        CLOSURE_REQUESTED = "closure_requested", _("Closure requested")
        CLOSURE_REFUSED = "closure_refused", _("Closure refused")
        CLOSED = "closed", _("Closed")
        REOPENED = "reopened", _("Reopened")
        TRANSFER_REQUESTED = "transfer_requested", _("Transfer requested")
        TRANSFER_ACCEPTED = "transfer_accepted", _("Transfer accepted")
        TRANSFER_DECLINED = "transfer_declined", _("Transfer declined")
        TRANSFER_WITHDRAWN = "transfer_withdrawn", _("Transfer withdrawn")
        ASSESSMENT_RECORDED = "assessment_recorded", _("Needs and risk assessed")
        PLAN_SAVED = "plan_saved", _("Assistance plan saved")
        SERVICE_REQUESTED = "service_requested", _("Service requested")
        SERVICE_ACCEPTED = "service_accepted", _("Service accepted")
        SERVICE_DECLINED = "service_declined", _("Service declined")
        SERVICE_DELIVERED = "service_delivered", _("Service delivered")
        SERVICE_CANCELLED = "service_cancelled", _("Service cancelled")
        FOLLOW_UP_SCHEDULED = "follow_up_scheduled", _("Follow-up scheduled")
        FOLLOW_UP_DONE = "follow_up_done", _("Follow-up done")
        FOLLOW_UP_ESCALATED = "follow_up_escalated", _("Missed follow-up escalated")
        MEMBER_ADDED = "member_added", _("Team member added")
        MEMBER_ENDED = "member_ended", _("Team membership ended")
        MEMBER_LAPSED = "member_lapsed", _("Team membership lapsed")
        NOTE_ADDED = "note_added", _("Restricted note added")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=24, choices=Action.choices)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    occurred_at = models.DateTimeField()
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Why (a refusal, a reopening, a withdrawal): may describe the person, so it is encrypted.
    reason = EncryptedTextField(null=True, blank=True)
    # Codes and ids only (the service, the member's role, the other organisation).
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["case", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.action}"


class TransferStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class CaseTransfer(TimeStampedModel):
    """A case handed from one case-manager organisation to another, once the receiver accepts."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="transfers")
    from_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    to_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="case_transfers_received"
    )
    status = models.CharField(
        max_length=16, choices=TransferStatus.choices, default=TransferStatus.REQUESTED
    )
    # Cleared (NULL) with the person's anonymisation, as every free text here.
    reason = EncryptedTextField(null=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status="requested"),
                name="case_transfer_one_pending",
            ),
            models.CheckConstraint(
                condition=~Q(from_organisation=models.F("to_organisation")),
                name="case_transfer_not_to_oneself",
            ),
        ]
        indexes = [models.Index(fields=["to_organisation", "status"])]

    def __str__(self) -> str:
        return f"Transfer {str(self.pk)[:8]}"


class NeedArea(models.TextChoices):
    SAFETY = "safety", _("Safety")
    HEALTH = "health", _("Health")
    PSYCHOLOGICAL = "psychological", _("Psychological")
    LEGAL = "legal", _("Legal")
    HOUSING = "housing", _("Housing")
    DOCUMENTS = "documents", _("Identity documents")
    INCOME = "income", _("Income")
    FAMILY = "family", _("Family")


class Level(models.TextChoices):
    NONE = "none", _("None")
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class Assessment(TimeStampedModel):
    """A needs and risk assessment at one date; later ones never change earlier ones.

    `needs` is {area: {"level": Level, "note": text}} for every NeedArea: encrypted as a whole,
    because the notes describe the person's situation.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="assessments")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    assessed_on = models.DateField()
    needs = EncryptedJSONField(null=True)
    retrafficking_risk = models.CharField(max_length=8, choices=Level.choices)
    risk_factors = EncryptedTextField(null=True, blank=True)

    class Meta:
        ordering = ["-assessed_on", "-created_at"]
        indexes = [models.Index(fields=["case", "assessed_on"])]

    def __str__(self) -> str:
        return f"Assessment {str(self.pk)[:8]}"


class PlanVersion(models.Model):
    """One saved version of a case's individual assistance plan. Saving the plan writes a new
    version with all its goals; no version is ever changed, so any two can be compared."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="plan_versions")
    number = models.PositiveIntegerField()
    saved_at = models.DateTimeField()
    saved_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    review_on = models.DateField(null=True, blank=True)
    # What changed, in the case manager's words.
    summary = EncryptedTextField(null=True, blank=True)

    class Meta:
        ordering = ["case", "number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="plan_version_number_unique")
        ]

    def __str__(self) -> str:
        return f"Plan v{self.number} of {self.case_id}"


class GoalStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    ACHIEVED = "achieved", _("Achieved")
    DROPPED = "dropped", _("Dropped")


class PlanGoal(models.Model):
    """A goal as it stood in one plan version. `key` follows the same goal across versions, so
    a comparison tells a changed goal from a removed one and a new one."""

    version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="goals")
    key = models.UUIDField()
    # The version's moment, repeated so that retention can age the goal on its own row.
    saved_at = models.DateTimeField()
    position = models.PositiveSmallIntegerField()
    area = models.CharField(max_length=16, choices=NeedArea.choices)
    goal = EncryptedTextField(null=True)
    responsible_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    starts_on = models.DateField()
    due_on = models.DateField()
    status = models.CharField(max_length=16, choices=GoalStatus.choices)

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="plan_goal_key_unique"),
            models.CheckConstraint(
                condition=Q(due_on__gte=models.F("starts_on")), name="plan_goal_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"Goal {self.position} of {self.version_id}"


class Unit(models.TextChoices):
    DAY = "day", _("days")
    SESSION = "session", _("sessions")
    HOUR = "hour", _("hours")
    ITEM = "item", _("items")
    LEU = "leu", _("lei")


class CaseServiceStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_SERVICE_STATUSES = (CaseServiceStatus.REQUESTED, CaseServiceStatus.ACCEPTED)


class CaseService(TimeStampedModel):
    """A service of the catalogue requested for the case from a provider of the service
    registry (referrals.ServiceOffering), answered and delivered by that provider."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="services")
    service = models.CharField(max_length=32, choices=ServiceType.choices)
    provider = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="case_services"
    )
    # The registry entry the request was made under (kept even if it is withdrawn later).
    offering = models.ForeignKey(
        "referrals.ServiceOffering", on_delete=models.PROTECT, related_name="+"
    )
    # The case manager's organisation when requested (the requesting side).
    requested_by_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=16, choices=CaseServiceStatus.choices, default=CaseServiceStatus.REQUESTED
    )
    request_note = EncryptedTextField(null=True, blank=True)
    # Why it was declined or cancelled.
    reason = EncryptedTextField(null=True, blank=True)
    delivered_from = models.DateField(null=True, blank=True)
    delivered_to = models.DateField(null=True, blank=True)
    units = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    unit = models.CharField(max_length=8, choices=Unit.choices, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="delivered", delivered_from__isnull=False, units__gt=0)
                | ~Q(status="delivered"),
                name="case_service_delivered_has_dates_and_units",
            ),
            models.CheckConstraint(
                condition=Q(delivered_to__isnull=True)
                | Q(delivered_to__gte=models.F("delivered_from")),
                name="case_service_delivery_dates_ordered",
            ),
        ]
        indexes = [
            models.Index(
                fields=["provider", "status", "created_at"],
                condition=Q(status__in=["requested", "accepted"]),
                name="case_service_provider_open",
            )
        ]

    def __str__(self) -> str:
        return f"Service {str(self.pk)[:8]}"

    @property
    def case_owner_id(self):
        """The case manager's side of the lifecycle: whoever manages the case now (a transfer
        moves it), not who asked for the service."""
        return self.case.owner_organisation_id


class FollowUpStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class FollowUp(TimeStampedModel):
    """A contact with the person the case manager must make by a date. Missed (past its date,
    not done) it is overdue on the worklist and escalated once, as an overdue referral is."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="follow_ups")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    due_at = models.DateTimeField()
    purpose = EncryptedTextField(null=True)
    status = models.CharField(
        max_length=16, choices=FollowUpStatus.choices, default=FollowUpStatus.SCHEDULED
    )
    done_at = models.DateTimeField(null=True, blank=True)
    outcome = EncryptedTextField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(
                fields=["due_at", "id"],
                condition=Q(status="scheduled"),
                name="follow_up_scheduled_due",
            ),
            models.Index(fields=["organisation", "status", "due_at"]),
        ]

    def __str__(self) -> str:
        return f"Follow-up {str(self.pk)[:8]}"

    @property
    def overdue(self) -> bool:
        return self.status == FollowUpStatus.SCHEDULED and self.due_at < timezone.now()


class TeamRole(models.TextChoices):
    SOCIAL_WORKER = "social_worker", _("Social worker")
    PSYCHOLOGIST = "psychologist", _("Psychologist")
    PROSECUTOR = "prosecutor", _("Prosecutor")
    POLICE_INVESTIGATOR = "police_investigator", _("Police investigator")
    DOCTOR = "doctor", _("Doctor")
    LAWYER = "lawyer", _("Lawyer")
    INTERPRETER = "interpreter", _("Interpreter")
    GUARDIAN = "guardian", _("Guardian")


class TeamMember(TimeStampedModel):
    """A person of another (or the same) organisation on the case's multidisciplinary team.

    Membership opens this case, and its person's record to the member's organisation, from
    `starts_on` to `ends_on` included; it ends earlier when removed (`ended_at`). Whether it is
    in force is checked at every read (`in_force_q`), and a periodic job records the lapse.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="team")
    membership = models.ForeignKey(
        "accounts.Membership", on_delete=models.PROTECT, related_name="case_teams"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(max_length=24, choices=TeamRole.choices)
    starts_on = models.DateField()
    ends_on = models.DateField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_on", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="team_member_dates_ordered"
            ),
            models.UniqueConstraint(
                fields=["case", "membership", "role"],
                condition=Q(ended_at__isnull=True),
                name="team_member_one_standing",
            ),
        ]
        indexes = [models.Index(fields=["membership", "ends_on"])]

    def __str__(self) -> str:
        return f"Team member {str(self.pk)[:8]}"

    @staticmethod
    def in_force_q(today: datetime.date, prefix: str = "") -> Q:
        return Q(
            **{
                f"{prefix}ended_at__isnull": True,
                f"{prefix}starts_on__lte": today,
                f"{prefix}ends_on__gte": today,
            }
        )

    def in_force(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.ended_at is None and self.starts_on <= today <= self.ends_on


class RestrictedSection(models.TextChoices):
    PSYCHOLOGICAL = "psychological", _("Psychological notes")
    MEDICAL = "medical", _("Medical details")
    SEXUAL_HISTORY = "sexual_history", _("Sexual history")


class RestrictedNote(TimeStampedModel):
    """A note in one of the case's restricted sections: readable only by the roles allowed that
    section (permissions.SECTION_PERMISSIONS), each read audited."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="restricted_notes")
    section = models.CharField(max_length=16, choices=RestrictedSection.choices)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    text = EncryptedTextField(null=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "section", "created_at"])]

    def __str__(self) -> str:
        return f"Note {str(self.pk)[:8]}"
