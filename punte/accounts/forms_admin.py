"""Forms of the administration pages. They only check input; every rule lives in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core import signing
from django.utils.translation import gettext_lazy as _

from punte.accounts.models import OrganisationType
from punte.accounts.permissions import catalogue
from punte.core.errors import ServiceError
from punte.core.forms import FieldMessagesMixin

_BASED_ON_SALT = "punte.accounts.admin.based_on"

ACTIVE_CHOICES = [("", _("Active and deactivated")), ("yes", _("Active")), ("no", _("Deactivated"))]


def sign_based_on(values: Any) -> str:
    """What the form showed, signed, so the service can tell the submitter's edits apart."""
    return signing.dumps(values, salt=_BASED_ON_SALT, compress=True)


def read_based_on(raw: str | None) -> Any:
    if not raw:
        return None
    try:
        return signing.loads(raw, salt=_BASED_ON_SALT, max_age=24 * 3600)
    except signing.BadSignature:
        return None


def active_filter(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class AdminForm(FieldMessagesMixin, forms.Form):
    """No colon after labels; a ServiceError lands on the field it names."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def add_service_error(self, error: ServiceError) -> None:
        aliases = getattr(self, "service_field_aliases", {})
        field = aliases.get(error.field, error.field)
        self.add_error(field if field in self.fields else None, error.message)


class ReasonForm(AdminForm):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the audit trail. Do not write personal data about victims here."),
    )


# Organisations


class OrganisationFilterForm(AdminForm):
    q = forms.CharField(
        label=_("Name or code"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("Any type")), *OrganisationType.choices]
    )
    county = forms.ModelChoiceField(
        label=_("County"), required=False, queryset=None, empty_label=_("Any county")
    )
    active = forms.ChoiceField(label=_("Status"), required=False, choices=ACTIVE_CHOICES)

    def __init__(self, *args, counties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = counties


class OrganisationForm(AdminForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    code = forms.SlugField(
        label=_("Code"),
        max_length=64,
        help_text=_(
            "A short, unique, lower-case identifier, e.g. dgaspc-cluj. Other systems "
            "use it; change it only if you must."
        ),
    )
    type = forms.ChoiceField(
        label=_("Type"), choices=[("", _("Choose a type")), *OrganisationType.choices]
    )
    county = forms.ModelChoiceField(
        label=_("County"),
        required=False,
        queryset=None,
        empty_label=_("None (national reach)"),
        help_text=_("Leave empty for bodies with national reach."),
    )
    parent = forms.ModelChoiceField(
        label=_("Part of"),
        required=False,
        queryset=None,
        empty_label=_("None"),
        help_text=_("The body this one belongs to, e.g. a regional centre of the national agency."),
    )
    email = forms.EmailField(label=_("E-mail address"), required=False, max_length=254)
    based_on = forms.CharField(required=False, widget=forms.HiddenInput)

    service_field_aliases = {"county_id": "county", "parent_id": "parent"}

    def __init__(self, *args, counties, parents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = counties
        self.fields["parent"].queryset = parents


# Users


def language_choices():
    return [("", _("The site's default")), *settings.LANGUAGES]


class UserFilterForm(AdminForm):
    q = forms.CharField(
        label=_("Username or name"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), required=False, queryset=None, empty_label=_("Any organisation")
    )
    active = forms.ChoiceField(label=_("Status"), required=False, choices=ACTIVE_CHOICES)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class UserDetailsForm(AdminForm):
    first_name = forms.CharField(
        label=_("First name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        help_text=_("A work address. The link to choose a password is sent there."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"), required=False, choices=language_choices
    )


class UserCreateForm(UserDetailsForm):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        min_length=3,
        help_text=_("Letters, digits and @ . + - _ only. It cannot be changed later."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=None,
        empty_label=_("Choose an organisation"),
        help_text=_("The first organisation the user works for. You can add more later."),
    )
    role = forms.ModelChoiceField(
        label=_("Role in this organisation"), queryset=None, empty_label=_("Choose a role")
    )

    field_order = [
        "username",
        "first_name",
        "last_name",
        "email",
        "preferred_language",
        "organisation",
        "role",
    ]

    def __init__(self, *args, organisations, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["role"].queryset = roles


class UserEditForm(UserDetailsForm):
    based_on = forms.CharField(required=False, widget=forms.HiddenInput)


# Memberships


class MembershipAddForm(AdminForm):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=None, empty_label=_("Choose an organisation")
    )
    role = forms.ModelChoiceField(label=_("Role"), queryset=None, empty_label=_("Choose a role"))

    def __init__(self, *args, organisations, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["role"].queryset = roles


class MembershipRoleForm(AdminForm):
    role = forms.ModelChoiceField(label=_("Role"), queryset=None, empty_label=None)

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = roles


# Roles


def permission_choices():
    return [(code, f"{code} — {description}") for code, description in catalogue().items()]


class RolePermissionsForm(AdminForm):
    permissions = forms.MultipleChoiceField(
        label=_("Permissions"),
        required=False,
        choices=permission_choices,
        widget=forms.CheckboxSelectMultiple,
    )
    based_on = forms.CharField(required=False, widget=forms.HiddenInput)


# API tokens


class ApiTokenForm(AdminForm):
    membership = forms.ModelChoiceField(
        label=_("Acting as"),
        queryset=None,
        empty_label=None,
        help_text=_("The token acts with this organisation and role, and nothing more."),
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("Name it after the system that will use it, e.g. police case system."),
    )
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=366, initial=90)

    def __init__(self, *args, memberships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membership"].queryset = memberships
        self.fields["membership"].label_from_instance = lambda m: f"{m.role} — {m.organisation}"
