"""Writing many rows fast: the one adapter with database-specific SQL for bulk writes (DESIGN: "a clearly marked
adapter"). Django's bulk_create and bulk_update spend most of their time building, preparing and compiling per
row; a full year of lights or assessment scores is hundreds of thousands of rows, an import a hundred thousand.

Reading many rows: :func:`fetch` (Python tuples) and :func:`frame` (a polars frame; on PostgreSQL by COPY … TO
STDOUT).

From a polars frame (the frame's columns are the table's column names; JSON columns come as JSON text, see
:func:`json_text`):

* :func:`insert` — PostgreSQL: COPY … FROM STDIN, the frame written as CSV by polars; any other database
  (SQLite): INSERT statements of many rows each, executemany.
* :func:`update` — by id. PostgreSQL: COPY into a temporary table, then one UPDATE … FROM; others: executemany of
  one UPDATE.

From model instances (values prepared by each field as the ORM would): :func:`insert_objects` and
:func:`update_objects`.
"""

from __future__ import annotations

import io
from itertools import chain

import polars as pl
from django.core.exceptions import EmptyResultSet
from django.db import connection, connections, models, router


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def fetch(queryset) -> list[tuple]:
    """The rows of a values_list queryset, fetched by the driver without Django's per-row conversions (SQLite
    then gives times as text)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def frame(queryset, schema: dict[str, pl.DataType | type[pl.DataType]]) -> pl.DataFrame:
    """The rows of a values_list queryset as a frame of ``schema`` (a name and type for each of its values, in
    order; booleans, integers, floats, text and dates). PostgreSQL: COPY (the query) TO STDOUT as CSV, read by
    polars — a few hundred thousand rows several times faster than as Python tuples; any other database
    (SQLite): :func:`fetch`."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # a query Django knows finds nothing (``.none()``, ``__in=[]``)
        return pl.DataFrame(schema=schema)
    if connection.vendor != "postgresql":
        rows = fetch(queryset)
        found = pl.DataFrame(rows, schema=list(schema), orient="row", infer_schema_length=None)
        # SQLite gives its truths as 0 and 1 and its dates as text
        return found.with_columns(
            pl.col(name).str.to_date("%Y-%m-%d")
            if dtype == pl.Date and found.schema[name] == pl.String
            # a column of nothing but NULLs comes typed as nothing
            else pl.col(name).cast(dtype)
            for name, dtype in schema.items()
        )
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)", params) as copy,
    ):
        data = bytearray()  # a block a row: added in place, a quarter less CPU than a bytes object each
        for block in copy:
            data += block
    if not data:
        return pl.DataFrame(schema=schema)
    truths = [name for name, dtype in schema.items() if dtype == pl.Boolean]
    return pl.read_csv(
        io.BytesIO(data),
        has_header=False,
        new_columns=list(schema),
        schema_overrides={name: pl.String if name in truths else dtype for name, dtype in schema.items()},
    ).with_columns(pl.col(name) == "t" for name in truths)  # PostgreSQL writes its truths as t and f


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
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table(model)} ({names}) FROM STDIN (FORMAT csv)") as copy,
        ):
            copy.write(csv_bytes(frame))
        return
    # Many rows a statement: SQLite then steps once for each statement instead of once for each row, which
    # halves the time of a few hundred thousand rows.
    rows = python_rows(frame)
    per_statement = max(1, min(500, (connection.features.max_query_params or 65535) // frame.width))
    row = f"({', '.join(['%s'] * frame.width)})"

    def statement(n: int) -> str:
        return f"INSERT INTO {table(model)} ({names}) VALUES {', '.join([row] * n)}"

    full = len(rows) - len(rows) % per_statement
    with connection.cursor() as cursor:
        if full:
            cursor.executemany(
                statement(per_statement),
                (
                    list(chain.from_iterable(rows[at : at + per_statement]))
                    for at in range(0, full, per_statement)
                ),
            )
        if full < len(rows):
            cursor.execute(statement(len(rows) - full), list(chain.from_iterable(rows[full:])))


def update(model, frame: pl.DataFrame, pg_types: dict[str, str]) -> None:
    """Set the columns of ``frame`` other than ``id`` on the rows of ``model`` with those ids. ``pg_types`` gives
    each column's PostgreSQL type for the temporary table (``{"colour": "smallint", "figures": "jsonb"}``)."""
    if frame.is_empty():
        return
    columns = [c for c in frame.columns if c != "id"]
    quote = connection.ops.quote_name
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            types = ", ".join(f"{quote(c)} {pg_types[c]}" for c in columns)
            cursor.execute(f"CREATE TEMPORARY TABLE bulk_changes (id bigint, {types}) ON COMMIT DROP")
            with cursor.cursor.copy(
                f"COPY bulk_changes ({', '.join(quote(c) for c in frame.columns)}) FROM STDIN (FORMAT csv)"
            ) as copy:
                copy.write(csv_bytes(frame))
            assignments = ", ".join(f"{quote(c)} = c.{quote(c)}" for c in columns)
            cursor.execute(
                f"UPDATE {table(model)} AS t SET {assignments} FROM bulk_changes AS c WHERE t.id = c.id"
            )
            cursor.execute("DROP TABLE bulk_changes")
        return
    ordered = frame.select(*columns, "id")
    sql = f"UPDATE {table(model)} SET {', '.join(f'{quote(c)} = %s' for c in columns)} WHERE id = %s"
    with connection.cursor() as cursor:
        cursor.executemany(sql, python_rows(ordered))


def update_objects(model: type[models.Model], objects: list[models.Model], names: list[str]) -> None:
    """Save the fields ``names`` of ``objects`` with one parameterised UPDATE run for all rows.

    This is ``QuerySet.bulk_update`` without its cost: that builds a CASE expression per row and field and took
    seconds for ten thousand projects. Values are prepared by each field as the ORM would; the statement is
    plain SQL that SQLite and PostgreSQL both run.
    """
    if not objects:
        return
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in names]
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        quote(model._meta.db_table),
        ", ".join(f"{quote(f.column)} = %s" for f in fields),
        quote(model._meta.pk.column),
    )
    with connection.cursor() as cursor:
        cursor.executemany(
            sql,
            [
                [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields] + [obj.pk]
                for obj in objects
            ],
        )


