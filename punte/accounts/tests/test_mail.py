"""The set-password link's mail, shared by a new account's link and a second-factor reset."""

from __future__ import annotations

import logging
import re

import pytest
from django.core import mail as outbox
from django_otp.plugins.otp_totp.models import TOTPDevice

from punte.accounts import recovery
from punte.accounts.services import users
from punte.accounts.tests.factories import MembershipFactory
from punte.core.models import AuditEvent


def _build(uidb64: str, token: str) -> str:
    return f"https://punte.example/accounts/welcome/{uidb64}/{token}/"


def _setup_link(admin, user):
    users.user_setup_link_issue(actor=admin, user=user, build_url=_build)
    return "user.setup_link_issued"


def _factors_reset(admin, user):
    TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    recovery.user_second_factors_reset(
        actor=admin, user=user, reason="Phone lost; the person called.", build_url=_build
    )
    return "mfa.factors_reset"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("act", "subject"),
    [
        (_setup_link, "Contul dumneavoastră Punte: alegeți parola"),
        (_factors_reset, "Contul dumneavoastră Punte: factorii secundari au fost resetați"),
    ],
)
def test_the_link_goes_to_the_person_in_their_language(
    act, subject, django_capture_on_commit_callbacks
):
    admin = MembershipFactory(role_code="system_admin")
    user = MembershipFactory(user__preferred_language="ro").user
    with django_capture_on_commit_callbacks(execute=True):
        act(admin, user)
    [message] = outbox.outbox
    assert message.to == [user.email]
    assert message.subject == subject
    assert re.search(r"https://punte\.example/accounts/welcome/[\w-]+/[\w-]+/", message.body)


@pytest.mark.django_db
@pytest.mark.parametrize("act", [_setup_link, _factors_reset])
def test_a_refusing_mail_server_leaves_the_act_done_and_logs_no_address(
    act, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    admin = MembershipFactory(role_code="system_admin")
    user = MembershipFactory().user

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("punte.accounts.mail.send_mail", refuse)
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        action = act(admin, user)
    assert AuditEvent.objects.filter(action=action, subject_id=str(user.pk)).exists()
    user.refresh_from_db()
    assert not user.has_usable_password()
    [record] = [r for r in caplog.records if r.name == "punte.accounts.mail"]
    assert str(user.pk) in record.getMessage()
    assert user.email not in record.getMessage()
