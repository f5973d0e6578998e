"""The mechanism end to end through the API (issue 3): an emergency physician records a child
of unknown age and runs the clinical short screen; the routing rules send the child to the
county's child-protection directorate and a prosecutor's office (and the agency's regional
centre); child protection accepts; the prosecutor records the identification decision; the
national agency sees it on its dashboard. Each organisation calls with its own bearer token,
and every POST carries an Idempotency-Key whose replay changes nothing."""

from __future__ import annotations

import uuid

import pytest
from django.utils import timezone

from punte.core.models import AuditEvent
from punte.journey.tests.e2e import CHILD_PRESUMED, cast
from punte.referrals.models import Referral
from punte.testing.api import ApiClient

pytestmark = pytest.mark.django_db


def post(client: ApiClient, path: str, body: dict, expected: int = 200) -> dict:
    """POST with a fresh Idempotency-Key, then replay it: the same answer, nothing written."""
    key = str(uuid.uuid4())
    first = client.post(path, body, headers={"Idempotency-Key": key})
    assert first.status_code == expected, first.content
    events = AuditEvent.objects.count()
    again = client.post(path, body, headers={"Idempotency-Key": key})
    assert again.status_code == expected
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert AuditEvent.objects.count() == events
    return first.json()


def sections(client: ApiClient) -> dict:
    return {s["key"]: s for s in client.get("/worklist").json()["sections"]}


def figure(client: ApiClient, key: str) -> dict:
    body = client.get("/statistics/dashboard").json()
    return next(f for f in body["figures"] if f["key"] == key)


def test_a_child_from_the_emergency_room_to_the_national_dashboard():
    c = cast()
    physician, child_protection = ApiClient(c.physician), ApiClient(c.child_protection)
    prosecutor, agency = ApiClient(c.prosecutor), ApiClient(c.coordinator)
    assert figure(agency, "identified_victims_year") == {
        "key": "identified_victims_year",
        "label": "Persons formally identified as victims this year",
        "count": 0,
        "suppressed": False,
    }

    # 1. The physician records the child: no name, no date of birth (treated as a child).
    person = post(physician, "/persons", {"identity_unknown": True, "sex": "female"}, expected=201)
    person_id = person["id"]

    # 2. The clinical short screen.
    draft = post(physician, f"/persons/{person_id}/screenings", {"kind": "short"}, 201)
    assert draft["status"] == "draft"
    assert sections(physician)["screenings.drafts"]["count"] == 1
    post(physician, f"/screenings/{draft['id']}/answers", {"answers": CHILD_PRESUMED})
    done = post(physician, f"/screenings/{draft['id']}/complete", {})
    assert done["outcome"] == "presumed_victim"
    assert sections(physician)["screenings.drafts"]["count"] == 0

    # 3. Routing: child protection and a prosecutor (and the regional centre), explained.
    routing = physician.get(f"/persons/{person_id}/routing").json()
    assert routing["is_child"] is True and routing["can_send"] is True
    proposals = {p["rule_code"]: p for p in routing["proposals"]}
    expected = {
        "child-protection": c.dgaspc,
        "child-prosecutor": c.prosecution,
        "regional-centre": c.centre,
    }
    for code, organisation in expected.items():
        assert [o["id"] for o in proposals[code]["candidates"]] == [str(organisation.pk)], code
    sent = post(
        physician,
        f"/persons/{person_id}/referrals",
        {
            "referrals": [
                {"rule_code": code, "receiver_organisation_id": str(organisation.pk)}
                for code, organisation in expected.items()
            ]
        },
        expected=201,
    )
    by_receiver = {r["receiver_organisation"]["id"]: r for r in sent["referrals"]}
    to_dgaspc = by_receiver[str(c.dgaspc.pk)]
    to_prosecutor = by_receiver[str(c.prosecution.pk)]
    assert sections(physician)["referrals.awaiting"]["count"] == 3

    # 4. Child protection finds it on its worklist, cannot open the record yet, accepts.
    incoming = sections(child_protection)["referrals.incoming"]
    assert [i["id"] for i in incoming["items"]] == [to_dgaspc["id"]]
    assert child_protection.get(f"/persons/{person_id}").status_code == 404
    accepted = post(child_protection, f"/referrals/{to_dgaspc['id']}/accept", {})
    assert accepted["status"] == "accepted"
    assert child_protection.get(f"/persons/{person_id}").status_code == 200

    # 5. The prosecutor accepts; the person waits on the list of decisions to take.
    assert "decisions.to_take" in sections(prosecutor)
    post(prosecutor, f"/referrals/{to_prosecutor['id']}/accept", {})
    to_take = sections(prosecutor)["decisions.to_take"]
    assert [i["person_id"] for i in to_take["items"]] == [person_id]
    decision = post(
        prosecutor,
        f"/persons/{person_id}/decisions",
        {
            "outcome": "identified_victim",
            "decided_on": timezone.localdate().isoformat(),
            "grounds": "Hearing in the hearing room; medical findings.",
            "exploitation_forms": ["sexual"],
        },
        expected=201,
    )
    assert decision["outcome"] == "identified_victim"
    assert sections(prosecutor)["decisions.to_take"]["count"] == 0

    # 6. The national agency sees it: one person identified this year, a small count, so
    # suppressed in what leaves the agency; the referrals by state and receiver type.
    assert figure(agency, "identified_victims_year") == {
        "key": "identified_victims_year",
        "label": "Persons formally identified as victims this year",
        "count": None,
        "suppressed": True,
    }
    board = agency.get("/statistics/dashboard").json()
    referrals = next(t for t in board["tables"] if t["key"] == "referrals_by_state")
    assert {r["key"] for r in referrals["rows"]} == {
        "child_protection",
        "prosecution",
        "regional_centre",
    }
    assert Referral.objects.filter(person_id=person_id, status="accepted").count() == 2

    # 7. The journey, as the physician sees it: their steps in full, the decision in outline.
    steps = physician.get(f"/persons/{person_id}/journey").json()["steps"]
    seen = [(s["kind"], s["level"]) for s in steps]
    assert seen[:2] == [("person.recorded", "full"), ("screening.completed", "full")]
    assert seen.count(("referral.sent", "full")) == 3
    assert seen.count(("referral.accepted", "full")) == 2
    assert seen[-1] == ("decision.recorded", "outline")
    assert "Hearing in the hearing room" not in str(steps)
    # ... and as child protection sees it: the decision is the prosecutor's, in outline.
    steps = child_protection.get(f"/persons/{person_id}/journey").json()["steps"]
    kinds = {s["kind"]: s for s in steps}
    assert kinds["decision.recorded"]["level"] == "outline"
    assert kinds["decision.recorded"]["status"] == "Formally identified victim"
    assert kinds["screening.completed"]["level"] == "outline"
    # The prosecutor's office took no step with child protection: its name is not shown.
    assert c.prosecution.name not in str(steps)
    assert c.hospital.name in str(steps)  # the hospital referred the child to child protection
