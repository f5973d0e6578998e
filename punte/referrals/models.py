"""Referrals: the service registry, the routing rules (data, versioned) and the referral lifecycle.

A referral's state changes only through `services.referral_transition`, which follows the one
table of allowed transitions in `lifecycle.py` and writes a ReferralEvent for each change. The
deadline of the current step (`due_at`) is derived by that service from the event that opened
the step and the rule's deadlines (`lifecycle.deadline_after`), never entered by hand.
"""

from pathlib import Path

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from punte.core.fields import EncryptedTextField
from punte.core.models import TimeStampedModel
from punte.core.wording import translated
from punte.identification.screening.services.consent import CONSENT_STATE_LABELS

# The routing rules' files, with their wording/<language>.yaml translations (core.wording).
RULES_WORDING = Path(__file__).resolve().parent / "rules"


class ServiceType(models.TextChoices):
    SHELTER = "shelter", _("Shelter")
    MEDICAL = "medical", _("Medical care")
    PSYCHOLOGICAL = "psychological", _("Psychological counselling")
    LEGAL_AID = "legal_aid", _("Legal aid")
    INTERPRETATION = "interpretation", _("Interpretation")
    DOCUMENTS = "documents", _("Identity documents")
    REPATRIATION = "repatriation", _("Repatriation")
    VOCATIONAL = "vocational", _("Vocational training")
    REINTEGRATION = "reintegration", _("Social reintegration")
    FINANCIAL = "financial", _("Financial support")


class ServiceOffering(TimeStampedModel):
    """An organisation offers a service in a county (the service registry).

    Kept by the national agency's administrator (`service.manage`); withdrawn by archiving, so
    referrals made to an offering stay explained.
    """

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="service_offerings"
    )
    service = models.CharField(max_length=32, choices=ServiceType.choices)
    county = models.ForeignKey("core.County", on_delete=models.PROTECT, related_name="+")
    notes = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["county_id", "service", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "service", "county"],
                condition=Q(archived_at__isnull=True),
                name="service_offering_unique_active",
            )
        ]
        indexes = [models.Index(fields=["county", "service"], name="service_offering_lookup")]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.get_service_display()} ({self.county_id})"


class RoutingRuleSet(models.Model):
    """One version of the routing rules file, loaded once and never changed (see rules.py)."""

    version = models.CharField(max_length=40, unique=True)
    title = models.CharField(max_length=300)
    title_ro = models.CharField(max_length=300)
    published_at = models.DateField()
    sources = models.JSONField(default=list)
    # {"adult": {"respond_hours": .., "complete_days": ..}, "child": {...}} for service referrals.
    service_deadlines = models.JSONField()
    checksum = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return self.version


class RoutingCondition(models.TextChoices):
    CHILD = "child", _("The person is treated as a child")
    FOREIGN_NATIONAL = "foreign_national", _("The person is a foreign national")
    PRESUMED_VICTIM = "presumed_victim", _("Every presumed victim")


