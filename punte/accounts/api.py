from __future__ import annotations

import uuid

from django.http import HttpRequest
from ninja import Router, Schema

from punte.accounts import selectors
from punte.core.api_support import CursorPage, paginate_by_cursor

router = Router(tags=["accounts"])


class MembershipOut(Schema):
    organisation_id: uuid.UUID
    organisation_name: str
    role: str
    permissions: list[str]


class MeOut(Schema):
    username: str
    membership: MembershipOut


class OrganisationOut(Schema):
    id: uuid.UUID
    code: str
    name: str
    type: str
    county: str | None
    is_active: bool

    @staticmethod
    def resolve_county(obj) -> str | None:
        return obj.county_id


@router.get("/me", response=MeOut, summary="Who the credentials act as")
def me(request: HttpRequest):
    membership = request.membership
    return {
        "username": membership.user.username,
        "membership": {
            "organisation_id": membership.organisation_id,
            "organisation_name": membership.organisation.name,
            "role": membership.role_id,
            "permissions": sorted(membership.permission_codes),
        },
    }


@router.get(
    "/organisations", response=CursorPage[OrganisationOut], summary="The registry of organisations"
)
def list_organisations(request: HttpRequest, cursor: str | None = None, limit: int = 50):
    rows, next_cursor = paginate_by_cursor(
        selectors.organisation_list_visible_to(actor=request.membership),
        cursor=cursor,
        limit=limit,
    )
    return {"items": rows, "next_cursor": next_cursor}
