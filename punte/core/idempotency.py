"""Idempotency-Key for every API POST (after the IETF httpapi idempotency-key draft).

The same key with the same body returns the stored response and writes nothing again; the same
key with another body is refused with 422. The record is inserted in the same transaction as the
write, first: a concurrent request with the same key blocks on the unique index until the first
commits, then replays its response. Keys are scoped by principal (the token, or the session's
user), so one client cannot replay another's response.
"""

from __future__ import annotations

import hashlib

from django.db import IntegrityError, transaction
from django.http import HttpResponse

from punte.core.api_support import problem
from punte.core.models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


def _principal(request) -> str | None:
    authorization = request.headers.get("Authorization", "")
    if authorization.lower().startswith("bearer "):
        return "token:" + hashlib.sha256(authorization[7:].strip().encode()).hexdigest()[:48]
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return None


def _fingerprint(request) -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(b"\0" + request.get_full_path().encode() + b"\0")
    digest.update(request.body)
    return digest.hexdigest()


def _replay(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(
        bytes(record.response_body or b""),
        status=record.status_code,
        content_type=record.content_type or "application/json",
    )
    response["Idempotent-Replayed"] = "true"
    return response


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.headers.get(HEADER)
        if request.method != "POST" or key is None or not request.path.startswith("/api/"):
            return self.get_response(request)
        if not key.strip() or len(key) > MAX_KEY_LENGTH:
            return problem(400, "Invalid Idempotency-Key",
                           f"The {HEADER} header must be 1 to {MAX_KEY_LENGTH} characters.")
        principal = _principal(request)
        if principal is None:
            return self.get_response(request)  # refused by authentication anyway
        try:
            fingerprint = _fingerprint(request)
        except Exception:  # noqa: BLE001 - body too large: let the view report it
            return self.get_response(request)

        with transaction.atomic():
            try:
                with transaction.atomic():
                    record = IdempotencyRecord.objects.create(
                        principal=principal, key=key, method=request.method,
                        path=request.path[:512], request_hash=fingerprint,
                    )
            except IntegrityError:
                record = IdempotencyRecord.objects.get(principal=principal, key=key)
                if record.request_hash != fingerprint:
                    return problem(
                        422, "Idempotency-Key reused",
                        f"This {HEADER} was already used for a different request.",
                        errors=[{"field": HEADER, "message": "reused with another body"}],
                    )
                return _replay(record)

            response = self.get_response(request)
            if response.status_code >= 500:
                # Nothing was written, so the client may retry with the same key.
                transaction.set_rollback(True)
                return response
            record.status_code = response.status_code
            record.response_body = bytes(response.content)
            record.content_type = response.get("Content-Type", "")
            record.save(update_fields=["status_code", "response_body", "content_type"])
        return response


