"""The one bulk writer (core/bulk.py): a frame's rows reach the table whole, however many statements they take."""

import polars as pl
import pytest

from gongjian.assess.models import Consequence, Run, Scheme
from gongjian.core import bulk

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
