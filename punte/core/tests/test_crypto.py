"""Authenticated encryption, blind indexes and the keyring read from the environment."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from punte.core import crypto
from punte.settings.keys import decode_key, new_key, parse_keyring

AD = "identification.person.family_name"


def _swap_char(text: str, index: int) -> str:
    replacement = "A" if text[index] != "A" else "B"
    return text[:index] + replacement + text[index + 1 :]


def test_round_trip_and_every_value_names_its_key():
    ciphertext = crypto.encrypt("Ștefănescu", associated_data=AD)
    assert ciphertext.startswith("v1:test1:")
    assert crypto.key_id_of(ciphertext) == "test1"
    assert crypto.decrypt(ciphertext, associated_data=AD) == "Ștefănescu"


def test_equal_plaintexts_encrypt_differently():
    # A fresh nonce each time: equal names must not show up as equal ciphertexts.
    assert crypto.encrypt("Popescu", associated_data=AD) != crypto.encrypt(
        "Popescu", associated_data=AD
    )


def test_ciphertext_of_another_column_does_not_decrypt():
    ciphertext = crypto.encrypt("Ana", associated_data="identification.person.given_name")
    with pytest.raises(crypto.DecryptionError, match="authentication"):
        crypto.decrypt(ciphertext, associated_data=AD)


@pytest.mark.parametrize("position", [len("v1:test1:") + 2, -3])
def test_altered_ciphertext_is_refused(position):
    ciphertext = crypto.encrypt("Popescu", associated_data=AD)
    index = position if position >= 0 else len(ciphertext) + position
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(_swap_char(ciphertext, index), associated_data=AD)


@pytest.mark.parametrize(
    "stored",
    [
        "Popescu",  # plaintext that slipped into the column
        "v2:test1:AAAA",  # unknown format version
        "v1:test1:",  # empty body
        "v1:test1:AAAA",  # shorter than nonce + tag
        "v1:test1:not*base64!",  # characters outside base64url
        "v1:te st:AAAA",  # malformed key id
    ],
)
def test_malformed_values_raise_decryption_error_not_something_else(stored):
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(stored, associated_data=AD)


def test_unknown_key_id_is_a_decryption_error_naming_the_key():
    ciphertext = crypto.encrypt("Popescu", associated_data=AD)
    with (
        override_settings(
            PUNTE_ENCRYPTION_KEYS={"other": decode_key("k", new_key())},
            PUNTE_ENCRYPTION_PRIMARY_KEY_ID="other",
        ),
        pytest.raises(crypto.DecryptionError, match="test1"),
    ):
        crypto.decrypt(ciphertext, associated_data=AD)


def test_reencrypt_moves_a_value_to_the_primary_key():
    keys = {"A": decode_key("A", new_key()), "B": decode_key("B", new_key())}
    with override_settings(PUNTE_ENCRYPTION_KEYS=keys, PUNTE_ENCRYPTION_PRIMARY_KEY_ID="A"):
        old = crypto.encrypt("Ionescu", associated_data=AD)
    with override_settings(PUNTE_ENCRYPTION_KEYS=keys, PUNTE_ENCRYPTION_PRIMARY_KEY_ID="B"):
        fresh = crypto.reencrypt(old, associated_data=AD)
    assert crypto.key_id_of(old) == "A" and crypto.key_id_of(fresh) == "B"
    with override_settings(
        PUNTE_ENCRYPTION_KEYS={"B": keys["B"]}, PUNTE_ENCRYPTION_PRIMARY_KEY_ID="B"
    ):
        assert crypto.decrypt(fresh, associated_data=AD) == "Ionescu"


def test_primary_key_missing_from_keyring_is_a_configuration_error():
    with (
        override_settings(PUNTE_ENCRYPTION_PRIMARY_KEY_ID="absent"),
        pytest.raises(ImproperlyConfigured, match="PUNTE_ENCRYPTION_PRIMARY_KEY_ID"),
    ):
        crypto.encrypt("x", associated_data=AD)


# --- blind indexes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "normalised"),
    [
        ("ş", "s"),  # U+015F s with cedilla (the legacy form)
        ("ș", "s"),  # U+0219 s with comma below (the correct Romanian letter)
        ("Ş", "s"),
        ("Ș", "s"),
        ("ţ", "t"),  # U+0163
        ("ț", "t"),  # U+021B
        ("Țăndărică", "tandarica"),
        ("Îonescu  Ârghir", "ionescu arghir"),
        ("  ștefănescu\t", "stefanescu"),
    ],
)
def test_normalise_for_index_folds_case_diacritics_and_both_s_t_forms(written, normalised):
    assert crypto.normalise_for_index(written) == normalised


def test_blind_index_matches_whatever_the_spelling_of_diacritics_and_case():
    comma = crypto.blind_index("Ștefănescu", purpose="person.family_name")
    assert comma == crypto.blind_index("STEFANESCU", purpose="person.family_name")
    assert comma == crypto.blind_index("Ştefănescu", purpose="person.family_name")  # cedilla
    assert comma != crypto.blind_index("Stefanescul", purpose="person.family_name")


def test_blind_index_separates_purposes_and_depends_on_the_key():
    family = crypto.blind_index("Toma", purpose="person.family_name")
    assert family != crypto.blind_index("Toma", purpose="person.given_name")
    with override_settings(PUNTE_BLIND_INDEX_KEY=decode_key("k", new_key())):
        assert crypto.blind_index("Toma", purpose="person.family_name") != family
    assert "toma" not in family.lower()


@pytest.mark.parametrize("empty", [None, "", "   ", "\u0327"])
def test_blind_index_of_no_value_is_empty_so_it_can_never_be_searched_for(empty):
    assert crypto.blind_index(empty, purpose="person.family_name") == ""


# --- keyring parsing --------------------------------------------------------------------------


def test_parse_keyring_reads_several_keys():
    one, two = new_key(), new_key()
    keyring = parse_keyring(f"k2026a:{one}, k2027a:{two}")
    assert set(keyring) == {"k2026a", "k2027a"}
    assert keyring["k2026a"] == decode_key("x", one)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("k1", "look like"),
        ("k-1:{key}", "look like"),
        ("ключ:{key}", "look like"),
        ("k1:{key},k1:{other}", "twice"),
        ("k1:{key},k2:{key}", "same key"),
        ("k1:not-a-key", "32 bytes|base64url"),
        ("k1:{key}*", "base64url"),
    ],
)
def test_parse_keyring_refuses_mistakes(value, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        parse_keyring(value.format(key=new_key(), other=new_key()))
