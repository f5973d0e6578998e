"""Attaching a file to a case (ADR 0027, ADR 0041).

In the order a person would fix it: who may attach to this case, the kind and title, the size,
the type judged from the content, the virus scanner's verdict; then the bytes are sealed and
stored and the row written in one transaction. A refusal stores nothing (a file already written
when the transaction fails is removed).
"""

from __future__ import annotations

import hashlib
import uuid

from django.db import transaction
from django.http import Http404
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from punte.accounts.models import Membership
from punte.cases import selectors as case_selectors
from punte.cases.models import TeamMember
from punte.core import audit
from punte.core.crypto import encrypt_bytes
from punte.core.errors import ServiceError, uuid_or_404
from punte.documents import storage
from punte.documents.models import CaseDocument, DocumentKind, ScanResult

TITLE_LIMIT = 200


def _case_to_attach_to(actor: Membership, case_id):
    if not actor.has_perm("case_document.upload"):
        raise Http404
    pk = uuid_or_404(case_id)
    case = (
        case_selectors.case_list_visible_to(actor=actor)
        .select_for_update(of=("self",))
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise Http404
    on_team = TeamMember.objects.filter(
        TeamMember.in_force_q(timezone.localdate()), case=case, membership_id=actor.pk
    ).exists()
    if actor.organisation_id != case.owner_organisation_id and not on_team:
        raise ServiceError(
            None,
            _("Only the organisation managing the case, or its team, may attach files to it."),
            status=403,
        )
    return case


def check_size(size: int) -> None:
    """Refuse a file over the limit before its bytes are read (the API and the page ask first)."""
    if size > storage.max_bytes():
        raise ServiceError(
            "file",
            _("The file is %(size)s: attach files of at most %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(storage.max_bytes())},
            status=413,
        )


@transaction.atomic
def document_attach(
    *, actor: Membership, case_id, kind: str, title: str, data: bytes
) -> CaseDocument:
    case = _case_to_attach_to(actor, case_id)
    if kind not in DocumentKind.values:
        raise ServiceError("kind", _("Choose what kind of document this is."))
    title = (title or "").strip()
    if not title:
        raise ServiceError("title", _("Enter a title that says what the document is."))
    if len(title) > TITLE_LIMIT:
        raise ServiceError(
            "title", _("Enter a title of at most %(limit)d characters.") % {"limit": TITLE_LIMIT}
        )
    if not data:
        raise ServiceError("file", _("Choose a file: the one sent was empty."))
    check_size(len(data))
    content_type = storage.judged_type(data[:8192])
    if content_type is None:
        raise ServiceError(
            "file",
            _(
                "This file is not a PDF, JPEG or PNG, whatever its name says. Save or scan it as "
                "PDF and attach it again."
            ),
        )
    try:
        verdict = storage.scan(data)
    except storage.ScannerUnavailable as exc:
        raise ServiceError(
            "file",
            _("The virus scanner is not answering, so the file was not stored. Try again later."),
            status=503,
        ) from exc
    if verdict.infected:
        raise ServiceError(
            "file", _("The virus scanner found a threat in this file; it was not stored.")
        )
    document = CaseDocument(
        id=uuid.uuid4(),
        case=case,
        organisation_id=actor.organisation_id,
        kind=kind,
        title=title,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        scan=ScanResult.CLEAN if verdict.scanned else ScanResult.NOT_SCANNED,
        created_by=actor.user,
        modified_by=actor.user,
    )
    name = f"cases/{case.pk}/{document.pk}.{storage.ALLOWED_TYPES[content_type]}.sealed"
    document.storage_name = storage.save_sealed(
        name, encrypt_bytes(data, associated_data=document.binding)
    )
    try:
        document.save(force_insert=True)
        audit.record(
            action="case_document.uploaded",
            actor=actor,
            subject=document,
            person_id=case.person_id,
            changes={"kind": kind, "content_type": content_type, "size": len(data)},
        )
    except BaseException:
        # Nothing of a refused write stays behind; a failure at commit itself leaves bytes
        # without a row, which jobs.sweep_unreferenced removes.
        storage.document_storage().delete(document.storage_name)
        raise
    return document
