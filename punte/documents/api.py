"""/api/v1/cases/{id}/documents and /api/v1/documents/{id} (ADR 0041)."""

from __future__ import annotations

import datetime
import uuid

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile

from punte.core.api_support import documented_problems
from punte.documents import selectors, services, storage
from punte.documents.models import CaseDocument, DocumentKind, ScanResult
from punte.documents.views import file_response

router = Router(tags=["documents"])


class DocumentOut(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    kind: DocumentKind
    title: str | None
    content_type: str
    size: int
    sha256: str
    scan: ScanResult
    organisation: str
    created_at: datetime.datetime

    @staticmethod
    def resolve_organisation(obj: CaseDocument) -> str:
        return obj.organisation.name


@router.get("/cases/{case_id}/documents", response=list[DocumentOut], summary="A case's documents")
def list_case_documents(request: HttpRequest, case_id: str):
    _case, documents = selectors.documents_of_case(actor=request.membership, case_id=case_id)
    return documents


@router.post(
    "/cases/{case_id}/documents",
    response={201: DocumentOut},
    summary="Attach a file to a case (multipart)",
    openapi_extra=documented_problems(
        {503: "A virus scanner is required and does not answer: nothing was stored"}
    ),
)
def attach_document(
    request: HttpRequest,
    case_id: str,
    kind: Form[DocumentKind],
    title: Form[str],
    file: File[UploadedFile],
):
    """A PDF, JPEG or PNG judged by its content, at most PUNTE_DOCUMENT_MAX_BYTES (413 above);
    scanned by ClamAV where one is configured (503 while a required scanner does not answer)."""
    services.check_size(file.size)
    document = services.document_attach(
        actor=request.membership, case_id=case_id, kind=kind, title=title, data=file.read()
    )
    return 201, CaseDocument.objects.select_related("organisation").get(pk=document.pk)


@router.get(
    "/documents/{document_id}/content",
    response={200: bytes},
    summary="A document's content (audited)",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The file, as application/pdf, image/jpeg or image/png",
                "content": {
                    t: {"schema": {"type": "string", "format": "binary"}}
                    for t in storage.ALLOWED_TYPES
                },
            }
        }
    },
)
def document_content(request: HttpRequest, document_id: str) -> HttpResponse:
    document, data = selectors.document_open(actor=request.membership, document_id=document_id)
    return file_response(document, data)
