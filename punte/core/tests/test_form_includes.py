"""Every form draws its fields through accounts/_field.html and its problems through
accounts/_error_summary.html (issue 11): optional fields say so, each error is tied to its input,
the summary links to each field and is where focus goes after a failed submit."""

from __future__ import annotations

import pathlib
import re

import pytest
from django import forms
from django.template.loader import render_to_string

from punte.accounts.forms_auth import CodeForm, TOTPConfirmForm
from punte.accounts.tests.factories import MembershipFactory
from punte.testing.web import verified_client

TEMPLATES = pathlib.Path(__file__).resolve().parents[2]


class _Form(forms.Form):
    name = forms.CharField(label="Name", help_text="As written in the passport.")
    nickname = forms.CharField(label="Nickname", required=False)
    agree = forms.BooleanField(label="Agreed", required=False)
    kind = forms.ChoiceField(
        label="Kind", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect
    )
    colours = forms.MultipleChoiceField(
        label="Colours",
        choices=[("r", "Red")],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


def _field(form, name):
    return render_to_string("accounts/_field.html", {"field": form[name]})


def test_optional_fields_say_so_in_their_label_and_required_ones_do_not():
    form = _Form()
    assert re.search(
        r"<label[^>]*>Nickname <span class=\"optional\">\(optional\)</span>",
        _field(form, "nickname"),
    )
    assert "(optional)" not in _field(form, "name")
    assert "(optional)" not in _field(form, "agree")  # a lone checkbox is a choice, not a gap
    assert re.search(r"<legend>Colours <span class=\"optional\">", _field(form, "colours"))
    assert "(optional)" not in _field(form, "kind")


def test_each_error_is_tied_to_its_input_and_the_summary_links_to_it():
    form = _Form(data={"name": "", "kind": ""})
    assert not form.is_valid()
    name = _field(form, "name")
    assert 'id="id_name_error"' in name
    assert re.search(r'<input[^>]*aria-invalid="true"', name)
    assert re.search(r'<input[^>]*aria-describedby="id_name_helptext id_name_error"', name)
    kind = _field(form, "kind")
    assert re.search(r'<fieldset aria-describedby="id_kind_error">', kind)
    summary = render_to_string("accounts/_error_summary.html", {"form": form})
    assert 'role="alert"' in summary and 'tabindex="-1"' in summary and "data-autofocus" in summary
    assert 'href="#id_name"' in summary
    assert 'href="#id_kind_0"' in summary  # the first radio of the group


def test_no_template_draws_a_field_error_by_hand_and_every_summary_takes_focus():
    """The shared include is the only place that draws a field's error; a page's own summary of
    a problem that belongs to no field (a refused referral, a questionnaire) takes focus too."""
    drawn_by_hand, summaries_without_focus = [], []
    for path in TEMPLATES.glob("**/templates/**/*.html"):
        name = str(path).split("/templates/", 1)[1]
        if name in {"accounts/_field.html", "accounts/_error_summary.html"}:
            continue
        # Search filters the server could not read are ignored and named in the results' status
        # line (the search still answers): no submit failed, nothing to correct.
        if name in {
            "accounts/admin/_user_results.html",
            "accounts/admin/_organisation_results.html",
        }:
            continue
        text = path.read_text()
        if re.search(r"field\.errors|for error in [a-z_.]*errors", text):
            drawn_by_hand.append(name)
        for summary in re.findall(r'<div class="error-summary"[^>]*>', text):
            if "data-autofocus" not in summary or 'tabindex="-1"' not in summary:
                summaries_without_focus.append(name)
    assert not drawn_by_hand, drawn_by_hand
    assert not summaries_without_focus, summaries_without_focus


def test_the_app_code_opens_a_number_pad_and_a_recovery_code_a_keyboard():
    for form in (CodeForm(), TOTPConfirmForm()):
        html = str(form["code"])
        assert 'inputmode="numeric"' in html and 'autocomplete="one-time-code"' in html
    recovery = str(CodeForm(recovery=True)["code"])
    assert 'inputmode="text"' in recovery and 'id="id_recovery_code"' in recovery


@pytest.mark.django_db
def test_a_failed_submit_answers_with_the_summary_and_the_field_error():
    member = MembershipFactory(role_code="regional_officer")
    client = verified_client(member.user)
    response = client.post("/signals/new/", {"channel": "in_person", "description": ""})
    html = response.content.decode()
    assert response.status_code in (200, 422)
    assert 'class="error-summary"' in html and 'href="#id_description"' in html
    assert re.search(
        r'<textarea[^>]*aria-invalid="true"[^>]*>|<textarea[^>]*aria-describedby="id_description_error"',
        html,
    )
    assert 'Locality <span class="optional">(optional)</span>' in html
