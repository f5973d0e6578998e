"""Reading the secret material from the environment.

PUNTE_ENCRYPTION_KEYS   comma-separated "key_id:base64url(32 bytes)" pairs; old keys stay
                        listed until `rotate_keys` has re-encrypted everything to the primary.
                        A key id is 1 to 16 ASCII letters or digits (it is written into every
                        ciphertext), e.g. "k2026a".
PUNTE_ENCRYPTION_PRIMARY_KEY_ID  the key id new values are encrypted with.
PUNTE_BLIND_INDEX_KEY   base64url(32 bytes), the HMAC key for searchable blind indexes.
"""

import base64
import binascii
import re

from django.core.exceptions import ImproperlyConfigured

_KEY_ID = re.compile(r"^[A-Za-z0-9]{1,16}$")


def decode_key(name: str, value: str) -> bytes:
    text = value.strip()
    try:
        # validate=True: a stray character is an error, not silently dropped.
        raw = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ImproperlyConfigured(f"{name} is not valid base64url.") from exc
    if len(raw) != 32:
        raise ImproperlyConfigured(f"{name} must decode to 32 bytes, not {len(raw)}.")
    return raw


def parse_keyring(value: str) -> dict[str, bytes]:
    keyring: dict[str, bytes] = {}
    for item in filter(None, (part.strip() for part in value.split(","))):
        key_id, sep, encoded = item.partition(":")
        key_id = key_id.strip()
        if not sep or not _KEY_ID.match(key_id):
            raise ImproperlyConfigured(
                "PUNTE_ENCRYPTION_KEYS entries look like 'k2026a:<base64url key>' "
                "(key id: 1 to 16 ASCII letters or digits)."
            )
        if key_id in keyring:
            raise ImproperlyConfigured(f"PUNTE_ENCRYPTION_KEYS lists key id {key_id!r} twice.")
        keyring[key_id] = decode_key(f"PUNTE_ENCRYPTION_KEYS[{key_id}]", encoded)
    if len(set(keyring.values())) != len(keyring):
        raise ImproperlyConfigured("PUNTE_ENCRYPTION_KEYS lists the same key under two ids.")
    return keyring


def new_key() -> str:
    import secrets

    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")
