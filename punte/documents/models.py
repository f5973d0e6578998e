"""Files attached to an assistance case (ADR 0041): reports, decisions, medical certificates.

The row holds what the file is (its kind, a title, the type judged from its content, its size,
its hash) and where its sealed bytes are kept in the `documents` storage (outside the web root;
an object store in production). The bytes are encrypted with the personal-data keys and bound
to the row, so a file copied onto another record does not open.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from punte.core.fields import EncryptedTextField
from punte.core.models import TimeStampedModel


class DocumentKind(models.TextChoices):
    REPORT = "report", _("Report")
    DECISION = "decision", _("Decision")
    MEDICAL_CERTIFICATE = "medical_certificate", _("Medical certificate")
    IDENTITY_DOCUMENT = "identity_document", _("Copy of an identity document")
    OTHER = "other", _("Other document")


# A kind whose files are a restricted section of the case (cases.permissions): read only by
# those who may read that section.
KIND_SECTION = {DocumentKind.MEDICAL_CERTIFICATE: "medical"}


class ScanResult(models.TextChoices):
    CLEAN = "clean", _("Scanned: no virus found")
    NOT_SCANNED = "not_scanned", _("Not scanned (no scanner configured)")


class CaseDocument(TimeStampedModel):
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="documents")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=24, choices=DocumentKind.choices)
    # Titles name what a file is ("Forensic report on ..."), so they may name the person.
    title = EncryptedTextField(null=True)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=200, unique=True)
    scan = models.CharField(max_length=16, choices=ScanResult.choices)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["case", "created_at"])]

    def __str__(self) -> str:
        return f"Document {str(self.pk)[:8].upper()}"

    @property
    def binding(self) -> str:
        """The associated data sealing the bytes to this row."""
        return f"documents.CaseDocument:{self.pk}"

    @property
    def section(self) -> str | None:
        return KIND_SECTION.get(self.kind)
