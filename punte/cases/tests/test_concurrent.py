"""Two supervisors approve the closure of the same case at the same moment, on PostgreSQL: one
closes it, the other is answered 409; the history holds one closure. And two organisations
opening a case for one person at once: one case.

Each thread has its own connection and commits for real (transactional_db); a barrier releases
both requests together, and the row lock (or the one-active-case constraint) decides.
"""

import pytest

from punte.accounts.models import OrganisationType
from punte.accounts.tests.factories import OrganisationFactory
from punte.cases.models import Case, CaseEvent
from punte.cases.tests.factories import closure_requested, manager_of, open_case, supervisor_of
from punte.referrals import services as referral_services
from punte.referrals.tests.factories import responder_of, send_service_referral
from punte.referrals.tests.helpers import child
from punte.testing.api import ApiClient
from punte.testing.concurrency import run_together

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _together(calls):
    return run_together(calls)


def test_two_supervisors_approving_at_once_one_closes_the_other_gets_409():
    case = open_case()
    closure_requested(case, manager=manager_of(case.owner_organisation))
    first = ApiClient(supervisor_of(case.owner_organisation))
    second = ApiClient(supervisor_of(case.owner_organisation))
    path = f"/cases/{case.pk}/closure-approval"
    responses = _together([lambda: first.post(path), lambda: second.post(path)])
    assert sorted(r.status_code for r in responses) == [200, 409], [r.content for r in responses]
    refused = next(r for r in responses if r.status_code == 409)
    assert refused.json()["errors"][0]["field"] == "status"
    assert "Closed" in refused.json()["detail"]
    assert Case.objects.get(pk=case.pk).status == "closed"
    assert CaseEvent.objects.filter(case=case, action="closed").count() == 1


def test_approving_and_refusing_at_once_one_wins_and_the_other_changes_nothing():
    case = open_case()
    closure_requested(case, manager=manager_of(case.owner_organisation))
    approving = ApiClient(supervisor_of(case.owner_organisation))
    refusing = ApiClient(supervisor_of(case.owner_organisation))
    responses = _together(
        [
            lambda: approving.post(f"/cases/{case.pk}/closure-approval"),
            lambda: refusing.post(f"/cases/{case.pk}/closure-refusal", {"reason": "Not yet."}),
        ]
    )
    assert sorted(r.status_code for r in responses) == [200, 409]
    decided = CaseEvent.objects.filter(case=case, action__in=["closed", "closure_refused"])
    assert decided.count() == 1
    assert Case.objects.get(pk=case.pk).status in ("closed", "open")


def test_two_directorates_opening_a_case_for_one_child_at_once_make_one_case():
    first_org = OrganisationFactory(type=OrganisationType.CHILD_PROTECTION)
    second_org = OrganisationFactory(type=OrganisationType.CHILD_PROTECTION)
    sender = manager_of(OrganisationFactory(type=OrganisationType.REGIONAL_CENTRE))
    person = child(sender)
    referrals = []
    for organisation in (first_org, second_org):
        referral = send_service_referral(sender=sender, receiver=organisation, person=person)
        referral_services.referral_accept(actor=responder_of(organisation), referral_id=referral.pk)
        referrals.append(referral)
    clients = [ApiClient(manager_of(first_org)), ApiClient(manager_of(second_org))]
    responses = _together(
        [
            lambda: clients[0].post(f"/referrals/{referrals[0].pk}/case", {}),
            lambda: clients[1].post(f"/referrals/{referrals[1].pk}/case", {}),
        ]
    )
    assert sorted(r.status_code for r in responses) == [201, 422], [r.content for r in responses]
    refused = next(r for r in responses if r.status_code == 422)
    assert refused.json()["errors"][0]["field"] == "referral_id"
    assert Case.objects.filter(person=person).count() == 1
