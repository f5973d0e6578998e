from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from punte.accounts.models import SignInThrottle
from punte.accounts.services import sign_in_throttle
from punte.core.forms import FieldMessagesMixin
from punte.core.middleware import client_ip


class DescribedErrorsMixin(FieldMessagesMixin):
    """Ties each field to its help text and its error message (aria-describedby), so that screen
    readers announce both when the field gets focus, and marks invalid fields."""

    def full_clean(self):
        super().full_clean()
        self._describe_errors()

    def add_error(self, field, error):
        super().add_error(field, error)
        self._describe_errors()

    def _describe_errors(self):
        for name, field in self.fields.items():
            auto_id = self[name].auto_id
            ids = [f"{auto_id}_helptext"] if field.help_text else []
            if name in self.errors:
                ids.append(f"{auto_id}_error")
                field.widget.attrs["aria-invalid"] = "true"
            if ids:
                field.widget.attrs["aria-describedby"] = " ".join(ids)


class LoginForm(DescribedErrorsMixin, AuthenticationForm):
    """Username and password. One message for every refusal, so it never tells whether the
    account exists, is disabled, or only the password was wrong."""

    error_messages = {
        "invalid_login": _("The username or the password is not right. Both are case-sensitive."),
        "inactive": _("The username or the password is not right. Both are case-sensitive."),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.retry_after: int | None = None
        self.fields["username"].widget.attrs.update(
            # The passkey script appends "webauthn" so browsers can offer passkeys here.
            {"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        )
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is None or not password:
            return super().clean()
        address = client_ip(self.request) if self.request is not None else None
        wait = sign_in_throttle.sign_in_attempt_begin(username=username, address=address)
        if wait is not None:
            self.retry_after = wait.seconds
            raise forms.ValidationError(_wait_message(wait), code="throttled")
        cleaned = super().clean()  # checks the password; a refusal stays counted
        sign_in_throttle.sign_in_attempt_succeeded(username=username, address=address)
        return cleaned


def _wait_message(wait: sign_in_throttle.Wait) -> str:
    if wait.kind == SignInThrottle.Kind.ACCOUNT:
        text = ngettext(
            "There were many failed sign-ins with this username. To protect the account, wait "
            "%(seconds)d second before you try again.",
            "There were many failed sign-ins with this username. To protect the account, wait "
            "%(seconds)d seconds before you try again.",
            wait.seconds,
        )
    else:
        text = ngettext(
            "There were many failed sign-ins from your network. Wait %(seconds)d second before "
            "you try again.",
            "There were many failed sign-ins from your network. Wait %(seconds)d seconds before "
            "you try again.",
            wait.seconds,
        )
    return text % {"seconds": wait.seconds}


class CodeForm(DescribedErrorsMixin, forms.Form):
    """The second factor at sign-in: the app's 6 digits, with a number pad on a phone. A recovery
    code (letters too) has a form of its own (`recovery=True`), with an ordinary keyboard:
    `inputmode="numeric"` would leave a phone user no way to type one."""

    code = forms.CharField(
        label=_("Code from the app"),
        max_length=32,
        help_text=_("The 6 digits your authenticator app shows now."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
                "inputmode": "numeric",
            }
        ),
    )

    def __init__(self, *args, recovery: bool = False, **kwargs):
        if recovery:
            kwargs.setdefault("auto_id", "id_recovery_%s")
        super().__init__(*args, **kwargs)
        if recovery:
            field = self.fields["code"]
            field.label = _("Recovery code")
            field.help_text = _("One of the recovery codes you kept when you set up sign-in.")
            field.widget.attrs.update({"inputmode": "text", "autocomplete": "off"})


class TOTPConfirmForm(DescribedErrorsMixin, forms.Form):
    code = forms.CharField(
        label=_("Code from the app"),
        max_length=16,
        help_text=_("Enter the 6 digits the app shows for Punte."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
