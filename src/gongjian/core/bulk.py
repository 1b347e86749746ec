"""Writing many rows fast, straight from a polars frame: the one adapter with database-specific SQL for bulk
inserts (DESIGN: "a clearly marked adapter"). Django's bulk_create spends most of its time building and
preparing model instances; a full year of lights or assessment scores is hundreds of thousands of rows.

* PostgreSQL: COPY … FROM STDIN, the frame written as CSV by polars.
* Any other database (SQLite): one INSERT, executemany.

The frame's columns are the table's column names; JSON columns come as JSON text (see :func:`json_text`).
"""

from __future__ import annotations

import io

import polars as pl
from django.db import connection


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def fetch(queryset) -> list[tuple]:
    """The rows of a values_list queryset, fetched by the driver without Django's per-row conversions (SQLite
    then gives times as text)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def json_text(column: str) -> pl.Expr:
    """A column (a list or a struct) as JSON text, for a JSONField."""
    wrapped = pl.struct(pl.col(column).alias("v")).struct.json_encode()
    return wrapped.str.slice(5, wrapped.str.len_chars() - 6).alias(column)


def csv_bytes(frame: pl.DataFrame) -> bytes:
    """The frame as CSV for PostgreSQL's COPY (times in UTC with their offset)."""
    out = io.BytesIO()
    frame.write_csv(out, include_header=False, datetime_format="%Y-%m-%dT%H:%M:%S%.f+00:00")
    return out.getvalue()


def python_rows(frame: pl.DataFrame) -> list[tuple]:
    """The frame's rows as the database driver takes them (times adapted as Django would)."""
    stamps = [i for i, dtype in enumerate(frame.dtypes) if isinstance(dtype, pl.Datetime)]
    if not stamps:
        return frame.rows()
    adapt = connection.ops.adapt_datetimefield_value
    return [tuple(adapt(v) if i in stamps else v for i, v in enumerate(row)) for row in frame.iter_rows()]


def insert(model, frame: pl.DataFrame) -> None:
    """Insert every row of ``frame`` into ``model``'s table."""
    if frame.is_empty():
        return
    names = ", ".join(connection.ops.quote_name(c) for c in frame.columns)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor, cursor.cursor.copy(
                f"COPY {table(model)} ({names}) FROM STDIN (FORMAT csv)") as copy:
            copy.write(csv_bytes(frame))
        return
    sql = f"INSERT INTO {table(model)} ({names}) VALUES ({', '.join(['%s'] * frame.width)})"
    with connection.cursor() as cursor:
        cursor.executemany(sql, python_rows(frame))
