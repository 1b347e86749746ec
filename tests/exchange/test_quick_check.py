"""The import's quick check of milestone and approval rows vouches only for rows ``full_clean`` accepts."""

import datetime as dt

from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from gongjian.exchange.importing import _APPROVAL_FIELDS, _MILESTONE_FIELDS, _QuickCheck
from gongjian.projects.choices import ApprovalKind, ApprovalStatus, MilestoneKind
from gongjian.projects.models import Approval, Milestone

_text = st.one_of(
    st.none(),
    st.just(""),
    st.text(max_size=220),
    st.text(alphabet="项目节点\x00a ", min_size=95, max_size=105),
)
_date = st.one_of(st.none(), st.dates(dt.date(1990, 1, 1), dt.date(2100, 12, 31)))


def _kind(choices):
    return st.one_of(st.none(), st.just(""), st.sampled_from(choices.values), st.text(max_size=31))


def _full_clean_accepts(item, names) -> bool:
    others = [f.name for f in type(item)._meta.fields if f.name not in names]
    try:
        item.full_clean(exclude=others, validate_unique=False, validate_constraints=False)
    except ValidationError:
        return False
    return True


def _build(model, values):
    return model(**{name: value for name, value in values.items() if value is not None})


@settings(max_examples=400)
@given(kind=_kind(MilestoneKind), name=_text, planned_date=_date, actual_date=_date, note=_text)
def test_a_milestone_the_quick_check_passes_is_one_full_clean_accepts(**values):
    item = _build(Milestone, values)
    if _QuickCheck(Milestone, _MILESTONE_FIELDS).passes(item):
        assert _full_clean_accepts(item, _MILESTONE_FIELDS)


@settings(max_examples=400)
@given(
    kind=_kind(ApprovalKind),
    name=_text,
    status=_kind(ApprovalStatus),
    document_no=_text,
    authority=_text,
    planned_date=_date,
    approved_on=_date,
    note=_text,
)
def test_an_approval_the_quick_check_passes_is_one_full_clean_accepts(**values):
    item = _build(Approval, values)
    if _QuickCheck(Approval, _APPROVAL_FIELDS).passes(item):
        assert _full_clean_accepts(item, _APPROVAL_FIELDS)


def test_plain_rows_pass_and_bad_ones_are_left_to_full_clean():
    quick = _QuickCheck(Approval, _APPROVAL_FIELDS)
    good = Approval(kind=ApprovalKind.values[0], status=ApprovalStatus.DONE, approved_on=dt.date(2026, 3, 1))
    assert quick.passes(good)
    assert not quick.passes(
        Approval(kind="不存在的手续", status=ApprovalStatus.DONE, approved_on=dt.date(2026, 3, 1))
    )
    assert not quick.passes(
        Approval(kind=ApprovalKind.values[0], status=ApprovalStatus.DONE)
    )  # clean() refuses
    assert not quick.passes(Approval(kind=ApprovalKind.values[0], name="名" * 101))
    assert not quick.passes(Approval(kind=ApprovalKind.values[0], note="a\x00b"))
