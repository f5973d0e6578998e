"""Child-friendly hearing rooms and the hearings booked in them (DOMAIN.md §2.6, ADR 0039).

A child is heard once, in a room built for it, with everyone needed present. No room is ever
booked twice at once and no participant is in two hearings at once: on PostgreSQL exclusion
constraints on the time range guarantee it (migration 0002, over `HearingParticipant`'s copy of
its hearing's times); on SQLite the service checks it inside the IMMEDIATE transaction, which
serialises writers. Times are stored in UTC; opening hours are Romanian local time.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from punte.core.fields import EncryptedTextField
from punte.core.models import TimeStampedModel

# What a booking may ask of a room, by the room's field that says whether it has it.
EQUIPMENT_FIELDS = {
    "video_recording": "has_video_recording",
    "one_way_mirror": "has_one_way_mirror",
    "child_friendly": "has_child_friendly_furnishing",
    "step_free": "is_step_free",
}


class Equipment(models.TextChoices):
    VIDEO_RECORDING = "video_recording", _("Video recording")
    ONE_WAY_MIRROR = "one_way_mirror", _("One-way mirror")
    CHILD_FRIENDLY = "child_friendly", _("Child-friendly furnishing")
    STEP_FREE = "step_free", _("Step-free access")


class HearingRoom(TimeStampedModel):
    """A room in the national registry. Reference data: it holds nothing about any person."""

    name = models.CharField(max_length=200)
    county = models.ForeignKey("core.County", on_delete=models.PROTECT, related_name="+")
    address = models.CharField(max_length=300)
    managing_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="hearing_rooms"
    )
    has_video_recording = models.BooleanField(default=False)
    has_one_way_mirror = models.BooleanField(default=False)
    has_child_friendly_furnishing = models.BooleanField(default=True)
    is_step_free = models.BooleanField(default=False)
    accessibility_notes = models.CharField(max_length=300, blank=True)
    capacity = models.PositiveSmallIntegerField(default=6)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["county_id", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=2), name="hearing_room_capacity"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def equipment(self) -> list[str]:
        return [code for code, attr in EQUIPMENT_FIELDS.items() if getattr(self, attr)]


class OpeningHours(models.Model):
    """One opening window of a room on a weekday (0 = Monday), local time. A room closed on a
    weekday has no row for it; rooms are closed on Romania's public holidays."""

    room = models.ForeignKey(HearingRoom, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField()
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="opening_hours_weekday"),
            models.CheckConstraint(condition=Q(closes__gt=F("opens")), name="opening_hours_order"),
            models.UniqueConstraint(
                fields=["room", "weekday", "opens"], name="opening_hours_unique_window"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.weekday} {self.opens:%H:%M}-{self.closes:%H:%M}"


class HearingPurpose(models.TextChoices):
    HEARING = "hearing", _("Hearing of the child (prosecutor or court)")
    FORENSIC_INTERVIEW = "forensic_interview", _("Forensic interview by a psychologist")
    PSYCHOLOGICAL_ASSESSMENT = "psychological_assessment", _("Psychological assessment")


class HearingStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CANCELLED = "cancelled", _("Cancelled")


class CancellationReason(models.TextChoices):
    CHILD_UNAVAILABLE = "child_unavailable", _("The child cannot attend (health, safety)")
    PARTICIPANT_UNAVAILABLE = "participant_unavailable", _("A needed participant cannot attend")
    PROCEEDINGS_CHANGED = "proceedings_changed", _("The proceedings no longer need the hearing")
    ROOM_UNAVAILABLE = "room_unavailable", _("The room cannot be used")
    BOOKED_IN_ERROR = "booked_in_error", _("Booked in error")


class ParticipantRole(models.TextChoices):
    """The case team's roles (cases.TeamRole) and those only a hearing has."""

    PROSECUTOR = "prosecutor", _("Prosecutor")
    JUDGE = "judge", _("Judge")
    POLICE_INVESTIGATOR = "police_investigator", _("Police investigator")
    PSYCHOLOGIST = "psychologist", _("Psychologist")
    DOCTOR = "doctor", _("Doctor")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    LEGAL_REPRESENTATIVE = "legal_representative", _("Legal representative")
    LAWYER = "lawyer", _("Lawyer")
    INTERPRETER = "interpreter", _("Interpreter")
    GUARDIAN = "guardian", _("Guardian")


class Hearing(TimeStampedModel):
    """A room booked for one hearing of a case's child. `sequence` counts the changes sent to
    the participants' calendars (RFC 5545 SEQUENCE), so an update replaces the invitation."""

    room = models.ForeignKey(HearingRoom, on_delete=models.PROTECT, related_name="hearings")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="hearings")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.CharField(max_length=32, choices=HearingPurpose.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(
        max_length=12, choices=HearingStatus.choices, default=HearingStatus.BOOKED
    )
    sequence = models.PositiveIntegerField(default=0)
    # Practical arrangements; may mention the child, so encrypted and never e-mailed.
    notes = EncryptedTextField(null=True, blank=True)
    cancellation_reason = models.CharField(
        max_length=32, choices=CancellationReason.choices, blank=True
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="hearing_order"),
        ]
        indexes = [
            models.Index(fields=["room", "starts_at"]),
            models.Index(fields=["case", "starts_at"]),
        ]

    def __str__(self) -> str:
        return f"Hearing {str(self.pk)[:8].upper()}"

    @property
    def is_booked(self) -> bool:
        return self.status == HearingStatus.BOOKED


class HearingParticipant(models.Model):
    """Someone needed at a hearing. The hearing's times and status are copied here so that one
    exclusion constraint can hold a person to one place at a time (across memberships: the
    user, not the membership, is the person who cannot be in two rooms)."""

    hearing = models.ForeignKey(Hearing, on_delete=models.CASCADE, related_name="participants")
    membership = models.ForeignKey(
        "accounts.Membership", on_delete=models.PROTECT, related_name="hearing_participations"
    )
    user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(max_length=24, choices=ParticipantRole.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["hearing", "membership"], name="hearing_participant_once"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="hearing_participant_order"
            ),
        ]
        indexes = [models.Index(fields=["user", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.get_role_display()} at {self.hearing}"
