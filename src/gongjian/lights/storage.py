"""Writing many lights fast, through :mod:`gongjian.core.bulk` (COPY on PostgreSQL): a full recompute writes up to
36 lights per project. Changed lights are updated in place, so their ids (which cases point at) stay."""

from __future__ import annotations

import polars as pl

from gongjian.core import bulk
from gongjian.lights import rules
from gongjian.lights.models import DIMENSION_FIELDS, Light

# The written columns after the keys, in this order in the frames the callers give.
COLUMNS = [
    "colour",
    *DIMENSION_FIELDS.values(),
    "reasons",
    *rules.FACTS,
    "baseline",
    "rule_version",
    "computed_at",
    "digest",
]
_POLARS_TO_PG = {pl.Int64: "integer", pl.String: "text", pl.Date: "date"}
PG_TYPES = {
    "colour": "smallint",
    **dict.fromkeys(DIMENSION_FIELDS.values(), "smallint"),
    "reasons": "jsonb",
    **{name: _POLARS_TO_PG[kind] for name, kind in rules.FACTS.items()},
    "plan_to_date": "bigint",
    "done_to_date": "bigint",
    "baseline": "integer",
    "rule_version": "integer",
    "computed_at": "timestamptz",
    "digest": "varchar(16)",
}


def insert(frame: pl.DataFrame) -> None:
    """``frame``: project_id, period_code and COLUMNS."""
    bulk.insert(Light, frame)


def update(frame: pl.DataFrame) -> None:
    """``frame``: id and COLUMNS."""
    bulk.update(Light, frame, PG_TYPES)
