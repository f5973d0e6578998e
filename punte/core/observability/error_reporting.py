"""Error reports to Sentry, when PUNTE_SENTRY_DSN is set (production settings call `init`).

Nothing personal may leave: Sentry's own options send no personal data (no IP address, no user,
no cookies, no request body, no local variables, no source lines), and `before_send` and
`before_breadcrumb` run the logs' redaction (punte.core.logging) on everything else an event
carries. As in the logs, an exception keeps its type and stack but never its message, and a
message is masked for whatever looks personal. Request bodies are withheld whole: they are what
a person typed, and no pattern can tell a name in free text.
"""

from __future__ import annotations

from typing import Any

from punte.core import context
from punte.core.logging import MASK, WITHHELD, scrub, scrub_data

# Request headers that carry credentials or the client's address.
_DROPPED_HEADERS = frozenset(
    {"authorization", "cookie", "x-forwarded-for", "x-real-ip", "forwarded", "x-csrftoken"}
)
# Where a stack frame would show code or values rather than locations.
_FRAME_CONTENT = ("vars", "pre_context", "context_line", "post_context")


def _clean_frames(container: dict[str, Any] | None) -> None:
    for frame in ((container or {}).get("stacktrace") or {}).get("frames") or []:
        for key in _FRAME_CONTENT:
            frame.pop(key, None)


def _clean_request(request: dict[str, Any]) -> None:
    if request.get("data") not in (None, "", {}):
        request["data"] = WITHHELD
    request.pop("cookies", None)
    request.pop("env", None)
    if isinstance(request.get("query_string"), str):
        request["query_string"] = scrub(request["query_string"])
    elif request.get("query_string"):
        request["query_string"] = scrub_data(request["query_string"])
    if isinstance(request.get("url"), str):
        request["url"] = scrub(request["url"])
    headers = request.get("headers")
    if isinstance(headers, dict):
        request["headers"] = {
            name: scrub(str(value))
            for name, value in headers.items()
            if name.lower() not in _DROPPED_HEADERS
        }


def before_breadcrumb(crumb: dict[str, Any], hint: dict[str, Any] | None) -> dict[str, Any]:
    if isinstance(crumb.get("message"), str):
        crumb["message"] = scrub(crumb["message"])
    if crumb.get("data"):
        crumb["data"] = scrub_data(crumb["data"])
    return crumb


def before_send(event: dict[str, Any], hint: dict[str, Any] | None) -> dict[str, Any]:
    if isinstance(event.get("message"), str):
        event["message"] = scrub(event["message"])
    logentry = event.get("logentry")
    if isinstance(logentry, dict):
        for key in ("message", "formatted"):
            if isinstance(logentry.get(key), str):
                logentry[key] = scrub(logentry[key])
        if logentry.get("params"):
            logentry["params"] = scrub_data(logentry["params"])
    for exception in (event.get("exception") or {}).get("values") or []:
        if exception.get("value"):
            exception["value"] = WITHHELD
        _clean_frames(exception)
    for thread in (event.get("threads") or {}).get("values") or []:
        _clean_frames(thread)
    if isinstance(event.get("request"), dict):
        _clean_request(event["request"])
    breadcrumbs = event.get("breadcrumbs")
    values = breadcrumbs.get("values") if isinstance(breadcrumbs, dict) else breadcrumbs
    for crumb in values or []:
        before_breadcrumb(crumb, None)
    if event.get("extra"):
        event["extra"] = scrub_data(event["extra"])
    if event.get("user"):
        # Never who: the request id ties the event to the audit trail, where that is recorded.
        event["user"] = {}
    tags = event.get("tags")
    if isinstance(tags, dict):
        event["tags"] = {
            k: MASK if k.lower() in {"user", "email", "ip"} else scrub(str(v))
            for k, v in tags.items()
        }
    event.setdefault("tags", {})["request_id"] = context.current().request_id
    return event


def init(*, dsn: str, environment: str, release: str | None = None, transport: Any = None) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        transport=transport,
        integrations=[DjangoIntegration()],
        send_default_pii=False,
        max_request_body_size="never",
        include_local_variables=False,
        include_source_context=False,
        before_send=before_send,
        before_breadcrumb=before_breadcrumb,
        # Errors only: no performance tracing, whose spans would carry SQL and URLs.
        traces_sample_rate=0.0,
        # sessions would count users; nothing here needs them.
        auto_session_tracking=False,
    )
