"""Model instances from hand-written SQL, converted exactly as the ORM converts them.

Used only on the hottest read paths (bench/api_overhead), where compiling a queryset costs more
than running it. `RowLoader(Model).load(values)` applies each field's database converters -
the backend's (SQLite UUIDs, datetimes, booleans) and the field's own `from_db_value`, which for
`punte.core.fields.Encrypted*Field` decrypts with the field's associated data - and builds the
instance through `Model.from_db`, as a queryset would. Every concrete field is loaded, so no
attribute is deferred to a lazy query.
"""

from __future__ import annotations

import json
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


def related_rows_sql(
    model: type[models.Model],
    fields: Sequence[str],
    *,
    join: str = "",
    where: str,
    order_by: Sequence[str] = (),
    connection=default_connection,
) -> str:
    """A scalar subquery that packs the rows of `model` matching `where` into one JSON array of
    arrays (the values of `fields`, in that order), so that one statement brings a record and
    its related rows. Identifiers only; `where` may refer to the outer query's aliases.

    PostgreSQL orders inside the aggregate; SQLite (before 3.44) cannot, and `load_related_rows`
    sorts in Python there, by the same fields.
    """
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    values = ", ".join(f"r.{quote(model._meta.get_field(name).column)}" for name in fields)
    if connection.vendor == "postgresql":
        order = ", ".join(f"r.{quote(model._meta.get_field(n).column)}" for n in order_by)
        aggregate = f"json_agg(json_build_array({values}){f' ORDER BY {order}' if order else ''})"
    else:
        aggregate = f"json_group_array(json_array({values}))"
    return f"(SELECT {aggregate} FROM {table} r {join} WHERE {where})"  # noqa: S608


def load_related_rows(
    model: type[models.Model],
    fields: Sequence[str],
    packed: Any,
    *,
    order_by: Sequence[str] = (),
    connection=default_connection,
) -> list[models.Model]:
    """The instances of a `related_rows_sql` column, in the order the ORM would give them."""
    if packed is None:
        rows: list = []
    elif isinstance(packed, str):
        rows = json.loads(packed)
    else:
        rows = packed
    meta = model._meta
    loaded = [meta.get_field(name) for name in fields]
    # Model.from_db() takes the values of the fields it is given in the model's field order.
    order = sorted(range(len(loaded)), key=lambda i: meta.concrete_fields.index(loaded[i]))
    attnames = [loaded[i].attname for i in order]
    if order_by and connection.vendor != "postgresql":
        positions = [fields.index(name) for name in order_by]
        rows = sorted(rows, key=lambda row: [row[p] for p in positions])
    return [
        model.from_db(connection.alias, attnames, [loaded[i].to_python(row[i]) for i in order])
        for row in rows
    ]


def set_prefetched(instance: models.Model, relation: str, objects: list[models.Model]) -> None:
    """Hand `objects` to `instance.<relation>.all()` as prefetch_related() would have, so that
    reading the relation makes no query (and changing it clears them, as Django does)."""
    manager = getattr(instance, relation)
    queryset = manager.get_queryset()
    queryset._result_cache = objects
    queryset._prefetch_done = True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[_cache_name(manager, relation)] = queryset


def _cache_name(manager, relation: str) -> str:
    # Many-to-many managers name their cache; reverse foreign keys cache under the related name.
    return getattr(manager, "prefetch_cache_name", None) or manager.field.remote_field.cache_name
