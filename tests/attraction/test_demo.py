"""The demo district's year of attraction, in the shape of context 001."""

import datetime as dt

import pytest

from gongjian.attraction import queries
from gongjian.attraction.models import Lead, LeadStep, Tranche
from gongjian.demo.loader import load_demo

AS_OF = dt.date(2026, 11, 20)


@pytest.fixture(scope="module")
def loaded(module_db):
    return load_demo(year=2026, as_of=AS_OF)  # once for the module; each test reads it in a savepoint


@pytest.fixture
def demo(loaded, db):
    return loaded


def test_the_demo_has_a_hundred_big_projects_signed_and_funded_in_the_three_parks_and_beyond(demo):
    totals = queries.unit_totals(2026, 11)
    assert sum(v["big_projects"] for v in totals.values()) >= 95
    assert (
        sum(v["funds_amount"] for v in totals.values()) > 0
        and sum(v["foreign_usd"] for v in totals.values()) > 0
    )
    parks = {"中国矿大—高校科技园", "医疗器械电子高科技园", "杏山子民营工业园"}
    names = set(Lead.objects.values_list("unit__name", flat=True))
    assert parks <= names and "泉山区工业和信息化局" in names


def test_the_demo_links_leads_to_registry_projects_and_keeps_stalled_and_dropped_ones(demo):
    linked = Lead.objects.filter(project__isnull=False)
    assert linked.count() >= 5 and all(lead.stage in ("started", "producing") for lead in linked)
    dropped = Lead.objects.filter(stage="dropped")
    assert dropped.count() == 2 and all(lead.drop_reason for lead in dropped)
    assert queries.stalled(Lead.objects.all(), AS_OF).exists()
    assert Tranche.objects.filter(currency="USD", rate__isnull=False, usd_amount__gt=0).exists()


def test_every_lead_s_history_follows_the_order_of_the_links_and_nothing_is_after_the_progress_date(demo):
    for lead in Lead.objects.prefetch_related("steps"):
        moves = [s.stage_to for s in lead.steps.all() if s.kind == "move"]
        order = ["signed", "funded", "started", "producing"]
        assert moves == order[: len(moves)], lead.name
        assert all(s.on <= AS_OF for s in lead.steps.all())
        assert lead.last_step_on == max(s.on for s in lead.steps.all())
    assert LeadStep.objects.exists()


def test_the_demo_s_units_have_targets_and_the_funnel_ranks_them(demo):
    from gongjian.accounts.models import User

    office = User.objects.get(username="office")
    data = queries.funnel(office, 2026, 11)
    assert len(data.rows) >= 6 and data.rows[0].overall_rank == 1
    assert all(row.targets for row in data.rows)
