"""The hearing pages: the registry, a week, the slot finder, booking with errors beside their
fields, a hearing, cancelling after a confirmation; another organisation gets 404."""

import pytest
from django.urls import reverse

from punte.accounts.models import OrganisationType
from punte.accounts.tests.factories import MembershipFactory, OrganisationFactory
from punte.cases.tests.factories import open_case, team_member
from punte.hearings.models import Hearing, HearingStatus
from punte.hearings.tests.factories import at, book, make_room, working_day
from punte.testing.web import verified_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_mail(monkeypatch):
    monkeypatch.setattr("punte.hearings.invitations.transaction.on_commit", lambda c, robust: None)


@pytest.fixture
def setting():
    case = open_case(is_child=True)
    manager = case.created_by.memberships.get()
    room = make_room(county=case.county_id)
    return case, manager, room


def test_the_registry_lists_rooms_filtered_by_equipment(setting):
    _case, manager, room = setting
    plain = make_room(video=False, name="Fără video")
    client = verified_client(manager.user)
    page = client.get(reverse("hearings:rooms"), {"equipment": "video_recording"})
    assert page.status_code == 200
    assert room.name in page.content.decode()
    assert plain.name not in page.content.decode()


def test_the_week_shows_another_case_s_hearing_as_booked_only(setting):
    case, manager, room = setting
    day = working_day()
    book(actor=manager, case=case, room=room, start=at(day, 10))
    outsider = MembershipFactory(role_code="child_protection_officer")
    page = verified_client(outsider.user).get(
        reverse("hearings:room_week", args=[room.pk]), {"day": day.isoformat()}
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert "Booked" in text and "/hearings/" not in text.split("Week of")[-1].split("<a")[0]
    own = verified_client(manager.user).get(
        reverse("hearings:room_week", args=[room.pk]), {"day": day.isoformat()}
    )
    hearing = Hearing.objects.get()
    assert reverse("hearings:detail", args=[hearing.pk]) in own.content.decode()


def test_booking_through_the_page_and_an_error_beside_its_field(setting):
    case, manager, room = setting
    prosecutor, _member = team_member(case, manager=manager)
    client = verified_client(manager.user)
    url = reverse("hearings:book", args=[case.pk])
    form = client.get(url)
    assert form.status_code == 200
    assert prosecutor.user.get_full_name() in form.content.decode()
    day = working_day()
    data = {
        "room": room.pk,
        "day": day.isoformat(),
        "start": "07:00",
        "duration": 60,
        "purpose": "hearing",
        f"take_{manager.pk}": "on",
        f"role_{manager.pk}": "social_worker",
        f"take_{prosecutor.pk}": "on",
        f"role_{prosecutor.pk}": "prosecutor",
    }
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "opening hours" in refused.content.decode()
    assert not Hearing.objects.exists()
    data["start"] = "10:00"
    booked = client.post(url, data)
    hearing = Hearing.objects.get()
    assert booked.status_code == 302 and booked["Location"].endswith(f"/hearings/{hearing.pk}/")
    assert hearing.participants.count() == 2
    detail = client.get(booked["Location"])
    assert detail.status_code == 200
    assert prosecutor.user.get_full_name() in detail.content.decode()


def test_cancelling_asks_first_then_cancels(setting):
    case, manager, room = setting
    hearing = book(actor=manager, case=case, room=room, start=at(working_day(), 10))
    client = verified_client(manager.user)
    url = reverse("hearings:cancel", args=[hearing.pk])
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "cannot be undone" in confirm.content.decode()
    hearing.refresh_from_db()
    assert hearing.status == HearingStatus.BOOKED
    assert client.post(url, {}).status_code == 200  # no reason: asked again
    done = client.post(url, {"reason": "child_unavailable"})
    assert done.status_code == 302
    hearing.refresh_from_db()
    assert hearing.status == HearingStatus.CANCELLED


def test_the_slot_finder_offers_to_book_the_slot_for_the_case(setting):
    case, manager, room = setting
    client = verified_client(manager.user)
    page = client.get(
        reverse("hearings:slots"),
        {"case": case.pk, "county": case.county_id, "duration": 60, "participants": [manager.pk]},
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert room.name in text
    assert reverse("hearings:book", args=[case.pk]) in text


def test_every_hearing_page_is_not_found_for_another_organisation(setting):
    case, manager, room = setting
    hearing = book(actor=manager, case=case, room=room, start=at(working_day(), 10))
    stranger = MembershipFactory(
        organisation=OrganisationFactory(type=OrganisationType.CHILD_PROTECTION),
        role_code="child_protection_officer",
    )
    client = verified_client(stranger.user)
    for url in (
        reverse("hearings:detail", args=[hearing.pk]),
        reverse("hearings:reschedule", args=[hearing.pk]),
        reverse("hearings:cancel", args=[hearing.pk]),
        reverse("hearings:case_hearings", args=[case.pk]),
        reverse("hearings:book", args=[case.pk]),
        reverse("hearings:slots") + f"?case={case.pk}",
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(
            reverse("hearings:cancel", args=[hearing.pk]), {"reason": "booked_in_error"}
        ).status_code
        == 404
    )


def test_a_participant_of_another_organisation_sees_the_hearing_but_cannot_change_it(setting):
    case, manager, room = setting
    prosecutor, _member = team_member(case, manager=manager)
    hearing = book(
        actor=manager,
        case=case,
        room=room,
        start=at(working_day(), 10),
        people=[(manager, "social_worker"), (prosecutor, "prosecutor")],
    )
    client = verified_client(prosecutor.user)
    page = client.get(reverse("hearings:detail", args=[hearing.pk]))
    assert page.status_code == 200
    assert reverse("hearings:cancel", args=[hearing.pk]) not in page.content.decode()


def test_the_case_page_links_to_its_hearings_proceedings_and_documents(setting):
    case, manager, _room = setting
    page = verified_client(manager.user).get(reverse("cases:detail", args=[case.pk]))
    text = page.content.decode()
    assert reverse("hearings:case_hearings", args=[case.pk]) in text
    assert reverse("proceedings:case_proceedings", args=[case.pk]) in text
    assert reverse("documents:case_documents", args=[case.pk]) in text
