from __future__ import annotations

import datetime
import uuid

from django.http import HttpRequest
from ninja import Router, Schema

from punte.core.api_support import CursorPage, paginate_by_cursor
from punte.notifications import selectors, services

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: uuid.UUID
    kind: str
    text: str
    subject_type: str
    subject_id: str
    url: str
    created_at: datetime.datetime
    read_at: datetime.datetime | None


class UnreadCount(Schema):
    unread: int


class MarkedRead(Schema):
    marked_read: int


@router.get(
    "/notifications", response=CursorPage[NotificationOut], summary="My notifications, newest first"
)
def list_notifications(
    request: HttpRequest, unread: bool = False, cursor: str | None = None, limit: int = 50
):
    rows, next_cursor = paginate_by_cursor(
        selectors.notification_list_for(actor=request.membership, unread_only=unread),
        cursor=cursor,
        limit=limit,
    )
    return {"items": rows, "next_cursor": next_cursor}


@router.get("/notifications/unread-count", response=UnreadCount, summary="How many are unread")
def unread_count(request: HttpRequest):
    return {"unread": selectors.notification_unread_count(actor=request.membership)}


@router.post("/notifications/read-all", response=MarkedRead, summary="Mark all mine read")
def read_all(request: HttpRequest):
    return {"marked_read": services.notifications_mark_all_read(actor=request.membership)}


@router.post(
    "/notifications/{notification_id}/read", response=NotificationOut, summary="Mark one read"
)
def read_one(request: HttpRequest, notification_id: str):
    notification = selectors.notification_get(
        actor=request.membership, notification_id=notification_id
    )
    return services.notification_mark_read(actor=request.membership, notification=notification)
