"""The translation catalogues (ADR 0006): complete, compiled, consistent, and actually used.

The compiled .mo files are committed so Punte runs without GNU gettext; these tests make sure
they say what their .po says, that Romanian is complete, that no translation drops or renames a
placeholder, that the pages switch language, and that `makemessages` finds nothing new.
"""

from __future__ import annotations

import ast
import gettext
import io
import json
import re
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import translation

from punte.accounts.tests.factories import MembershipFactory
from punte.testing.api import ApiClient
from punte.testing.web import verified_client

LOCALE = Path(settings.BASE_DIR) / "locale"
CATALOGUES = sorted(LOCALE.glob("*/LC_MESSAGES/*.po"))
ROMANIAN = sorted(LOCALE.glob("ro/LC_MESSAGES/*.po"))


def _ids(paths):
    return [str(p.relative_to(LOCALE)) for p in paths]


def test_there_are_catalogues_for_romanian_and_ukrainian():
    names = {str(p.relative_to(LOCALE)) for p in CATALOGUES}
    assert {
        "ro/LC_MESSAGES/django.po",
        "ro/LC_MESSAGES/djangojs.po",
        "uk/LC_MESSAGES/django.po",
        "uk/LC_MESSAGES/djangojs.po",
    } <= names


# --- (a) every .mo says what its .po says -------------------------------------------------------


def _messages(translations: gettext.GNUTranslations) -> dict:
    # The catalogue without its header: the header's wording differs between msgfmt and polib;
    # what matters in it (plural rule, charset) is compared on its own below.
    return {key: value for key, value in translations._catalog.items() if key != ""}


@pytest.mark.parametrize("po_path", CATALOGUES, ids=_ids(CATALOGUES))
def test_every_compiled_catalogue_matches_its_source(po_path):
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} is missing: run make messages and commit it"
    expected = gettext.GNUTranslations(io.BytesIO(polib.pofile(str(po_path)).to_binary()))
    with mo_path.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    assert _messages(compiled) == _messages(expected), (
        f"{mo_path} is stale: run make messages (or compilemessages) and commit it"
    )
    assert compiled.charset().lower() == "utf-8"
    assert [compiled.plural(n) for n in range(0, 250)] == [
        expected.plural(n) for n in range(0, 250)
    ]


# --- (b) Romanian and Ukrainian are complete; nothing anywhere is fuzzy or obsolete --------------


@pytest.mark.parametrize("po_path", CATALOGUES, ids=_ids(CATALOGUES))
def test_every_message_is_translated(po_path):
    catalogue = polib.pofile(str(po_path))
    untranslated = [e.msgid for e in catalogue.untranslated_entries()]
    assert untranslated == []
    assert catalogue.percent_translated() == 100


@pytest.mark.parametrize("po_path", CATALOGUES, ids=_ids(CATALOGUES))
def test_no_catalogue_keeps_fuzzy_or_obsolete_entries(po_path):
    catalogue = polib.pofile(str(po_path))
    assert [e.msgid for e in catalogue.fuzzy_entries()] == []
    assert [e.msgid for e in catalogue.obsolete_entries()] == []
    assert not catalogue.metadata_is_fuzzy


def test_romanian_uses_the_three_plural_forms_of_romanian():
    catalogue = gettext.GNUTranslations(
        io.BytesIO(polib.pofile(str(LOCALE / "ro/LC_MESSAGES/django.po")).to_binary())
    )
    # 1 organizație, 2/19/101 organizații, 0 organizații, 20/100 de organizații
    assert [catalogue.plural(n) for n in (1, 2, 19, 101, 0, 20, 100, 120)] == [
        0,
        1,
        1,
        1,
        1,
        2,
        2,
        2,
    ]


def test_the_romanian_diacritics_are_the_comma_below_ones():
    for po_path in ROMANIAN:
        text = po_path.read_text(encoding="utf-8")
        assert "ş" not in text and "ţ" not in text and "Ş" not in text and "Ţ" not in text, (
            f"{po_path}: write ș/ț (comma below), not ş/ţ (cedilla)"
        )


