"""The person form of the staff pages: it only reads input; the service judges it.

It asks first for what a first responder knows in an emergency (whether the identity is known,
a name, the sex, an approximate age or "may be a child", the language spoken) and keeps the rest
(documents, citizenships, aliases, the exact date of birth) for "Add more details": the page
folds them in a native <details> element. Nothing is pre-filled with a guess: the sex has no
default, the answer "Unknown" is one of its choices.
"""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from punte.core.models import Language
from punte.core.names import country_choices, language_choices
from punte.identification.persons import services
from punte.identification.persons.models import DocumentType, Person, Sex

DOCUMENT_SLOTS = 3

# The fields shown first; every other field is behind "Add more details".
ESSENTIAL_FIELDS = (
    "identity_unknown",
    "given_name",
    "family_name",
    "sex",
    "approximate_age",
    "may_be_child",
    "language",
)


def _country_choices() -> list[tuple[str, str]]:
    return country_choices()


def _language_choices(selected: list[str]) -> list[tuple[str, str]]:
    # The ~180 languages with a two-letter code, and any other one the record already holds:
    # the full ISO 639-3 list (7,900 entries) is for the API.
    languages = Language.objects.exclude(alpha2="") | Language.objects.filter(code__in=selected)
    return language_choices(languages)


class RadioChoices(forms.RadioSelect):
    """Radio buttons whose group an error summary can link to (its first button)."""

    def id_for_label(self, id_, index=None):
        return super().id_for_label(id_, "0" if index is None else index)


class DatePartsWidget(forms.MultiWidget):
    """Day, month and year as three number boxes with their own labels (a fieldset's legend
    names the date): the native date picker shows mm/dd/yyyy in some browsers, and a date of
    birth decades back is far quicker typed than scrolled to."""

    template_name = "identification/widgets/date_parts.html"
    parts = (
        ("day", _("Day"), 2, "bday-day"),
        ("month", _("Month"), 2, "bday-month"),
        ("year", _("Year"), 4, "bday-year"),
    )

    def __init__(self, attrs=None):
        widgets = [
            forms.TextInput(
                attrs={
                    "inputmode": "numeric",
                    "pattern": "[0-9]*",
                    "maxlength": size,
                    "size": size,
                    "autocomplete": autocomplete,
                    "class": f"date-part-{size}",
                }
            )
            for _name, _label, size, autocomplete in self.parts
        ]
        super().__init__(widgets, attrs)

    def decompress(self, value):
        if isinstance(value, datetime.date):
            return [value.day, value.month, value.year]
        return [None, None, None]

    def id_for_label(self, id_):
        return f"{id_}_0" if id_ else ""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        for subwidget, (_name, label, _size, _auto) in zip(
            context["widget"]["subwidgets"], self.parts, strict=True
        ):
            subwidget["part_label"] = label
        return context


class DateOfBirthField(forms.MultiValueField):
    """A date of birth given as day, month and year; every refusal names the field and the fix."""

    widget = DatePartsWidget

    def __init__(self, **kwargs):
        super().__init__(
            fields=[forms.CharField(), forms.CharField(), forms.CharField()],
            require_all_fields=False,
            **kwargs,
        )

    def clean(self, value):
        parts = [str(v).strip() if v is not None else "" for v in (value or ["", "", ""])]
        if not any(parts):
            return None
        if not all(parts):
            raise ValidationError(
                _("Date of birth: give the day, the month and the year, or leave all three empty.")
            )
        if not all(part.isdigit() for part in parts):
            raise ValidationError(_("Date of birth: use digits only, for example 27 3 2012."))
        if len(parts[2]) != 4:
            raise ValidationError(
                _("Date of birth: give the year as four digits, for example 2012.")
            )
        day, month, year = (int(part) for part in parts)
        try:
            return datetime.date(year, month, day)
        except ValueError:
            raise ValidationError(
                _("Date of birth: that day does not exist; the day is 1 to 31, the month 1 to 12.")
            ) from None

    def compress(self, data_list):
        # clean() above turns the three boxes into a date itself.
        raise NotImplementedError


