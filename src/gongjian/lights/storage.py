"""Writing many lights fast: the one place with database-specific SQL in the lights app (DESIGN: "a clearly
marked adapter"). A full recompute writes up to 36 lights per project; Django's bulk_create would spend most of
its time building model instances, so rows go in from the polars frame:

* PostgreSQL: COPY (CSV, written by polars) into the table for new lights; COPY into a temporary table, then one
  UPDATE … FROM, for changed ones.
* Any other database (SQLite): executemany of one INSERT, and of one UPDATE by id.

Changed lights are updated in place, so their ids (which cases point at) stay.
"""

from __future__ import annotations

import io

import polars as pl
from django.db import connection

from gongjian.lights.models import Light

# The written columns after the keys, in this order in the frames the callers give.
COLUMNS = ["colour", "dimensions", "reasons", "figures", "rule_version", "computed_at", "digest"]


def _table() -> str:
    return connection.ops.quote_name(Light._meta.db_table)


def fetch(queryset) -> list[tuple]:
    """The rows of a values_list queryset, fetched by the driver without Django's per-row iteration."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _csv(frame: pl.DataFrame) -> bytes:
    out = io.BytesIO()
    frame.write_csv(out, include_header=False, datetime_format="%Y-%m-%dT%H:%M:%S%.f+00:00")
    return out.getvalue()


def _rows(frame: pl.DataFrame) -> list[tuple]:
    stamp_at = frame.columns.index("computed_at")
    adapt = connection.ops.adapt_datetimefield_value
    return [(*row[:stamp_at], adapt(row[stamp_at]), *row[stamp_at + 1:]) for row in frame.iter_rows()]


def insert(frame: pl.DataFrame) -> None:
    """``frame``: project_id, period_code and COLUMNS."""
    if frame.is_empty():
        return
    names = ", ".join(frame.columns)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor, cursor.cursor.copy(
                f"COPY {_table()} ({names}) FROM STDIN (FORMAT csv)") as copy:
            copy.write(_csv(frame))
        return
    sql = f"INSERT INTO {_table()} ({names}) VALUES ({', '.join(['%s'] * frame.width)})"
    with connection.cursor() as cursor:
        cursor.executemany(sql, _rows(frame))


def update(frame: pl.DataFrame) -> None:
    """``frame``: id and COLUMNS."""
    if frame.is_empty():
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("CREATE TEMPORARY TABLE light_changes (id bigint, colour smallint, dimensions jsonb, "
                           "reasons jsonb, figures jsonb, rule_version integer, computed_at timestamptz, "
                           "digest varchar(16)) ON COMMIT DROP")
            with cursor.cursor.copy(f"COPY light_changes ({', '.join(frame.columns)}) FROM STDIN (FORMAT csv)") as copy:
                copy.write(_csv(frame))
            assignments = ", ".join(f"{name} = c.{name}" for name in COLUMNS)
            cursor.execute(f"UPDATE {_table()} AS l SET {assignments} FROM light_changes AS c WHERE l.id = c.id")
            cursor.execute("DROP TABLE light_changes")
        return
    sql = f"UPDATE {_table()} SET {', '.join(f'{name} = %s' for name in COLUMNS)} WHERE id = %s"
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(*row[1:], row[0]) for row in _rows(frame)])
