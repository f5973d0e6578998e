"""Reads of the audit trail: the per-person access log (GDPR art. 15) and the auditors' search.

Both are national: the data protection officer answers for any person, and auditors look across
organisations, so neither is narrowed by the role's record scope. Both are themselves audited:
consulting who accessed a person's data is an access to that person's data.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import asdict, dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404

from punte.accounts.models import Membership, Organisation
from punte.core import audit
from punte.core.models import AuditEvent

PERSON_SUBJECT_TYPE = "identification.person"


def _events() -> QuerySet[AuditEvent]:
    return AuditEvent.objects.select_related("actor", "organisation")


def person_access_list(
    *, actor: Membership, person_id: uuid.UUID, via: str
) -> QuerySet[AuditEvent]:
    """Every event about one person: who opened, changed or exported their data, and when.

    Holders of `audit.view_person_access` only (others: 404). The person need not exist any
    more: the log outlives an erased record. Writes "audit.person_access_viewed", so the data
    subject also learns that their log was consulted, by whom.
    """
    if actor is None or not actor.has_perm("audit.view_person_access"):
        raise Http404
    with transaction.atomic():
        audit.record(
            action="audit.person_access_viewed",
            actor=actor,
            subject_type=PERSON_SUBJECT_TYPE,
            subject_id=str(person_id),
            person_id=person_id,
            changes={"via": via},
        )
    return _events().filter(person_id=person_id)


@dataclass(frozen=True)
class AuditFilters:
    actor_username: str = ""
    organisation_id: uuid.UUID | None = None
    action: str = ""
    subject_id: str = ""
    person_id: uuid.UUID | None = None
    occurred_from: datetime.datetime | None = None
    occurred_before: datetime.datetime | None = None

    def as_changes(self) -> dict:
        return {k: v for k, v in audit.redact(asdict(self), set()).items() if v not in ("", None)}


def audit_search(*, actor: Membership, filters: AuditFilters) -> QuerySet[AuditEvent]:
    """Events matching every filter given. `action` ending in "*" matches a prefix ("person.*").

    Holders of `audit.search` only (others: 404). The search itself is recorded ("audit.searched",
    with its filters, which hold ids and codes only); a search by person is tied to that person.
    """
    if actor is None or not actor.has_perm("audit.search"):
        raise Http404
    qs = _events()
    if filters.actor_username:
        qs = qs.filter(actor_username=filters.actor_username)
    if filters.organisation_id:
        qs = qs.filter(organisation_id=filters.organisation_id)
    if filters.action:
        if filters.action.endswith("*"):
            qs = qs.filter(action__startswith=filters.action[:-1])
        else:
            qs = qs.filter(action=filters.action)
    if filters.subject_id:
        qs = qs.filter(subject_id=filters.subject_id)
    if filters.person_id:
        qs = qs.filter(person_id=filters.person_id)
    if filters.occurred_from:
        qs = qs.filter(occurred_at__gte=filters.occurred_from)
    if filters.occurred_before:
        qs = qs.filter(occurred_at__lt=filters.occurred_before)
    with transaction.atomic():
        audit.record(
            action="audit.searched",
            actor=actor,
            person_id=filters.person_id,
            changes=filters.as_changes(),
        )
    return qs


def organisations_for_audit_filter(*, actor: Membership) -> QuerySet[Organisation]:
    """Every organisation, inactive ones included: the trail covers the past too."""
    if actor is None or not actor.has_perm("audit.search"):
        return Organisation.objects.none()
    return Organisation.objects.order_by("name")