# --- (c) placeholders and markup survive translation --------------------------------------------

# %(name)s, %s, %d, %% (escaped); {name} for str.format; HTML tags.
_PLACEHOLDER = re.compile(r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[sdifr]|\{[A-Za-z_][\w.]*\}")
_TAG = re.compile(r"</?[A-Za-z][^>]*>")


def _tokens(text: str) -> list[str]:
    text = text.replace("%%", "")
    return sorted(_PLACEHOLDER.findall(text) + _TAG.findall(text))


@pytest.mark.parametrize("po_path", CATALOGUES, ids=_ids(CATALOGUES))
def test_translations_keep_the_placeholders_and_markup_of_their_source(po_path):
    wrong = []
    for entry in polib.pofile(str(po_path)).translated_entries():
        if entry.msgid_plural:
            source = _tokens(entry.msgid_plural)
            forms = entry.msgstr_plural.values()
        else:
            source = _tokens(entry.msgid)
            forms = [entry.msgstr]
        wrong += [(entry.msgid, form) for form in forms if _tokens(form) != source]
    assert wrong == []


def test_the_placeholder_check_sees_a_dropped_or_renamed_placeholder():
    assert _tokens("Edit %(name)s") != _tokens("Editați %(nume)s")
    assert _tokens("Edit %(name)s") != _tokens("Editați")
    assert _tokens('Restore<span class="x"> at %(o)s</span>') != _tokens("Restabiliți la %(o)s")
    assert _tokens("100%% of %(n)d") == _tokens("100%% din %(n)d")


# --- (d) the pages switch language --------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "heading"),
    [("ro", "<h1>Autentificare</h1>"), ("uk", "<h1>Вхід</h1>"), ("en", "<h1>Sign in</h1>")],
)
def test_the_sign_in_page_follows_accept_language(client, language, heading):
    response = client.get("/accounts/login/", headers={"accept-language": language})
    page = response.content.decode()
    assert heading in page
    assert f'<html lang="{language}">' in page


@pytest.mark.django_db
def test_the_language_cookie_wins_over_accept_language(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "uk"
    page = client.get("/accounts/login/", headers={"accept-language": "ro"}).content.decode()
    assert "Перейти до основного вмісту" in page  # the skip link of base.html
    assert "<h1>Вхід</h1>" in page


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ro", "uk", "en"])
def test_the_language_switch_names_each_language_in_itself(client, language):
    page = client.get("/accounts/login/", headers={"accept-language": language}).content.decode()
    for code, name in [("ro", "Română"), ("en", "English"), ("uk", "Українська")]:
        assert re.search(rf'<option value="{code}" lang="{code}"[^>]*>{name}</option>', page)


@pytest.mark.django_db
def test_the_language_switch_sets_the_language_for_the_next_pages(client):
    response = client.post("/i18n/setlang/", {"language": "ro", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert "<h1>Autentificare</h1>" in client.get("/accounts/login/").content.decode()


@pytest.mark.django_db
def test_a_signed_in_page_names_the_role_in_the_readers_language():
    membership = MembershipFactory(role_code="first_responder")
    client = verified_client(membership.user)
    romanian = client.get("/", headers={"accept-language": "ro"}).content.decode()
    assert "Bun venit în Punte" in romanian
    assert "Prim-respondent" in romanian
    ukrainian = client.get("/", headers={"accept-language": "uk"}).content.decode()
    assert "Першореагувальник" in ukrainian
    assert "Вийти" in ukrainian


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [("ro", "Se verifică..."), ("uk", "Перевірка...")],
)
def test_the_passkey_scripts_get_their_messages_in_the_readers_language(client, language, expected):
    # django-otp-webauthn ships no Romanian or Ukrainian; ours come from locale/*/djangojs.po.
    script = client.get("/webauthn/jsi18n/", headers={"accept-language": language})
    assert f'"Verifying...": {json.dumps(expected)}' in script.content.decode()


@pytest.mark.django_db
def test_the_api_answers_in_english_whatever_the_callers_language():
    membership = MembershipFactory(role_code="first_responder")
    response = ApiClient(membership).post("/persons/search", {}, headers={"Accept-Language": "ro"})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "family_name",
            "message": "Give at least one of family_name, given_name or date_of_birth.",
        }
    ]
    assert response["Content-Language"] == "en"


