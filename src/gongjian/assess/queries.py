"""Reads of assessment results for pages outside the assessment's own (which only the office and the principal
leaders open): which scores a user may see."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from gongjian.assess.models import Score, SubjectKind
from gongjian.org.scope import scope_for
from gongjian.projects.models import Project


def scores_in_scope(user) -> QuerySet[Score]:
    """The scores ``user`` may see: all for those who see every project; otherwise the scores of what their
    projects count towards — the project itself, its headquarters, its responsible unit and its park — and a
    leader's own score (a cadre's score is theirs, not their projects' units')."""
    scope = scope_for(user)
    if scope.sees_all:
        return Score.objects.all()
    if scope.is_empty:
        return Score.objects.none()
    projects = Project.objects.in_scope(user)
    query = (
        Q(subject_kind=SubjectKind.PROJECT, subject_id__in=projects.values("pk"))
        | Q(subject_kind=SubjectKind.HEADQUARTERS, subject_id__in=projects.values("headquarters_id"))
        | Q(subject_kind=SubjectKind.UNIT, subject_id__in=projects.values("responsible_unit_id"))
        | Q(subject_kind=SubjectKind.AREA, subject_id__in=projects.values("park_id"))
    )
    if scope.person_id:
        query |= Q(subject_kind=SubjectKind.LEADER, subject_id=scope.person_id)
    return Score.objects.filter(query)
