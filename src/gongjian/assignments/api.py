"""Assignments (任务交办) in the JSON API: the list with progress, giving one, one with its hand-in table, and
handing in (multipart), through the same services and visibility as the pages. Paths are relative to where the
router is mounted (/api/v1/dispatch/)."""

from dataclasses import asdict
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from gongjian.assignments import services as assignments
from gongjian.assignments.models import Assignment
from gongjian.core.bounds import Day, FormText, Id
from gongjian.core.locking import StaleOut
from gongjian.core.pagination import Pages, Rows, page_of
from gongjian.meetings.models import Meeting
from gongjian.org.models import Unit

router = Router(tags=["dispatch"])
NO_TEXT = Form("")  # an optional multipart text field


class StepIn(Schema):
    name: str
    deadline: Day


class AssignmentIn(Schema):
    title: str
    instructions: str
    unit_ids: list[Id]
    steps: list[StepIn]
    meeting_id: Id | None = None


class StepOut(Schema):
    id: int
    name: str
    deadline: date


class ProgressOut(Schema):
    handed_in: int  # unit × step hand-ins in
    expected: int  # units × steps
    overdue: int  # not handed in, deadline passed
    late: int  # handed in after the deadline
    next_deadline: date | None
    mine_handed_in: int  # the same for the caller's own unit(s) given the task
    mine_expected: int
    mine_overdue: int


class AssignmentOut(Schema):
    id: int
    title: str
    meeting_id: int | None
    created_at: datetime
    steps: list[StepOut]
    unit_ids: list[int]
    progress: ProgressOut


class FileOut(Schema):
    id: int
    name: str
    size: int
    url: str


class CellOut(Schema):
    step_id: int
    state: str  # submitted, late, overdue, missing
    label: str
    submitted_at: datetime | None = None
    submitted_by: str = ""
    text: str | None = None  # only to those who may read the hand-in
    files: list[FileOut] = []
    version: int | None = None  # the hand-in's, to those who may read it (null: not handed in)


class RowOut(Schema):
    unit_id: int
    unit: str
    cells: list[CellOut]


class CountOut(Schema):
    step_id: int
    submitted: int
    late: int
    overdue: int
    missing: int


class AssignmentDetailOut(AssignmentOut):
    instructions: str
    rows: list[RowOut]
    counts: list[CountOut]


class SubmissionOut(Schema):
    id: int
    step_id: int
    unit_id: int
    text: str
    submitted_at: datetime
    late: bool
    files: list[FileOut]
    version: int


def _file(row) -> dict:
    return {
        "id": row.pk,
        "name": row.name,
        "size": row.size,
        "url": reverse("assignments:submission_file", args=[row.pk]),
    }


def _out(assignment: Assignment, progress: assignments.Progress) -> dict:
    return {
        "id": assignment.pk,
        "title": assignment.title,
        "meeting_id": assignment.meeting_id,
        "created_at": assignment.created_at,
        "progress": asdict(progress),
        "steps": [{"id": s.pk, "name": s.name, "deadline": s.deadline} for s in assignment.steps.all()],
        "unit_ids": sorted(u.pk for u in assignment.units.all()),
    }


def _detail(request, assignment: Assignment) -> dict:
    table = assignments.table(assignment)
    rows = []
    for row in table.rows:
        cells = []
        for cell in row.cells:
            out = {
                "step_id": cell.step.pk,
                "state": cell.state,
                "label": cell.label,
                "submitted_at": cell.submitted_at,
                "submitted_by": cell.submitted_by,
            }
            if cell.submission and assignments.can_read_hand_in(request.user, cell.submission):
                out |= {
                    "text": cell.submission.text,
                    "files": [_file(f) for f in cell.submission.files.all()],
                    "version": cell.submission.version,
                }
            cells.append(out)
        rows.append({"unit_id": row.unit.pk, "unit": row.unit.name, "cells": cells})
    progress = assignments.progress([assignment], request.user)[assignment.pk]
    return _out(assignment, progress) | {
        "instructions": assignment.instructions,
        "rows": rows,
        "counts": [
            {
                "step_id": c.step.pk,
                "submitted": c.submitted,
                "late": c.late,
                "overdue": c.overdue,
                "missing": c.missing,
            }
            for c in table.counts
        ],
    }