class RoutingRule(models.Model):
    ruleset = models.ForeignKey(RoutingRuleSet, on_delete=models.PROTECT, related_name="rules")
    code = models.SlugField(max_length=64)
    position = models.PositiveSmallIntegerField()
    when = models.CharField(max_length=32, choices=RoutingCondition.choices)
    target_type = models.CharField(max_length=32)
    deadlines = models.JSONField()
    explanation_en = models.TextField()
    explanation_ro = models.TextField()

    class Meta:
        ordering = ["ruleset", "position"]
        constraints = [
            models.UniqueConstraint(fields=["ruleset", "code"], name="routing_rule_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.ruleset_id}:{self.code}"

    @property
    def explanation(self) -> str:
        language = get_language() or ""
        if language.startswith("ro"):
            return self.explanation_ro
        return translated(self.explanation_en, language=language, directory=RULES_WORDING)

    @property
    def target_label(self) -> str:
        from punte.accounts.models import OrganisationType

        return str(dict(OrganisationType.choices).get(self.target_type, self.target_type))


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    COMPLETED = "completed", _("Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATUSES = (ReferralStatus.SENT, ReferralStatus.ACCEPTED)

# The states of referral consent, as shown to people (one list, with the consent service).
CONSENT_LABELS = CONSENT_STATE_LABELS


class Referral(TimeStampedModel):
    """A person referred by one organisation to another, by a routing rule or for a service."""

    person = models.ForeignKey(
        "identification.Person", on_delete=models.PROTECT, related_name="referrals"
    )
    sender_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="referrals_sent"
    )
    receiver_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="referrals_received"
    )
    county = models.ForeignKey("core.County", on_delete=models.PROTECT, related_name="+")
    # The rules version in force at sending: its deadlines time the referral.
    ruleset = models.ForeignKey(RoutingRuleSet, on_delete=models.PROTECT, related_name="+")
    # Exactly one of: the mandatory rule it was routed by, or the service asked for.
    rule = models.ForeignKey(
        RoutingRule, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    service = models.CharField(max_length=32, choices=ServiceType.choices, blank=True)
    status = models.CharField(
        max_length=16, choices=ReferralStatus.choices, default=ReferralStatus.SENT
    )
    # Facts at sending, which set the deadlines and explain the routing later.
    is_child = models.BooleanField()
    consent_state = models.CharField(max_length=16)
    # The sender's note to the receiver: may describe the person, so it is encrypted.
    note = EncryptedTextField(null=True, blank=True)
    # Deadline of the current step (derived from events by the lifecycle service); none once
    # the referral is rejected, completed or withdrawn.
    due_at = models.DateTimeField(null=True, blank=True)
    # When the current step's lateness was escalated (cleared by the next transition).
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(rule__isnull=False, service="") | Q(rule__isnull=True) & ~Q(service="")
                ),
                name="referral_rule_xor_service",
            ),
            models.CheckConstraint(
                condition=~Q(sender_organisation=models.F("receiver_organisation")),
                name="referral_not_to_oneself",
            ),
            # One open referral of a person to an organisation by one rule, or for one service:
            # two sends at once cannot both pass the service's check (two constraints, because
            # a null rule never equals another in a unique index).
            models.UniqueConstraint(
                fields=["person", "receiver_organisation", "rule"],
                condition=Q(status__in=["sent", "accepted"], rule__isnull=False),
                name="referral_open_unique_by_rule",
            ),
            models.UniqueConstraint(
                fields=["person", "receiver_organisation", "service"],
                condition=Q(status__in=["sent", "accepted"], rule__isnull=True),
                name="referral_open_unique_by_service",
            ),
        ]
        indexes = [
            # The receiving organisation's worklist: open referrals, soonest deadline first.
            models.Index(
                fields=["receiver_organisation", "due_at", "id"],
                condition=Q(status__in=["sent", "accepted"]),
                name="referral_incoming_open",
            ),
            # The sender's "awaiting an answer".
            models.Index(
                fields=["sender_organisation", "created_at", "id"],
                condition=Q(status="sent"),
                name="referral_sent_awaiting",
            ),
            # Overdue referrals, nationally (escalation and the national list).
            models.Index(
                fields=["due_at", "id"],
                condition=Q(status__in=["sent", "accepted"]),
                name="referral_open_due",
            ),
            models.Index(fields=["receiver_organisation", "created_at", "id"]),
            models.Index(fields=["sender_organisation", "created_at", "id"]),
            models.Index(fields=["person", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"Referral {str(self.pk)[:8]}"

    @property
    def purpose_label(self) -> str:
        """What the referral is for, without naming the person."""
        if self.rule_id:
            return self.rule.target_label
        return self.get_service_display()

    @property
    def purpose(self):
        """purpose_label as a lazy translation, for texts translated later for each reader
        (notifications)."""
        if self.rule_id:
            from punte.accounts.models import OrganisationType

            return dict(OrganisationType.choices).get(self.rule.target_type, self.rule.target_type)
        return ServiceType(self.service).label

    @property
    def consent_label(self) -> str:
        return str(CONSENT_LABELS.get(self.consent_state, self.consent_state))

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class ReferralEvent(models.Model):
    """One step of a referral's history: a transition, or the escalation of a late step."""

    class Action(models.TextChoices):
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        COMPLETED = "completed", _("Completed")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        ESCALATED = "escalated", _("Escalated as overdue")

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=16, choices=Action.choices)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    occurred_at = models.DateTimeField()
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Why (a rejection or withdrawal): may describe the person, so it is encrypted.
    reason = EncryptedTextField(null=True, blank=True)
    # The deadline this event set for the next step (none when the referral ended).
    due_at = models.DateTimeField(null=True, blank=True)
    # Escalations: who was told (membership ids) and at which level (organisation, parent,
    # national agency).
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["referral", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.action}"
