"""Conventions every API router shares: strict schemas, RFC 9457 problems, cursor pagination.

Every error the API answers, whoever produces it (a handler, ninja, the URL resolver, a
middleware), reaches the client as `application/problem+json` with `type`, `title`, `status` and
`detail`; input errors add `errors: [{"field": "aliases.0", "message": ...}]` naming each field
as a dotted path.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
import logging
import sys
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any, Generic, TypeVar

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from pydantic import ConfigDict, field_validator
from pydantic_core import PydanticCustomError

from punte.core.errors import ServiceError

logger = logging.getLogger("punte.api")

PROBLEM_JSON = "application/problem+json"
API_PREFIX = "/api/"
# The largest page a list answers (`limit`).
MAX_LIMIT = 200
# Headers an error response keeps when it is rewritten as a problem document.
_KEPT_HEADERS = ("Allow", "WWW-Authenticate", "Retry-After")


NUL = "\x00"
NUL_MESSAGE = "Must not contain the NUL character (U+0000)."


def nul_position(value: Any) -> str | None:
    """Where a NUL character sits in a decoded JSON value: "" for the value itself, "0" or
    "key" below it, None if there is none. PostgreSQL cannot store U+0000 in text, so such a
    value must be refused at the edge rather than reach the database as a 500 (ADR 0035)."""
    if isinstance(value, str):
        return "" if NUL in value else None
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, (list, tuple, set, frozenset)):
        items = enumerate(value)
    else:
        return None  # numbers, dates, and nested schemas, which checked their own fields
    for key, item in items:
        if isinstance(key, str) and NUL in key:
            return "(a key)"
        below = nul_position(item)
        if below is not None:
            return f"{key}.{below}".rstrip(".")
    return None


class StrictSchema(Schema):
    """Input schemas refuse fields they do not know, so a typo is an error, not silently lost,
    and any text holding a NUL character, which PostgreSQL cannot store (ADR 0035)."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _refuse_nul_characters(cls, value: Any) -> Any:
        position = nul_position(value)
        if position is not None:
            where = f" (at {position})" if position else ""
            raise PydanticCustomError("nul_character", NUL_MESSAGE[:-1] + where + ".")
        return value


def _title(status: int) -> str:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        return "Error"
    return phrase[0] + phrase[1:].lower()


def problem(
    status: int,
    title: str | None = None,
    detail: str = "",
    *,
    errors: list[dict[str, Any]] | None = None,
    type_: str = "about:blank",
) -> HttpResponse:
    body: dict[str, Any] = {"type": type_, "title": title or _title(status), "status": status}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    return HttpResponse(json.dumps(body), status=status, content_type=PROBLEM_JSON)


_SOURCES = ("body", "query", "path", "header", "cookie", "form", "file")


def _field_path(loc: Sequence[Any], single_body_attr: str | None = None) -> str:
    """("body", "payload", "aliases", 0) -> "aliases.0"; ("query", "limit") -> "limit"."""
    parts = list(loc)
    if parts and parts[0] in _SOURCES:
        parts.pop(0)
        # A handler with one schema body parameter gets the body under that parameter's name.
        if single_body_attr and parts and parts[0] == single_body_attr:
            parts.pop(0)
    return ".".join(str(p) for p in parts)


def register_problem_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(ValidationError)
    def _validation(request: HttpRequest, exc: ValidationError):
        errors = []
        for err in exc.errors:
            field = err.get("field")
            if field is None:
                field = _field_path(err.get("loc", ()))
            message = err.get("msg", "invalid")
            if not field:
                message = "The body must be a JSON object."
            errors.append({"field": field, "message": message})
        fields = ", ".join(e["field"] or "(body)" for e in errors)
        return problem(422, "Invalid input", f"Check these fields: {fields}.", errors=errors)

    @api.exception_handler(ServiceError)
    def _service(request: HttpRequest, exc: ServiceError):
        errors = [{"field": exc.field, "message": exc.message}] if exc.field else None
        titles = {400: "Invalid parameter", 403: "Not allowed", 404: "Not found"}
        return problem(
            exc.status, titles.get(exc.status, "Request refused"), exc.message, errors=errors
        )

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Http404):
        return problem(404, "Not found", "No such resource, or it is not visible to you.")

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request: HttpRequest, exc: AuthenticationError):
        detail = (
            exc.message
            if exc.message != "Unauthorized"
            else ("Send `Authorization: Bearer <token>` with a valid, unexpired token.")
        )
        response = problem(401, "Unauthorised", detail)
        response["WWW-Authenticate"] = 'Bearer realm="punte"'
        return response

    @api.exception_handler(RequestDataTooBig)
    def _too_big(request: HttpRequest, exc: RequestDataTooBig):
        return too_big()

    @api.exception_handler(HttpError)
    def _http_error(request: HttpRequest, exc: HttpError):
        # ninja wraps every failure to read the body as "Cannot parse request body" (400).
        if isinstance(exc.__cause__, RequestDataTooBig):
            return too_big()
        detail = str(exc)
        if exc.status_code == 400 and "parse request body" in detail:
            return problem(400, "Malformed JSON", "The request body is not valid JSON.")
        if exc.status_code == 403 and "CSRF" in detail:
            return problem(
                403,
                "CSRF check failed",
                "A browser session must send the CSRF token (X-CSRFToken header).",
            )
        return problem(exc.status_code, None, detail)

    @api.exception_handler(Exception)
    def _unexpected(request: HttpRequest, exc: Exception):
        logger.error("Unhandled API error", exc_info=exc)
        return problem(500, "Internal error", "The error was logged; nothing was changed.")


