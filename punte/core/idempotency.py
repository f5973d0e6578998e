"""Idempotency-Key for every API POST (after the IETF httpapi idempotency-key draft).

- The same key with the same request (method, path with query, body bytes) returns the stored
  response, marked `Idempotent-Replayed: true`, and writes nothing again.
- The same key with another request is refused with 422 naming the header.
- Keys are scoped by principal: the token (`token:<id>`) or the membership a verified browser
  session acts in (`session:<id>`). Two tokens may use the same key for different records, and
  one client can never be handed another's response.
- What is stored: the final answer of every request that passed authentication and reached its
  handler, 2xx and 4xx alike (the draft allows storing errors; a 422 for a bad body stays a 422
  on retry, and a corrected body needs a new key, as the draft asks). Not stored: 5xx (nothing
  was committed, so a retry with the same key runs again), and answers given before the handler
  ran (401, a CSRF 403, 404/405 for an unknown route): those are not the operation's answer.
- Concurrency: the record is inserted first, in the same transaction as the write. A second
  request with the same key blocks on the unique index until the first commits, then replays
  its response (or gets 422 if its body differs). Nothing is ever written twice.
- Keys expire after PUNTE_IDEMPOTENCY_TTL_HOURS: an older record no longer binds its key.
- Page forms (`page_post_once`): a form that creates something carries a key made when the
  page was shown (a hidden field, `FORM_FIELD`); the first submission's redirect is stored in
  the same transaction as its write, and a second submission of the same form (a double tap,
  a reload, back and submit again) is sent to the same place and writes nothing.
- Nothing personal is kept in clear: a stored response (a created person, with names and date
  of birth) is encrypted like the person's own fields, bound to its principal and key; the
  request fingerprint is an HMAC under the server's secret, not a bare hash a guess could match.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.module_loading import import_string

from punte.core import crypto
from punte.core.api_support import API_PREFIX, problem, too_big
from punte.core.models import IdempotencyRecord

HEADER = "Idempotency-Key"
FORM_FIELD = "idempotency_key"
# A stored page answer: a redirect, its location as the body.
_REDIRECT = "redirect"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255


@functools.cache
def _request_principal() -> Callable[[HttpRequest], str | None]:
    return import_string(settings.PUNTE_REQUEST_PRINCIPAL)


def _fingerprint(request, body: bytes) -> str:
    message = request.method.encode() + b"\0" + request.get_full_path().encode() + b"\0" + body
    return salted_hmac("punte.idempotency", message, algorithm="sha256").hexdigest()


def _binding(record: IdempotencyRecord) -> str:
    return f"core.idempotencyrecord.response_body:{record.principal}:{record.key}"


def _seal(record: IdempotencyRecord, body: bytes) -> bytes:
    # latin-1 maps every byte to one character, so any body survives the round trip.
    return crypto.encrypt(body.decode("latin-1"), associated_data=_binding(record)).encode()


def _unseal(record: IdempotencyRecord) -> bytes:
    sealed = bytes(record.response_body or b"").decode("ascii", errors="replace")
    return crypto.decrypt(sealed, associated_data=_binding(record)).encode("latin-1")


def _replay(record: IdempotencyRecord) -> HttpResponse:
    try:
        body = _unseal(record)
    except crypto.DecryptionError:
        # Its key left the keyring: the answer cannot be given again, nor may the request run
        # again under this key (it may have written). The client needs a new key.
        return problem(
            409,
            "Stored response unreadable",
            f"The response to this {HEADER} can no longer be replayed; use a new key.",
            errors=[{"field": HEADER, "message": "Use a new key."}],
        )
    if record.content_type == _REDIRECT:
        response = HttpResponseRedirect(body.decode())
        response.status_code = record.status_code
        return response
    response = HttpResponse(
        body, status=record.status_code, content_type=record.content_type or "application/json"
    )
    response[REPLAYED_HEADER] = "true"
    return response


def _reused() -> HttpResponse:
    return problem(
        422,
        "Idempotency-Key reused",
        f"This {HEADER} was already used for a different request; use a new key.",
        errors=[{"field": HEADER, "message": "Already used with another method, path or body."}],
    )


def _expired(record: IdempotencyRecord) -> bool:
    ttl = timedelta(hours=settings.PUNTE_IDEMPOTENCY_TTL_HOURS)
    return record.created_at < timezone.now() - ttl


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.headers.get(HEADER)
        if request.method != "POST" or key is None or not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        if not key.strip() or len(key) > MAX_KEY_LENGTH:
            return problem(
                400,
                "Invalid Idempotency-Key",
                f"The {HEADER} header must be 1 to {MAX_KEY_LENGTH} characters.",
                errors=[{"field": HEADER, "message": f"1 to {MAX_KEY_LENGTH} characters."}],
            )
        try:
            body = request.body
        except RequestDataTooBig:
            return too_big()
        principal = _request_principal()(request)
        if principal is None:
            return self.get_response(request)  # refused by authentication: nothing to key
        return self._keyed(request, principal, key, _fingerprint(request, body))

    def _keyed(self, request, principal: str, key: str, fingerprint: str):
        with transaction.atomic():
            record = None
            for _attempt in range(2):
                try:
                    with transaction.atomic():
                        record = IdempotencyRecord.objects.create(
                            principal=principal,
                            key=key,
                            method=request.method,
                            path=request.path[:512],
                            request_hash=fingerprint,
                        )
                    break
                except IntegrityError:
                    # Blocks here (on PostgreSQL) until a concurrent first request commits.
                    existing = (
                        IdempotencyRecord.objects.select_for_update()
                        .filter(principal=principal, key=key)
                        .first()
                    )
                    if existing is None:
                        continue  # purged or rolled back meanwhile: try to claim it again
                    if _expired(existing):
                        existing.delete()
                        continue
                    if existing.request_hash != fingerprint:
                        return _reused()
                    if existing.status_code is None:  # cannot happen: records commit complete
                        return problem(
                            409,
                            "Request in progress",
                            f"A request with this {HEADER} is still being processed.",
                        )
                    return _replay(existing)
            if record is None:
                return problem(
                    409,
                    "Request in progress",
                    f"A request with this {HEADER} is being processed; retry.",
                )

            response = self.get_response(request)
            operation_ran = getattr(request, "auth", None) is not None
            if response.status_code >= 500 or not operation_ran or response.streaming:
                # 5xx: nothing of the write is kept, so a retry with the same key runs again.
                # Refused before the handler ran (401, CSRF, unknown route): not the
                # operation's answer, and no reason to keep a row.
                transaction.set_rollback(True)
                return response
            record.status_code = response.status_code
            record.response_body = _seal(record, bytes(response.content))
            record.content_type = response.get("Content-Type", "")
            record.save(update_fields=["status_code", "response_body", "content_type"])
        return response


def new_form_key() -> str:
    """The key a page puts in its form (hidden field FORM_FIELD) when it shows it."""
    return secrets.token_urlsafe(18)


def page_post_once(request: HttpRequest, run: Callable[[], HttpResponse]) -> HttpResponse:
    """Run a page form's POST once per form key.

    `run` does the write and answers a redirect when it succeeded. That redirect is stored under
    the key in the same transaction, so a repeated submission (a double tap on a slow network,
    a reload) is redirected to the same place and writes nothing; a concurrent one waits on the
    key's unique index and then gets the same redirect. An answer that is not a redirect (the
    form shown again with its errors) keeps nothing: the key stays free for the corrected form.
    A POST without a key, or from no verified principal, simply runs.
    """
    key = request.POST.get(FORM_FIELD, "")
    principal = _request_principal()(request)
    if not key or len(key) > MAX_KEY_LENGTH or principal is None:
        return run()
    path = request.path[:512]
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    principal=principal,
                    key=key,
                    method="POST",
                    path=path,
                    request_hash=_fingerprint(request, b""),
                )
        except IntegrityError:
            # Blocks here (on PostgreSQL) until a concurrent first submission commits.
            existing = (
                IdempotencyRecord.objects.select_for_update()
                .filter(principal=principal, key=key)
                .first()
            )
            if existing is None or _expired(existing) or existing.path != path:
                return run()
            return _replay(existing)
        response = run()
        if not 300 <= response.status_code < 400:
            transaction.set_rollback(True)
            return response
        record.status_code = response.status_code
        record.response_body = _seal(record, response["Location"].encode())
        record.content_type = _REDIRECT
        record.save(update_fields=["status_code", "response_body", "content_type"])
    return response
