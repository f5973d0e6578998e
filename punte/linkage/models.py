"""Record linkage inside Punte: the trained model, the national person identifier, the review
queue and the analysts' standing decisions (see docs/adr/0011-linkage-in-the-database.md).

No table here holds a name or a date of birth: linking reads them from the Person rows, in
memory, each time it runs. What is stored is which records are one person (PersonLink), how
sure the model was (probabilities and the comparison levels that drove them, which are labels
such as "one typo", never values), and who decided what.
"""

from __future__ import annotations

import uuid

from django.conf import settings as django_settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from punte.core.fields import EncryptedTextField


class LinkageModel(models.Model):
    """One trained version of the probabilistic model (Splink settings with every m and u
    probability and the prior), as the engine saved it. At most one is active: incremental
    linking and relinks without training use it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    version = models.CharField(max_length=100, unique=True)
    spec_name = models.CharField(max_length=40)
    # TrainedModel.as_dict(): format, spec, settings hash, Splink settings, training report.
    model_json = models.JSONField()
    # Hash of the untrained settings: a model trained for other comparisons is never used.
    settings_hash = models.CharField(max_length=64)
    trained_at = models.DateTimeField()
    record_count = models.PositiveIntegerField()
    metrics = models.JSONField(default=dict, blank=True)
    is_active = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="linkage_one_active_model"
            )
        ]

    def __str__(self) -> str:
        return self.version


class NationalPerson(models.Model):
    """The national person identifier: one per human being, across every agency's records.

    Statistics count these. Identifiers are kept across relinks when a person's records stay
    mostly together; one that loses all its records is retired, never deleted (a published
    figure may have counted it), and points to the person its records went to, if any.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"National person {str(self.pk)[:8]}"


class LinkMethod(models.TextChoices):
    MODEL = "model", _("Linked by the model")
    ANALYST = "analyst", _("Linked or separated by an analyst")
    SINGLETON = "singleton", _("No other record of this person")


class PersonLink(models.Model):
    """Which national person a Person record belongs to."""

    person = models.OneToOneField(
        "identification.Person",
        primary_key=True,
        on_delete=models.PROTECT,
        related_name="national_link",
    )
    national_person = models.ForeignKey(
        NationalPerson, on_delete=models.PROTECT, related_name="links"
    )
    # The probability of the record's strongest link inside its national person (1.0 when an
    # analyst accepted it; null for a record alone).
    match_probability = models.FloatField(null=True, blank=True)
    model_version = models.CharField(max_length=100, blank=True)
    method = models.CharField(max_length=16, choices=LinkMethod.choices)
    linked_at = models.DateTimeField()

    class Meta:
        ordering = ["linked_at"]

    def __str__(self) -> str:
        return f"{self.person_id} -> {self.national_person_id}"


def ordered_pair(a, b) -> tuple[str, str]:
    """The two record ids of a pair in the one order the tables store them."""
    first, second = sorted((str(a), str(b)))
    if first == second:
        raise ValueError("a pair needs two different records")
    return first, second


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    ACCEPTED = "accepted", _("Accepted: the same person")
    REJECTED = "rejected", _("Rejected: different persons")


class ReviewReason(models.TextChoices):
    UNCERTAIN = "uncertain", _("The model is not sure")
    DIFFERENT_GIVEN_NAMES = (
        "different given names",
        _("Likely, but two different established given names (twins, siblings?)"),
    )
    JOINS_PERSONS = "joins persons", _("A new record would join two national persons")


class ReviewPair(models.Model):
    """A pair of records the model could not decide on, for an analyst to accept or reject.

    `person_a` sorts before `person_b` (ordered_pair), so a pair is proposed once whatever the
    order the model scored it in. A decided pair stays as the record of the decision.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person_a = models.ForeignKey(
        "identification.Person", on_delete=models.PROTECT, related_name="+"
    )
    person_b = models.ForeignKey(
        "identification.Person", on_delete=models.PROTECT, related_name="+"
    )
    match_probability = models.FloatField()
    reason = models.CharField(max_length=32, choices=ReviewReason.choices)
    # [{"comparison": "first_name", "level": "one typo", "bayes_factor": 12.3}, ...]: labels of
    # the levels each comparison fell in, never the compared values.
    comparison = models.JSONField(default=list, blank=True)
    model_version = models.CharField(max_length=100)
    status = models.CharField(
        max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    proposed_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # Free text that may quote what the records say: encrypted like them.
    decision_reason = EncryptedTextField(null=True, blank=True)

    class Meta:
        ordering = ["-match_probability", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["person_a", "person_b"], name="review_pair_unique"),
            models.CheckConstraint(
                condition=Q(person_a__lt=F("person_b")), name="review_pair_ordered"
            ),
        ]
        indexes = [
            models.Index(
                fields=["status", "-match_probability", "-id"], name="review_pair_queue_idx"
            )
        ]

    def __str__(self) -> str:
        return f"Review pair {str(self.pk)[:8]} ({self.status})"


class DecisionSource(models.TextChoices):
    REVIEW = "review", _("Review of a proposed pair")
    SEPARATION = "separation", _("Separation of a record from its national person")


class LinkDecision(models.Model):
    """An analyst's standing decision on a pair of records, which every later run obeys: the
    same person (must-link) or not (cannot-link). A later decision on the pair replaces it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person_a = models.ForeignKey(
        "identification.Person", on_delete=models.PROTECT, related_name="+"
    )
    person_b = models.ForeignKey(
        "identification.Person", on_delete=models.PROTECT, related_name="+"
    )
    same_person = models.BooleanField()
    source = models.CharField(max_length=16, choices=DecisionSource.choices)
    review_pair = models.ForeignKey(
        ReviewPair, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()
    reason = EncryptedTextField(null=True, blank=True)

    class Meta:
        ordering = ["decided_at"]
        constraints = [
            models.UniqueConstraint(fields=["person_a", "person_b"], name="link_decision_unique"),
            models.CheckConstraint(
                condition=Q(person_a__lt=F("person_b")), name="link_decision_ordered"
            ),
        ]

    def __str__(self) -> str:
        kind = "must-link" if self.same_person else "cannot-link"
        return f"{kind} {self.person_a_id} / {self.person_b_id}"


class LinkageState(models.Model):
    """One row: the lock every linking write takes (relink and incremental runs never write
    at the same time), and what the last full relink did (counts only)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    last_relink_at = models.DateTimeField(null=True, blank=True)
    last_relink_summary = models.JSONField(default=dict, blank=True)
    # Why the last relink asked for from the web was refused ({"at", "message"}), until one runs.
    last_relink_refusal = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return "Linkage state"