@pytest.mark.django_db
def test_the_command_line_speaks_english_even_where_romanian_is_the_default(settings):
    settings.LANGUAGE_CODE = "ro"
    membership = MembershipFactory(role_code="first_responder")
    with (
        translation.override("ro"),
        pytest.raises(CommandError, match=r"--days: A token lives between 1 and 366 days\."),
    ):
        call_command("create_api_token", user=membership.user.username, days=999)


# --- (e) the catalogues hold every marked string ------------------------------------------------

_GETTEXT_TOOLS = ("xgettext", "msguniq", "msgmerge", "msgattrib")


@pytest.mark.skipif(
    any(shutil.which(tool) is None for tool in _GETTEXT_TOOLS),
    reason="GNU gettext (xgettext, msgmerge) is not installed: apt-get install gettext",
)
def test_makemessages_would_change_no_catalogue(tmp_path, monkeypatch, settings):
    # makemessages writes into every directory named "locale" that it walks past, so it runs on
    # a copy of the sources and catalogues, never on the working tree.
    base = Path(settings.BASE_DIR)
    shutil.copytree(
        base / "punte", tmp_path / "punte", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copytree(LOCALE, tmp_path / "locale")
    monkeypatch.chdir(tmp_path)
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    for domain in ("django", "djangojs"):
        call_command(
            "makemessages",
            domain=domain,
            locale=["ro", "uk"],
            ignore_patterns=["punte/static/vendor/*"],
            no_obsolete=True,
            add_location="file",
            verbosity=0,
        )

    def entries(root: Path) -> dict[str, set]:
        return {
            str(path.relative_to(root)): {
                (e.msgctxt, e.msgid, e.msgid_plural)
                for e in polib.pofile(str(path))
                if not e.obsolete
            }
            for path in sorted(root.glob("*/LC_MESSAGES/*.po"))
        }

    found, committed = entries(tmp_path / "locale"), entries(LOCALE)
    assert found.keys() == committed.keys()
    for name in committed:
        assert sorted(found[name] - committed[name], key=str) == [], (
            f"{name}: strings marked in the code are missing; run make messages and translate"
        )
        assert sorted(committed[name] - found[name], key=str) == [], (
            f"{name}: strings no longer in the code; run make messages"
        )


# --- Marking that makemessages can see ----------------------------------------------------------

# xgettext's Python keywords as Django's makemessages passes them.
_KEYWORDS = {
    "_",
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "npgettext_lazy",
}
_SOURCES = [
    path
    for path in sorted((Path(settings.BASE_DIR) / "punte").rglob("*.py"))
    if "migrations" not in path.parts
]


def test_translation_functions_keep_names_makemessages_knows():
    aliased = []
    for path in _SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
                aliased += [
                    f"{path.relative_to(settings.BASE_DIR)}: {a.name} as {a.asname}"
                    for a in node.names
                    if a.asname and a.asname not in _KEYWORDS
                ]
    assert aliased == [], "makemessages does not extract calls made through these names"


def test_no_translation_call_hides_inside_an_f_string():
    hidden = []
    for path in _SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.JoinedStr):
                continue
            for inner in ast.walk(node):
                name = getattr(getattr(inner, "func", None), "id", None)
                if isinstance(inner, ast.Call) and name in _KEYWORDS:
                    hidden.append(f"{path.relative_to(settings.BASE_DIR)}:{inner.lineno}")
    assert hidden == [], "xgettext does not see translation calls inside f-strings"
