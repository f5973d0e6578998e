"""Request bodies over the limit are answered 413 before anything parses them.

Django would refuse a body over DATA_UPLOAD_MAX_MEMORY_SIZE only when something reads
`request.POST`, and the first reader is the CSRF middleware, whose failure is a 400 "bad
request": a page could not tell a visitor that what they sent was too large. This middleware
sits ahead of CSRF and decides first, from the declared Content-Length, or, for a body sent
without one (chunked), by reading at most one byte past the limit.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.core.handlers.wsgi import LimitedStream
from django.shortcuts import render
from django.utils.translation import gettext as _

from punte.core.api_support import too_big

_READ_CHUNK = 64 * 1024


def body_limit_for(path: str) -> int:
    """The largest body accepted at `path`: the longest matching prefix of
    PUNTE_REQUEST_BODY_LIMITS, else DATA_UPLOAD_MAX_MEMORY_SIZE."""
    limits = getattr(settings, "PUNTE_REQUEST_BODY_LIMITS", {})
    matches = [prefix for prefix in limits if path.startswith(prefix)]
    if matches:
        return limits[max(matches, key=len)]
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


class RequestBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = body_limit_for(request.path_info)
        declared = request.META.get("CONTENT_LENGTH")
        if declared:
            try:
                too_large = int(declared) > limit
            except ValueError:
                too_large = True  # a length nobody can honour: refuse rather than guess
            if too_large:
                return self._refuse(request, limit)
        elif request.META.get("wsgi.input_terminated"):
            # A chunked body (gunicorn ends the stream itself): read it here, never more than
            # the limit and one byte, and hand Django what was read.
            body = self._read_at_most(request.META["wsgi.input"], limit + 1)
            if len(body) > limit:
                return self._refuse(request, limit)
            request.META["CONTENT_LENGTH"] = str(len(body))
            request._stream = LimitedStream(io.BytesIO(body), len(body))
        return self.get_response(request)

    @staticmethod
    def _read_at_most(stream, size: int) -> bytes:
        parts, left = [], size
        while left > 0:
            chunk = stream.read(min(left, _READ_CHUNK))
            if not chunk:
                break
            parts.append(chunk)
            left -= len(chunk)
        return b"".join(parts)

    @staticmethod
    def _refuse(request, limit: int):
        if request.path_info.startswith("/api/"):
            response = too_big(limit)
        else:
            response = render(
                request,
                "errors/error.html",
                {
                    "title": _("What you sent is too large"),
                    "message": _(
                        "The page refused it before reading it, and nothing was saved. Go back, "
                        "shorten what you wrote and send it again."
                    ),
                },
                status=413,
            )
        # The rest of the body is never read: the connection must not be reused for another
        # request, whose start would be taken from the unread bytes.
        response["Connection"] = "close"
        return response
