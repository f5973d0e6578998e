"""Every response carries the site's Content Security Policy (no inline script or style), built
once per process by SitePolicyCSPMiddleware; a response that sets a policy of its own keeps
django-csp's behaviour."""

import pytest
from csp.constants import NONCE, SELF
from csp.decorators import csp_update
from csp.exceptions import CSPNonceError
from django.http import HttpResponse
from django.test import RequestFactory

from punte.core.middleware import SitePolicyCSPMiddleware

SITE_POLICY = {
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
    "connect-src 'self'", "font-src 'self'", "object-src 'none'", "base-uri 'none'",
    "frame-ancestors 'none'", "form-action 'self'",
}  # fmt: skip


def directives(header: str) -> set[str]:
    return {part.strip() for part in header.split(";")}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/api/v1/openapi.json", "/report/"])
def test_pages_and_the_api_carry_the_site_policy(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert directives(response["Content-Security-Policy"]) == SITE_POLICY
    assert "Content-Security-Policy-Report-Only" not in response


def test_a_view_that_sets_its_own_policy_keeps_it():
    @csp_update({"img-src": ["https://tiles.example.org"]})
    def view(request):
        return HttpResponse("map")

    middleware = SitePolicyCSPMiddleware(view)
    response = middleware(RequestFactory().get("/map"))
    policy = response["Content-Security-Policy"]
    assert "img-src 'self' data: https://tiles.example.org" in policy
    assert "script-src 'self'" in policy


def test_a_request_that_used_a_nonce_gets_it_in_the_policy(settings):
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"script-src": [SELF, NONCE]}}

    def view(request):
        if request.path == "/with-script":
            return HttpResponse(f"<script nonce='{request.csp_nonce}'></script>")
        return HttpResponse("no script")

    middleware = SitePolicyCSPMiddleware(view)
    request = RequestFactory().get("/with-script")
    response = middleware(request)
    assert f"script-src 'self' 'nonce-{request._csp_nonce}'" in directives(
        response["Content-Security-Policy"]
    )
    plain = middleware(RequestFactory().get("/plain"))
    assert "script-src 'self'" in directives(plain["Content-Security-Policy"])


def test_django_debug_pages_are_left_without_a_policy(settings):
    settings.DEBUG = True
    middleware = SitePolicyCSPMiddleware(lambda request: HttpResponse(status=404))
    assert "Content-Security-Policy" not in middleware(RequestFactory().get("/missing"))


def test_a_nonce_asked_for_after_the_header_is_written_is_refused():
    request = RequestFactory().get("/")
    SitePolicyCSPMiddleware(lambda request: HttpResponse("page"))(request)
    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)
