"""Authenticated encryption of personal fields, and keyed hashes (blind indexes) to search them.

Each ciphertext is "v1:<key id>:<base64url(nonce || AES-256-GCM ciphertext+tag)>". The field's
identity ("app_label.model.field") is bound in as associated data, so a ciphertext copied from
one column into another fails to decrypt instead of silently changing meaning.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import unicodedata

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

PREFIX = "v1"


class DecryptionError(Exception):
    """A stored value could not be decrypted: unknown key id, or altered ciphertext."""


def _b64e(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def primary_key_id() -> str:
    return settings.PUNTE_ENCRYPTION_PRIMARY_KEY_ID


def encrypt(plaintext: str, *, associated_data: str, key_id: str | None = None) -> str:
    key_id = key_id or primary_key_id()
    key = settings.PUNTE_ENCRYPTION_KEYS[key_id]
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, plaintext.encode(), associated_data.encode())
    return f"{PREFIX}:{key_id}:{_b64e(nonce + sealed)}"


def key_id_of(ciphertext: str) -> str:
    parts = ciphertext.split(":", 2)
    if len(parts) != 3 or parts[0] != PREFIX:
        raise DecryptionError("Not a Punte ciphertext.")
    return parts[1]


def decrypt(ciphertext: str, *, associated_data: str) -> str:
    key_id = key_id_of(ciphertext)
    key = settings.PUNTE_ENCRYPTION_KEYS.get(key_id)
    if key is None:
        raise DecryptionError(f"Encryption key {key_id!r} is not configured.")
    raw = _b64d(ciphertext.split(":", 2)[2])
    try:
        return AESGCM(key).decrypt(raw[:12], raw[12:], associated_data.encode()).decode()
    except InvalidTag as exc:
        raise DecryptionError("Ciphertext failed authentication.") from exc


def normalise_for_index(value: str) -> str:
    """Case, accents, cedilla/comma forms and spacing must not defeat an exact search."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.split())


def blind_index(value: str | None, *, purpose: str) -> str:
    """A keyed hash of the normalised value: equal inputs match, nothing can be read back.

    `purpose` separates indexes so that equal names in two different fields do not correlate.
    """
    if value is None or not str(value).strip():
        return ""
    message = f"{purpose}\x00{normalise_for_index(str(value))}".encode()
    return hmac.new(settings.PUNTE_BLIND_INDEX_KEY, message, hashlib.sha256).hexdigest()[:32]
