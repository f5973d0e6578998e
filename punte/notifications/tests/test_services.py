import pytest
from django.core import mail
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy

from punte.accounts.models import Role, RolePermission
from punte.accounts.tests.factories import MembershipFactory, OrganisationFactory
from punte.notifications.models import Notification
from punte.notifications.services import notify

pytestmark = pytest.mark.django_db

MESSAGE = "A referral arrived from %(organisation)s."


def _role_with(permission: str) -> Role:
    role = Role.objects.create(code=f"with-{permission}", name="Test", scope="organisation")
    RolePermission.objects.create(role=role, permission=permission)
    return role


def test_notify_explicit_recipients_writes_one_row_each_and_mails_after_commit(
    django_capture_on_commit_callbacks,
):
    first, second = MembershipFactory(), MembershipFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        rows = notify(
            kind="test.event",
            message=MESSAGE,
            params={"organisation": "DGASPC Cluj"},
            url="/referrals/x/",
            recipients=[first, second, first],
        )
        # Nothing is mailed before the commit.
        assert mail.outbox == []
    assert len(callbacks) == 1
    assert {r.recipient_id for r in rows} == {first.pk, second.pk}
    assert len(mail.outbox) == 2
    assert {m.to[0] for m in mail.outbox} == {first.user.email, second.user.email}
    assert "http://localhost:8000/referrals/x/" in mail.outbox[0].body
    assert Notification.objects.filter(emailed_at__isnull=False).count() == 2


def test_notify_organisation_reaches_only_active_holders_of_the_permission():
    organisation = OrganisationFactory()
    role = _role_with("referral.respond")
    holder = MembershipFactory(organisation=organisation, role=role)
    MembershipFactory(organisation=organisation, role=_role_with("person.view"))
    MembershipFactory(organisation=organisation, role=role, is_active=False)
    gone = MembershipFactory(organisation=organisation, role=role)
    gone.user.is_active = False
    gone.user.save()
    MembershipFactory(organisation=OrganisationFactory(), role=role)

    rows = notify(
        kind="test.event",
        message=MESSAGE,
        params={"organisation": "X"},
        organisation=organisation,
        permission="referral.respond",
    )
    assert [r.recipient_id for r in rows] == [holder.pk]


def test_notify_nobody_returns_empty_so_the_caller_can_escalate():
    rows = notify(
        kind="test.event",
        message=MESSAGE,
        params={"organisation": "X"},
        organisation=OrganisationFactory(),
        permission="referral.respond",
    )
    assert rows == []
    assert Notification.objects.count() == 0


def test_rolled_back_act_leaves_no_notification_and_sends_no_mail(
    django_capture_on_commit_callbacks,
):
    member = MembershipFactory()
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify(kind="t", message=MESSAGE, params={"organisation": "X"}, recipients=[member])
        raise RuntimeError("the act failed")
    assert Notification.objects.count() == 0
    assert mail.outbox == []


def test_placeholders_must_match_params():
    with pytest.raises(KeyError):
        notify(kind="t", message=MESSAGE, params={}, recipients=[MembershipFactory()])


def test_text_is_translated_in_the_readers_language(
    django_capture_on_commit_callbacks,
):
    member = MembershipFactory()
    member.user.preferred_language = "ro"
    member.user.save()
    with django_capture_on_commit_callbacks(execute=True):
        (row,) = notify(
            kind="t",
            message=gettext_lazy("Persons"),
            recipients=[member],
        )
    assert row.message == "Persons"
    with translation.override("ro"):
        assert row.text == "Persoane"
    assert "Persoane" in mail.outbox[0].subject


def test_unusable_recipient_is_not_mailed(django_capture_on_commit_callbacks):
    member = MembershipFactory()
    member.user.email = ""
    member.user.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify(kind="t", message=MESSAGE, params={"organisation": "X"}, recipients=[member])
    assert mail.outbox == []
    assert Notification.objects.get().emailed_at is None
