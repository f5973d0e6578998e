"""The worklist's hand-written SQL and the queryset rule agree: same rows, same order, same
pages, for every state, and nothing for a role that may not respond."""

import datetime
import json

import pytest
from django.utils import timezone

from punte.accounts.models import OrganisationType
from punte.accounts.tests.factories import MembershipFactory, OrganisationFactory
from punte.core.api_support import CursorPage
from punte.core.models import AuditEvent
from punte.referrals.api import WorklistItem
from punte.referrals.models import Referral
from punte.referrals.selectors import referral_incoming_open, worklist_page
from punte.referrals.tests.factories import (
    AcceptedReferralFactory,
    CompletedReferralFactory,
    RejectedReferralFactory,
    SentReferralFactory,
    WithdrawnReferralFactory,
)

pytestmark = pytest.mark.django_db


def test_sql_page_equals_the_queryset_rule(rules):
    receiver = OrganisationFactory(type=OrganisationType.CHILD_PROTECTION)
    responder = MembershipFactory(organisation=receiver, role_code="child_protection_officer")
    for factory in (
        SentReferralFactory,
        AcceptedReferralFactory,
        RejectedReferralFactory,
        CompletedReferralFactory,
        WithdrawnReferralFactory,
    ):
        factory(receiver=receiver)
        factory(receiver=receiver)
    SentReferralFactory()  # to someone else
    # Two referrals with the same deadline: the id breaks the tie.
    tied = [SentReferralFactory(receiver=receiver) for _ in range(2)]
    Referral.objects.filter(pk__in=[r.pk for r in tied]).update(
        due_at=timezone.now() + datetime.timedelta(hours=5)
    )
    expected = list(
        referral_incoming_open(actor=responder)
        .order_by("due_at", "id")
        .values_list("pk", flat=True)
    )
    assert len(expected) == 6
    events_before = AuditEvent.objects.count()
    pages, cursor = [], None
    while True:
        items, cursor = worklist_page(actor=responder, cursor=cursor, limit=4)
        pages.append(json.loads(items))
        if cursor is None:
            break
    assert [item["id"] for page in pages for item in page] == [str(pk) for pk in expected]
    assert [len(page) for page in pages] == [4, 2]
    first = pages[0][0]
    assert first["receiver_organisation"]["id"] == str(receiver.pk)
    assert first["purpose"] == "Shelter"
    # The items are the API schema's JSON, and say what the queryset's instances say.
    page = CursorPage[WorklistItem].model_validate({"items": pages[0], "next_cursor": None})
    referral = Referral.objects.select_related("sender_organisation").get(pk=expected[0])
    assert page.items[0].due_at == referral.due_at.replace(
        microsecond=referral.due_at.microsecond // 1000 * 1000
    )
    assert page.items[0].sender_organisation.name == referral.sender_organisation.name
    assert page.items[0].status == referral.status
    # A list that names no one is not audited (ADR 0025); opening a referral from it is.
    assert AuditEvent.objects.count() == events_before


def test_a_role_that_may_not_respond_gets_an_empty_page(rules):
    referral = SentReferralFactory()
    colleague = MembershipFactory(
        organisation=referral.receiver_organisation, role_code="first_responder"
    )
    assert worklist_page(actor=colleague) == ("[]", None)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_outside_a_transaction_a_page_is_one_statement_and_leaves_nothing_open(rules):
    """The API's path on PostgreSQL (no test transaction around it): one statement per page,
    no transaction left open, nothing written."""
    from django.db import connection
    from psycopg.pq import TransactionStatus

    receiver = OrganisationFactory(type=OrganisationType.CHILD_PROTECTION)
    responder = MembershipFactory(organisation=receiver, role_code="child_protection_officer")
    for _ in range(3):
        SentReferralFactory(receiver=receiver)
    AcceptedReferralFactory(receiver=receiver)
    CompletedReferralFactory(receiver=receiver)
    expected = [
        str(pk)
        for pk in referral_incoming_open(actor=responder)
        .order_by("due_at", "id")
        .values_list("pk", flat=True)
    ]
    events_before = AuditEvent.objects.count()
    assert not connection.in_atomic_block
    statements = []

    def wrapper(execute, sql, params, many, context):
        statements.append(sql.split()[0].upper())
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        first, cursor = worklist_page(actor=responder, limit=3)
    assert statements == ["WITH"]
    second, cursor = worklist_page(actor=responder, cursor=cursor, limit=3)
    assert cursor is None
    assert [item["id"] for item in json.loads(first) + json.loads(second)] == expected
    outsider = MembershipFactory(role_code="first_responder", organisation=receiver)
    assert worklist_page(actor=outsider) == ("[]", None)
    assert AuditEvent.objects.count() == events_before
    assert connection.connection.info.transaction_status == TransactionStatus.IDLE


@pytest.mark.postgres
def test_postgresql_writes_the_same_json_as_the_python_path(rules, monkeypatch):
    """PostgreSQL builds the page's JSON itself; SQLite's path builds it in Python. Both must say
    the same, byte for byte once parsed: datetimes with and without a fraction of a second (and
    a fraction under a millisecond), a purpose from a rule and from a service, an escalation,
    an overdue referral, and the cursor to the next page."""
    from punte.referrals import selectors
    from punte.referrals.models import RoutingRule

    receiver = OrganisationFactory(type=OrganisationType.CHILD_PROTECTION)
    responder = MembershipFactory(organisation=receiver, role_code="child_protection_officer")
    referrals = [SentReferralFactory(receiver=receiver) for _ in range(4)]
    AcceptedReferralFactory(receiver=receiver)
    now = timezone.now()
    Referral.objects.filter(pk=referrals[0].pk).update(
        due_at=now.replace(microsecond=0) - datetime.timedelta(hours=1),  # overdue, whole second
        escalated_at=now.replace(microsecond=456),  # under a millisecond
        rule=RoutingRule.objects.order_by("code").first(),
        service="",
    )
    Referral.objects.filter(pk=referrals[1].pk).update(
        due_at=now.replace(microsecond=999_999) + datetime.timedelta(hours=2)
    )

    def pages(in_database: bool) -> list:
        monkeypatch.setattr(selectors, "_builds_json_in_database", lambda: in_database)
        found, cursor = [], None
        while True:
            items, cursor = worklist_page(actor=responder, cursor=cursor, limit=2)
            found.append((json.loads(items), cursor))
            if cursor is None:
                return found

    from_database, from_python = pages(True), pages(False)
    assert [len(items) for items, _ in from_database] == [2, 2, 1]
    assert from_database == from_python
    items = [item for page, _ in from_database for item in page]
    overdue = next(item for item in items if item["id"] == str(referrals[0].pk))
    assert overdue["overdue"] is True
    assert overdue["rule_code"] and overdue["purpose"] != "Shelter"
    assert "." not in overdue["due_at"]
    assert overdue["escalated_at"].endswith(".000Z")
