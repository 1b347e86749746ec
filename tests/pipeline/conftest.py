import datetime as dt

import pytest

from gongjian.org.choices import UnitKind
from gongjian.pipeline import services
from gongjian.projects.choices import Batch, Category
from tests.factories import PersonFactory, UnitFactory, region


@pytest.fixture
def district(db):
    """Two departments, a park, a headquarters and two leaders of the district."""
    return {
        "region": region("320311", "泉山区"),
        "industry": UnitFactory(name="工信局"),
        "housing": UnitFactory(name="住建局"),
        "park": UnitFactory(name="高新区", kind=UnitKind.PARK),
        "hq": UnitFactory(name="高新区指挥部", kind=UnitKind.HEADQUARTERS),
        "lead": PersonFactory(name="王副区长", leadership_body="government"),
        "deputy": PersonFactory(name="李局长", leadership_body="government"),
    }


@pytest.fixture
def industry_user(make_user, district):
    return make_user("unit_reporter", unit=district["industry"], username="industry")


@pytest.fixture
def housing_user(make_user, district):
    return make_user("unit_reporter", unit=district["housing"], username="housing")


@pytest.fixture
def reserve_fields(district):
    def make(**changes):
        fields = {
            "name": "新能源电池材料项目",
            "category": Category.INDUSTRY,
            "region": district["region"],
            "park": district["park"],
            "responsible_unit": district["industry"],
            "investor": "某新能源科技有限公司",
            "content": "年产 5 万吨正极材料",
            "total_investment": 600_000_000,
            "start_year": 2027,
            "planned_start": dt.date(2027, 3, 1),
            "planned_completion": dt.date(2028, 12, 31),
            "batch": Batch.ATTRACT,
        }
        return fields | changes

    return make


@pytest.fixture
def propose(reserve_fields):
    def make(*, actor=None, **changes):
        return services.propose(reserve_fields(**changes), actor=actor)

    return make
