"""Model instances from hand-written SQL, converted exactly as the ORM converts them.

Used only on the hottest read paths (bench/api_overhead), where compiling a queryset costs more
than running it. `RowLoader(Model).load(values)` applies each field's database converters -
the backend's (SQLite UUIDs, datetimes, booleans) and the field's own `from_db_value`, which for
`punte.core.fields.Encrypted*Field` decrypts with the field's associated data - and builds the
instance through `Model.from_db`, as a queryset would. Every concrete field is loaded, so no
attribute is deferred to a lazy query.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection as default_connection
from django.db import models


class RowLoader:
    def __init__(self, model: type[models.Model]):
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.attnames = [field.attname for field in self.fields]
        self._converters: dict[str, list[tuple[Any, list]]] = {}

    def __len__(self) -> int:
        return len(self.fields)

    def columns(self, alias: str, connection=default_connection) -> str:
        """`alias.col1, alias.col2, ...` in the order `load()` expects."""
        quote = connection.ops.quote_name
        return ", ".join(f"{alias}.{quote(field.column)}" for field in self.fields)

    def _converters_for(self, connection) -> list[tuple[Any, list]]:
        found = self._converters.get(connection.alias)
        if found is None:
            found = []
            for field in self.fields:
                col = field.get_col(self.model._meta.db_table)
                found.append(
                    (col, connection.ops.get_db_converters(col) + col.get_db_converters(connection))
                )
            self._converters[connection.alias] = found
        return found

    def load(self, values: Sequence[Any], connection=default_connection) -> models.Model:
        converted = list(values)
        for index, (col, converters) in enumerate(self._converters_for(connection)):
            if converters:
                value = converted[index]
                for converter in converters:
                    value = converter(value, col, connection)
                converted[index] = value
        return self.model.from_db(connection.alias, self.attnames, converted)
