"""The national dashboard: who may read it, what it counts, and what leaves the agency."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from freezegun import freeze_time

from punte.accounts.models import OrganisationType
from punte.accounts.permissions import ROLE_DEFINITIONS, roles
from punte.accounts.tests.factories import MembershipFactory
from punte.identification.persons.tests.factories import create_person
from punte.identification.screening.services import consent, decisions
from punte.identification.screening.tests.factories import make_competent, running_period
from punte.identification.signals.tests.factories import create_signal
from punte.testing.api import ApiClient
from punte.testing.web import verified_client

pytestmark = pytest.mark.django_db

HOLDERS = {code for code, (_n, _s, perms) in roles().items() if "dashboard.national" in perms}


def test_the_dashboard_belongs_to_the_agency_s_roles():
    assert {"national_coordinator", "regional_officer", "data_analyst"} == HOLDERS


@pytest.mark.parametrize("role_code", sorted(ROLE_DEFINITIONS))
def test_without_the_permission_the_dashboard_is_not_found(role_code):
    member = MembershipFactory(role_code=role_code)
    page = verified_client(member.user).get(reverse("statistics:dashboard"))
    api = ApiClient(member).get("/statistics/dashboard")
    expected = 200 if role_code in HOLDERS else 404
    assert page.status_code == expected
    assert api.status_code == expected
    nav = verified_client(member.user).get("/").content.decode()
    assert (reverse("statistics:dashboard") in nav) == (role_code in HOLDERS)


@pytest.fixture
def figures():
    """Signals in November and October, decisions about five persons, notifications."""
    officer = MembershipFactory(role_code="regional_officer")
    prosecutor = make_competent(MembershipFactory(role_code="prosecutor"))
    with freeze_time("2026-10-10 10:00"):
        create_signal(actor=officer, channel="hotline", county="RO-IS")
    with freeze_time("2026-11-20 10:00"):
        for _ in range(6):
            create_signal(actor=officer, channel="in_person", county="RO-CJ")
        create_signal(actor=officer, channel="hotline", county="RO-CJ")
        people = [create_person(actor=officer) for _ in range(7)]
        for person in people[:6]:
            decisions.decision_record(
                actor=prosecutor,
                person=person,
                outcome="identified_victim",
                decided_on=datetime.date(2026, 11, 18),
                grounds="Statement and documents.",
                exploitation_forms=["labour"],
            )
        # A later decision about the same person replaces the earlier one in the counts.
        decisions.decision_record(
            actor=prosecutor,
            person=people[0],
            outcome="presumed_victim",
            decided_on=datetime.date(2026, 11, 19),
            grounds="Reconsidered.",
            exploitation_forms=["sexual", "labour"],
        )
        decisions.decision_record(
            actor=prosecutor,
            person=people[6],
            outcome="presumed_victim",
            decided_on=datetime.date(2026, 3, 1),
            grounds="Hotline report confirmed.",
            exploitation_forms=["begging"],
        )
        notifier = MembershipFactory(role_code="ngo_caseworker")
        for _ in range(2):
            consent.anonymous_notification_record(
                actor=notifier,
                sex="female",
                age_group="adult",
                citizenship_group="national",
                exploitation_forms=["sexual"],
                notified_on=datetime.date(2026, 11, 19),
            )
        running_period(create_person(actor=officer, citizenship="UA"), days=10)
    return {"officer": officer}


def _coordinator():
    return MembershipFactory(
        role_code="national_coordinator",
        organisation__type=OrganisationType.NATIONAL_AGENCY,
    )


@freeze_time("2026-11-20 12:00")
def test_the_page_shows_exact_figures_and_marks_small_ones(figures):
    response = verified_client(_coordinator().user).get(reverse("statistics:dashboard"))
    board = response.context["board"]
    channel = board.table("signals_by_channel")
    assert channel.value("in_person", "month") == 6 and channel.value("in_person", "year") == 6
    assert channel.value("hotline", "month") == 1 and channel.value("hotline", "year") == 2
    county = board.table("signals_by_county")
    assert county.value("RO-CJ", "month") == 7 and county.value("RO-IS", "year") == 1
    month = board.table("decisions_month")
    assert month.value("labour", "identified_victim") == 5
    assert month.value("labour", "presumed_victim") == 1
    assert month.value("sexual", "presumed_victim") == 1
    assert month.value("begging", "presumed_victim") == 0
    assert month.total == 6
    year = board.table("decisions_year")
    assert year.value("begging", "presumed_victim") == 1 and year.total == 7
    assert board.figures["presumed_victims_year"][1] == 2
    assert board.figures["identified_victims_year"][1] == 5
    assert board.figures["anonymous_notifications_year"][1] == 2
    assert board.figures["reflection_running"][1] == 1
    assert board.figures["reflection_ending_soon"][1] == 1
    text = response.content.decode()
    assert "Signals by channel" in text and "<caption>" in text
    assert 'class="small-count"' in text  # the ones and twos are marked


@freeze_time("2026-11-20 12:00")
def test_the_api_suppresses_what_could_identify_someone(figures):
    body = ApiClient(_coordinator()).get("/statistics/dashboard").json()
    tables = {t["key"]: t for t in body["tables"]}
    cells = {(c["row"], c["column"]): c for c in tables["decisions_month"]["cells"]}
    assert cells[("labour", "identified_victim")] == {
        "row": "labour",
        "column": "identified_victim",
        "count": 5,
        "suppressed": False,
    }
    assert cells[("labour", "presumed_victim")]["count"] is None
    assert cells[("labour", "presumed_victim")]["suppressed"] is True
    assert cells[("begging", "presumed_victim")]["count"] == 0
    figures_out = {f["key"]: f for f in body["figures"]}
    assert figures_out["identified_victims_year"]["count"] == 5
    assert figures_out["presumed_victims_year"] == {
        "key": "presumed_victims_year",
        "label": "Persons decided presumed victims this year",
        "count": None,
        "suppressed": True,
    }
    assert body["small_count"] == 5
    # Every number in the answer is either suppressed or not small.
    for table in body["tables"]:
        for cell in table["cells"]:
            assert cell["suppressed"] or not (0 < cell["count"] < 5)


def test_the_dashboard_names_no_one(figures):
    text = verified_client(_coordinator().user).get(reverse("statistics:dashboard")).content
    assert b"Popescu" not in text and b"Statement and documents" not in text


def test_overdue_referrals_are_listed_for_the_agency_that_monitors_them():
    from django.utils import timezone

    from punte.referrals.tests.factories import send_service_referral

    with freeze_time(timezone.now() - datetime.timedelta(days=5)):
        late = send_service_referral()
    coordinator = _coordinator()
    response = verified_client(coordinator.user).get(reverse("statistics:dashboard"))
    board = response.context["board"]
    assert board.overdue_count == 1
    assert [item.reference for item in board.overdue] == [str(late.pk)[:8].upper()]
    text = response.content.decode()
    assert reverse("referrals:detail", args=[late.pk]) in text
    assert reverse("referrals:overdue") in text
    # Through the API the single overdue referral is a small count: neither count nor list.
    body = ApiClient(coordinator).get("/statistics/dashboard").json()
    assert body["overdue_referrals"] == {"count": None, "suppressed": True}
    assert body["overdue"] == []
    # A regional officer holds the dashboard but not the national list of overdue referrals.
    officer = MembershipFactory(role_code="regional_officer")
    board = verified_client(officer.user).get(reverse("statistics:dashboard")).context["board"]
    assert board.overdue_count is None and board.overdue == []


def test_five_overdue_referrals_leave_the_agency_with_their_list():
    from django.utils import timezone

    from punte.referrals.tests.factories import send_service_referral

    with freeze_time(timezone.now() - datetime.timedelta(days=5)):
        for _ in range(5):
            send_service_referral()
    body = ApiClient(_coordinator()).get("/statistics/dashboard").json()
    assert body["overdue_referrals"] == {"count": 5, "suppressed": False}
    assert len(body["overdue"]) == 5
    assert set(body["overdue"][0]) == {"reference", "receiver_type", "county", "due_at"}
