"""Every read of case documents, scoped by the acting membership (ADR 0003).

A case's documents are listed to whoever may see the case (cases.selectors, the same rule) and
holds `case_document.view`; a document of a restricted kind (a medical certificate) only to
those who may read its section of that case. Outside scope a document is not found. Opening
one (its bytes) is audited; the list is audited as the case's opening is.
"""

from __future__ import annotations

import uuid

from django.db import transaction
from django.http import Http404

from punte.accounts.models import Membership
from punte.cases import selectors as case_selectors
from punte.core import audit
from punte.core.crypto import decrypt_bytes
from punte.core.errors import uuid_or_404
from punte.documents import storage
from punte.documents.models import KIND_SECTION, CaseDocument


def _readable(actor: Membership, case, documents):
    sections = set(case_selectors.sections_readable(actor=actor, case=case))
    return [d for d in documents if KIND_SECTION.get(d.kind) in (None, *sections)]


def documents_of_case(*, actor: Membership, case_id: uuid.UUID | str):
    """A case (its opening audited by the case's selector) and the documents one may open."""
    if not actor.has_perm("case_document.view"):
        raise Http404
    case = case_selectors.case_get(actor=actor, case_id=case_id)
    documents = CaseDocument.objects.filter(case=case).select_related("organisation")
    return case, _readable(actor, case, documents)


def document_open(*, actor: Membership, document_id: uuid.UUID | str) -> tuple[CaseDocument, bytes]:
    """One document and its bytes, decrypted, for those who may read it; the download is
    written to the audit trail in the same transaction."""
    if not actor.has_perm("case_document.view"):
        raise Http404
    pk = uuid_or_404(document_id)
    with transaction.atomic():
        document = (
            CaseDocument.objects.filter(
                pk=pk, case__in=case_selectors.case_list_visible_to(actor=actor)
            )
            .select_related("case")
            .first()
        )
        if document is None or not _readable(actor, document.case, [document]):
            raise Http404
        audit.record(
            action="case_document.downloaded",
            actor=actor,
            subject=document,
            person_id=document.case.person_id,
        )
        data = decrypt_bytes(
            storage.read_sealed(document.storage_name), associated_data=document.binding
        )
    return document, data
