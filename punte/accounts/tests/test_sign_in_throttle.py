"""Password guessing slowed across addresses (one account) and across accounts (one address),
without ever locking the owner out: waits that double, answered at once with 429."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from freezegun import freeze_time

from punte.accounts.models import SignInThrottle
from punte.accounts.services.sign_in_throttle import delay_after
from punte.accounts.tests.factories import DEFAULT_PASSWORD, MembershipFactory, UserFactory
from punte.core.models import AuditEvent

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
T0 = datetime.datetime(2026, 12, 7, 9, 0, tzinfo=datetime.UTC)


def _try(username, password="not the password", *, address, at=T0, language="en"):
    with freeze_time(at):
        return Client(REMOTE_ADDR=address).post(
            LOGIN,
            {"username": username, "password": password},
            headers={"accept-language": language},
        )


def _addresses():
    # Two attempts per address: under axes' lock of a (username, address) pair at five.
    for index in range(100):
        yield f"198.51.100.{index // 2 + 1}"


def test_the_waits_double_from_the_free_failures_on_up_to_the_cap(settings):
    free = settings.PUNTE_SIGN_IN_ACCOUNT_FREE_FAILURES
    assert [delay_after("account", n) for n in range(free - 2, free + 4)] == [0, 0, 2, 4, 8, 16]
    assert delay_after("account", free + 40) == settings.PUNTE_SIGN_IN_MAX_DELAY_SECONDS == 300


def test_an_account_tried_from_many_addresses_is_slowed_and_its_owner_gets_in_after_the_wait(
    settings,
):
    MembershipFactory(user__username="dana.police")
    free = settings.PUNTE_SIGN_IN_ACCOUNT_FREE_FAILURES
    addresses = _addresses()
    statuses = [_try("dana.police", address=next(addresses)).status_code for _ in range(free)]
    assert statuses == [200] * free  # each a wrong password, none slowed yet
    # The owner, from the office (an address never used by the attacker), right password:
    owner = _try("dana.police", DEFAULT_PASSWORD, address="192.0.2.10")
    assert owner.status_code == 429
    assert owner["Retry-After"] == "2"
    assert "wait 2 seconds before you try again" in owner.content.decode()
    assert not owner.wsgi_request.session.get("_auth_user_id")
    # Two seconds later the owner is in: slowed, never locked out.
    later = _try(
        "dana.police", DEFAULT_PASSWORD, address="192.0.2.10", at=T0 + datetime.timedelta(seconds=3)
    )
    assert later.status_code == 302
    assert later["Location"].startswith("/accounts/mfa/")
    assert not SignInThrottle.objects.filter(kind="account").exists()  # the account starts afresh


def test_each_further_failure_doubles_the_wait_and_a_refused_attempt_checks_nothing(settings):
    UserFactory(username="ion.ngo")
    free = settings.PUNTE_SIGN_IN_ACCOUNT_FREE_FAILURES
    addresses = _addresses()
    for _ in range(free):
        _try("ion.ngo", address=next(addresses))
    at = T0
    waits = []
    for _ in range(4):
        refused = _try("ion.ngo", address=next(addresses), at=at)
        assert refused.status_code == 429
        waits.append(int(refused["Retry-After"]))
        at += datetime.timedelta(seconds=waits[-1])
        assert _try("ion.ngo", address=next(addresses), at=at).status_code == 200  # wrong again
    assert waits == [2, 4, 8, 16]
    failures = AuditEvent.objects.filter(action="auth.login_failed").count()
    assert failures == free + 4  # the refused attempts never reached the password check
    # Hammering during a wait does not lengthen it.
    for _ in range(5):
        _try("ion.ngo", address=next(addresses), at=at)
    row = SignInThrottle.objects.get(kind="account")
    assert row.failures == free + 4
    assert row.blocked_until == at + datetime.timedelta(seconds=32)


def test_an_unknown_username_is_slowed_exactly_like_a_real_one(settings):
    UserFactory(username="real.person")
    free = settings.PUNTE_SIGN_IN_ACCOUNT_FREE_FAILURES
    for username in ("real.person", "ghost.person"):
        addresses = _addresses()
        for _ in range(free):
            _try(username, address=next(addresses))
    known = _try("real.person", address="192.0.2.50")
    unknown = _try("ghost.person", address="192.0.2.51")
    assert known.status_code == unknown.status_code == 429
    assert known["Retry-After"] == unknown["Retry-After"]
    assert "real.person" not in SignInThrottle.objects.values_list("key", flat=True)


def test_password_spraying_from_one_address_is_slowed(settings):
    # 12 accounts, 4 common passwords each: under axes' 5 per (username, address), all from one
    # address. Before this limit all 48 were answered at once.
    for index in range(12):
        UserFactory(username=f"staff.{index}")
    free = settings.PUNTE_SIGN_IN_ADDRESS_FREE_FAILURES
    guesses = [(f"staff.{i}", f"Password{n}!") for n in range(4) for i in range(12)]
    at = T0
    answered_at_once = 0
    for username, password in guesses:
        response = _try(username, password, address="203.0.113.5", at=at)
        if response.status_code == 429:
            assert "from your network" in response.content.decode()
            at += datetime.timedelta(seconds=int(response["Retry-After"]))
            response = _try(username, password, address="203.0.113.5", at=at)
        else:
            answered_at_once += 1 if at == T0 else 0
        assert response.status_code == 200
    assert answered_at_once == free
    # The 48 guesses, waiting each time exactly as told, took more than an hour and a half.
    assert at - T0 > datetime.timedelta(hours=1, minutes=30)
    # A colleague at another address is not affected.
    MembershipFactory(user__username="colleague")
    assert _try("colleague", DEFAULT_PASSWORD, address="192.0.2.77", at=at).status_code == 302
    assert AuditEvent.objects.filter(action="auth.sign_in_slowed").count() == 1


def test_a_success_from_an_address_takes_back_only_its_own_attempt(settings):
    settings.PUNTE_SIGN_IN_ADDRESS_FREE_FAILURES = 3
    MembershipFactory(user__username="office.worker")
    for index in range(2):
        _try(f"someone.{index}", address="203.0.113.9")
    assert _try("office.worker", DEFAULT_PASSWORD, address="203.0.113.9").status_code == 302
    assert SignInThrottle.objects.get(kind="address").failures == 2
    _try("someone.else", address="203.0.113.9")
    assert _try("office.worker", DEFAULT_PASSWORD, address="203.0.113.9").status_code == 429


def test_failures_are_forgotten_an_hour_after_the_last(settings):
    UserFactory(username="forgetful")
    free = settings.PUNTE_SIGN_IN_ACCOUNT_FREE_FAILURES
    addresses = _addresses()
    for _ in range(free):
        _try("forgetful", address=next(addresses))
    hour_later = T0 + datetime.timedelta(hours=1, seconds=1)
    assert _try("forgetful", address=next(addresses), at=hour_later).status_code == 200
    assert SignInThrottle.objects.get(kind="account").failures == 1


def test_the_wait_is_said_in_romanian_and_ukrainian(settings):
    settings.PUNTE_SIGN_IN_ACCOUNT_FREE_FAILURES = 1
    UserFactory(username="multi.lingual")
    _try("multi.lingual", address="192.0.2.1")
    ro = _try("multi.lingual", address="192.0.2.2", language="ro").content.decode()
    uk = _try("multi.lingual", address="192.0.2.3", language="uk").content.decode()
    assert "așteptați 2 secunde" in ro
    assert "зачекайте 2 секунди" in uk


def test_counters_are_erased_after_their_retention(settings):
    from punte.core import retention

    _try("anyone", address="192.0.2.1")
    [rule] = [r for r in retention.discover() if r.record_type == "accounts.SignInThrottle"]
    assert retention.count_due(rule, T0 + datetime.timedelta(hours=23)) == 0
    assert retention.count_due(rule, T0 + datetime.timedelta(hours=25)) == 2


def test_a_client_outside_the_proxy_cannot_dodge_the_lockout_by_forging_its_address(settings):
    settings.PUNTE_TRUSTED_PROXIES = ["10.0.0.1"]
    UserFactory(username="target.user")
    statuses = []
    for index in range(6):
        with freeze_time(T0):
            response = Client(
                REMOTE_ADDR="198.51.100.66", HTTP_X_FORWARDED_FOR=f"203.0.113.{index}"
            ).post(LOGIN, {"username": "target.user", "password": "wrong"})
        statuses.append(response.status_code)
    # One (username, address) pair for axes, whatever the header claimed: locked at five.
    assert statuses == [200, 200, 200, 200, 429, 429]
