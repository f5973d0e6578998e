"""Pages of the audit trail: a person's access log for the data protection officer, and the
auditors' search. Both answer 404 to anyone without the permission (existence must not leak)."""

from __future__ import annotations

import csv
import datetime
import uuid
from collections.abc import Iterable, Iterator

from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from punte.auditing import selectors as audit_selectors
from punte.auditing.forms import AuditSearchForm, PersonAccessForm
from punte.core import audit
from punte.core.api_support import paginate_by_cursor
from punte.core.errors import ServiceError
from punte.core.models import AuditEvent

PAGE_SIZE = 50

# Plain words for the actions a data subject will most often see; every other action is
# described by the meaning its app declares (audit.catalogue(), the apps' events.py).
ACTION_LABELS = {
    "person.created": gettext_lazy("Recorded the person"),
    "person.viewed": gettext_lazy("Opened the person's record"),
    "person.changed": gettext_lazy("Changed the person's record"),
    "person.searched": gettext_lazy("Searched persons"),
    "audit.person_access_viewed": gettext_lazy("Consulted this access log"),
    "audit.searched": gettext_lazy("Searched the audit trail"),
}


def _actor(request, permission: str):
    membership = getattr(request, "membership", None)
    if membership is None or not membership.has_perm(permission):
        raise Http404
    return membership


def _page(events, request):
    """One page of events, newest first; a forged cursor is reported, never a 500."""
    try:
        return (
            *paginate_by_cursor(
                events,
                cursor=request.GET.get("cursor") or None,
                limit=PAGE_SIZE,
                order_field="occurred_at",
            ),
            None,
        )
    except ServiceError:
        return [], None, _("This page link is not valid. Start again from the first page.")


def _next_query(request, next_cursor: str | None) -> str | None:
    if not next_cursor:
        return None
    params = request.GET.copy()
    params["cursor"] = next_cursor
    return params.urlencode()


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action) or audit.catalogue().get(action, ""))


def _labelled(events: Iterable[AuditEvent]) -> list[AuditEvent]:
    rows = list(events)
    for event in rows:
        event.label = action_label(event.action)
    return rows


@require_safe
def person_access(request):
    """Who accessed a person's data, and when (GDPR art. 15), by record id only; CSV export."""
    actor = _actor(request, "audit.view_person_access")
    form = PersonAccessForm(request.GET or None)
    context = {"form": form}
    if form.is_valid():
        person_id = form.cleaned_data["person"]
        export = request.GET.get("format") == "csv"
        events = audit_selectors.person_access_list(
            actor=actor, person_id=person_id, via="csv" if export else "web"
        )
        if export:
            return _csv_response(person_id, events)
        rows, next_cursor, page_error = _page(events, request)
        export_query = request.GET.copy()
        export_query.pop("cursor", None)
        export_query["format"] = "csv"
        context.update(
            person_id=person_id,
            events=_labelled(rows),
            page_error=page_error,
            next_query=_next_query(request, next_cursor),
            export_query=export_query.urlencode(),
            first_page=not request.GET.get("cursor"),
        )
    return render(request, "auditing/person_access.html", context)


# Spreadsheets run cells that start like a formula; a user name may (Django allows "+-@").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_rows(header: list[str], events, labels: dict[str, str]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # byte order mark: spreadsheets then read the file as UTF-8
    yield writer.writerow(header)
    for event in events.order_by("occurred_at", "id").iterator(chunk_size=2000):
        when = event.occurred_at
        yield writer.writerow(
            [
                _cell(v)
                for v in (
                    when.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S"),
                    timezone.localtime(when).strftime("%Y-%m-%d %H:%M:%S"),
                    event.actor_username,
                    event.organisation.name if event.organisation else "",
                    event.action,
                    labels.get(event.action, ""),
                    event.request_id,
                )
            ]
        )


def _csv_response(person_id: uuid.UUID, events) -> StreamingHttpResponse:
    """The subject access answer, oldest first. The header is translated now, while the
    request's language is active; rows are streamed."""
    zone = timezone.get_current_timezone_name()
    header = [
        _("When (UTC)"),
        _("When (local time, %(zone)s)") % {"zone": zone},
        _("User"),
        _("Organisation"),
        _("Action"),
        _("Description"),
        _("Request id"),
    ]
    labels = {code: action_label(code) for code in {*audit.catalogue(), *ACTION_LABELS}}
    response = StreamingHttpResponse(
        _csv_rows(header, events, labels), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="access-log-{person_id}.csv"'
    response["Cache-Control"] = "no-store"
    return response


@require_safe
def search(request):
    """Filter the trail by user, organisation, action, subject, person and dates; newest first."""
    actor = _actor(request, "audit.search")
    organisations = audit_selectors.organisations_for_audit_filter(actor=actor)
    form = AuditSearchForm(request.GET or None, organisations=organisations)
    context = {"form": form}
    if form.is_bound and form.is_valid():
        events = audit_selectors.audit_search(actor=actor, filters=form.filters())
        rows, next_cursor, page_error = _page(events, request)
        context.update(
            searched=True,
            events=_labelled(rows),
            page_error=page_error,
            next_query=_next_query(request, next_cursor),
        )
    return render(request, "auditing/search.html", context)
