import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from punte.core.names import country_name, language_name


class TimeStampedModel(models.Model):
    """UUID keys (safe in URLs), who and when for creation and change, archive not delete."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    modified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    archived_at = models.DateTimeField(null=True, blank=True)
    archive_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        abstract = True

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class County(models.Model):
    """Romania's 41 counties and Bucharest, keyed by ISO 3166-2:RO code."""

    code = models.CharField(max_length=6, primary_key=True)
    name = models.CharField(max_length=64)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = _("counties")

    def __str__(self) -> str:
        return self.name


class Country(models.Model):
    """ISO 3166-1, with EU membership (Eurostat groups citizenship as national / EU / non-EU)."""

    alpha2 = models.CharField(max_length=2, primary_key=True)
    alpha3 = models.CharField(max_length=3, unique=True)
    numeric = models.CharField(max_length=3)
    name = models.CharField(max_length=128)
    is_eu_member = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = _("countries")

    def __str__(self) -> str:
        # `name` is pycountry's English name, kept for the API and statistics; people read
        # CLDR's name in their language.
        return country_name(self.alpha2, self.name)


class Language(models.Model):
    """ISO 639-3 languages; the two-letter ISO 639-1 code where one exists."""

    code = models.CharField(max_length=3, primary_key=True)
    alpha2 = models.CharField(max_length=2, blank=True, db_index=True)
    name = models.CharField(max_length=128)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return language_name(self.code, self.alpha2, self.name)


class AuditChainHead(models.Model):
    """The tip of one hash chain. Appends lock one head, so shards let writers run in parallel."""

    shard = models.PositiveSmallIntegerField(primary_key=True)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"audit chain {self.shard} at seq {self.last_seq}"


class AuditEvent(models.Model):
    """One append-only, hash-chained entry of the audit trail.

    Personal values never appear in `changes`: encrypted fields are recorded as changed, not shown.
    """

    id = models.BigAutoField(primary_key=True)
    shard = models.PositiveSmallIntegerField()
    seq = models.BigIntegerField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    occurred_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_username = models.CharField(max_length=150, blank=True)
    # Indexed below together with occurred_at, which serves both the foreign key and the search.
    organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    # Indexed below (one index each: every index is one more write per audited read).
    action = models.CharField(max_length=64)
    subject_type = models.CharField(max_length=64, blank=True)
    subject_id = models.CharField(max_length=64, blank=True)
    person_id = models.UUIDField(null=True, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    source_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["shard", "seq"], name="audit_shard_seq_unique"),
        ]
        # The access log reads by person; auditors search by user and by organisation, newest
        # first, so each of these is (key, occurred_at) and a page is an index range (the first
        # also serves any lookup by person alone). An action is searched exactly or by prefix
        # ("person.*"): one pattern index serves both on PostgreSQL whatever the collation. A
        # subject is looked up exactly.
        indexes = [
            models.Index(fields=["person_id", "occurred_at"]),
            models.Index(fields=["actor_username", "occurred_at"], name="audit_actor_time_idx"),
            models.Index(fields=["organisation", "occurred_at"], name="audit_org_time_idx"),
            models.Index(
                fields=["action"], name="audit_action_idx", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["subject_id"], name="audit_subject_idx"),
        ]
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} (chain {self.shard}, seq {self.seq})"


class IdempotencyRecord(models.Model):
    """The stored response to a POST made with an Idempotency-Key, per principal."""

    principal = models.CharField(max_length=64)
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=512)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response_body = models.BinaryField(null=True)
    content_type = models.CharField(max_length=128, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["principal", "key"], name="idempotency_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.principal})"


class ScheduledJob(models.Model):
    """When a periodic job (an app's `jobs.py`) runs next, and how its last run went. The row is
    what several workers agree on: whichever claims it first runs the job (punte.core.scheduler)."""

    name = models.CharField(max_length=100, primary_key=True)
    next_run_at = models.DateTimeField()
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    # The failure of the last run, empty after a run that succeeded.
    last_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.name
