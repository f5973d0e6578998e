"""The anonymous public report form: anyone may report a suspicion, no account needed (ADR 0021).

Abuse is held back without any outside service:
- a rate limit per client, counted in the database (so every worker process shares it), keyed
  by an HMAC of the client's IP address under the server's secret: the address itself is never
  stored, and the counters are erased after a day;
- a limit on the request's size before it is parsed, and on every field;
- a honeypot field that people never see and bots fill in;
- a minimum time between showing the form and sending it (a signed timestamp in the form, so
  it cannot be forged or reused for long);
- Django's CSRF protection.
A refused report writes nothing but the rate-limit counter: the signal is created in one
transaction or not at all.
"""

from __future__ import annotations

import datetime
import math

from django import forms
from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from punte.core import context
from punte.core.errors import ServiceError
from punte.core.middleware import client_ip
from punte.core.models import County
from punte.identification import signal_services as services
from punte.identification.exploitation import ExploitationForm
from punte.identification.models_signal import PublicReportAttempt

_SALT = "punte.public_report"
_THANKS_SALT = "punte.public_report.thanks"


def _setting(name: str, default):
    return getattr(settings, name, default)


def client_hash(request) -> str:
    """The rate limit's key for a client: a keyed hash of its IP address (never the address)."""
    address = client_ip(request) or "unknown"
    return salted_hmac(f"{_SALT}.client", address, algorithm="sha256").hexdigest()


def _windows(now: datetime.datetime) -> list[tuple[int, int, datetime.datetime]]:
    """(seconds, limit, start) of each configured window containing `now`."""
    epoch = int(now.timestamp())
    return [
        (seconds, limit, datetime.datetime.fromtimestamp(epoch - epoch % seconds, tz=datetime.UTC))
        for seconds, limit in _setting("PUNTE_PUBLIC_REPORT_LIMITS", [(3600, 5), (86400, 20)])
    ]


def retry_after(client: str) -> int | None:
    """Seconds until the client may send again, or None if it may send now."""
    now = timezone.now()
    waits = []
    for seconds, limit, start in _windows(now):
        row = PublicReportAttempt.objects.filter(
            client_hash=client, window_seconds=seconds, window_start=start
        ).first()
        if row is not None and row.count >= limit:
            waits.append(
                math.ceil((start + datetime.timedelta(seconds=seconds) - now).total_seconds())
            )
    return max(waits) if waits else None


def count_attempt(client: str) -> None:
    """Count one report (sent, or refused as a bot's) against every window."""
    now = timezone.now()
    for seconds, _limit, start in _windows(now):
        key = {"client_hash": client, "window_seconds": seconds, "window_start": start}
        with transaction.atomic():
            updated = PublicReportAttempt.objects.filter(**key).update(count=F("count") + 1)
            if updated:
                continue
            try:
                with transaction.atomic():
                    PublicReportAttempt.objects.create(**key, count=1)
            except IntegrityError:  # a concurrent first attempt made the row
                PublicReportAttempt.objects.filter(**key).update(count=F("count") + 1)


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=f"{_SALT}.started")


def new_form_token() -> str:
    return _signer().sign("public-report")


class PublicReportForm(forms.Form):
    description = forms.CharField(
        label=_("What did you see or hear?"),
        help_text=_(
            "Describe what makes you worried: what happened, who was involved, how often. "
            "Do not write your own name unless you want to be contacted."
        ),
        max_length=services.MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    people_description = forms.CharField(
        label=_("Who may be in danger?"),
        help_text=_("For example: how many people, approximate age, language they speak."),
        max_length=services.MAX_PERSON_DESCRIPTION,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    exploitation_forms = forms.MultipleChoiceField(
        label=_("What do you think is happening? (optional)"),
        choices=ExploitationForm.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    county = forms.ChoiceField(label=_("County"), required=False)
    locality = forms.CharField(
        label=_("Town, village or place"),
        max_length=services.MAX_LOCALITY,
        required=False,
    )
    observed_on = forms.DateField(
        label=_("When did you see it? (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    contact = forms.CharField(
        label=_("How can we contact you? (optional)"),
        help_text=_(
            "A telephone number or e-mail address, only if you want the national agency to be "
            "able to ask you more. It is stored encrypted and never shown to anyone else."
        ),
        max_length=services.MAX_CONTACT,
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
            _signer().unsign(token, max_age=max_age)
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


def _render(request, form, *, status: int = 200) -> HttpResponse:
    # Every rendering carries a fresh token, so a refused form can be sent again after a check.
    data = form.data.copy() if form.is_bound else None
    if data is not None:
        data["started"] = new_form_token()
        form.data = data
    else:
        form.initial["started"] = new_form_token()
    return render(request, "identification/public_report.html", {"form": form}, status=status)


def _refused(request, template_status: int, message, *, retry: int | None = None):
    response = render(
        request,
        "identification/public_report_refused.html",
        {"message": message, "status": template_status},
        status=template_status,
    )
    if retry is not None:
        response["Retry-After"] = str(retry)
    return response


@require_http_methods(["GET", "POST"])
def public_report(request):
    if request.method == "GET":
        return _render(request, PublicReportForm())
    max_bytes = _setting("PUNTE_PUBLIC_REPORT_MAX_BYTES", 32 * 1024)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = max_bytes + 1
    if length > max_bytes:
        return _refused(
            request, 413, _("The report is too long. Please shorten it and send it again.")
        )
    client = client_hash(request)
    wait = retry_after(client)
    if wait is not None:
        return _refused(
            request,
            429,
            _(
                "Too many reports were sent from your connection. Please try again later, or "
                "call the free anti-trafficking hotline 0800 800 678. In an emergency call 112."
            ),
            retry=wait,
        )
    form = PublicReportForm(request.POST)
    if not form.is_valid():
        if form.bot_suspected:
            count_attempt(client)
        return _render(request, form, status=400 if form.bot_suspected else 200)
    data = form.cleaned_data
    # The audit event of a public report must not keep the reporter's address.
    token = context.activate(
        context.RequestContext(request_id=getattr(request, "request_id", "public"), source_ip=None)
    )
    try:
        signal = services.public_report_submit(
            data=services.PublicReportInput(
                description=data["description"],
                county=data["county"] or None,
                locality=data["locality"],
                observed_on=data["observed_on"],
                exploitation_forms=data["exploitation_forms"],
                people_description=data["people_description"],
                contact=data["contact"],
                language=translation.get_language() or "",
            )
        )
    except ServiceError as exc:
        if exc.status >= 500:
            return _refused(request, exc.status, exc.message)
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return _render(request, form)
    finally:
        context.deactivate(token)
    count_attempt(client)
    reference = signing.dumps(signal.reference, salt=_THANKS_SALT)
    return redirect(f"{reverse('public_report_thanks')}?r={reference}")


def public_report_thanks(request):
    try:
        reference = signing.loads(request.GET.get("r", ""), salt=_THANKS_SALT, max_age=3600)
    except signing.BadSignature:
        reference = None
    return render(request, "identification/public_report_thanks.html", {"reference": reference})
