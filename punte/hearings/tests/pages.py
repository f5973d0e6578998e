"""Hearing rooms' pages in the accessibility suite (punte.testing.accessibility)."""

from django.urls import reverse

from punte.cases.tests.pages import child_case
from punte.testing.pages import Page


def _hearing(scene):
    """A room of the case's county and a hearing booked in it, built once per scene."""
    if getattr(scene, "_hearing", None) is None:
        from punte.hearings.tests.factories import at, book, make_room, working_day

        case, manager = child_case(scene)
        room = make_room(county=case.county_id, name="Camera de audiere Cluj")
        scene._hearing = book(actor=manager, case=case, room=room, start=at(working_day(), 10))
    return scene._hearing


def _manager(scene):
    return child_case(scene)[1]


def _of_hearing(name: str):
    return lambda s: reverse(f"hearings:{name}", args=[_hearing(s).pk])


def _of_case(name: str, query: str = ""):
    def path(scene):
        _hearing(scene)
        return reverse(f"hearings:{name}", args=[child_case(scene)[0].pk]) + query

    return path


PAGES = [
    Page("hearing rooms", lambda s: (_hearing(s), reverse("hearings:rooms"))[1], login=_manager),
    Page(
        "hearing room's week",
        lambda s: reverse("hearings:room_week", args=[_hearing(s).room_id]),
        login=_manager,
    ),
    Page(
        "county's hearing rooms",
        lambda s: reverse("hearings:county_week", args=[_hearing(s).room.county_id]),
        login=_manager,
    ),
    Page(
        "first free slot",
        lambda s: (
            reverse("hearings:slots")
            + f"?case={child_case(s)[0].pk}&county={_hearing(s).room.county_id}&duration=60"
        ),
        login=_manager,
    ),
    Page("case's hearings", _of_case("case_hearings"), login=_manager),
    Page("book a hearing room", _of_case("book"), login=_manager),
    Page("hearing", _of_hearing("detail"), login=_manager),
    Page("change a hearing", _of_hearing("reschedule"), login=_manager),
    Page("cancel a hearing", _of_hearing("cancel"), login=_manager),
]
