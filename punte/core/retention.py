"""Retention: how long each kind of record is kept, and what happens to it then.

Rules are data. Each app declares its own in `<app>/retention.py` as `RULES = [RetentionRule(...)]`;
`discover()` collects them from every installed Punte app, and `manage.py apply_retention`
applies them (`--dry-run` lists what would happen, by record id only); the task worker runs
them daily (`core.apply_retention`, punte/core/jobs.py).

Every table has a rule or a written reason why it is kept: `KEPT = {"app_label.Model": reason}`
in the app's `retention.py` (an app also answers for the tables of the libraries it brings).
`unaccounted()` names a table with neither, and a test fails on it.

A rule says: records of `record_type` whose `age_field` is older than `period`, and that meet
`condition`, are erased (deleted) or anonymised (their identifying fields cleared and fixed
values set, the row kept so that statistics still count it). Periods are settings
(PUNTE_RETENTION_*), read at run time, so a deployment can change them without code.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import connection, models, transaction
from django.utils import timezone

from punte.core import audit, contract

ERASE = "erase"
ANONYMISE = "anonymise"
ACTIONS = (ERASE, ANONYMISE)


@dataclass(frozen=True)
class Period:
    """A retention period read from a setting when the rules are applied."""

    setting: str
    unit: str = "days"  # or "hours"

    def resolve(self) -> datetime.timedelta:
        value = getattr(settings, self.setting, None)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise ImproperlyConfigured(
                f"{self.setting} must be a number of {self.unit} (0 or more), not {value!r}."
            )
        return datetime.timedelta(**{self.unit: value})

    def describe(self) -> str:
        return f"{getattr(settings, self.setting, '?')} {self.unit} ({self.setting})"


@dataclass(frozen=True)
class RetentionRule:
    name: str  # stable, unique: "identification.person.anonymise_archived"
    record_type: str  # model label: "identification.Person"
    age_field: str  # the date-time the period runs from
    period: Period
    action: str  # ERASE or ANONYMISE
    # Anonymise: fields cleared (NULL, or "" where the column is not nullable) ...
    clear_fields: tuple[str, ...] = ()
    # ... and fields set to fixed values (e.g. identity_unknown=True).
    set_values: Mapping[str, Any] = field(default_factory=dict)
    # Which records, beyond age: a Q or boolean expression, or a function of the run's instant
    # returning one (so "expired" means expired at the same instant the ages are measured).
    condition: Any = None
    # What the dry run and the audit trail show of a record: an id, never a name or a secret.
    shown_id: str = "pk"
    # The field holding the person's id, so the erasure is answerable per person.
    person_field: str | None = None
    legal_basis: str = ""

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.record_type)

    def cutoff(self, now: datetime.datetime) -> datetime.datetime:
        return now - self.period.resolve()

    def _not_yet_done(self) -> models.Q | None:
        """Anonymised records stay in the table: only those still holding something are due."""
        if self.action != ANONYMISE:
            return None
        meta = self.model._meta
        pending = []
        for name in self.clear_fields:
            column = meta.get_field(name)
            if column.null:
                pending.append(models.Q(**{f"{name}__isnull": False}))
            else:
                pending.append(~models.Q(**{name: ""}))
        pending.extend(~models.Q(**{name: value}) for name, value in self.set_values.items())
        return reduce(or_, pending)

    def due(self, now: datetime.datetime) -> models.QuerySet:
        queryset = self.model._base_manager.filter(**{f"{self.age_field}__lt": self.cutoff(now)})
        if self.condition is not None:
            condition = self.condition(now) if callable(self.condition) else self.condition
            queryset = queryset.filter(condition)
        pending = self._not_yet_done()
        if pending is not None:
            queryset = queryset.filter(pending)
        return queryset

    def validate(self) -> None:
        where = f"Retention rule {self.name!r}"
        if self.action not in ACTIONS:
            raise ImproperlyConfigured(f"{where}: action must be one of {ACTIONS}.")
        try:
            model = self.model
        except (LookupError, ValueError) as exc:
            raise ImproperlyConfigured(f"{where}: no model {self.record_type!r}.") from exc
        names = [self.age_field, *self.clear_fields, *self.set_values]
        names += [n for n in (self.shown_id, self.person_field) if n and n != "pk"]
        for name in names:
            try:
                model._meta.get_field(name)
            except FieldDoesNotExist as exc:
                raise ImproperlyConfigured(
                    f"{where}: {model.__name__} has no field {name!r}."
                ) from exc
        if not isinstance(model._meta.get_field(self.age_field), models.DateTimeField):
            raise ImproperlyConfigured(f"{where}: {self.age_field!r} must be a DateTimeField.")
        if self.action == ANONYMISE and not (self.clear_fields or self.set_values):
            raise ImproperlyConfigured(f"{where}: anonymise needs fields to clear or set.")
        if self.action == ERASE and (self.clear_fields or self.set_values):
            raise ImproperlyConfigured(f"{where}: erase deletes the row; it clears no fields.")
        self.period.resolve()

    def describe(self) -> str:
        verb = "erase" if self.action == ERASE else "anonymise"
        return f"{verb} {self.record_type} {self.period.describe()} after {self.age_field}"


def discover() -> list[RetentionRule]:
    """Every rule declared in `retention.py` of the installed apps and their parts, validated."""
    rules: list[RetentionRule] = contract.collect("retention", "RULES")
    seen: set[str] = set()
    for rule in rules:
        if rule.name in seen:
            raise ImproperlyConfigured(f"Two retention rules are named {rule.name!r}.")
        seen.add(rule.name)
        rule.validate()
    return rules


def kept() -> dict[str, Any]:
    """The tables kept with no rule, by model label ("app_label.Model"), with the reason."""
    reasons = contract.collect_mapping("retention", "KEPT")
    for label in reasons:
        try:
            apps.get_model(label)
        except (LookupError, ValueError) as exc:
            raise ImproperlyConfigured(f"KEPT names no model {label!r}.") from exc
    return reasons


def unaccounted() -> list[str]:
    """The labels of the models with neither a retention rule nor a reason to be kept."""
    covered = {apps.get_model(rule.record_type)._meta.label for rule in discover()}
    covered |= set(kept())
    return sorted(m._meta.label for m in apps.get_models() if m._meta.label not in covered)


# --- applying a rule ----------------------------------------------------------------------------


def due_ids(rule: RetentionRule, now: datetime.datetime) -> Iterator[Any]:
    """The shown ids of the records the rule would act on now (for the dry run)."""
    column = rule.shown_id
    ids = rule.due(now).order_by(column).values_list(column, flat=True)
    seen = set()
    for value in ids.iterator(chunk_size=2000):
        if value not in seen:  # several rows may share a shown id (sessions of one user)
            seen.add(value)
            yield value


def count_due(rule: RetentionRule, now: datetime.datetime) -> int:
    return rule.due(now).count()


def _cleared_values(rule: RetentionRule) -> dict[str, Any]:
    meta = rule.model._meta
    values: dict[str, Any] = {
        name: (None if meta.get_field(name).null else "") for name in rule.clear_fields
    }
    values.update(rule.set_values)
    # update() skips auto_now: say when the record changed, and that no user changed it.
    for column in meta.concrete_fields:
        if getattr(column, "auto_now", False):
            values[column.name] = timezone.now()
    if any(f.name == "modified_by" for f in meta.concrete_fields):
        values["modified_by"] = None
    return values


def apply(rule: RetentionRule, now: datetime.datetime, *, batch_size: int = 200) -> Iterator[int]:
    """Act on every due record, a batch per transaction; yields the size of each batch done.

    Each batch re-reads what is due with the rows locked, so a record changed meanwhile (say,
    restored from the archive) is left alone; rows another transaction holds are skipped and
    picked up by the next run. Every record gets its own audit event, with no personal value.
    """
    model = rule.model
    skip_locked = connection.features.has_select_for_update_skip_locked
    columns = ["pk", rule.shown_id, rule.person_field or "pk"]
    event = "retention.erased" if rule.action == ERASE else "retention.anonymised"
    changes: dict[str, Any] = {"rule": rule.name}
    if rule.action == ANONYMISE:
        changes["fields"] = sorted([*rule.clear_fields, *rule.set_values])
    done: set[Any] = set()
    while True:
        with transaction.atomic():
            batch = list(
                rule.due(now)
                .exclude(pk__in=done)
                .order_by("pk")
                .select_for_update(skip_locked=skip_locked)
                .values_list(*columns)[:batch_size]
            )
            if not batch:
                return
            pks = [row[0] for row in batch]
            if rule.action == ERASE:
                model._base_manager.filter(pk__in=pks).delete()
            else:
                model._base_manager.filter(pk__in=pks).update(**_cleared_values(rule))
            for _pk, shown, person in batch:
                audit.record(
                    action=event,
                    subject_type=model._meta.label_lower,
                    subject_id=str(shown),
                    person_id=person if rule.person_field else None,
                    changes=changes,
                )
            done.update(pks)
        yield len(batch)


def apply_all(*, batch_size: int = 200) -> dict[str, int]:
    """Apply every rule, measuring ages from one instant; the records each rule acted on. A rule
    that fails does not keep the others from running; the failure is raised after them."""
    now = timezone.now()
    done: dict[str, int] = {}
    failed: list[tuple[str, Exception]] = []
    for rule in discover():
        done[rule.name] = 0
        try:
            for size in apply(rule, now, batch_size=batch_size):
                done[rule.name] += size
        except Exception as exc:  # noqa: BLE001 - reported below, after the other rules ran
            failed.append((rule.name, exc))
    if failed:
        names = ", ".join(name for name, _exc in failed)
        raise RuntimeError(f"Retention rules failed: {names}.") from failed[0][1]
    return done


# --- the core app's own rules -------------------------------------------------------------------

RULES = [
    RetentionRule(
        name="core.idempotency_record.erase_expired",
        record_type="core.IdempotencyRecord",
        age_field="created_at",
        period=Period("PUNTE_IDEMPOTENCY_TTL_HOURS", unit="hours"),
        action=ERASE,
        legal_basis=(
            "A stored API response (which may quote personal data) is needed only while a client "
            "may retry the same request; past the idempotency window it serves no purpose."
        ),
    ),
    RetentionRule(
        name="django_tasks.task_result.erase_finished",
        record_type="django_tasks_database.DBTaskResult",
        age_field="finished_at",  # only finished tasks are ever due
        period=Period("PUNTE_RETENTION_TASK_RESULT_DAYS"),
        action=ERASE,
        legal_basis=(
            "A background task's arguments, result and traceback (ids, sometimes a message) are "
            "needed to look into a failure for a while after it ran, not longer."
        ),
    ),
]

KEPT = {
    "core.AuditEvent": (
        "The audit trail: who did what to which record, kept as the law requires of a "
        "competent authority's logs (Directive (EU) 2016/680 art. 25, Law 363/2018) and for "
        "accountability (GDPR art. 5(2)); append-only, hash-chained, ids but no personal values."
    ),
    "core.AuditChainHead": "The heads of the audit trail's chains: kept with the trail.",
    "core.County": "Reference data (ISO 3166-2:RO); no personal data.",
    "core.Country": "Reference data (ISO 3166-1); no personal data.",
    "core.Language": "Reference data (ISO 639-3); no personal data.",
    "core.ScheduledJob": "The schedule of the periodic jobs: one row per job, no personal data.",
    "contenttypes.ContentType": "Django's catalogue of models; no personal data.",
    "auth.Permission": "Django's permission catalogue; no personal data (roles are data).",
    "auth.Group": "Django's groups, unused by Punte (roles are accounts.Role); no personal data.",
}
