"""Sessions: 15 minutes idle, 12 hours at most, a list of one's sessions, and ending them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from freezegun import freeze_time

from punte.accounts.middleware import SESSION_LAST_SEEN, SESSION_LOGIN_AT
from punte.accounts.models import UserSession
from punte.accounts.services import users
from punte.accounts.tests.factories import MembershipFactory
from punte.core.models import AuditEvent
from punte.testing.auth import login_verified

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


def _lands_on_login(client, path="/") -> bool:
    response = client.get(path, follow=True)
    return response.request["PATH_INFO"] == "/accounts/login/"


def _row(client) -> UserSession:
    return UserSession.objects.get(session_key=client.session.session_key)


def test_login_starts_the_clocks_and_lists_the_session():
    user = MembershipFactory().user
    client = Client(HTTP_USER_AGENT="Firefox/140 test", REMOTE_ADDR="192.0.2.10")
    with freeze_time(START):
        login_verified(client, user)
        session = client.session
        assert session[SESSION_LOGIN_AT] == session[SESSION_LAST_SEEN] == START.timestamp()
        row = _row(client)
        assert row.user == user
        assert row.created_at == START
        page = client.get("/accounts/sessions/")
    assert page.status_code == 200
    assert "this session" in page.content.decode()


def test_the_password_login_records_address_and_browser():
    user = MembershipFactory().user
    client = Client(HTTP_USER_AGENT="Firefox/140 test", REMOTE_ADDR="192.0.2.10")
    client.post(
        "/accounts/login/", {"username": user.username, "password": "correct horse battery staple"}
    )
    row = _row(client)
    assert (row.ip_address, row.user_agent) == ("192.0.2.10", "Firefox/140 test")
    assert client.session[SESSION_LOGIN_AT] > 0


def test_activity_is_written_at_most_once_a_minute(client):
    user = MembershipFactory().user
    with freeze_time(START) as clock:
        login_verified(client, user)
        clock.tick(dt.timedelta(seconds=30))
        client.get("/")
        assert _row(client).last_seen_at == START
        clock.tick(dt.timedelta(seconds=31))
        client.get("/")
        assert _row(client).last_seen_at == START + dt.timedelta(seconds=61)


def test_fifteen_idle_minutes_end_the_session(client):
    user = MembershipFactory().user
    with freeze_time(START) as clock:
        login_verified(client, user)
        key = client.session.session_key
        clock.tick(dt.timedelta(minutes=14))
        assert client.get("/").status_code == 200
        clock.tick(dt.timedelta(minutes=14))  # 28 minutes after login, 14 after the last request
        assert client.get("/").status_code == 200
        clock.tick(dt.timedelta(minutes=15, seconds=1))
        response = client.get("/", follow=True)
    assert response.request["PATH_INFO"] == "/accounts/login/"
    assert "after 15 minutes without activity" in response.content.decode()
    assert not Session.objects.filter(session_key=key).exists()
    assert not UserSession.objects.filter(session_key=key).exists()
    logout = AuditEvent.objects.get(action="auth.logout", actor_id=user.pk)
    assert logout.changes == {"reason": "idle"}


def test_twelve_hours_end_even_a_busy_session(client):
    user = MembershipFactory().user
    with freeze_time(START) as clock:
        login_verified(client, user)
        for _ in range(71):  # a request every 10 minutes, up to 11 h 50 min
            clock.tick(dt.timedelta(minutes=10))
            assert client.get("/").status_code == 200
        clock.tick(dt.timedelta(minutes=10, seconds=1))  # 12 h and 1 s after login
        assert _lands_on_login(client)
    assert AuditEvent.objects.get(action="auth.logout", actor_id=user.pk).changes == {
        "reason": "absolute"
    }


def test_a_session_without_a_login_time_is_not_trusted(client):
    user = MembershipFactory().user
    login_verified(client, user)
    session = client.session
    del session[SESSION_LOGIN_AT]
    session.save()
    assert _lands_on_login(client)


def test_signing_out_removes_the_session_from_the_list(client):
    user = MembershipFactory().user
    login_verified(client, user)
    key = client.session.session_key
    client.post("/accounts/logout/")
    assert not UserSession.objects.filter(session_key=key).exists()
    assert not Session.objects.filter(session_key=key).exists()


def test_the_list_shows_only_ones_own_live_sessions():
    user = MembershipFactory().user
    laptop, phone, stranger = Client(), Client(), Client()
    login_verified(laptop, user)
    login_verified(phone, user)
    login_verified(stranger, MembershipFactory().user)
    html = laptop.get("/accounts/sessions/").content.decode()
    assert html.count("<tr") == 3  # header row + two sessions of this user
    assert html.count("this session") == 1


def test_sign_out_of_other_sessions_keeps_this_one():
    user = MembershipFactory().user
    laptop, phone = Client(), Client()
    login_verified(laptop, user)
    login_verified(phone, user)
    response = laptop.post("/accounts/sessions/end/", {"scope": "others"}, follow=True)
    assert "1 other session was ended." in response.content.decode()
    assert laptop.get("/").status_code == 200
    assert _lands_on_login(phone)
    assert UserSession.objects.filter(user=user).count() == 1


def test_sign_out_everywhere_ends_this_session_too():
    user = MembershipFactory().user
    laptop, phone = Client(), Client()
    login_verified(laptop, user)
    login_verified(phone, user)
    response = laptop.post("/accounts/sessions/end/", {"scope": "all"})
    assert response["Location"] == "/accounts/login/"
    assert _lands_on_login(laptop)
    assert _lands_on_login(phone)
    assert not UserSession.objects.filter(user=user).exists()
    assert AuditEvent.objects.get(action="user.sessions_ended").changes == {"sessions": 2}


def test_a_deactivated_user_is_signed_out_everywhere_at_once():
    admin = MembershipFactory(role_code="system_admin").user
    user = MembershipFactory().user
    laptop, phone = Client(), Client()
    login_verified(laptop, user)
    login_verified(phone, user)
    assert laptop.get("/").status_code == phone.get("/").status_code == 200
    keys = [laptop.session.session_key, phone.session.session_key]

    users.user_deactivate(actor=admin, user=user, reason="Left the organisation")

    assert _lands_on_login(laptop)
    assert _lands_on_login(phone, "/accounts/sessions/")
    assert not Session.objects.filter(session_key__in=keys).exists()
    assert not UserSession.objects.filter(user=user).exists()
