"""Form helpers every app's pages share."""

from __future__ import annotations

from django import forms
from django.utils.functional import lazy
from django.utils.translation import get_language
from django.utils.translation import gettext as _


def _field_name(label) -> str:
    """The label as it reads inside a sentence: English lower-cases its first letter ("Enter
    the date of the decision"); Romanian and Ukrainian quote it as it is, which needs no case
    ending ("Completați „Data deciziei”")."""
    text = str(label or "").strip().rstrip(":")
    if (get_language() or "").startswith("en") and not text[1:2].isupper():
        return text[:1].lower() + text[1:]
    return text


def _kind(field: forms.Field) -> str:
    if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
        return "several"
    if isinstance(field, forms.ChoiceField | forms.ModelChoiceField | forms.BooleanField):
        return "choice"
    return "entry"


def _required(field: forms.Field) -> str:
    label = str(field.label or "")
    if label.endswith("?"):
        return _("Answer the question “%(field)s”") % {"field": label}
    name = _field_name(label)
    kind = _kind(field)
    if kind == "several":
        return _("Select at least one option for %(field)s") % {"field": name}
    if kind == "choice":
        return _("Select the %(field)s") % {"field": name}
    return _("Enter the %(field)s") % {"field": name}


def _invalid(field: forms.Field) -> str:
    name = _field_name(field.label)
    if isinstance(field, forms.DateField):
        return _("Enter the %(field)s as a real date") % {"field": name}
    if isinstance(field, forms.IntegerField):
        return _("Enter the %(field)s as a whole number") % {"field": name}
    if isinstance(field, forms.EmailField):
        return _("Enter the %(field)s in the form name@example.org") % {"field": name}
    if isinstance(field, forms.UUIDField):
        return _("Enter the %(field)s as a record id (a UUID)") % {"field": name}
    if isinstance(field, forms.SlugField):
        return _("Enter the %(field)s with letters, digits, hyphens and underscores only") % {
            "field": name
        }
    return _("Enter the %(field)s in the form shown") % {"field": name}


def _invalid_choice(field: forms.Field) -> str:
    # "%(value)s" is left for Django, which fills in the refused value.
    return _("Select one of the options offered for %(field)s; “%(value)s” is not one of them") % {
        "field": _field_name(field.label),
        "value": "%(value)s",
    }


_BUILDERS = {"required": _required, "invalid": _invalid, "invalid_choice": _invalid_choice}
_lazy_message = lazy(lambda builder, field: builder(field), str)


def _django_defaults(field: forms.Field, code: str) -> list:
    return [
        klass.__dict__["default_error_messages"][code]
        for klass in type(field).__mro__
        if code in klass.__dict__.get("default_error_messages", {})
    ]


class FieldMessagesMixin:
    """Error messages that name the field and say what to do ("Select the decision", "Enter
    the date of the decision as a real date") instead of Django's "This field is required.",
    built from each field's label in the reader's language when the message is shown. A
    message a form gives a field itself is kept. Every page form inherits this (through
    AccessibleForm, AdminForm or DescribedErrorsMixin); a test holds new forms to it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            for code, builder in _BUILDERS.items():
                current = field.error_messages.get(code)
                # A slug's or an address's validator refuses with the code "invalid" and its
                # own message, which the field's message of that code replaces.
                checked = any(getattr(v, "code", None) == code for v in field.validators)
                if current is None and code != "required" and not checked:
                    continue
                if current is None or any(current is d for d in _django_defaults(field, code)):
                    field.error_messages[code] = _lazy_message(builder, field)


class AccessibleForm(FieldMessagesMixin, forms.Form):
    """Ties each input to its help text and its error message (aria-describedby, aria-invalid)."""

    def full_clean(self):
        super().full_clean()
        for name, field in self.fields.items():
            bound = self[name]
            described_by = []
            if field.help_text:
                described_by.append(f"{bound.auto_id}_helptext")
            if name in self.errors:
                described_by.append(f"{bound.auto_id}_error")
                field.widget.attrs["aria-invalid"] = "true"
            if described_by:
                field.widget.attrs["aria-describedby"] = " ".join(described_by)
