"""The demo district's targets: context/001's goals split over its units, contracts issued and one signed,
actuals through November in every state, a settlement previewed — and the pages open on them."""

import datetime as dt
from decimal import Decimal

import pytest

from gongjian.demo.loader import load_demo
from gongjian.targets import queries
from gongjian.targets.choices import ActualState, ContractState
from gongjian.targets.models import Actual, Contract, Indicator, Settlement

YEAR = 2025


@pytest.fixture(scope="module")
def loaded(module_db):
    return load_demo(year=YEAR, as_of=dt.date(YEAR, 12, 15))  # once for the module; each test in a savepoint


@pytest.fixture
def district(loaded, db):
    return loaded


def test_the_demo_has_the_double_three_goals_and_the_greening_task(district):
    totals = {
        i.name: (i.shown(sum((t.target for t in i.targets.all()), Decimal(0))), i.measure)
        for i in Indicator.objects.filter(year=YEAR).prefetch_related("targets")
    }
    assert totals["地区生产总值"] == (30, "亿元")
    assert totals["一般公共预算收入"] == (3, "亿元")
    assert totals["新增绿化面积"] == (30, "公顷")
    assert totals["植树"] == (455_000, "棵")
    assert totals["绿地建设项目"] == (8, "个")
    assert totals["固定资产投资完成额"][1] == "万元" and totals["固定资产投资完成额"][0] > 0


def test_the_demo_contracts_are_issued_and_one_is_signed_with_its_scan(district):
    contracts = Contract.objects.filter(year=YEAR)
    assert contracts.count() >= 10
    assert not contracts.filter(state=ContractState.DRAFT).exists()
    signed = contracts.get(state=ContractState.SIGNED)
    assert signed.unit.short_name == "工信局" and signed.scan.read().startswith(b"%PDF")


def test_the_demo_actuals_run_to_november_in_every_state(district):
    actuals = Actual.objects.filter(unit_target__indicator__year=YEAR)
    assert max(actuals.values_list("month", flat=True)) == 11
    states = set(actuals.values_list("state", flat=True))
    assert states == {ActualState.APPROVED, ActualState.SUBMITTED, ActualState.RETURNED}
    assert actuals.filter(state=ActualState.RETURNED).count() == 1
    assert actuals.filter(computed=True, state=ActualState.SUBMITTED, month=11).exists()
    settlement = Settlement.objects.get(year=YEAR)
    assert (
        settlement.through_month == 11
        and settlement.lines.count() == Contract.objects.filter(year=YEAR).count()
    )


def test_the_demo_pages_open_for_the_office_the_reporter_and_the_principal(district, client):
    from gongjian.accounts.models import User

    for username in ("office", "reporter", "principal"):
        client.force_login(User.objects.get(username=username))
        assert client.get(f"/targets/?year={YEAR}&month=11").status_code == 200
    client.force_login(User.objects.get(username="office"))
    assert "新增绿化面积" in client.get("/targets/review/").content.decode()
    cockpit = client.get(f"/cockpit/?year={YEAR}").content.decode()
    assert 'id="targets-panel"' in cockpit and "/targets/indicators/" in cockpit
    summaries = queries.board(YEAR, through_month=11)
    assert all(s.cells for s in summaries)


def test_the_demo_targets_pages_read_chinese(district, client):
    """What the office reads on the targets' pages holds no English word, code or raw number."""
    import html
    import re

    from gongjian.accounts.models import User
    from gongjian.org.models import Unit
    from tests.browser.chinese_scan import findings

    client.force_login(User.objects.get(username="office"))
    unit = Unit.objects.get(short_name="工信局")
    indicator = Indicator.objects.get(year=YEAR, name="固定资产投资完成额")
    pages = [
        f"/targets/?year={YEAR}&month=11",
        f"/targets/indicators/{indicator.pk}/?month=11",
        f"/targets/units/{unit.pk}/?year={YEAR}",
        "/targets/review/",
        f"/targets/contracts/?year={YEAR}",
        "/targets/settlements/",
        f"/targets/settlements/{Settlement.objects.get(year=YEAR).pk}/",
    ]
    for path in pages:
        page = client.get(path).content.decode()
        body = page.split("<main", 1)[1].split(">", 1)[1]
        text = html.unescape(
            re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S))
        )
        assert findings(text) == [], (path, findings(text))
