"""Conventions every API router shares: strict schemas, RFC 9457 problems, cursor pagination."""

from __future__ import annotations

import base64
import binascii
import json
import logging
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from django.core.exceptions import RequestDataTooBig
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from pydantic import ConfigDict

from punte.core.errors import ServiceError

logger = logging.getLogger("punte.api")

PROBLEM_JSON = "application/problem+json"


class StrictSchema(Schema):
    """Input schemas refuse fields they do not know, so a typo is an error, not silently lost."""

    model_config = ConfigDict(extra="forbid")


def problem(
    status: int, title: str, detail: str = "", *, errors: list[dict[str, Any]] | None = None,
    type_: str = "about:blank",
) -> HttpResponse:
    body: dict[str, Any] = {"type": type_, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    return HttpResponse(json.dumps(body), status=status, content_type=PROBLEM_JSON)


def _field_path(loc: Sequence[Any]) -> str:
    # ninja prefixes locations with the parameter source ("body", "payload", "query", ...).
    parts = [str(p) for p in loc if p not in ("body", "payload", "query", "path", "header")]
    return ".".join(parts)


def register_problem_handlers(api) -> None:
    @api.exception_handler(ValidationError)
    def _validation(request: HttpRequest, exc: ValidationError):
        errors = [
            {"field": _field_path(err.get("loc", ())), "message": err.get("msg", "invalid")}
            for err in exc.errors
        ]
        fields = ", ".join(e["field"] or "(body)" for e in errors)
        return problem(422, "Invalid input", f"Check these fields: {fields}.", errors=errors)

    @api.exception_handler(ServiceError)
    def _service(request: HttpRequest, exc: ServiceError):
        errors = [{"field": exc.field, "message": exc.message}] if exc.field else None
        return problem(exc.status, "Request refused", exc.message, errors=errors)

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Http404):
        return problem(404, "Not found", "No such resource, or it is not visible to you.")

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request: HttpRequest, exc: AuthenticationError):
        response = problem(401, "Unauthorised", "A valid, unexpired bearer token is required.")
        response["WWW-Authenticate"] = 'Bearer realm="punte"'
        return response

    @api.exception_handler(RequestDataTooBig)
    def _too_big(request: HttpRequest, exc: RequestDataTooBig):
        return problem(413, "Request body too large", "The request body exceeds the limit.")

    @api.exception_handler(HttpError)
    def _http_error(request: HttpRequest, exc: HttpError):
        detail = str(exc)
        if exc.status_code == 400 and "JSON" in detail:
            detail = "The request body is not valid JSON."
        return problem(exc.status_code, "Bad request" if exc.status_code == 400 else detail,
                       detail)

    @api.exception_handler(Exception)
    def _unexpected(request: HttpRequest, exc: Exception):
        logger.exception("Unhandled API error")
        return problem(500, "Internal error", "The error was logged; nothing was changed.")


T = TypeVar("T")


class CursorPage(Schema, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def _encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, default=str).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> list[Any]:
    try:
        decoded = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise ServiceError("cursor", "This cursor is not one the API issued.", status=400) from exc
    if not isinstance(decoded, list) or len(decoded) != 2:
        raise ServiceError("cursor", "This cursor is not one the API issued.", status=400)
    return decoded


def paginate_by_cursor(
    queryset: QuerySet, *, cursor: str | None, limit: int, order_field: str = "created_at"
) -> tuple[list[Any], str | None]:
    """Keyset pagination, newest first, on (order_field, id): stable under inserts, O(page) cost."""
    from django.db.models import Q

    if not 1 <= limit <= 200:
        raise ServiceError("limit", "limit must be between 1 and 200.", status=400)
    qs = queryset.order_by(f"-{order_field}", "-id")
    if cursor:
        last_value, last_id = _decode_cursor(cursor)
        field = queryset.model._meta.get_field(order_field)
        try:
            last_value = field.to_python(last_value)
        except Exception as exc:  # noqa: BLE001 - any malformed cursor is the client's error
            raise ServiceError("cursor", "This cursor is not one the API issued.",
                               status=400) from exc
        qs = qs.filter(
            Q(**{f"{order_field}__lt": last_value})
            | Q(**{order_field: last_value, "id__lt": last_id})
        )
    rows = list(qs[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = _encode_cursor([getattr(last, order_field).isoformat(), str(last.pk)])
    return rows, next_cursor
