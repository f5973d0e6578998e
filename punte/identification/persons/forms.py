"""The person form of the staff pages: it only reads input; the service judges it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from punte.core.models import Language
from punte.core.names import country_choices, language_choices
from punte.identification.persons import services
from punte.identification.persons.models import DocumentType, Person, Sex

DOCUMENT_SLOTS = 3


def _country_choices() -> list[tuple[str, str]]:
    return country_choices()


def _language_choices(selected: list[str]) -> list[tuple[str, str]]:
    # The ~180 languages with a two-letter code, and any other one the record already holds:
    # the full ISO 639-3 list (7,900 entries) is for the API.
    languages = Language.objects.exclude(alpha2="") | Language.objects.filter(code__in=selected)
    return language_choices(languages)


class PersonForm(forms.Form):
    identity_unknown = forms.BooleanField(label=_("Identity unknown"), required=False)
    given_name = forms.CharField(label=_("Given name"), max_length=200, required=False)
    family_name = forms.CharField(label=_("Family name"), max_length=200, required=False)
    aliases = forms.CharField(
        label=_("Aliases"),
        help_text=_("One per line: nicknames, other spellings, names used by others."),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices)
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    birth_year = forms.IntegerField(
        label=_("Birth year"),
        help_text=_("When only the year of birth is known."),
        required=False,
    )
    approximate_age = forms.IntegerField(
        label=_("Approximate age (years)"),
        help_text=_("Only when the date of birth is not known."),
        required=False,
    )
    age_estimated_on = forms.DateField(
        label=_("Age estimated on"),
        help_text=_("Today if left empty."),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    may_be_child = forms.BooleanField(
        label=_("Age unknown: may be a child"),
        help_text=_("The person is then treated as a child until the age is established."),
        required=False,
    )
    citizenship = forms.ChoiceField(label=_("Citizenship"), required=False)
    other_citizenships = forms.MultipleChoiceField(
        label=_("Other citizenships"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages spoken"),
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
        selected = list(self.data.getlist("languages")) if self.is_bound else []
        selected += list(self.initial.get("languages", []))
        self.fields["languages"].choices = _language_choices(selected)
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
            languages=data["languages"] or None,
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
        elif name == "identity_documents" and len(parts) == 3:
            slot = getattr(self, "document_slot", [])[int(parts[1])]
            name = {"type": "document_type", "number": "document_number"}.get(
                parts[2], "document_country"
            ) + f"_{slot}"
        self.add_error(name if name in self.fields else None, message)


def initial_for(person: Person) -> dict:
    codes = person.citizenship_codes
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
        "languages": list(person.languages.values_list("code", flat=True)),
        "contact": person.contact or "",
        "notes": person.notes or "",
    }
    for index, document in enumerate(person.identity_documents or []):
        initial[f"document_type_{index}"] = document.get("type", "")
        initial[f"document_number_{index}"] = document.get("number", "")
        initial[f"document_country_{index}"] = document.get("issuing_country") or ""
    return initial
