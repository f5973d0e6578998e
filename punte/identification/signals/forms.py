"""Forms of signals: the staff's pages and the anonymous public report.

The public form holds abuse back without any outside service (ADR 0021): a limit in characters
on every field, a honeypot field that people never see and bots fill in, and a minimum time
between showing the form and sending it (a signed timestamp around a nonce, so it cannot be
forged, and its service accepts each form once). Its view adds the rate limit per client; a
request far larger than any valid report is refused before parsing (punte.core.body_limit).
"""

from __future__ import annotations

import datetime
import secrets

from django import forms
from django.conf import settings
from django.core import signing
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy, ngettext
from django.utils.translation import gettext_lazy as _

from punte.accounts.selectors import organisation_list_visible_to
from punte.core.forms import FieldMessagesMixin
from punte.core.models import County
from punte.identification.signals.models import (
    SIGNAL_TRANSITIONS,
    ExploitationForm,
    SignalChannel,
    SignalCloseReason,
    SignalStatus,
)
from punte.identification.signals.services import signal as services

_SALT = "punte.public_report"


def _setting(name: str, default):
    return getattr(settings, name, default)


STAFF_CHANNELS = [(v, label) for v, label in SignalChannel.choices if v != "public_report"]


class SignalForm(FieldMessagesMixin, forms.Form):
    channel = forms.ChoiceField(label=gettext_lazy("Channel"), choices=STAFF_CHANNELS)
    description = forms.CharField(
        label=gettext_lazy("What was seen"),
        max_length=services.MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    exploitation_forms = forms.MultipleChoiceField(
        label=gettext_lazy("Suspected forms of exploitation"),
        choices=ExploitationForm.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    county = forms.ChoiceField(label=gettext_lazy("County"), required=False)
    locality = forms.CharField(
        label=gettext_lazy("Locality"), max_length=services.MAX_LOCALITY, required=False
    )
    observed_on = forms.DateField(
        label=gettext_lazy("Observed on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    people_description = forms.CharField(
        label=gettext_lazy("People concerned (not yet recorded)"),
        help_text=gettext_lazy("One person per line, e.g. 'girl, about 15, speaks Ukrainian'."),
        required=False,
        max_length=services.MAX_PERSON_DESCRIPTION * 5,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].choices = [("", "—")] + [
            (c.code, c.name) for c in County.objects.order_by("name")
        ]


class TriageForm(FieldMessagesMixin, forms.Form):
    to = forms.ChoiceField(label=gettext_lazy("Next step"), choices=SignalStatus.choices)
    close_reason = forms.ChoiceField(
        label=gettext_lazy("Reason for closing"),
        choices=[("", "—"), *SignalCloseReason.choices],
        required=False,
    )
    assign_to = forms.ChoiceField(label=gettext_lazy("Assign to"), required=False)
    duplicate_of = forms.CharField(
        label=gettext_lazy("Duplicate of (signal id)"), required=False, max_length=36
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=services.MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, actor, signal, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = SIGNAL_TRANSITIONS[signal.status]
        self.fields["to"].choices = [
            (v, label) for v, label in SignalStatus.choices if v in allowed
        ]
        self.fields["assign_to"].choices = [("", "—")] + [
            (str(o.pk), o.name)
            for o in organisation_list_visible_to(actor=actor).filter(is_active=True)
            if o.pk != signal.responsible_organisation_id
        ]


class PersonDescriptionForm(FieldMessagesMixin, forms.Form):
    description = forms.CharField(
        label=gettext_lazy("Describe another person concerned"),
        max_length=services.MAX_PERSON_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=f"{_SALT}.started")


def new_form_token() -> str:
    """A signed timestamp around a random nonce: the nonce makes each form single-use."""
    return _signer().sign(secrets.token_urlsafe(18))


class LimitedTextField(forms.CharField):
    """Text limited in characters, as a person counts them, whatever bytes they take.

    A line break counts as one character: browsers send a textarea's as two (CR LF). A refusal
    names the field and says by how much it is too long, and the form keeps what was typed. No
    `maxlength` attribute: a browser silently cuts pasted text at it, and a reporter would lose
    words without knowing.
    """

    def __init__(self, *, limit: int, **kwargs):
        super().__init__(**kwargs)
        self.limit = limit

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n") if value else value

    def validate(self, value):
        super().validate(value)
        excess = len(value) - self.limit if value else 0
        if excess > 0:
            raise forms.ValidationError(
                ngettext(
                    "“%(field)s” is %(excess)s character too long: it may have at most "
                    "%(limit)s characters.",
                    "“%(field)s” is %(excess)s characters too long: it may have at most "
                    "%(limit)s characters.",
                    excess,
                )
                % {
                    "field": self.label,
                    "excess": number_format(excess, force_grouping=True),
                    "limit": number_format(self.limit, force_grouping=True),
                },
                code="too_long",
            )


class PublicReportForm(FieldMessagesMixin, forms.Form):
    description = LimitedTextField(
        label=_("What did you see or hear?"),
        help_text=_(
            "Describe what makes you worried: what happened, who was involved, how often. "
            "Do not write your own name unless you want to be contacted."
        ),
        limit=services.MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    people_description = LimitedTextField(
        label=_("Who may be in danger?"),
        help_text=_("For example: how many people, approximate age, language they speak."),
        limit=services.MAX_PERSON_DESCRIPTION,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    exploitation_forms = forms.MultipleChoiceField(
        label=_("What do you think is happening?"),
        choices=ExploitationForm.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    county = forms.ChoiceField(label=_("County"), required=False)
    locality = LimitedTextField(
        label=_("Town, village or place"),
        limit=services.MAX_LOCALITY,
        required=False,
    )
    observed_on = forms.DateField(
        label=_("When did you see it?"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    contact = LimitedTextField(
        label=_("How can we contact you?"),
        help_text=_(
            "A telephone number or e-mail address, only if you want the national agency to be "
            "able to ask you more. It is stored encrypted and never shown to anyone else."
        ),
        limit=services.MAX_CONTACT,
        required=False,
    )
    # Hidden from people (visually and from assistive technology); bots fill in every field.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    started = forms.CharField(widget=forms.HiddenInput, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].choices = [("", _("I do not know / not in Romania"))] + [
            (c.code, c.name) for c in County.objects.order_by("name")
        ]
        self.bot_suspected = False
        self.nonce = ""

    def clean_observed_on(self):
        value = self.cleaned_data.get("observed_on")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return value

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            self.bot_suspected = True
            raise forms.ValidationError(
                _("This report could not be accepted. Please leave the last field empty.")
            )
        token = self.data.get("started", "")
        max_age = _setting("PUNTE_PUBLIC_REPORT_MAX_AGE_SECONDS", 2 * 60 * 60)
        try:
            self.nonce = _signer().unsign(token, max_age=max_age)
        except signing.SignatureExpired as exc:
            raise forms.ValidationError(
                _("The form was open for too long. Please check your report and send it again."),
                code="expired",
            ) from exc
        except signing.BadSignature as exc:
            self.bot_suspected = True
            raise forms.ValidationError(
                _("The form could not be checked. Please send it again."), code="bad_token"
            ) from exc
        minimum = _setting("PUNTE_PUBLIC_REPORT_MIN_SECONDS", 3)
        if (timezone.now() - _issued_at(token)).total_seconds() < minimum:
            self.bot_suspected = True
            raise forms.ValidationError(
                _("The form was sent too quickly. Please check your report and send it again."),
                code="too_fast",
            )
        return cleaned


def _issued_at(token: str) -> datetime.datetime:
    # "value:timestamp:signature"; called only once the signature has been checked.
    timestamp = token.rsplit(signing.TimestampSigner().sep, 2)[1]
    return datetime.datetime.fromtimestamp(signing.b62_decode(timestamp), tz=datetime.UTC)
