"""The cases the lights tests share: a project of 工信局 under a headquarters, its lead leader, the people on a
case and strangers to it, and a red-light case."""

import pytest

from gongjian.lights.services import cases
from gongjian.org.choices import UnitKind
from gongjian.projects.models import ProjectLeader
from tests.factories import ProjectFactory, UnitFactory


@pytest.fixture
def unit():
    return UnitFactory(name="工信局")


@pytest.fixture
def people(make_user, unit):
    hq = UnitFactory(name="智能装备产业园指挥部", kind=UnitKind.HEADQUARTERS)
    leader = make_user("supervising_leader", username="leader")
    project = ProjectFactory(name="智能装备产业园", responsible_unit=unit, headquarters=hq)
    ProjectLeader.objects.create(project=project, person=leader.person, role="lead")
    return {
        "project": project,
        "leader": leader,
        "owner": make_user("unit_reporter", unit=unit, username="owner"),
        "hq": make_user("unit_reporter", unit=hq, username="hq"),
        "principal": make_user("principal_leader", username="boss"),
        "stranger": make_user("unit_reporter", unit=UnitFactory(name="住建局"), username="stranger"),
    }


@pytest.fixture
def case(people, unit):
    return cases.open_case(
        people["project"],
        kind="light",
        title="智能装备产业园 亮红灯",
        reasons=["投资完成率 38%，低于序时进度 62 个百分点"],
        owner=unit,
        period_code="2026-11-3",
    )
