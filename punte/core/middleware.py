import ipaddress
import re

from csp.constants import HEADER as CSP_HEADER
from csp.constants import HEADER_REPORT_ONLY as CSP_HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import MiddlewareNotUsed
from django.core.handlers.exception import convert_exception_to_response
from django.utils import translation
from django.utils.module_loading import import_string

from punte.core import context, rls

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def client_ip(request) -> str | None:
    """The client's address, for the audit trail and for lockout (AXES_CLIENT_IP_CALLABLE).

    Behind N trusted reverse proxies (PUNTE_TRUSTED_PROXY_COUNT), the client is the Nth address
    from the right of X-Forwarded-For: anything further left was written by the client and could
    be forged. With no proxy configured, the header is ignored.
    """
    proxies = settings.PUNTE_TRUSTED_PROXY_COUNT
    address = request.META.get("REMOTE_ADDR")
    if proxies > 0:
        chain = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        chain = [a for a in chain if a]
        if len(chain) >= proxies:
            address = chain[-proxies]
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


class RequestContextMiddleware:
    """Gives every request an id (or keeps a well-formed caller's one) for the audit trail."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        supplied = request.headers.get("X-Request-ID", "")
        ctx = context.RequestContext(source_ip=client_ip(request))
        if _REQUEST_ID.match(supplied):
            ctx = context.RequestContext(request_id=supplied, source_ip=ctx.source_ip)
        request.request_id = ctx.request_id
        token = context.activate(ctx)
        try:
            # The database acts for nobody until the request's membership is resolved, and
            # again after it (row-level security, ADR 0031).
            with rls.request_scope():
                response = self.get_response(request)
        finally:
            context.deactivate(token)
        response["X-Request-ID"] = ctx.request_id
        return response


class ApiEnglishMiddleware:
    """Answers under /api/ in English, whatever Accept-Language or the language cookie say.

    The API's problem documents are read by other agencies' systems and their developers: one
    stable language keeps `detail` and `errors[].message` greppable and documented (ADR 0006).
    Placed after LocaleMiddleware, which has already chosen the visitor's language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith("/api/"):
            translation.activate("en")
            request.LANGUAGE_CODE = "en"
        return self.get_response(request)


def carries_credentials_for_the_api(request) -> bool:
    """An API request that sends Authorization: judged by it alone, never by a session cookie
    (ADR 0009), so the browser's middleware has nothing to do for it."""
    return "HTTP_AUTHORIZATION" in request.META and request.path_info.startswith("/api/")


class BrowserSessionMiddleware:
    """The middleware of browser sessions (settings.PUNTE_BROWSER_SESSION_MIDDLEWARE: the
    session, the signed-in user, the second factor, session lifetime, the acting membership,
    messages), run in that order as one group - except for an API request that
    carries Authorization, which skips the group (ADR 0013): it would only load an anonymous
    session and user that the bearer token then replaces. Such a request gets an anonymous
    `request.user` and no membership until the token authenticates it.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        handler = get_response
        self._view_hooks = []
        for path in reversed(settings.PUNTE_BROWSER_SESSION_MIDDLEWARE):
            try:
                middleware = import_string(path)(handler)
            except MiddlewareNotUsed:
                continue
            if hasattr(middleware, "process_view"):
                self._view_hooks.insert(0, middleware.process_view)
            # As Django's handler does between two middleware: an exception inside becomes a
            # response before the middleware outside it sees it.
            handler = convert_exception_to_response(middleware)
        self.for_browsers = handler

    def __call__(self, request):
        if carries_credentials_for_the_api(request):
            request.user = AnonymousUser()
            request.membership = None
            return self.get_response(request)
        return self.for_browsers(request)

    def process_view(self, request, view, args, kwargs):
        if carries_credentials_for_the_api(request):
            return None
        for hook in self._view_hooks:
            response = hook(request, view, args, kwargs)
            if response is not None:
                return response
        return None


_PER_RESPONSE_CSP = (
    "_csp_config", "_csp_update", "_csp_replace",
    "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro",
)  # fmt: skip


class SitePolicyCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with the site's policy built once per process.

    Punte serves one policy everywhere (no inline script or style, hence no nonce, and no view
    that changes the policy), so the header is the same string on every response; django-csp
    builds it anew each time, enforced and report-only, which cost an API answer about as much
    as routing its URL (bench/worklist, profiled). A response that carries a policy of its own
    (django-csp's decorators) or a request that used a nonce still goes through django-csp's
    own path.
    """

    def __init__(self, get_response):
        super().__init__(get_response)
        self.site_policy = build_policy()
        self.site_policy_report_only = build_policy(report_only=True)
        self.excludes_paths = any(
            (getattr(settings, name, None) or {}).get("EXCLUDE_URL_PREFIXES")
            for name in ("CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY")
        )

    def process_response(self, request, response):
        if (
            self.excludes_paths
            or getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in _PER_RESPONSE_CSP)
            or (settings.DEBUG and response.status_code in (404, 500))  # Django's debug pages
        ):
            return super().process_response(request, response)
        for header, policy, exempt in (
            (CSP_HEADER, self.site_policy, "_csp_exempt"),
            (CSP_HEADER_REPORT_ONLY, self.site_policy_report_only, "_csp_exempt_ro"),
        ):
            # django-csp's own tests: a header already set, or any exemption value but False.
            if policy and header not in response and getattr(response, exempt, False) is False:
                response[header] = policy
        # As django-csp does: a nonce asked for once the header is written could not be in it.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
