"""Pages: a case's documents with the form to attach one, and the access-checked download.
Thin: selectors and services decide."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from punte.core.errors import ServiceError
from punte.documents import selectors, services, storage
from punte.documents.forms import DocumentForm


def _actor(request, permission: str):
    if request.membership is None or not request.membership.has_perm(permission):
        raise PermissionDenied
    return request.membership


def file_response(document, data: bytes) -> HttpResponse:
    """The bytes as an attachment, never rendered inline, named by the type judged at upload."""
    response = HttpResponse(data, content_type=document.content_type)
    extension = storage.ALLOWED_TYPES[document.content_type]
    response["Content-Disposition"] = (
        f'attachment; filename="document-{str(document.pk)[:8]}.{extension}"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def case_documents(request, case_id):
    actor = _actor(request, "case_document.view")
    case, documents = selectors.documents_of_case(actor=actor, case_id=case_id)
    may_attach = actor.has_perm("case_document.upload")
    form = None
    if may_attach:
        form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                services.check_size(upload.size)
                services.document_attach(
                    actor=actor,
                    case_id=case.pk,
                    kind=form.cleaned_data["kind"],
                    title=form.cleaned_data["title"],
                    data=upload.read(),
                )
            except ServiceError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                return redirect("documents:case_documents", case.pk)
    return render(
        request,
        "documents/case_documents.html",
        {"case": case, "documents": documents, "form": form},
        status=200,
    )


def download(request, document_id):
    actor = _actor(request, "case_document.view")
    document, data = selectors.document_open(actor=actor, document_id=document_id)
    return file_response(document, data)
