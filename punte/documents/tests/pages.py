"""Case documents' pages in the accessibility suite (punte.testing.accessibility)."""

from django.urls import reverse

from punte.cases.tests.pages import child_case
from punte.testing.pages import Page


def _with_a_document(scene):
    case, manager = child_case(scene)
    if getattr(scene, "_document", None) is None:
        from punte.documents import services

        scene._document = services.document_attach(
            actor=manager,
            case_id=case.pk,
            kind="report",
            title="Raport de evaluare \u202einițială",
            data=b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n",
        )
    return reverse("documents:case_documents", args=[case.pk])


PAGES = [Page("case documents", _with_a_document, login=lambda s: child_case(s)[1])]
