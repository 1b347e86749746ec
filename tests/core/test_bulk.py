"""The one bulk writer and reader (core/bulk.py): a frame's rows reach the table whole, however many statements
they take, and a query's rows come back as a frame of the types asked for."""

import datetime as dt

import polars as pl
import pytest
from django.db.models import BooleanField, ExpressionWrapper, Q

from gongjian.assess.models import Consequence, Run, Scheme
from gongjian.core import bulk
from gongjian.projects.models import Milestone
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


# On SQLite 142 rows of seven columns make a statement: one row, less than one statement, and two statements
# and a remainder.
@pytest.mark.parametrize("rows", [1, 99, 250, 300])
def test_every_row_of_a_frame_is_inserted_with_its_values(rows):
    scheme = Scheme.objects.create(name="方案", version=1, content={})
    run = Run.objects.create(
        period_code="2026-11-2", period_kind="dekad", scheme=scheme, created_at="2026-11-30T00:00Z"
    )
    frame = pl.DataFrame(
        {
            "run_id": [run.pk] * rows,
            "subject_kind": ["project"] * rows,
            "subject_id": list(range(1, rows + 1)),
            "subject_name": [f"项目{i}，“引号”与'单引号'" for i in range(1, rows + 1)],
            "kind": ["reward"] * rows,
            "amount": [i * 100 for i in range(1, rows + 1)],
            "reason": [None if i % 7 == 0 else f"第 {i} 名" for i in range(1, rows + 1)],
        }
    ).with_columns(pl.col("reason").fill_null(""))
    bulk.insert(Consequence, frame)
    stored = list(
        Consequence.objects.order_by("subject_id").values_list(
            "subject_id", "subject_name", "amount", "reason"
        )
    )
    assert stored == list(frame.select("subject_id", "subject_name", "amount", "reason").iter_rows())


def test_a_query_is_read_into_a_frame_of_the_types_asked_for():
    project = ProjectFactory(name="读取，“引号”\n换行")
    project.milestones.create(
        kind="start", planned_date=dt.date(2026, 3, 1), actual_date=dt.date(2026, 2, 27)
    )
    project.milestones.create(kind="other", name="", planned_date=dt.date(2026, 9, 30))
    query = (
        Milestone.objects.order_by("planned_date")
        .annotate(met=ExpressionWrapper(Q(actual_date__isnull=False), output_field=BooleanField()))
        .values_list("project__name", "name", "planned_date", "actual_date", "met", "sequence")
    )
    schema = {
        "project": pl.String,
        "name": pl.String,
        "planned": pl.Date,
        "actual": pl.Date,
        "met": pl.Boolean,
        "sequence": pl.Int64,
    }
    read = bulk.frame(query, schema)
    assert read.schema == pl.Schema(schema)
    assert read.rows() == [tuple(row) for row in query]
    assert bulk.frame(query.none(), schema).equals(pl.DataFrame(schema=schema))