def _visible(request, assignment_id: int) -> Assignment:
    if not request.user.has_perm("assignments.view_assignment"):
        raise PermissionDenied
    return get_object_or_404(assignments.visible_assignments(request.user), pk=assignment_id)


@router.get(
    "/assignments", response=page_of(AssignmentOut), summary="Assignments the caller sees, newest first"
)
@paginate(Pages, most=500)
def list_assignments(request):
    if not request.user.has_perm("assignments.view_assignment"):
        raise PermissionDenied

    def page_out(rows) -> list[dict]:
        page = list(rows)
        progress = assignments.progress(page, request.user)
        return [_out(a, progress[a.pk]) for a in page]

    return Rows(
        assignments.visible_assignments(request.user)
        .order_by("-created_at", "-id")
        .prefetch_related("steps", "units"),
        page=page_out,
    )


@router.post(
    "/assignments",
    response={201: AssignmentDetailOut},
    summary="Give a task to units in steps with deadlines (project office)",
)
def create_assignment(request, payload: AssignmentIn):
    units = list(Unit.objects.filter(pk__in=payload.unit_ids))
    unknown = set(payload.unit_ids) - {u.pk for u in units}
    if unknown:
        raise ValidationError(
            {"unit_ids": _("单位不存在：%(ids)s") % {"ids": ", ".join(map(str, sorted(unknown)))}}
        )
    meeting = get_object_or_404(Meeting, pk=payload.meeting_id) if payload.meeting_id else None
    assignment = assignments.create_assignment(
        title=payload.title,
        instructions=payload.instructions,
        units=units,
        meeting=meeting,
        steps=[(s.name, s.deadline) for s in payload.steps],
        actor=request.user,
    )
    return Status(201, _detail(request, assignment))


@router.get(
    "/assignments/{int:assignment_id}",
    response=AssignmentDetailOut,
    summary="One assignment with its hand-in table (units × steps)",
)
def get_assignment(request, assignment_id: int):
    return _detail(request, _visible(request, assignment_id))


@router.post(
    "/assignments/{int:assignment_id}/steps/{int:step_id}/submissions",
    response={201: SubmissionOut, 409: StaleOut},
    summary="Hand in for a step (multipart: text, files; unit_id when the caller hands in for several "
    "units or the office hands in on a unit's behalf; version, the hand-in's, when replacing "
    "one: without it, or out of date, 409 stale)",
)
def submit(
    request,
    assignment_id: int,
    step_id: int,
    text: FormText = NO_TEXT,
    unit_id: Form[Id | None] = None,
    version: Form[int | None] = None,
    files: File[list[UploadedFile]] = None,
):
    assignment = _visible(request, assignment_id)
    step = get_object_or_404(assignment.steps, pk=step_id)
    if unit_id is not None:
        unit = get_object_or_404(assignment.units, pk=unit_id)
    else:
        mine = assignments.units_of(request.user, assignment)
        if len(mine) != 1:
            raise ValidationError(
                {"unit_id": _("请指明为哪个单位报送。") if mine else _("该任务未交办给您所在的单位。")}
            )
        unit = mine[0]
    submission = assignments.submit(
        step, unit, text=text, files=files or [], actor=request.user, expected_version=version
    )
    return Status(
        201,
        {
            "id": submission.pk,
            "step_id": step.pk,
            "unit_id": unit.pk,
            "text": submission.text,
            "submitted_at": submission.submitted_at,
            "late": assignments.is_late(submission, step),
            "files": [_file(f) for f in submission.files.all()],
            "version": submission.version,
        },
    )