class PersonForm(forms.Form):
    # What is known in an emergency: asked first.
    identity_unknown = forms.BooleanField(
        label=_("Identity unknown"),
        help_text=_("Tick it when the person cannot or will not give a name."),
        required=False,
    )
    given_name = forms.CharField(label=_("Given name"), max_length=200, required=False)
    family_name = forms.CharField(label=_("Family name"), max_length=200, required=False)
    sex = forms.ChoiceField(
        label=_("Sex"),
        choices=Sex.choices,
        widget=RadioChoices(attrs={"class": "choice-buttons"}),
        error_messages={"required": _("Select the person's sex, or Unknown.")},
    )
    approximate_age = forms.IntegerField(
        label=_("Approximate age (years)"),
        help_text=_("Your estimate, when the date of birth is not known."),
        required=False,
        min_value=0,
        max_value=services.MAX_AGE,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": _("Enter the approximate age as a whole number of years, e.g. 15."),
            "min_value": _("The approximate age cannot be below 0."),
            "max_value": _("The approximate age is at most %(limit_value)s years."),
        },
    )
    may_be_child = forms.BooleanField(
        label=_("Age unknown: may be a child"),
        help_text=_("The person is then treated as a child until the age is established."),
        required=False,
    )
    language = forms.ChoiceField(label=_("Language spoken"), required=False)
    # Behind "Add more details".
    aliases = forms.CharField(
        label=_("Aliases"),
        help_text=_("One per line: nicknames, other spellings, names used by others."),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    date_of_birth = DateOfBirthField(label=_("Date of birth"), required=False)
    birth_year = forms.IntegerField(
        label=_("Birth year"),
        help_text=_("When only the year of birth is known."),
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"invalid": _("Enter the birth year as four digits, e.g. 2012.")},
    )
    age_estimated_on = forms.DateField(
        label=_("Age estimated on"),
        help_text=_("Today if left empty."),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter the date the age was estimated, e.g. 07.12.2026.")},
    )
    citizenship = forms.ChoiceField(label=_("Citizenship"), required=False)
    other_citizenships = forms.MultipleChoiceField(
        label=_("Other citizenships"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    other_languages = forms.MultipleChoiceField(
        label=_("Other languages spoken"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    contact = forms.CharField(label=_("Contact"), max_length=500, required=False)
    notes = forms.CharField(
        label=_("Notes"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, slots: int = DOCUMENT_SLOTS, **kwargs):
        super().__init__(*args, **kwargs)
        countries = _country_choices()
        self.fields["citizenship"].choices = [("", "—"), *countries]
        self.fields["other_citizenships"].choices = countries
        selected = (
            [self.data.get("language", ""), *self.data.getlist("other_languages")]
            if self.is_bound
            else []
        )
        selected += [self.initial.get("language", ""), *self.initial.get("other_languages", [])]
        languages = _language_choices([code for code in selected if code])
        self.fields["language"].choices = [("", "—"), *languages]
        self.fields["other_languages"].choices = languages
        self.slots = slots
        for index in range(slots):
            self.fields[f"document_type_{index}"] = forms.ChoiceField(
                label=_("Document type"),
                choices=[("", "—"), *DocumentType.choices],
                required=False,
            )
            self.fields[f"document_number_{index}"] = forms.CharField(
                label=_("Document number"), max_length=services.MAX_DOCUMENT_NUMBER, required=False
            )
            self.fields[f"document_country_{index}"] = forms.ChoiceField(
                label=_("Issuing country"), choices=[("", "—"), *countries], required=False
            )

    def essential_fields(self) -> list:
        return [self[name] for name in ESSENTIAL_FIELDS]

    def details_open(self) -> bool:
        """Open "Add more details" when it holds an error or something already given."""
        for name in self.fields:
            if name in ESSENTIAL_FIELDS:
                continue
            if self.is_bound and name in self.errors:
                return True
            value = self[name].value()
            if value not in (None, "", [], [None, None, None]):
                return True
        return False

    def document_rows(self) -> list[tuple[int, list]]:
        return [
            (
                index + 1,
                [
                    self[f"document_type_{index}"],
                    self[f"document_number_{index}"],
                    self[f"document_country_{index}"],
                ],
            )
            for index in range(self.slots)
        ]

    def to_input(self) -> services.PersonInput:
        data = self.cleaned_data
        documents = []
        self.document_slot = []
        for index in range(self.slots):
            kind = data.get(f"document_type_{index}")
            number = data.get(f"document_number_{index}")
            if kind or number:
                documents.append(
                    services.IdentityDocumentInput(
                        type=kind or "",
                        number=number or "",
                        issuing_country=data.get(f"document_country_{index}") or None,
                    )
                )
                self.document_slot.append(index)
        primary = data["citizenship"] or None
        others = [c for c in data["other_citizenships"] if c != primary]
        language = data["language"] or None
        languages = ([language] if language else []) + [
            code for code in data["other_languages"] if code != language
        ]
        return services.PersonInput(
            given_name=data["given_name"] or None,
            family_name=data["family_name"] or None,
            aliases=[a.strip() for a in data["aliases"].splitlines() if a.strip()] or None,
            date_of_birth=data["date_of_birth"],
            birth_year=None if data["date_of_birth"] else data["birth_year"],
            approximate_age=data["approximate_age"],
            age_estimated_on=data["age_estimated_on"],
            may_be_child=data["may_be_child"],
            sex=data["sex"],
            citizenships=([primary] if primary else []) + others or None,
            languages=languages or None,
            identity_documents=documents,
            contact=data["contact"] or None,
            notes=data["notes"] or None,
            identity_unknown=data["identity_unknown"],
        )

    def add_service_error(self, field: str | None, message: str) -> None:
        """Put a service's refusal ("citizenships.1", "identity_documents.0.number") on the
        form field that holds that input."""
        parts = (field or "").split(".")
        name = parts[0]
        if name == "citizenships":
            name = "citizenship" if parts[1:] == ["0"] else "other_citizenships"
        elif name == "languages":
            name = "language" if parts[1:] in ([], ["0"]) else "other_languages"
        elif name == "identity_documents" and len(parts) == 3:
            slot = getattr(self, "document_slot", [])[int(parts[1])]
            name = {"type": "document_type", "number": "document_number"}.get(
                parts[2], "document_country"
            ) + f"_{slot}"
        self.add_error(name if name in self.fields else None, message)


def initial_for(person: Person) -> dict:
    codes = person.citizenship_codes
    languages = list(person.languages.order_by("name").values_list("code", flat=True))
    initial = {
        "identity_unknown": person.identity_unknown,
        "given_name": person.given_name or "",
        "family_name": person.family_name or "",
        "aliases": "\n".join(person.aliases or []),
        "sex": person.sex,
        "date_of_birth": person.date_of_birth,
        "birth_year": None if person.date_of_birth else person.birth_year,
        "approximate_age": person.approximate_age,
        "age_estimated_on": person.age_estimated_on,
        "may_be_child": person.may_be_child,
        "citizenship": codes[0] if codes else "",
        "other_citizenships": codes[1:],
        "language": languages[0] if languages else "",
        "other_languages": languages[1:],
        "contact": person.contact or "",
        "notes": person.notes or "",
    }
    for index, document in enumerate(person.identity_documents or []):
        initial[f"document_type_{index}"] = document.get("type", "")
        initial[f"document_number_{index}"] = document.get("number", "")
        initial[f"document_country_{index}"] = document.get("issuing_country") or ""
    return initial
