"""The audit trail over the API: a person's access log for the data protection officer."""

from __future__ import annotations

import datetime
import uuid

from django.http import HttpRequest
from ninja import Router, Schema

from punte.auditing import selectors as audit_selectors
from punte.core.api_support import CursorPage, paginate_by_cursor

# The prefix its operation ids were published under, before the audit pages left core.
OPERATION_ID_PREFIX = "punte_core_api_audit"

router = Router(tags=["audit"])


class AccessEventOut(Schema):
    id: int
    occurred_at: datetime.datetime
    action: str
    actor_id: uuid.UUID | None
    actor_username: str
    organisation_id: uuid.UUID | None
    organisation_name: str | None
    subject_type: str
    subject_id: str
    request_id: str

    @staticmethod
    def resolve_organisation_name(event) -> str | None:
        return event.organisation.name if event.organisation_id else None


@router.get(
    "/audit/persons/{person_id}/access",
    response=CursorPage[AccessEventOut],
    summary="Who accessed a person's data (GDPR art. 15)",
)
def person_access(
    request: HttpRequest, person_id: uuid.UUID, cursor: str | None = None, limit: int = 50
):
    """Every event about one person (opened, changed, exported, and consultations of this log),
    newest first. Needs `audit.view_person_access`; others get 404. The call is itself recorded
    as "audit.person_access_viewed". The person need not exist any more."""
    events = audit_selectors.person_access_list(
        actor=request.membership, person_id=person_id, via="api"
    )
    rows, next_cursor = paginate_by_cursor(
        events, cursor=cursor, limit=limit, order_field="occurred_at"
    )
    return {"items": rows, "next_cursor": next_cursor}
