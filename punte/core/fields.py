"""Model fields whose values are encrypted at rest (see punte.core.crypto).

Only `isnull` can be queried on them: ciphertexts are randomised, so equality must go through
a blind index column instead.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.core.exceptions import FieldError
from django.db import models

from punte.core import crypto


class EncryptedField(models.TextField):
    """Base: subclasses say how a Python value becomes text and back."""

    description = "An encrypted value"
    encrypted = True

    def to_text(self, value: Any) -> str:
        return str(value)

    def from_text(self, text: str) -> Any:
        return text

    @property
    def associated_data(self) -> str:
        return f"{self.model._meta.label_lower}.{self.name}"

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return self.from_text(crypto.decrypt(value, associated_data=self.associated_data))

    def to_python(self, value):
        if value is None or not isinstance(value, str):
            return value
        return self.from_text(value) if type(self) is not EncryptedTextField else value

    def get_prep_value(self, value):
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
        return name, f"punte.core.fields.{type(self).__name__}", args, kwargs


class EncryptedTextField(EncryptedField):
    pass


class EncryptedDateField(EncryptedField):
    def to_text(self, value: datetime.date) -> str:
        return value.isoformat()

    def from_text(self, text: str) -> datetime.date:
        return datetime.date.fromisoformat(text)

    def to_python(self, value):
        if isinstance(value, str):
            return datetime.date.fromisoformat(value)
        return value


class EncryptedJSONField(EncryptedField):
    def to_text(self, value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, sort_keys=True)

    def from_text(self, text: str) -> Any:
        return json.loads(text)

    def to_python(self, value):
        return value


def encrypted_fields(model: type[models.Model]) -> list[EncryptedField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedField)]
