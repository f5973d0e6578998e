"""Who the client is: X-Forwarded-For is believed only from the configured proxies."""

import pytest
from django.test import RequestFactory

from punte.core.middleware import client_ip


@pytest.fixture
def rf():
    return RequestFactory()


def test_without_proxies_the_forwarded_header_is_ignored(rf, settings):
    settings.PUNTE_TRUSTED_PROXIES = []
    request = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert client_ip(request) == "10.0.0.5"


def test_behind_the_proxy_the_rightmost_forwarded_address_is_the_client(rf, settings):
    settings.PUNTE_TRUSTED_PROXIES = ["10.0.0.5"]
    # The client forged the first entry; the proxy appended the real address last.
    request = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.9")
    assert client_ip(request) == "203.0.113.9"


def test_a_client_reaching_the_server_directly_cannot_choose_its_address(rf, settings):
    # The spoof the setting exists to stop: a proxy is configured, but this connection does not
    # come from it, so its X-Forwarded-For is the client's own invention.
    settings.PUNTE_TRUSTED_PROXIES = ["10.0.0.5"]
    request = rf.get("/", REMOTE_ADDR="198.51.100.66", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert client_ip(request) == "198.51.100.66"


def test_behind_two_proxies_given_as_a_network(rf, settings):
    settings.PUNTE_TRUSTED_PROXIES = ["10.0.0.0/24"]
    request = rf.get(
        "/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.9, 10.0.0.4"
    )
    assert client_ip(request) == "203.0.113.9"


def test_a_request_from_inside_is_the_innermost_proxy(rf, settings):
    settings.PUNTE_TRUSTED_PROXIES = ["10.0.0.0/24"]
    request = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="10.0.0.4")
    assert client_ip(request) == "10.0.0.4"
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.5")) == "10.0.0.5"


def test_garbage_is_not_an_address(rf, settings):
    settings.PUNTE_TRUSTED_PROXIES = ["10.0.0.5"]
    request = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="<script>")
    assert client_ip(request) is None


def test_ipv6_is_written_in_its_canonical_form(rf, settings):
    settings.PUNTE_TRUSTED_PROXIES = ["::1"]
    assert client_ip(rf.get("/", REMOTE_ADDR="2001:0db8::0001")) == "2001:db8::1"
    forwarded = rf.get("/", REMOTE_ADDR="::1", HTTP_X_FORWARDED_FOR="2001:0db8::0002")
    assert client_ip(forwarded) == "2001:db8::2"


def test_the_audit_trail_and_the_lockout_use_the_same_function(settings):
    assert settings.AXES_CLIENT_IP_CALLABLE == "punte.core.middleware.client_ip"
