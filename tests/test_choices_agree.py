"""The pure engines name their values with plain enums; the models and pages with Django choices (which carry
the Chinese labels). Each pair must hold the same values, or a stored value would mean nothing to the engine."""

import pytest

from gongjian.assess import models as assess_models
from gongjian.assess import scheme
from gongjian.core import periods
from gongjian.lights import choices as light_choices
from gongjian.lights import rules
from gongjian.reports import choices as report_choices
from gongjian.targets import choices as target_choices
from gongjian.targets import engine as target_engine
from gongjian.targets import rules as target_rules

PAIRS = [
    (rules.Colour, light_choices.Colour),
    (rules.Dimension, light_choices.Dimension),
    (scheme.SubjectKind, assess_models.SubjectKind),
    (scheme.ConsequenceKind, assess_models.ConsequenceKind),
    (target_engine.Direction, target_choices.Direction),
    (target_rules.Currency, target_choices.Currency),
]


@pytest.mark.parametrize(("pure", "django"), PAIRS, ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_each_engine_enum_and_its_django_choices_hold_the_same_values(pure, django):
    assert {m.value for m in pure} == set(django.values)
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in str(label)) for label in django.labels)  # 中文 labels


def test_the_reporting_period_kinds_are_period_kinds():
    assert set(report_choices.PeriodKind.values) <= {k.value for k in periods.PeriodKind}
