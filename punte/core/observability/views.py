"""`/readyz` and `/metrics`. Neither needs a session: the middleware lets them through before
sign-in (accounts.middleware), and each decides for itself who may read it."""

from __future__ import annotations

import functools
import hmac
import ipaddress
import logging

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from punte.core.middleware import client_ip
from punte.core.observability import metrics, readiness

logger = logging.getLogger("punte.readiness")


@never_cache
@require_GET
def readyz(request):
    """200 when ready, 503 naming what is not (for the orchestrator and the on-call)."""
    result = readiness.check()
    response = JsonResponse(result, status=200 if result["ready"] else 503)
    if not result["ready"]:
        # One line naming the checks, instead of Django's "Service Unavailable" error per probe.
        logger.warning("not ready: %s", ", ".join(result["not_ready"]))
        response._has_been_logged = True
    return response


@functools.cache
def _networks(cidrs: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)


def may_read_metrics(request) -> bool:
    """A client in PUNTE_METRICS_ALLOWED_NETWORKS (as `client_ip` sees it: behind the trusted
    proxies, the address they give), or one sending `Authorization: Bearer
    <PUNTE_METRICS_TOKEN>`."""
    token = settings.PUNTE_METRICS_TOKEN
    sent = request.headers.get("Authorization", "")
    if (
        token
        and sent.startswith("Bearer ")
        and hmac.compare_digest(sent.removeprefix("Bearer ").encode(), token.encode())
    ):
        return True
    address = client_ip(request)
    if address is None:
        return False
    ip = ipaddress.ip_address(address)
    return any(
        ip in network for network in _networks(tuple(settings.PUNTE_METRICS_ALLOWED_NETWORKS))
    )


@never_cache
@require_GET
def metrics_view(request):
    # 404, not 403: to anyone else the address does not exist.
    if not may_read_metrics(request):
        raise Http404
    return HttpResponse(metrics.exposition(), content_type=CONTENT_TYPE_LATEST)
