"""Every app's Excel import reads through the registry import's guard (core.workbook_limits.read_sheets): a small
hostile workbook — a zip bomb, a cell at XFD1048576 — is refused with its reason before anything reads it, and
nothing is saved."""

import io
import resource

import pytest
from django.core.exceptions import ValidationError

from gongjian.pipeline.importing import import_reserve
from gongjian.pipeline.models import ReserveProject
from gongjian.targets.importing import import_actuals
from gongjian.targets.models import Actual
from tests.exchange.test_hostile_files import bomb, written_by_openpyxl
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


HOSTILE = {
    "zip bomb": (lambda: bomb(admitted=False), "压缩炸弹"),
    "far cell": (lambda: written_by_openpyxl("A1", "XFD1048576"), "XFD1048576"),
}


@pytest.mark.parametrize("kind", HOSTILE)
def test_a_hostile_workbook_is_refused_by_the_reserve_import(kind, office_user):
    make, says = HOSTILE[kind]
    data = io.BytesIO(make())
    data.name = "储备项目.xlsx"
    started = cpu_seconds()
    with pytest.raises(ValidationError) as refused:
        import_reserve(data, actor=office_user)
    assert says in " ".join(refused.value.messages) and cpu_seconds() - started < 5
    assert not ReserveProject.objects.exists()


@pytest.mark.parametrize("kind", HOSTILE)
def test_a_hostile_workbook_is_refused_by_the_actuals_import(kind, make_user):
    make, says = HOSTILE[kind]
    reporter = make_user("unit_reporter", unit=UnitFactory(name="甲街道"))
    started = cpu_seconds()
    result = import_actuals(io.BytesIO(make()), "完成情况.xlsx", year=2026, actor=reporter)
    assert not result.ok and says in result.errors[0].message and cpu_seconds() - started < 5
    assert not Actual.objects.exists()
