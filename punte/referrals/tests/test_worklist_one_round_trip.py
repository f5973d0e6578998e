"""The API's incoming worklist reads its page in the same round trip as the token's check
(ADR 0013, PostgreSQL): the same pages as worklist_page(), the token judged as everywhere, and
nothing read for a token that is refused, even by the statement itself."""

import datetime
import json

import pytest
from django.db import connection
from django.utils import timezone
from freezegun import freeze_time

from punte.accounts.auth import check_token_and_read, hash_token
from punte.accounts.models import ApiToken, OrganisationType
from punte.accounts.tests.factories import MembershipFactory, OrganisationFactory
from punte.referrals import selectors
from punte.referrals.tests.factories import send_service_referral
from punte.testing.api import ApiClient

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="pipeline mode: PostgreSQL"),
]


@pytest.fixture
def responder():
    receiver = OrganisationFactory(type=OrganisationType.NGO)
    membership = MembershipFactory(organisation=receiver, role_code="ngo_caseworker")
    for _ in range(5):
        send_service_referral(receiver=receiver)
    send_service_referral()  # to another organisation
    return membership


@pytest.fixture
def forbid_the_second_round_trip(monkeypatch):
    def refuse(**kwargs):
        raise AssertionError("the page was read after the token, in a round trip of its own")

    monkeypatch.setattr(selectors, "worklist_page", refuse)


def pages_through(api: ApiClient, **params) -> list[dict]:
    found, cursor = [], None
    while True:
        response = api.get(
            "/referrals/incoming", **params, **({"cursor": cursor} if cursor else {})
        )
        assert response.status_code == 200, response.content
        found.append(response.json())
        cursor = found[-1]["next_cursor"]
        if cursor is None:
            return found


def test_the_pages_are_worklist_pages_read_with_the_token(responder, monkeypatch):
    expected, cursor = [], None
    while True:
        items, next_cursor = selectors.worklist_page(actor=responder, cursor=cursor, limit=2)
        expected.append({"items": json.loads(items), "next_cursor": next_cursor})
        cursor = next_cursor
        if cursor is None:
            break
    monkeypatch.setattr(selectors, "worklist_page", None)  # any call to it fails
    assert pages_through(ApiClient(responder), limit=2) == expected
    assert [len(page["items"]) for page in expected] == [2, 2, 1]


def test_the_token_is_still_judged_and_last_used_recorded(responder, forbid_the_second_round_trip):
    api = ApiClient(responder)
    assert api.get("/referrals/incoming").status_code == 200
    assert ApiToken.objects.get(membership=responder).last_used_at is not None


def revoke(token):
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())


def expire(token):
    # Before the test's transaction began: inside it, PostgreSQL's now() is that instant, and a
    # slow setup (a loaded machine) would otherwise leave the token unexpired for the statement.
    past = timezone.now() - datetime.timedelta(hours=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=past)


def deactivate(relation):
    def spoil(token):
        target = (
            token.membership if relation == "membership" else getattr(token.membership, relation)
        )
        type(target).objects.filter(pk=target.pk).update(is_active=False)

    return spoil


@pytest.mark.parametrize(
    "spoil, refusal",
    [
        (revoke, "revoked"),
        (expire, "expired"),
        (deactivate("membership"), "inactive"),
        (deactivate("organisation"), "inactive"),
        (deactivate("user"), "inactive"),
    ],
)
def test_a_refused_token_gets_401_and_the_statement_itself_finds_nothing(responder, spoil, refusal):
    api = ApiClient(responder)
    spoil(ApiToken.objects.select_related("membership__organisation", "membership__user").get())
    response = api.get("/referrals/incoming")
    assert response.status_code == 401 and refusal in response.json()["detail"]
    # What the page's statement answers for that token, before any judgement in Python.
    sql = selectors._WORKLIST_JSON_SQL.replace("RECEIVER", selectors._TOKEN_RECEIVER_SQL)
    with connection.cursor() as cursor:
        cursor.execute(
            sql.replace("AFTER_CURSOR", ""),
            [hash_token(api.token), *selectors._json_page_params(50)],
        )
        assert cursor.fetchone()[:2] == (0, "[]")


def test_a_role_that_may_not_answer_gets_an_empty_page_as_before(forbid_the_second_round_trip):
    receiver = OrganisationFactory(type=OrganisationType.HOSPITAL)
    send_service_referral(receiver=receiver)
    clinician = MembershipFactory(organisation=receiver, role_code="clinician")
    assert clinician.has_perm("referral.view") and not clinician.has_perm("referral.respond")
    response = ApiClient(clinician).get("/referrals/incoming")
    assert response.status_code == 200
    assert response.json() == {"items": [], "next_cursor": None}


def test_check_token_and_read_returns_nothing_for_an_unknown_or_malformed_token(rf):
    assert check_token_and_read(rf.get("/"), "pnt_nothing_here", "SELECT 1", lambda d: []) is None
    assert (
        check_token_and_read(rf.get("/"), "not-a-token", "SELECT 1", lambda d: []) is NotImplemented
    )


def test_a_bad_limit_or_cursor_is_refused_as_before(responder):
    api = ApiClient(responder)
    assert api.get("/referrals/incoming", limit=0).status_code == 400
    assert api.get("/referrals/incoming", limit="many").status_code == 422
    assert api.get("/referrals/incoming", cursor="forged").status_code == 400


def test_when_the_statement_and_python_disagree_on_the_token_the_usual_way_decides(responder):
    # The application's clock 60 s behind the database's: a token that expired 10 s ago by the
    # database's clock is still good for Python, so the statement finds no receiver while
    # Python accepts the token (found in review). The page is then read the usual way.
    api = ApiClient(responder)
    now = timezone.now()
    ApiToken.objects.update(expires_at=now - datetime.timedelta(seconds=10))
    expected = json.loads(selectors.worklist_page(actor=responder)[0])
    assert len(expected) == 5
    with freeze_time(now - datetime.timedelta(seconds=60)):
        response = api.get("/referrals/incoming")
    assert response.status_code == 200
    assert response.json()["items"] == expected
