"""Case documents in the permission matrix (punte.testing.permission_matrix). Attaching is a
multipart upload, tried by test_documents.py; the reads are here."""

from __future__ import annotations

from punte.cases.tests.factories import open_case
from punte.documents import services
from punte.testing.permission_matrix import OBJECT, Endpoint

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n"


def _document(owner):
    case = open_case(manager=owner)
    return services.document_attach(
        actor=owner, case_id=case.pk, kind="report", title="Raport", data=PDF
    )


ENDPOINTS = [
    Endpoint(
        name="case.documents",
        method="GET",
        kind=OBJECT,
        permission="case_document.view",
        path=lambda d: f"/cases/{d.case_id}/documents",
        make_record=_document,
    ),
    Endpoint(
        name="document.content",
        method="GET",
        kind=OBJECT,
        permission="case_document.view",
        path=lambda d: f"/documents/{d.pk}/content",
        make_record=_document,
    ),
]
