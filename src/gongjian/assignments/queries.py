"""Reading assignments: those waiting for a user's hand-in (their to-do)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from gongjian.assignments.models import Assignment, AssignmentStep, Submission
from gongjian.assignments.services import unit_and_above


def pending(user):
    """The assignments waiting for ``user`` (待报送): given to their unit or a unit above it (those they hand in
    for) with a step that unit has not handed in yet, late or not."""
    if not user.has_perm("assignments.add_submission"):
        return Assignment.objects.none()
    ids = unit_and_above(user)
    if not ids:
        return Assignment.objects.none()
    handed_in = Submission.objects.filter(step_id=OuterRef("pk"), unit_id=OuterRef(OuterRef("unit_id")))
    open_step = AssignmentStep.objects.filter(assignment_id=OuterRef("assignment_id")).filter(
        ~Exists(handed_in)
    )
    given = Assignment.units.through.objects.filter(unit_id__in=ids).filter(Exists(open_step))
    return Assignment.objects.filter(pk__in=given.values("assignment_id"))


def pending_count(user) -> int:
    return pending(user).count()