def insert_objects(
    model: type[models.Model], objects: list[models.Model], *, returning: bool = False
) -> None:
    """Insert ``objects`` with multi-row INSERT statements: one statement of as many rows as the database's
    parameter limit allows is prepared once and run for every full batch, then one for the rest.

    ``bulk_create`` compiles a statement per batch; for the 100,000 milestones, approvals and leader links of a
    large file that compiling cost more than the writing. Each field prepares its value as the ORM would,
    ``auto_now_add`` too. Without ``returning`` the batches go to ``executemany`` (few round trips on
    PostgreSQL, little work on SQLite); with it each batch is one statement ``RETURNING`` the new ids (SQLite
    3.35+ gives them in the order of the rows, as ``bulk_create`` relies on too), which are set on the objects,
    as ``bulk_create`` would; on PostgreSQL a one-row statement ``RETURNING`` its id, run for every row in
    psycopg's pipeline.
    """
    if not objects:
        return
    connection = connections[router.db_for_write(model)]
    if returning and not connection.features.can_return_rows_from_bulk_insert:
        model._default_manager.bulk_create(objects)  # an old SQLite: Django's way
        return
    quote = connection.ops.quote_name
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    rows = [[f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields] for obj in objects]
    per_statement = max(1, min(500, (connection.features.max_query_params or 65535) // len(fields)))
    head = "INSERT INTO {} ({}) VALUES ".format(
        quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
    )
    placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
    tail = f" RETURNING {quote(model._meta.pk.column)}" if returning else ""

    def statement(n: int) -> str:
        return head + ", ".join([placeholders] * n) + tail

    def flat(batch: list[list]) -> list:
        return [value for row in batch for value in row]

    with connection.cursor() as cursor:
        if returning and connection.vendor == "postgresql":
            # One row a statement, all sent at once (psycopg's pipeline), each giving its id: the driver reads a
            # statement's placeholders once for all its runs, where each multi-row statement below is read afresh
            # (a tenth of a second for 500 rows of a dozen fields).
            cursor.cursor.executemany(statement(1), rows, returning=True)
            ids = [result.fetchone()[0] for result in cursor.cursor.results()]
            for obj, pk in zip(objects, ids, strict=True):
                obj.pk = pk
                obj._state.adding, obj._state.db = False, connection.alias
            return
        if returning:
            for start in range(0, len(rows), per_statement):
                batch = rows[start : start + per_statement]
                cursor.execute(statement(len(batch)), flat(batch))
                for obj, (pk,) in zip(objects[start : start + per_statement], cursor.fetchall(), strict=True):
                    obj.pk = pk
                    obj._state.adding, obj._state.db = False, connection.alias
            return
        full = len(rows) - len(rows) % per_statement
        if full:
            cursor.executemany(
                statement(per_statement),
                [flat(rows[start : start + per_statement]) for start in range(0, full, per_statement)],
            )
        if full < len(rows):
            cursor.execute(statement(len(rows) - full), flat(rows[full:]))


def insert_together(objects: list[models.Model]) -> None:
    """Insert a few new rows, of one table or several, in one round trip (the ids are not read back): the rows of
    each table in one multi-row INSERT and, on PostgreSQL, those INSERTs in one statement (all but the last as
    data-modifying WITH clauses; each table's rows keep their order, so their ids do too). Elsewhere (SQLite, in
    process) one statement per table. Each field prepares its value as the ORM would, ``auto_now_add`` too."""
    if not objects:
        return
    by_model: dict[type[models.Model], list[models.Model]] = {}
    for obj in objects:
        by_model.setdefault(type(obj), []).append(obj)
    connection = connections[router.db_for_write(objects[0])]
    quote = connection.ops.quote_name
    statements = []
    for model, rows in by_model.items():
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
        sql = "INSERT INTO {} ({}) VALUES {}".format(
            quote(model._meta.db_table),
            ", ".join(quote(f.column) for f in fields),
            ", ".join([placeholders] * len(rows)),
        )
        params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for obj in rows for f in fields]
        statements.append((sql, params))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(statements) > 1:
            *first, (last_sql, last_params) = statements
            clauses = ", ".join(f"w{i} AS ({sql})" for i, (sql, _params) in enumerate(first))
            cursor.execute(
                f"WITH {clauses} {last_sql}", [p for _sql, params in first for p in params] + last_params
            )
            return
        for sql, params in statements:
            cursor.execute(sql, params)
