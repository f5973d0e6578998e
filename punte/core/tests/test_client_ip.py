import pytest
from django.test import RequestFactory

from punte.core.middleware import client_ip


@pytest.fixture
def rf():
    return RequestFactory()


def test_without_proxies_the_forwarded_header_is_ignored(rf, settings):
    settings.PUNTE_TRUSTED_PROXY_COUNT = 0
    request = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert client_ip(request) == "10.0.0.5"


def test_behind_one_proxy_the_rightmost_forwarded_address_is_the_client(rf, settings):
    settings.PUNTE_TRUSTED_PROXY_COUNT = 1
    # The client forged the first entry; the proxy appended the real address last.
    request = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.9")
    assert client_ip(request) == "203.0.113.9"


def test_behind_two_proxies(rf, settings):
    settings.PUNTE_TRUSTED_PROXY_COUNT = 2
    request = rf.get(
        "/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.9, 10.0.0.4"
    )
    assert client_ip(request) == "203.0.113.9"


def test_garbage_is_not_an_address(rf, settings):
    settings.PUNTE_TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="<script>")
    assert client_ip(request) is None


def test_ipv6_is_written_in_its_canonical_form(rf, settings):
    settings.PUNTE_TRUSTED_PROXY_COUNT = 0
    request = rf.get("/", REMOTE_ADDR="2001:0db8::0001")
    assert client_ip(request) == "2001:db8::1"
