"""Hearing rooms and hearings (ADR 0039).

`hearing_room.view` reads the national registry of rooms and their calendars (busy times only:
a hearing's details are the case's). `hearing_room.manage` keeps the registry (the national
agency). `hearing.view` reads the hearings of the cases one may see, and those one takes part in;
`hearing.book` books, reschedules and cancels them for the cases one's organisation manages or
whose team one is on.
"""

from django.utils.translation import gettext_lazy as _

PERMISSIONS: dict[str, str] = {
    "hearing_room.view": _("See the hearing rooms, their equipment and when they are free"),
    "hearing_room.manage": _("Keep the registry of hearing rooms and their opening hours"),
    "hearing.view": _("See the hearings of the cases one may see, and those one takes part in"),
    "hearing.book": _("Book, reschedule and cancel hearings in a hearing room for a case"),
}

_ROOMS = ["hearing_room.view"]
_PARTICIPATE = [*_ROOMS, "hearing.view"]
_BOOK = [*_PARTICIPATE, "hearing.book"]

DEFAULT_GRANTS: dict[str, list[str]] = {
    "system_admin": ["hearing_room.view", "hearing_room.manage"],
    "national_coordinator": [*_ROOMS, "hearing_room.manage"],
    "regional_officer": _BOOK,
    "child_protection_officer": _BOOK,
    "child_protection_supervisor": _BOOK,
    "unit_supervisor": _BOOK,
    "ngo_caseworker": _BOOK,
    "prosecutor": _BOOK,
    "police_investigator": _BOOK,
    "service_provider": _PARTICIPATE,
    "clinician": _PARTICIPATE,
}
