"""Case documents: judged by content, size-limited, scanned where a scanner is set, stored sealed
outside the web root, opened only through the access-checked, audited view; refusals store
nothing; retention takes the bytes with the row."""

import os
import socket
import struct
import tempfile
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from punte.accounts.models import OrganisationType
from punte.accounts.tests.factories import MembershipFactory, OrganisationFactory
from punte.cases.tests.factories import open_case
from punte.core.audit import AuditEvent
from punte.core.errors import ServiceError
from punte.documents import jobs, selectors, services, storage
from punte.documents.models import CaseDocument
from punte.testing.api import ApiClient
from punte.testing.web import verified_client

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40


@pytest.fixture
def child_case():
    case = open_case(is_child=True)
    return case, case.created_by.memberships.get()


def _attach(actor, case, data=PDF, kind="report", title="Raport de evaluare"):
    return services.document_attach(actor=actor, case_id=case.pk, kind=kind, title=title, data=data)


def _nothing_written(call, field, status=422):
    before = (CaseDocument.objects.count(), len(storage.stored_names()))
    with pytest.raises(ServiceError) as refused:
        call()
    assert refused.value.field == field
    assert refused.value.status == status
    assert (CaseDocument.objects.count(), len(storage.stored_names())) == before
    return refused.value


def test_a_pdf_is_stored_sealed_and_opens_again_only_through_the_selector(child_case):
    case, manager = child_case
    document = _attach(manager, case)
    assert (document.content_type, document.size, document.scan) == (
        "application/pdf",
        len(PDF),
        "not_scanned",
    )
    sealed = storage.read_sealed(document.storage_name)
    assert PDF not in sealed and b"%PDF" not in sealed
    opened, data = selectors.document_open(actor=manager, document_id=document.pk)
    assert data == PDF
    assert AuditEvent.objects.filter(
        action="case_document.downloaded", subject_id=str(document.pk)
    ).exists()


def test_a_file_that_claims_to_be_a_pdf_but_is_not_is_refused(child_case):
    case, manager = child_case
    refused = _nothing_written(lambda: _attach(manager, case, data=b"MZ\x90\x00 not a pdf"), "file")
    assert "PDF" in refused.message


def test_the_type_is_judged_by_content_not_by_name(child_case):
    case, manager = child_case
    client = verified_client(manager.user)
    upload = SimpleUploadedFile("scan.pdf", PNG, content_type="application/pdf")
    response = client.post(
        reverse("documents:case_documents", args=[case.pk]),
        {"kind": "report", "title": "Scanare", "file": upload},
    )
    assert response.status_code == 302
    assert CaseDocument.objects.get().content_type == "image/png"


