"""Isolation of what people typed from the page around it (Unicode bidirectional isolation).

Names, aliases, descriptions, notes, reasons and organisation names are typed by people, in any
script. Printed as they are, a right-to-left character or an override (U+202E) in them runs on
into the page's own text and can reverse it ("spoofing" a name, a date or a place). Every such
value goes through `|bdi`, which wraps it in <bdi>: the browser isolates it and works out its
direction from its own letters, and nothing inside leaks out. The filter is a builtin of the
template engine (settings.TEMPLATES), so every template has it.
"""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter(is_safe=True)
def bdi(value):
    """`value` escaped (unless already safe HTML) and isolated in <bdi>; empty values unchanged."""
    if value is None or value == "":
        return value
    return format_html("<bdi>{}</bdi>", value)
