import contextlib
import ipaddress
import re

from csp.constants import HEADER as CSP_HEADER
from csp.constants import HEADER_REPORT_ONLY as CSP_HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import MiddlewareNotUsed, RequestDataTooBig
from django.core.handlers.exception import convert_exception_to_response
from django.http.multipartparser import MultiPartParserError
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.module_loading import import_string

from punte.core import context, rls, views
from punte.core.api_support import API_PREFIX, NUL, NUL_MESSAGE, problem

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def _trusted_proxies() -> tuple:
    """PUNTE_TRUSTED_PROXIES parsed once per distinct value (tests change the setting)."""
    configured = tuple(settings.PUNTE_TRUSTED_PROXIES)
    if _TRUSTED_CACHE.get("key") != configured:
        _TRUSTED_CACHE["key"] = configured
        _TRUSTED_CACHE["networks"] = tuple(
            ipaddress.ip_network(entry, strict=False) for entry in configured
        )
    return _TRUSTED_CACHE["networks"]


_TRUSTED_CACHE: dict = {}


def _address(text: str | None):
    try:
        return ipaddress.ip_address((text or "").strip())
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client's address: the one function that decides it, for the audit trail, sign-in
    throttling (AXES_CLIENT_IP_CALLABLE) and the public form's rate limit.

    X-Forwarded-For is believed only when the connection comes from a proxy listed in
    PUNTE_TRUSTED_PROXIES (addresses or networks). Its entries are read from the right, skipping
    trusted proxies: the first one that is not a trusted proxy is the client. Anything further
    left was written by the client and could be forged, and a client that reaches the server
    directly (not through the proxy) cannot choose its address by sending the header.
    """
    peer = _address(request.META.get("REMOTE_ADDR"))
    if peer is None:
        return None
    trusted = _trusted_proxies()
    if not any(peer in network for network in trusted):
        return str(peer)
    chain = [a for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    for entry in reversed(chain):
        hop = _address(entry)
        if hop is None:
            return None  # a malformed hop: no address can be trusted beyond it
        if not any(hop in network for network in trusted):
            return str(hop)
        peer = hop
    return str(peer)  # every hop is a proxy of ours: the request began inside


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
            # again after it (row-level security, ADR 0036).
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


def _parameter_name(name: str) -> str:
    # The name is the client's own text: shown escaped, and short.
    return name.replace(NUL, "\\u0000")[:64]


def _nul_parameter(request) -> str | None:
    """The first parameter of the URL or of a form body that holds a NUL character."""
    if NUL in request.path_info:
        try:
            kwargs = resolve(request.path_info).kwargs
        except Resolver404:
            kwargs = {}
        for name, value in kwargs.items():
            if NUL in str(value):
                return name
        return "path"
    sources = [request.GET]
    if request.method == "POST" and not request.path_info.startswith(API_PREFIX):
        # The API reads JSON bodies through its schemas, which refuse NUL field by field.
        # A body too large or malformed is answered where it is read, as without this check.
        with contextlib.suppress(RequestDataTooBig, MultiPartParserError):
            sources.append(request.POST)
    for data in sources:
        for name, values in data.lists():
            if NUL in name or any(NUL in value for value in values):
                return _parameter_name(name)
    return None


def _repeated_api_parameter(request) -> str | None:
    # No operation of the API takes a list in its query string (test_api_fuzz would find one
    # documented as such): a parameter sent twice is a schema violation, and reading only the
    # last value, as Django does, would silently drop the first.
    for name, values in request.GET.lists():
        if len(values) > 1:
            return _parameter_name(name)
    return None


class EdgeInputMiddleware:
    """Refuses, before any view or form sees it, what no handler could answer sensibly:

    - a NUL character (U+0000) in the URL's path, its query string or a page's form body:
      PostgreSQL cannot store it, and a lookup with it is a DataError, not a miss (ADR 0035);
    - under /api/, a query parameter given more than once (the document allows each once).

    The API answers a 422 problem naming the parameter (its JSON bodies are checked by
    StrictSchema); pages answer a 400 page naming it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        is_api = request.path_info.startswith(API_PREFIX)
        name = _nul_parameter(request)
        if name is not None:
            if is_api:
                return _invalid(name, NUL_MESSAGE)
            return views.bad_parameter(request, name)
        if is_api:
            name = _repeated_api_parameter(request)
            if name is not None:
                return _invalid(name, "Give this parameter once.")
        return self.get_response(request)


def _invalid(name: str, message: str):
    return problem(
        422,
        "Invalid input",
        f"Check these fields: {name}.",
        errors=[{"field": name, "message": message}],
    )


class NoStoreMiddleware:
    """`Cache-Control: no-store` (Django's never-cache headers) on every answer that may carry
    personal data, so no browser, proxy or shared computer keeps a copy (OWASP ASVS V8.2.1):
    every API answer, every answer to a signed-in person, and every answer to a form (it may
    repeat what was typed). What is left cacheable is public by construction: static files and
    the anonymous pages (home, public report form, health check)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.static_prefix = "/" + settings.STATIC_URL.lstrip("/")

    def __call__(self, request):
        response = self.get_response(request)
        path = request.path_info
        if path.startswith(self.static_prefix):
            return response
        user = getattr(request, "user", None)
        if (
            path.startswith(API_PREFIX)
            or request.method not in ("GET", "HEAD")
            or (user is not None and user.is_authenticated)
        ):
            add_never_cache_headers(response)
        return response
