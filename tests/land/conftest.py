import datetime as dt
import json
from pathlib import Path

import pytest

from gongjian.core.identifiers import citizen_id_check_digit
from gongjian.land import services
from gongjian.org.choices import UnitKind
from tests.factories import UnitFactory

STANDARD = json.loads((Path(__file__).parent / "standard.json").read_text(encoding="utf-8"))


def id_number(n: int, born: str = "19800101") -> str:
    """A valid 18-digit ID number (fictitious: the sequence does it)."""
    body = f"320311{born}{n % 1000:03d}"
    return body + citizen_id_check_digit(body)


def household_data(village, n: int, **overrides):
    data = {
        "village_id": village.pk,
        "group": village.groups[0] if village.groups else "",
        "number": f"H{n:04d}",
        "head_name": f"张三{n}",
        "head_id_number": id_number(n),
        "members": [{"name": f"李四{n}", "id_number": id_number(n + 500, "19850505"), "relation": "spouse"}],
        "parcels": [{"category": "arable", "area_mu": "2.00"}],
        "buildings": [{"grade": "brick_concrete", "area": "120.00", "legal": True}],
        "attachments": [{"kind": "tree", "count": 10}],
    }
    data.update(overrides)
    return data


@pytest.fixture
def units(db):
    park = UnitFactory(name="生态科技产业园", kind=UnitKind.PARK)
    hq = UnitFactory(name="园区建设指挥部", kind=UnitKind.HEADQUARTERS)
    team = UnitFactory(name="征迁服务工作队", kind=UnitKind.SERVICE_TEAM, parent=hq)
    other = UnitFactory(name="另一工作队", kind=UnitKind.SERVICE_TEAM)
    return {"park": park, "hq": hq, "team": team, "other": other}


@pytest.fixture
def people(make_user, units):
    return {
        "office": make_user("project_office", username="office"),
        "member": make_user("service_team", unit=units["team"], username="member"),
        "outsider": make_user("service_team", unit=units["other"], username="outsider"),
        "commander": make_user("supervising_leader", unit=units["hq"], username="commander"),
        "auditor": make_user("land_auditor", username="auditor"),
        "principal": make_user("principal_leader", username="principal"),
    }


@pytest.fixture
def task(people, units):
    task = services.create_task(
        actor=people["office"],
        name="生态科技产业园征地拆迁",
        park_id=units["park"].pk,
        team_id=units["team"].pk,
        area_mu="1200.00",
        announcement_number="高新征告〔2026〕1号",
        announcement_date=dt.date(2026, 9, 1),
        deadline=dt.date(2026, 12, 31),
        villages=[{"name": "金星村", "groups": ["一组", "二组"]}, {"name": "石林村", "groups": ["一组"]}],
    )
    services.add_standard(task, actor=people["office"], name="补偿安置方案", content=STANDARD)
    return task
