"""Authenticated encryption of personal fields, and keyed hashes (blind indexes) to search them.

Each ciphertext is "v1:<key id>:<base64url(nonce || AES-256-GCM ciphertext+tag)>". The field's
identity ("app_label.model.field", see EncryptedField.binding) is bound in as associated data, so
a ciphertext copied from one column into another fails to decrypt instead of silently changing
meaning. The key id travels with each value, so several keys can be readable at once while
`manage.py rotate_keys` moves every value to the primary key.

Limits, on purpose: the row is not bound in (a value moved between two rows of the same column
still decrypts; the database's own access control and the audit trail guard against that), and
blind indexes have one key (PUNTE_BLIND_INDEX_KEY) that rotate_keys does not change.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import unicodedata

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "v1"
NONCE_BYTES = 12
TAG_BYTES = 16
KEY_ID = re.compile(r"^[A-Za-z0-9]{1,16}$")


class DecryptionError(Exception):
    """A stored value could not be decrypted: unknown key id, malformed or altered ciphertext."""


def _b64e(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _b64d(text: str) -> bytes:
    # validate=True: a character outside the alphabet is an error, not silently skipped.
    return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)


def primary_key_id() -> str:
    key_id = getattr(settings, "PUNTE_ENCRYPTION_PRIMARY_KEY_ID", "") or ""
    if key_id not in getattr(settings, "PUNTE_ENCRYPTION_KEYS", {}):
        raise ImproperlyConfigured(
            "PUNTE_ENCRYPTION_PRIMARY_KEY_ID must name a key listed in PUNTE_ENCRYPTION_KEYS."
        )
    return key_id


def prefix_for(key_id: str) -> str:
    """The text every ciphertext made with `key_id` starts with (used to find old values)."""
    return f"{PREFIX}:{key_id}:"


def encrypt(plaintext: str, *, associated_data: str, key_id: str | None = None) -> str:
    key_id = key_id or primary_key_id()
    key = settings.PUNTE_ENCRYPTION_KEYS.get(key_id)
    if key is None:
        raise ImproperlyConfigured(f"Encryption key {key_id!r} is not configured.")
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, plaintext.encode(), associated_data.encode())
    return f"{prefix_for(key_id)}{_b64e(nonce + sealed)}"


def key_id_of(ciphertext: str) -> str:
    parts = ciphertext.split(":", 2)
    if len(parts) != 3 or parts[0] != PREFIX or not KEY_ID.match(parts[1]):
        raise DecryptionError("Not a Punte ciphertext.")
    return parts[1]


def decrypt(ciphertext: str, *, associated_data: str) -> str:
    key_id = key_id_of(ciphertext)
    key = settings.PUNTE_ENCRYPTION_KEYS.get(key_id)
    if key is None:
        raise DecryptionError(f"Encryption key {key_id!r} is not configured.")
    try:
        raw = _b64d(ciphertext.split(":", 2)[2])
    except (binascii.Error, ValueError) as exc:
        raise DecryptionError("Ciphertext is not valid base64url.") from exc
    if len(raw) < NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("Ciphertext is too short.")
    try:
        plain = AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], associated_data.encode())
    except InvalidTag as exc:
        raise DecryptionError("Ciphertext failed authentication.") from exc
    return plain.decode()


def reencrypt(ciphertext: str, *, associated_data: str, key_id: str | None = None) -> str:
    """The same plaintext under `key_id` (the primary by default), never leaving this function."""
    return encrypt(
        decrypt(ciphertext, associated_data=associated_data),
        associated_data=associated_data,
        key_id=key_id,
    )


FILE_MAGIC = b"PNTF1"


def encrypt_bytes(plaintext: bytes, *, associated_data: str, key_id: str | None = None) -> bytes:
    """A file's bytes sealed like a field: FILE_MAGIC, the key id's length and the key id, then
    nonce || AES-256-GCM ciphertext+tag. `associated_data` binds it to its record."""
    key_id = key_id or primary_key_id()
    key = settings.PUNTE_ENCRYPTION_KEYS.get(key_id)
    if key is None:
        raise ImproperlyConfigured(f"Encryption key {key_id!r} is not configured.")
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, plaintext, associated_data.encode())
    name = key_id.encode()
    return FILE_MAGIC + bytes([len(name)]) + name + nonce + sealed


def decrypt_bytes(sealed: bytes, *, associated_data: str) -> bytes:
    if not sealed.startswith(FILE_MAGIC) or len(sealed) < len(FILE_MAGIC) + 1:
        raise DecryptionError("Not a Punte encrypted file.")
    offset = len(FILE_MAGIC)
    length = sealed[offset]
    key_id = sealed[offset + 1 : offset + 1 + length].decode(errors="replace")
    key = settings.PUNTE_ENCRYPTION_KEYS.get(key_id)
    if key is None:
        raise DecryptionError(f"Encryption key {key_id!r} is not configured.")
    raw = sealed[offset + 1 + length :]
    if len(raw) < NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("Encrypted file is too short.")
    try:
        return AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], associated_data.encode())
    except InvalidTag as exc:
        raise DecryptionError("Encrypted file failed authentication.") from exc


def normalise_for_index(value: str) -> str:
    """Case, accents, cedilla/comma forms and spacing must not defeat an exact search.

    NFKD splits "ș" (comma below, U+0219) and "ş" (cedilla, U+015F) alike into "s" plus a
    combining mark, which is then dropped; the same for ț/ţ, ă, â, î. Decomposing before and
    after case folding catches letters whose folded form decomposes differently.
    """
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", value).casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.split())


def blind_index(value: str | None, *, purpose: str) -> str:
    """A keyed hash of the normalised value: equal inputs match, nothing can be read back.

    `purpose` separates indexes so that equal names in two different fields do not correlate.
    An empty value has no index (""): callers must never search for "".
    """
    if value is None or not normalise_for_index(str(value)):
        return ""
    message = f"{purpose}\x00{normalise_for_index(str(value))}".encode()
    return hmac.new(settings.PUNTE_BLIND_INDEX_KEY, message, hashlib.sha256).hexdigest()[:32]
