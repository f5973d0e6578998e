from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from punte.core.api_support import paginate_by_cursor
from punte.core.errors import ServiceError
from punte.notifications import selectors, services


def _actor(request):
    if request.membership is None:
        raise PermissionDenied
    return request.membership


def notification_list(request):
    actor = _actor(request)
    unread_only = request.GET.get("show") == "unread"
    try:
        notifications, next_cursor = paginate_by_cursor(
            selectors.notification_list_for(actor=actor, unread_only=unread_only),
            cursor=request.GET.get("cursor"),
            limit=50,
        )
    except ServiceError:
        notifications, next_cursor = [], None
    return render(
        request,
        "notifications/list.html",
        {
            "notifications": notifications,
            "next_cursor": next_cursor,
            "unread_only": unread_only,
            "unread_count": selectors.notification_unread_count(actor=actor),
        },
    )


@require_POST
def notification_open(request, notification_id):
    """Mark read and go to the item (a POST: reading changes state)."""
    actor = _actor(request)
    notification = selectors.notification_get(actor=actor, notification_id=notification_id)
    services.notification_mark_read(actor=actor, notification=notification)
    if notification.url and url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None):
        return redirect(notification.url)
    return redirect("notifications:list")


@require_POST
def notification_read(request, notification_id):
    actor = _actor(request)
    notification = selectors.notification_get(actor=actor, notification_id=notification_id)
    services.notification_mark_read(actor=actor, notification=notification)
    return redirect("notifications:list")


@require_POST
def notification_read_all(request):
    services.notifications_mark_all_read(actor=_actor(request))
    return redirect("notifications:list")
