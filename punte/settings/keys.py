"""Reading the secret material from the environment.

PUNTE_ENCRYPTION_KEYS   comma-separated "key_id:base64url(32 bytes)" pairs; old keys stay
                        listed until `rotate_keys` has re-encrypted everything to the primary.
PUNTE_ENCRYPTION_PRIMARY_KEY_ID  the key id new values are encrypted with.
PUNTE_BLIND_INDEX_KEY   base64url(32 bytes), the HMAC key for searchable blind indexes.
"""

import base64
import binascii

from django.core.exceptions import ImproperlyConfigured


def decode_key(name: str, value: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(value.strip() + "=" * (-len(value.strip()) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ImproperlyConfigured(f"{name} is not valid base64url.") from exc
    if len(raw) != 32:
        raise ImproperlyConfigured(f"{name} must decode to 32 bytes, not {len(raw)}.")
    return raw


def parse_keyring(value: str) -> dict[str, bytes]:
    keyring: dict[str, bytes] = {}
    for item in filter(None, (part.strip() for part in value.split(","))):
        key_id, sep, encoded = item.partition(":")
        if not sep or not key_id.isalnum():
            raise ImproperlyConfigured(
                "PUNTE_ENCRYPTION_KEYS entries look like 'k2026a:<base64url key>'."
            )
        keyring[key_id] = decode_key(f"PUNTE_ENCRYPTION_KEYS[{key_id}]", encoded)
    return keyring


def new_key() -> str:
    import secrets

    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")
