"""Rows read by plain SQL made into model instances as the ORM would make them, for the few reads on the busiest
paths (an API request's token, a filing's project and period) where building the query cost more than running
it (issue 14). The SQL stays plain, so SQLite and PostgreSQL both run it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models


class Reader:
    """The columns of ``model`` (``names``: some of its fields by attname; all by default) as SQL, and a row of
    them, as the driver gives it, as an instance: each value converted by its field as a queryset would (times
    from SQLite's text, for one), the fields not read deferred."""

    def __init__(self, model: type[models.Model], names: Sequence[str] | None = None) -> None:
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields if names is None or f.attname in names]
        self.names = [f.attname for f in self.fields]
        self.width = len(self.fields)
        self._converters: list[tuple[int, list, Any]] | None = None

    def columns(self, alias: str) -> str:
        return ", ".join(f"{alias}.{connection.ops.quote_name(f.column)}" for f in self.fields)

    def make(self, values: Sequence[Any]) -> models.Model:
        if self._converters is None:
            self._converters = []
            for i, field in enumerate(self.fields):
                column = field.get_col(self.model._meta.db_table)
                found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
                if found:
                    self._converters.append((i, found, column))
        row = list(values)
        for i, converters, column in self._converters:
            for convert in converters:
                row[i] = convert(row[i], column, connection)
        return self.model.from_db(connection.alias, self.names, row)