def too_big(limit: int | None = None) -> HttpResponse:
    from django.conf import settings

    limit = limit or settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return problem(
        413, "Request body too large", f"The request body exceeds the limit of {limit} bytes."
    )


# --- OpenAPI ------------------------------------------------------------------------------

_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def _problem_response(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_JSON: {"schema": _PROBLEM_REF}}}


def documented_problems(responses: dict[int, str]) -> dict[str, Any]:
    """`openapi_extra` for an operation that answers a status the shared conventions do not
    cover (a 503 while reference data is missing): {status: description}."""
    return {"responses": {status: _problem_response(text) for status, text in responses.items()}}


class PunteAPI(NinjaAPI):
    """NinjaAPI whose schema documents the problem+json errors and the Idempotency-Key header
    of every operation, so no router has to repeat them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        register_problem_handlers(self)

    def get_openapi_operation_id(self, operation) -> str:
        # An operation id is derived from the module of its view, and clients generated from the
        # document name their methods by it: a module that moved declares the prefix it was
        # published under (OPERATION_ID_PREFIX), so moving code never renames an operation.
        module = sys.modules.get(operation.view_func.__module__)
        prefix = getattr(module, "OPERATION_ID_PREFIX", None)
        if prefix is None:
            return super().get_openapi_operation_id(operation)
        return f"{prefix}_{operation.view_func.__name__}"

    def validation_error_from_error_contexts(self, error_contexts):
        # ninja drops which body parameter an error came from; keep it to name the field well.
        error = super().validation_error_from_error_contexts(error_contexts)
        fields = []
        for context in error_contexts:
            single = getattr(context.model, "__read_from_single_attr__", None)
            source = context.model.__ninja_param_source__
            for err in context.pydantic_validation_error.errors(include_url=False):
                loc = (source,) + context.model.__ninja_flatten_map_reverse__.get(
                    err["loc"], err["loc"]
                )
                fields.append(_field_path(loc, single))
        for err, field in zip(error.errors, fields, strict=False):
            err["field"] = field
        return error

    def get_openapi_schema(self, *args: Any, **kwargs: Any):
        schema = super().get_openapi_schema(*args, **kwargs)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.update(PROBLEM_SCHEMAS)
        for path_item in schema.get("paths", {}).values():
            for method, operation in path_item.items():
                _document_errors(method, operation)
        return schema


PROBLEM_SCHEMAS: dict[str, Any] = {
    "ProblemField": {
        "type": "object",
        "title": "ProblemField",
        "required": ["field", "message"],
        "properties": {
            "field": {
                "type": "string",
                "description": "The offending input as a dotted path (`aliases.0`); empty for "
                "the body as a whole.",
            },
            "message": {"type": "string"},
        },
    },
    "Problem": {
        "type": "object",
        "title": "Problem",
        "description": "RFC 9457 problem details: every error of this API is answered so.",
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": {"type": "string", "default": "about:blank"},
            "title": {"type": "string"},
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "detail": {"type": "string"},
            "errors": {"type": "array", "items": {"$ref": "#/components/schemas/ProblemField"}},
        },
    },
}


# Query parameters of every list: paging, never naming a record.
_PAGING = frozenset({"cursor", "limit"})


def _document_errors(method: str, operation: dict[str, Any]) -> None:
    """The statuses every operation can answer by the conventions it shares (ADR 0009): each
    rule below follows a code path common to all routers, and test_api_statuses checks both the
    rules and that no app raises a status its operations do not document."""
    responses = operation.setdefault("responses", {})
    parameters = operation.setdefault("parameters", [])
    has_path = any(p.get("in") == "path" for p in parameters)
    names_records = any(p.get("in") == "query" and p.get("name") not in _PAGING for p in parameters)
    has_body = "requestBody" in operation
    is_post = method.lower() == "post"
    writes = method.lower() in ("post", "put", "patch")
    wanted = {
        400: "Malformed request (bad JSON, bad cursor, `limit` out of range, bad Idempotency-Key)"
    }
    if operation.get("security"):
        wanted[401] = "Missing, expired, revoked or unknown credentials"
        wanted[403] = (
            "The role may not do this (or a browser session lacks its CSRF token); a record "
            "outside your scope is a 404, never a 403"
        )
    if has_path or has_body or names_records:
        # A record named by the path, the body or a filter that does not exist or is outside
        # the caller's scope: not found, so that its existence does not leak (ADR 0003).
        wanted[404] = "No such resource, or not visible to you"
    if is_post:
        wanted[409] = (
            "Conflict: the record's state does not allow this now (a lifecycle transition "
            "that is no longer open), or the stored answer of this Idempotency-Key can no "
            "longer be read"
        )
    if writes or has_body:
        # A POST without a declared body may still be sent one; the size limit applies to all.
        wanted[413] = "The body exceeds the size limit"
    if has_body or parameters or is_post:
        wanted[422] = "Invalid input: `errors` names each field as a dotted path"
    for status, description in wanted.items():
        responses.setdefault(status, _problem_response(description))
    for param in parameters:
        # Every list pages with `limit` through paginate_by_cursor, which enforces this range.
        if param.get("in") == "query" and param.get("name") == "limit":
            param["schema"].update({"minimum": 1, "maximum": MAX_LIMIT})
            param.setdefault("description", "Page size (newest first).")
        if param.get("in") == "query" and param.get("name") == "cursor":
            param.setdefault(
                "description",
                "Opaque: the `next_cursor` of the previous page; any other value is a 400.",
            )
    if not is_post:
        return
    parameters.append(
        {
            "in": "header",
            "name": "Idempotency-Key",
            "required": False,
            "description": (
                "Repeat a POST safely: the same key with the same body returns the first "
                "response (marked `Idempotent-Replayed: true`) and writes nothing again; the "
                "same key with another body is refused with 422."
            ),
            "schema": {"type": "string", "minLength": 1, "maxLength": 255},
        }
    )
    for status, response in responses.items():
        if int(status) < 500:
            response.setdefault("headers", {})["Idempotent-Replayed"] = {
                "description": "`true` when this is the stored answer to an earlier request "
                "with the same Idempotency-Key.",
                "schema": {"type": "string", "enum": ["true"]},
            }


# --- Problem documents for errors made outside the API's handlers ------------------------


class ApiProblemMiddleware:
    """Under /api/, turns any error response that is not already a problem document (Django's
    404 for an unknown route, ninja's 405, a 400 from a refused host, a 500 page) into one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX) or response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith(PROBLEM_JSON):
            return response
        status = response.status_code
        details = {
            404: "There is no such API route.",
            405: f"Allowed methods: {response.get('Allow', '')}.",
            500: "The error was logged; nothing was changed.",
        }
        converted = problem(status, None, details.get(status, ""))
        for header in (*_KEPT_HEADERS, "X-Request-ID"):
            if header in response:
                converted[header] = response[header]
        return converted


# --- Cursor pagination --------------------------------------------------------------------

T = TypeVar("T")
_BAD_CURSOR = "This cursor is not one the API issued."


class CursorPage(Schema, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def _encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, default=str).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        decoded = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise ServiceError("cursor", _BAD_CURSOR, status=400) from exc
    if (
        not isinstance(decoded, list)
        or len(decoded) != 2
        or not all(isinstance(v, str) for v in decoded)
    ):
        raise ServiceError("cursor", _BAD_CURSOR, status=400)
    return decoded


def check_limit(limit: int) -> None:
    """A page's size as every list accepts it: 400 naming `limit` otherwise."""
    if not 1 <= limit <= MAX_LIMIT:
        raise ServiceError("limit", f"limit must be between 1 and {MAX_LIMIT}.", status=400)


def paginate_by_cursor(
    queryset: QuerySet,
    *,
    cursor: str | None,
    limit: int,
    order_field: str = "created_at",
    ascending: bool = False,
) -> tuple[list[Any], str | None]:
    """Keyset pagination, newest first, on (order_field, pk): stable under inserts, O(page) cost.
    `ascending` walks oldest (or soonest due) first instead.

    The cursor is opaque to clients (base64 of the last row's sort key); a forged one is a 400
    naming `cursor`, never a 500.
    """
    check_limit(limit)
    sign, after = ("", "gt") if ascending else ("-", "lt")
    qs = queryset.order_by(f"{sign}{order_field}", f"{sign}pk")
    if cursor:
        raw_value, raw_pk = _decode_cursor(cursor)
        meta = queryset.model._meta
        try:
            last_value = meta.get_field(order_field).to_python(raw_value)
            last_pk = meta.pk.to_python(raw_pk)
        except (DjangoValidationError, ValueError, TypeError) as exc:
            raise ServiceError("cursor", _BAD_CURSOR, status=400) from exc
        if last_value is None or last_pk is None:
            raise ServiceError("cursor", _BAD_CURSOR, status=400)
        if isinstance(last_value, datetime.datetime) and last_value.tzinfo is None:
            raise ServiceError("cursor", _BAD_CURSOR, status=400)
        qs = qs.filter(
            Q(**{f"{order_field}__{after}": last_value})
            | Q(**{order_field: last_value, f"pk__{after}": last_pk})
        )
    rows = list(qs[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = _encode_cursor([getattr(last, order_field).isoformat(), str(last.pk)])
    return rows, next_cursor
