"""Where sealed document bytes are kept, how uploads are judged, and the virus scanner.

The `documents` storage (settings.STORAGES) is a file system directory outside the web root by
default, an object store in production; nothing serves it directly: every download goes through
the access-checked view. A row erased by retention takes its stored bytes with it.

Types are judged by the file's content (its magic bytes, `filetype`), never by its name or the
browser's claim. ClamAV is asked over its clamd protocol (INSTREAM) when PUNTE_CLAMAV_SOCKET or
PUNTE_CLAMAV_HOST is set; PUNTE_CLAMAV_REQUIRED refuses every upload while it does not answer.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db.models.signals import post_delete
from django.dispatch import receiver

# What a case file may be: PDFs and photographs or scans. Office documents are asked as PDF:
# they carry macros, and a PDF is what a court or a prosecutor accepts.
ALLOWED_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


def document_storage():
    return storages["documents"]


def max_bytes() -> int:
    return getattr(settings, "PUNTE_DOCUMENT_MAX_BYTES", 20 * 1024 * 1024)


def judged_type(head: bytes) -> str | None:
    """The file's type from its first bytes, if it is one a case file may be."""
    kind = filetype.guess_mime(head)
    return kind if kind in ALLOWED_TYPES else None


class ScannerUnavailable(Exception):
    pass


@dataclass(frozen=True)
class Verdict:
    scanned: bool
    infected: bool
    signature: str = ""


def _connect() -> socket.socket | None:
    timeout = getattr(settings, "PUNTE_CLAMAV_TIMEOUT", 30)
    path = getattr(settings, "PUNTE_CLAMAV_SOCKET", "")
    host = getattr(settings, "PUNTE_CLAMAV_HOST", "")
    try:
        if path:
            connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            connection.settimeout(timeout)
            connection.connect(path)
            return connection
        if host:
            port = int(getattr(settings, "PUNTE_CLAMAV_PORT", 3310))
            return socket.create_connection((host, port), timeout=timeout)
    except OSError as exc:
        raise ScannerUnavailable(str(exc)) from exc
    return None


def scan(data: bytes) -> Verdict:
    """ClamAV's verdict on `data` (clamd INSTREAM), or not scanned when no scanner is set.
    Raises ScannerUnavailable when one is set and does not answer properly."""
    connection = _connect()
    if connection is None:
        if getattr(settings, "PUNTE_CLAMAV_REQUIRED", False):
            raise ScannerUnavailable("scanning is required and no scanner is configured")
        return Verdict(scanned=False, infected=False)
    try:
        with connection:
            connection.sendall(b"zINSTREAM\0")
            chunk = 64 * 1024
            for start in range(0, len(data), chunk):
                part = data[start : start + chunk]
                connection.sendall(struct.pack("!L", len(part)) + part)
            connection.sendall(struct.pack("!L", 0))
            reply = b""
            while not reply.endswith(b"\0"):
                received = connection.recv(4096)
                if not received:
                    break
                reply += received
    except OSError as exc:
        raise ScannerUnavailable(str(exc)) from exc
    text = reply.rstrip(b"\0").decode(errors="replace").strip()
    if text.endswith("OK"):
        return Verdict(scanned=True, infected=False)
    if text.endswith("FOUND"):
        return Verdict(scanned=True, infected=True, signature=text.split(":", 1)[-1][:-5].strip())
    raise ScannerUnavailable(f"unexpected answer from the scanner: {text[:80]}")


def save_sealed(name: str, sealed: bytes) -> str:
    return document_storage().save(name, ContentFile(sealed))


def read_sealed(name: str) -> bytes:
    with document_storage().open(name, "rb") as handle:
        return handle.read()


@receiver(post_delete, sender="documents.CaseDocument")
def _erase_bytes(sender, instance, **kwargs) -> None:
    # The row is gone (retention's erasure): its bytes must not outlive it.
    document_storage().delete(instance.storage_name)


def stored_names(directory: str = "") -> list[str]:
    """Every stored name under `directory`, walking subdirectories."""
    store = document_storage()
    try:
        folders, files = store.listdir(directory)
    except FileNotFoundError:
        return []
    found = [f"{directory}/{name}" if directory else name for name in files]
    for folder in folders:
        found.extend(stored_names(f"{directory}/{folder}" if directory else folder))
    return found
