import ipaddress
import re

from django.conf import settings
from django.utils import translation

from punte.core import context

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
