"""Writing many lights fast: the one place with database-specific SQL in the lights app (DESIGN: "a clearly
marked adapter"). A full recompute writes up to 36 lights per project; Django's bulk_create would spend most of
its time building model instances, so rows go in from the polars frame:

* PostgreSQL: COPY (CSV, written by polars) into the table for new lights; COPY into a temporary table, then one
  UPDATE … FROM, for changed ones.
* Any other database (SQLite): executemany of one INSERT, and of one UPDATE by id.

Changed lights are updated in place, so their ids (which cases point at) stay.
"""

from __future__ import annotations

import polars as pl
from django.db import connection

from gongjian.core import bulk
from gongjian.lights.models import Light

# The written columns after the keys, in this order in the frames the callers give.
COLUMNS = ["colour", "dimensions", "reasons", "figures", "baseline", "rule_version", "computed_at", "digest"]


def _table() -> str:
    return connection.ops.quote_name(Light._meta.db_table)


def insert(frame: pl.DataFrame) -> None:
    """``frame``: project_id, period_code and COLUMNS."""
    bulk.insert(Light, frame)


def update(frame: pl.DataFrame) -> None:
    """``frame``: id and COLUMNS."""
    if frame.is_empty():
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("CREATE TEMPORARY TABLE light_changes (id bigint, colour smallint, dimensions jsonb, "
                           "reasons jsonb, figures jsonb, baseline integer, rule_version integer, computed_at timestamptz, "
                           "digest varchar(16)) ON COMMIT DROP")
            with cursor.cursor.copy(f"COPY light_changes ({', '.join(frame.columns)}) FROM STDIN (FORMAT csv)") as copy:
                copy.write(bulk.csv_bytes(frame))
            assignments = ", ".join(f"{name} = c.{name}" for name in COLUMNS)
            cursor.execute(f"UPDATE {_table()} AS l SET {assignments} FROM light_changes AS c WHERE l.id = c.id")
            cursor.execute("DROP TABLE light_changes")
        return
    sql = f"UPDATE {_table()} SET {', '.join(f'{name} = %s' for name in COLUMNS)} WHERE id = %s"
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(*row[1:], row[0]) for row in bulk.python_rows(frame)])
