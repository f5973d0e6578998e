"""Model fields whose values are encrypted at rest (see punte.core.crypto).

Only `isnull` can be queried on them: ciphertexts are randomised, so equality must go through
a blind index column instead.

The associated data that binds a ciphertext to its column is "app_label.model.field". Renaming
the model or the field would make every stored value undecryptable, so a renamed field must pin
its old identity: `EncryptedTextField(binding="identification.person.family_name")`.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

from django import forms
from django.core.exceptions import FieldError, ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from punte.core import crypto


class EncryptedField(models.TextField):
    """Base: subclasses say how a Python value becomes text and back."""

    description = "An encrypted value"
    encrypted = True

    def __init__(self, *args, binding: str | None = None, **kwargs):
        self.binding = binding
        super().__init__(*args, **kwargs)

    def to_text(self, value: Any) -> str:
        return str(value)

    def from_text(self, text: str) -> Any:
        return text

    @property
    def associated_data(self) -> str:
        return self.binding or f"{self.model._meta.label_lower}.{self.name}"

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return self.from_text(crypto.decrypt(value, associated_data=self.associated_data))

    def to_python(self, value):
        return value

    def get_prep_value(self, value):
        value = self.to_python(value)
        if value is None:
            return None
        return crypto.encrypt(self.to_text(value), associated_data=self.associated_data)

    def get_lookup(self, lookup_name):
        if lookup_name != "isnull":
            raise FieldError(
                f"{self.name} is encrypted: search it through its blind index, not '{lookup_name}'."
            )
        return super().get_lookup(lookup_name)

    def get_transform(self, lookup_name):
        raise FieldError(f"{self.name} is encrypted and cannot be transformed.")

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        if self.binding:
            kwargs["binding"] = self.binding
        return name, f"punte.core.fields.{type(self).__name__}", args, kwargs


class EncryptedTextField(EncryptedField):
    def to_python(self, value):
        if value is None or isinstance(value, str):
            return value
        return str(value)


class EncryptedDateField(EncryptedField):
    default_error_messages = {"invalid": _("“%(value)s” is not a date in YYYY-MM-DD form.")}

    def to_text(self, value: datetime.date) -> str:
        return value.isoformat()

    def from_text(self, text: str) -> datetime.date:
        return datetime.date.fromisoformat(text)

    def to_python(self, value):
        # As DateField does: a datetime is cut to its date, text is parsed, anything else refused
        # (a stored "2001-05-17T00:00:00" could never be read back as a date).
        if value is None:
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, str):
            try:
                return datetime.date.fromisoformat(value)
            except ValueError:
                pass
        raise ValidationError(
            self.error_messages["invalid"], code="invalid", params={"value": value}
        )

    def formfield(self, **kwargs):
        return models.Field.formfield(self, **{"form_class": forms.DateField, **kwargs})


class EncryptedJSONField(EncryptedField):
    def to_text(self, value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, sort_keys=True)

    def from_text(self, text: str) -> Any:
        return json.loads(text)


def encrypted_fields(model: type[models.Model]) -> list[EncryptedField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedField)]
