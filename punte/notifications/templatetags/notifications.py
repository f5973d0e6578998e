from django import template

from punte.notifications.selectors import notification_unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    """Unread notifications of the acting membership (one indexed COUNT per page)."""
    return notification_unread_count(actor=context.get("membership"))
