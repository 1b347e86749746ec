"""Writing many lights fast, through :mod:`gongjian.core.bulk` (COPY on PostgreSQL): a full recompute writes up to
36 lights per project. Changed lights are updated in place, so their ids (which cases point at) stay."""

from __future__ import annotations

import polars as pl

from gongjian.core import bulk
from gongjian.lights.models import Light

# The written columns after the keys, in this order in the frames the callers give.
COLUMNS = [
    "colour",
    "dimensions",
    "reasons",
    "figures",
    "plan_to_date",
    "done_to_date",
    "baseline",
    "rule_version",
    "computed_at",
    "digest",
]
PG_TYPES = {
    "colour": "smallint",
    "dimensions": "jsonb",
    "reasons": "jsonb",
    "figures": "jsonb",
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
