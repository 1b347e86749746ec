"""The demo's year and progress date, each test loading the demo into an empty database."""

import datetime as dt

import pytest
from django.db.models import Sum

from gongjian.demo import loader as demo_module
from gongjian.demo.loader import DemoError, load_demo
from gongjian.projects.models import AnnualPlan, Project

YEAR = 2026


def test_a_progress_date_outside_the_year_is_refused(db):
    with pytest.raises(DemoError, match="2025-12-31"):
        load_demo(year=YEAR, as_of=dt.date(2025, 12, 31))


def test_the_default_year_is_this_year_in_shanghai(db, monkeypatch):
    monkeypatch.setattr(demo_module, "shanghai_today", lambda: dt.date(2031, 3, 9))

    summary = load_demo()

    assert (summary.year, summary.as_of) == (2031, dt.date(2031, 3, 9))
    assert set(Project.objects.values_list("year", flat=True)) == {2031}
    assert AnnualPlan.objects.filter(year=2031).aggregate(s=Sum("total"))["s"] == 1_038_000_000
