"""Signals: the first suspicion that someone may be a victim of trafficking (DOMAIN.md §2, step 1).

A signal is recorded by a specialist, by another agency's system through the API, or by a member
of the public through the anonymous report form. Its lifecycle is the table SIGNAL_TRANSITIONS,
applied by one service (`services/signal.py`, `signal_transition`), each step kept as a
`SignalTransition` row and an audit event (ADR 0021).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from punte.core.fields import EncryptedTextField
from punte.core.models import TimeStampedModel


# Forms of exploitation, as Eurostat's THB data collection and Directive 2011/36/EU (as amended
# by Directive (EU) 2024/1712) name them. Signals, decisions and anonymous notifications count by
# these, and so do national statistics.
class ExploitationForm(models.TextChoices):
    SEXUAL = "sexual", _("Sexual exploitation")
    LABOUR = "labour", _("Labour exploitation")
    BEGGING = "begging", _("Forced begging")
    CRIMINAL_ACTIVITIES = "criminal_activities", _("Forced criminal activities")
    FORCED_MARRIAGE = "forced_marriage", _("Forced marriage")
    ORGAN_REMOVAL = "organ_removal", _("Organ removal")
    SURROGACY = "surrogacy", _("Surrogacy")
    ILLEGAL_ADOPTION = "illegal_adoption", _("Illegal adoption")
    OTHER = "other", _("Other form of exploitation")


def exploitation_form_labels(codes) -> list[str]:
    """The forms' names in the reader's language, in the order given (codes are stored)."""
    names = dict(ExploitationForm.choices)
    return [str(names.get(code, code)) for code in codes or []]


class SignalChannel(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    HELPLINE_119 = "helpline_119", _("119 child helpline")
    HOTLINE = "hotline", _("Anti-trafficking hotline")
    ONLINE_DETECTION = "online_detection", _("Online detection")
    PUBLIC_REPORT = "public_report", _("Public report")
    AGENCY_SYSTEM = "agency_system", _("Another agency's system (API)")


class SignalStatus(models.TextChoices):
    NEW = "new", _("New")
    IN_TRIAGE = "in_triage", _("In triage")
    ASSIGNED = "assigned", _("Assigned to another organisation")
    SCREENING = "screening", _("Screening started")
    CLOSED = "closed", _("Closed")


class SignalCloseReason(models.TextChoices):
    NO_INDICATION = "no_indication", _("No indication of trafficking")
    INSUFFICIENT_INFORMATION = "insufficient_information", _("Too little information to act on")
    DUPLICATE = "duplicate", _("Duplicate of another signal")
    OUTSIDE_MANDATE = "outside_mandate", _("Passed to an authority outside Punte")
    SCREENING_COMPLETED = "screening_completed", _("Screening completed; the case continues")
    UNFOUNDED = "unfounded", _("Unfounded or abusive report")


# The lifecycle. Every status but CLOSED is open, i.e. someone has to act on it:
# - NEW: recorded, nobody has taken it up yet (public reports wait here for the national agency);
# - IN_TRIAGE: the responsible organisation is looking into it;
# - ASSIGNED: handed to another organisation, which has not taken it up yet;
# - SCREENING: someone is screening the person(s) concerned with the indicator catalogue;
# - CLOSED: with a reason; reopened (back to triage) when new information arrives.
SIGNAL_TRANSITIONS: dict[str, frozenset[str]] = {
    SignalStatus.NEW: frozenset(
        {SignalStatus.IN_TRIAGE, SignalStatus.ASSIGNED, SignalStatus.SCREENING, SignalStatus.CLOSED}
    ),
    SignalStatus.IN_TRIAGE: frozenset(
        {SignalStatus.ASSIGNED, SignalStatus.SCREENING, SignalStatus.CLOSED}
    ),
    SignalStatus.ASSIGNED: frozenset(
        {SignalStatus.IN_TRIAGE, SignalStatus.ASSIGNED, SignalStatus.CLOSED}
    ),
    SignalStatus.SCREENING: frozenset({SignalStatus.CLOSED}),
    SignalStatus.CLOSED: frozenset({SignalStatus.IN_TRIAGE}),
}

OPEN_STATUSES = frozenset(set(SignalStatus.values) - {SignalStatus.CLOSED})


class Signal(TimeStampedModel):
    """One suspicion. What was seen, where and by whom are encrypted; the channel, county, dates,
    status and exploitation forms stay in clear because the national figures count by them."""

    channel = models.CharField(max_length=24, choices=SignalChannel.choices)
    status = models.CharField(
        max_length=16, choices=SignalStatus.choices, default=SignalStatus.NEW, db_index=True
    )
    status_changed_at = models.DateTimeField()
    close_reason = models.CharField(max_length=32, choices=SignalCloseReason.choices, blank=True)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Who recorded it: empty for an anonymous public report.
    recorded_by_membership = models.ForeignKey(
        "accounts.Membership", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recording_organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Who has to act on it now: the recording organisation, the national agency (or its regional
    # centre) for a public report, or the organisation it was assigned to.
    responsible_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    description = EncryptedTextField()
    county = models.ForeignKey(
        "core.County", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    locality = EncryptedTextField(null=True, blank=True)
    observed_on = models.DateField(null=True, blank=True)
    # Codes of ExploitationForm, validated by the services.
    exploitation_forms = models.JSONField(default=list, blank=True)
    # A public reporter's way back to them, if they chose to give one.
    reporter_contact = EncryptedTextField(null=True, blank=True)
    # The language the public form was filled in (to answer in it).
    reporter_language = models.CharField(max_length=8, blank=True)
    # The sending system's own identifier (API), to find its signal again. A partner's free
    # text, which may hold a name or a case number that identifies a person: encrypted, as the
    # other free text of a signal (docs/SECURITY.md); at most 100 characters (services).
    external_reference = EncryptedTextField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["responsible_organisation", "status", "created_at"]),
            models.Index(fields=["recording_organisation", "created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(status="closed") & ~models.Q(close_reason=""))
                | (~models.Q(status="closed") & models.Q(close_reason="")),
                name="signal_closed_with_reason_only",
            ),
        ]

    def __str__(self) -> str:
        return f"Signal {self.reference}"

    @property
    def reference(self) -> str:
        """The short reference people quote on the phone (the first 8 hex digits of the id)."""
        return str(self.pk)[:8].upper()

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class SignalPerson(models.Model):
    """A person the signal is about: a recorded Person, or a description of someone not (yet)
    identified ("a girl of about 15 who speaks Ukrainian")."""

    signal = models.ForeignKey(Signal, on_delete=models.PROTECT, related_name="people")
    person = models.ForeignKey(
        "identification.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="signal_links",
    )
    description = EncryptedTextField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["signal", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=False) | models.Q(description__isnull=False),
                name="signal_person_known_or_described",
            ),
        ]

    def __str__(self) -> str:
        return f"person {self.position} of signal {self.signal_id}"


class SignalTransition(models.Model):
    """One step of a signal's lifecycle: the history shown on its page (the audit trail holds
    the same step, hash-chained)."""

    signal = models.ForeignKey(Signal, on_delete=models.PROTECT, related_name="transitions")
    from_status = models.CharField(max_length=16, choices=SignalStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=SignalStatus.choices)
    occurred_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assigned_to = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    close_reason = models.CharField(max_length=32, choices=SignalCloseReason.choices, blank=True)
    note = EncryptedTextField(null=True, blank=True)

    class Meta:
        ordering = ["signal", "occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.signal_id}: {self.from_status or '-'} -> {self.to_status}"


class PublicReportAttempt(models.Model):
    """How many public reports one client sent in one time window, for rate limiting.

    The client is a keyed hash (HMAC) of its IP address, never the address, or NATIONAL for the
    count of every report in the country (the anomaly alarm); rows are erased two days after
    their window opened by the retention job (signals/retention.py)."""

    NATIONAL = "national"

    client_hash = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    window_seconds = models.PositiveIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client_hash", "window_seconds", "window_start"],
                name="public_report_attempt_one_row_per_window",
            )
        ]
        indexes = [models.Index(fields=["window_start"])]

    def __str__(self) -> str:
        return f"{self.count} attempts in {self.window_seconds}s from {self.window_start}"


class PublicReportFormUse(models.Model):
    """A public report form that was sent, by the random nonce its signed token carries: a form
    is accepted once, so a replayed request (a bot resending a captured form, a double submit)
    makes no second report. Rows are useless once the token has expired (it is refused anyway)
    and are erased a little after (retention.py)."""

    nonce = models.CharField(max_length=64, primary_key=True)
    used_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["used_at"])]

    def __str__(self) -> str:
        return f"public report form used at {self.used_at:%Y-%m-%d %H:%M}"
