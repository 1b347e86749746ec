from decimal import Decimal

import pytest

from gongjian.targets import services
from gongjian.targets.choices import Category, Source
from tests.factories import UnitFactory

YEAR = 2025


@pytest.fixture
def units(db):
    return [UnitFactory(name=name) for name in ("甲街道", "乙街道", "丙局")]


@pytest.fixture
def office(make_user):
    return make_user("project_office", username="office")


@pytest.fixture
def reporter(make_user, units):
    return make_user("unit_reporter", unit=units[0], username="reporter_a")


@pytest.fixture
def other_reporter(make_user, units):
    return make_user("unit_reporter", unit=units[1], username="reporter_b")


@pytest.fixture
def leader(make_user):
    return make_user("principal_leader", username="leader")


@pytest.fixture
def greening(office):
    return services.create_indicator(
        year=YEAR, name="新增绿化面积", measure="公顷", category=Category.GREENING, actor=office
    )


@pytest.fixture
def gdp(office):
    return services.create_indicator(
        year=YEAR, name="地区生产总值", measure="亿元", category=Category.ECONOMY, actor=office
    )


@pytest.fixture
def investment(office):
    return services.create_indicator(
        year=YEAR,
        name="固定资产投资完成额",
        measure="万元",
        source=Source.COMPUTED,
        source_key="fixed_asset_investment",
        category=Category.ECONOMY,
        actor=office,
    )


@pytest.fixture
def targets(greening, gdp, units, office):
    """Greening 10/20/30 公顷 and GDP 1/2/3 亿元 split over the three units."""
    green = services.split_indicator(
        greening, {u: Decimal(10 * (n + 1)) for n, u in enumerate(units)}, actor=office
    )
    money = services.split_indicator(
        gdp, {u: Decimal(100_000_000 * (n + 1)) for n, u in enumerate(units)}, actor=office
    )
    return green, money


@pytest.fixture(autouse=True)
def _board_kept_per_test():
    """A test's changes roll back with its data; what one test's board kept must not answer the next."""
    from gongjian.targets import queries

    queries.forget()
    yield
    queries.forget()