def test_a_file_over_the_limit_is_refused_with_413_before_it_is_read(child_case, settings):
    case, manager = child_case
    settings.PUNTE_DOCUMENT_MAX_BYTES = 100
    refused = _nothing_written(lambda: _attach(manager, case, data=PDF + b" " * 200), "file", 413)
    assert "100" in refused.message
    response = ApiClient(manager).client.post(
        f"/api/v1/cases/{case.pk}/documents",
        {"kind": "report", "title": "Prea mare", "file": SimpleUploadedFile("a.pdf", PDF * 10)},
        headers=ApiClient(manager).headers,
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["field"] == "file"


@pytest.mark.parametrize(
    ("field", "kind", "title"),
    [("kind", "diary", "Titlu"), ("title", "report", "  "), ("title", "report", "x" * 201)],
)
def test_kind_and_title_are_checked_naming_the_field(child_case, field, kind, title):
    case, manager = child_case
    _nothing_written(lambda: _attach(manager, case, kind=kind, title=title), field)


class _FakeClamd:
    """A clamd speaking INSTREAM on a Unix socket: 'FOUND' for the EICAR marker, else 'OK'."""

    def __init__(self):
        self.path = os.path.join(tempfile.mkdtemp(), "clamd.sock")
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(self.path)
        self.server.listen(4)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                connection, _address = self.server.accept()
            except OSError:
                return
            with connection:
                command = b""
                while not command.endswith(b"\0"):
                    command += connection.recv(1)
                data = b""
                while True:
                    size = struct.unpack("!L", self._exactly(connection, 4))[0]
                    if size == 0:
                        break
                    data += self._exactly(connection, size)
                infected = b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE" in data
                reply = b"stream: Eicar-Signature FOUND\0" if infected else b"stream: OK\0"
                connection.sendall(reply)

    @staticmethod
    def _exactly(connection, size):
        data = b""
        while len(data) < size:
            data += connection.recv(size - len(data))
        return data

    def close(self):
        self.server.close()


def test_the_scanner_passes_a_clean_file_and_refuses_a_threat(child_case, settings):
    case, manager = child_case
    clamd = _FakeClamd()
    try:
        settings.PUNTE_CLAMAV_SOCKET = clamd.path
        assert _attach(manager, case).scan == "clean"
        threat = PDF + b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
        refused = _nothing_written(lambda: _attach(manager, case, data=threat), "file")
        assert "threat" in refused.message
    finally:
        clamd.close()


def test_a_required_scanner_that_does_not_answer_refuses_with_503(child_case, settings):
    case, manager = child_case
    settings.PUNTE_CLAMAV_SOCKET = "/nonexistent/clamd.sock"
    _nothing_written(lambda: _attach(manager, case), "file", 503)
    settings.PUNTE_CLAMAV_SOCKET = ""
    settings.PUNTE_CLAMAV_REQUIRED = True
    _nothing_written(lambda: _attach(manager, case), "file", 503)


def test_a_medical_certificate_opens_only_for_who_may_read_the_medical_section(child_case):
    case, manager = child_case
    certificate = _attach(
        manager, case, kind="medical_certificate", title="Certificat medico-legal"
    )
    report = _attach(manager, case)
    # The case manager's role (regional officer) holds no medical section.
    _case, listed = selectors.documents_of_case(actor=manager, case_id=case.pk)
    assert [d.pk for d in listed] == [report.pk]
    from django.http import Http404

    with pytest.raises(Http404):
        selectors.document_open(actor=manager, document_id=certificate.pk)
    supervisor = MembershipFactory(
        organisation=case.owner_organisation, role_code="unit_supervisor"
    )
    _document, data = selectors.document_open(actor=supervisor, document_id=certificate.pk)
    assert data == PDF


def test_another_organisation_gets_404_on_the_list_the_download_and_the_upload(child_case):
    case, manager = child_case
    document = _attach(manager, case)
    stranger = MembershipFactory(
        organisation=OrganisationFactory(type=OrganisationType.CHILD_PROTECTION),
        role_code="child_protection_officer",
    )
    client = verified_client(stranger.user)
    assert client.get(reverse("documents:case_documents", args=[case.pk])).status_code == 404
    assert client.get(reverse("documents:download", args=[document.pk])).status_code == 404
    api = ApiClient(stranger)
    assert api.get(f"/documents/{document.pk}/content").status_code == 404
    assert api.get(f"/cases/{case.pk}/documents").status_code == 404


def test_the_download_is_an_attachment_never_rendered_inline(child_case):
    case, manager = child_case
    document = _attach(manager, case)
    response = verified_client(manager.user).get(reverse("documents:download", args=[document.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content == PDF


def test_retention_s_erasure_takes_the_stored_bytes_with_the_row(child_case):
    case, manager = child_case
    document = _attach(manager, case)
    name = document.storage_name
    CaseDocument.objects.filter(pk=document.pk).delete()
    assert name not in storage.stored_names()


def test_bytes_no_row_names_are_swept_after_the_grace_period(child_case):
    import datetime

    from django.utils import timezone

    case, manager = child_case
    kept = _attach(manager, case)
    stray = storage.save_sealed("cases/stray.sealed", b"left by a failed commit")
    assert jobs.sweep_unreferenced() == 0
    later = timezone.now() + jobs.GRACE + datetime.timedelta(minutes=1)
    assert jobs.sweep_unreferenced(now=later) == 1
    names = storage.stored_names()
    assert stray not in names and kept.storage_name in names
