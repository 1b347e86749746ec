"""Pages of assignments (任务交办): the list with each one's progress, the office's form to give one, one
assignment with its hand-in table and the unit's hand-in forms, the table in Excel, and the hand-in files.

The form lives here rather than in ``forms.py`` because it serves only these pages and the steps are plain rows
of the POST (name and deadline, as many as the person adds)."""

import datetime
import re

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongjian.assignments import queries
from gongjian.assignments import services as assignments
from gongjian.assignments.models import SubmissionFile
from gongjian.core import excel
from gongjian.core.forms import Form, add_service_errors
from gongjian.core.locking import Stale, posted_version
from gongjian.meetings.models import Meeting
from gongjian.org.choices import ENTERPRISE_KINDS, UnitKind
from gongjian.org.models import Unit

STEP_ROWS = 4  # rows of steps on the form without script: the two usual ones and two blank


def _assignable_units():
    """Units an assignment may go to: every active unit but enterprises (departments, streets, townships, parks,
    headquarters, service teams, the leadership bodies)."""
    return (
        Unit.objects.filter(is_active=True).exclude(kind__in=list(ENTERPRISE_KINDS)).order_by("kind", "name")
    )


class AssignmentForm(Form):
    title = forms.CharField(label=gettext_lazy("标题"), max_length=200)
    instructions = forms.CharField(label=gettext_lazy("任务要求"), widget=forms.Textarea(attrs={"rows": 5}))
    units = forms.ModelMultipleChoiceField(
        label=gettext_lazy("承办单位"), queryset=Unit.objects.none(), required=False
    )
    meeting = forms.ModelChoiceField(
        label=gettext_lazy("来源会议"),
        queryset=Meeting.objects.none(),
        required=False,
        empty_label=gettext_lazy("（无）"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = _assignable_units()
        # The meetings of the last half year and those planned: an assignment follows the meeting it comes from.
        since = timezone.now() - datetime.timedelta(days=183)
        self.fields["meeting"].queryset = Meeting.objects.filter(held_at__gte=since).order_by("-held_at")


def _parse_steps(post) -> tuple[list[tuple[str, datetime.date | None]], dict[str, str]]:
    rows, errors = [], {}
    for i, (name, day) in enumerate(
        zip(post.getlist("step_name"), post.getlist("step_deadline"), strict=False), start=1
    ):
        try:
            deadline = datetime.date.fromisoformat(day.strip()) if day.strip() else None
        except ValueError:
            errors[f"step-{i}"] = _("第 %(n)d 个环节的时限不是日期。") % {"n": i}
            deadline = None
        rows.append((name, deadline))
    return rows, errors


def _step_rows(post=None) -> list[dict]:
    if post is not None:
        rows = [
            {"name": n, "deadline": d}
            for n, d in zip(post.getlist("step_name"), post.getlist("step_deadline"), strict=False)
        ]
    else:
        rows = [{"name": n, "deadline": d.isoformat()} for n, d in assignments.default_steps()]
    return rows + [{"name": "", "deadline": ""}] * max(0, STEP_ROWS - len(rows))


def _unit_groups(selected: set[int]) -> list[dict]:
    groups: dict[str, dict] = {}
    labels = dict(UnitKind.choices)
    for unit in _assignable_units():
        group = groups.setdefault(
            unit.kind, {"kind": unit.kind, "label": labels.get(unit.kind, unit.kind), "units": []}
        )
        group["units"].append({"unit": unit, "checked": unit.pk in selected})
    order = list(labels)
    return sorted(groups.values(), key=lambda g: order.index(g["kind"]) if g["kind"] in order else len(order))


@permission_required("assignments.view_assignment", raise_exception=True)
def assignment_list(request):
    """The assignments the user sees, newest first, with how many hand-ins are in and how many are overdue;
    ``?todo=1`` only those waiting for the user's hand-in (their to-do)."""
    todo = bool(request.GET.get("todo"))
    shown = queries.pending(request.user) if todo else assignments.visible_assignments(request.user)
    queryset = shown.select_related("meeting").order_by("-created_at", "-id")
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    progress = assignments.progress(list(page), request.user)
    can_run = request.user.has_perm("meetings.run_dispatch")
    return render(
        request,
        "assignments/assignment_list.html",
        {
            "page": page,
            "rows": [(a, progress[a.pk]) for a in page],
            "can_run": can_run,
            "show_mine": not can_run and bool(assignments.unit_and_above(request.user)),
            "todo": todo,
            "today": timezone.localdate(),
        },
    )


@permission_required("meetings.run_dispatch", raise_exception=True)
def assignment_new(request):
    """The office gives a task to units in steps with deadlines."""
    form = AssignmentForm(request.POST or None, initial={"meeting": request.GET.get("meeting")})
    step_errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        steps, step_errors = _parse_steps(request.POST)
        if form.is_valid() and not step_errors:
            try:
                assignment = assignments.create_assignment(
                    title=form.cleaned_data["title"],
                    instructions=form.cleaned_data["instructions"],
                    units=form.cleaned_data["units"],
                    steps=steps,
                    meeting=form.cleaned_data["meeting"],
                    actor=request.user,
                )
                messages.success(
                    request, _("任务已下发，已通知 %(n)d 个承办单位。") % {"n": assignment.units.count()}
                )
                return redirect("assignments:assignment_detail", pk=assignment.pk)
            except ValidationError as exc:
                step_errors = {k: "；".join(v) for k, v in exc.message_dict.items() if k.startswith("step")}
                add_service_errors(
                    form,
                    ValidationError({k: v for k, v in exc.message_dict.items() if not k.startswith("step")}),
                )
        status = 400
    selected = {int(pk) for pk in request.POST.getlist("units") if pk.isdigit()}
    return render(
        request,
        "assignments/assignment_new.html",
        {
            "form": form,
            "groups": _unit_groups(selected),
            "steps": _step_rows(request.POST if request.method == "POST" else None),
            "step_errors": list(step_errors.values()),
            "today": timezone.localdate(),
        },
        status=status,
    )


def _number(value) -> int:
    return int(value) if (value or "").isdigit() else 0


def _visible(request, pk):
    return get_object_or_404(
        assignments.visible_assignments(request.user).select_related("meeting", "created_by"), pk=pk
    )


@permission_required("assignments.view_assignment", raise_exception=True)
def assignment_detail(request, pk):
    """The instructions, the hand-in table (units × steps), and for the people of a unit given the task a
    hand-in form per step (text and files)."""
    assignment = _visible(request, pk)
    user = request.user
    errors: dict[tuple[int, int], list[str]] = {}
    posted: dict[tuple[int, int], tuple[str, int | None]] = {}
    status = 200
    if request.method == "POST":
        step = get_object_or_404(assignment.steps, pk=_number(request.POST.get("step")))
        unit = get_object_or_404(assignment.units, pk=_number(request.POST.get("unit")))
        text = request.POST.get("text", "")
        version = posted_version(request.POST)
        try:
            assignments.submit(
                step,
                unit,
                text=text,
                files=request.FILES.getlist("files"),
                actor=user,
                expected_version=version,
            )
            messages.success(
                request, _("%(unit)s「%(step)s」已报送。") % {"unit": unit.name, "step": step.name}
            )
            return redirect("assignments:assignment_detail", pk=assignment.pk)
        except ValidationError as exc:  # kept as typed, with the version it was typed against
            errors[(step.pk, unit.pk)] = exc.messages
            posted[(step.pk, unit.pk)] = (text, version)
            status = 409 if isinstance(exc, Stale) else 400
    data = assignments.table(assignment)
    readable = {
        cell.submission.pk
        for row in data.rows
        for cell in row.cells
        if cell.submission and assignments.can_read_hand_in(user, cell.submission)
    }
    forms_ = []
    if user.has_perm("assignments.add_submission"):
        mine = {unit.pk for unit in assignments.units_of(user, assignment)}
        for row in data.rows:
            if row.unit.pk not in mine:
                continue
            for cell in row.cells:
                key = (cell.step.pk, row.unit.pk)
                closed = cell.state == assignments.HandInState.SUBMITTED and cell.step.deadline < data.today
                current = cell.submission.version if cell.submission else None
                text, version = posted.get(key, (cell.submission.text if cell.submission else "", current))
                forms_.append(
                    {
                        "cell": cell,
                        "errors": errors.get(key, []),
                        "closed": closed,
                        "text": text,
                        "version": "" if version is None else version,
                    }
                )
    return render(
        request,
        "assignments/assignment_detail.html",
        {
            "assignment": assignment,
            "table": data,
            "readable": readable,
            "hand_in_forms": forms_,
            "several_units": len({f["cell"].unit.pk for f in forms_}) > 1,
            "allowed": " ".join(sorted(assignments.ALLOWED_FILES)),
            "accept": ",".join(sorted(assignments.ALLOWED_FILES)),
            "max_mb": assignments.max_file_bytes() // (1024 * 1024),
            "max_files": assignments.max_files(),
        },
        status=status,
    )


@permission_required("assignments.view_assignment", raise_exception=True)
def assignment_export(request, pk):
    """The hand-in table in Excel: a row per unit, for each step its state, when and by whom; then the counts."""
    assignment = _visible(request, pk)
    data = assignments.table(assignment)
    fills = {
        assignments.HandInState.SUBMITTED: excel.FILLS["green"],
        assignments.HandInState.LATE: excel.FILLS["yellow"],
        assignments.HandInState.OVERDUE: excel.FILLS["red"],
        assignments.HandInState.MISSING: None,
    }

    def step_columns(i, step):
        def when(line):
            cell = line.cells[i]
            return f"{timezone.localtime(cell.submitted_at):%Y-%m-%d %H:%M}" if cell.submitted_at else ""

        return [
            excel.Column(
                _("%(step)s（%(deadline)s）")
                % {"step": step.name, "deadline": step.deadline.strftime("%Y-%m-%d")},
                lambda line: line.cells[i].label,
                width=18,
                style=lambda line: fills[line.cells[i].state],
            ),
            excel.Column(_("报送时间"), when, width=18),
            excel.Column(
                _("报送人"),
                lambda line: line.cells[i].submitted_by if line.cells[i].submitted_at else "",
                width=18,
            ),
        ]

    columns = [
        excel.Column(_("承办单位"), "unit.name", width=24),
        excel.Column(_("单位类型"), lambda line: line.unit.get_kind_display(), width=10),
        *(column for i, step in enumerate(data.steps) for column in step_columns(i, step)),
    ]
    totals = [_("合计"), ""]
    for count in data.counts:
        totals += [
            _("已报 %(handed)d/%(units)d，逾期未报 %(overdue)d")
            % {"handed": count.handed_in, "units": len(data.rows), "overdue": count.overdue},
            "",
            "",
        ]
    sheet = excel.Sheet(_("报送情况"), columns, data.rows, freeze=(1, 1), footer=[totals], footer_gap=1)
    safe = re.sub(r'[\\/:*?"<>|\s]+', "_", assignment.title).strip("_")[:60] or "assignment"
    return excel.response(excel.workbook(sheet), f"{safe}_{_('报送情况')}.xlsx")


@permission_required("assignments.view_assignment", raise_exception=True)
def submission_file(request, pk):
    """A hand-in's file, to the office, the principal leaders and the people of the unit that handed it in;
    never a public URL, and always as a download (never shown inside the site)."""
    row = get_object_or_404(
        SubmissionFile.objects.select_related("submission__unit", "submission__step"), pk=pk
    )
    if (
        not assignments.visible_assignments(request.user)
        .filter(pk=row.submission.step.assignment_id)
        .exists()
    ):
        raise Http404
    if not assignments.can_read_hand_in(request.user, row.submission):
        raise PermissionDenied
    suffix = "." + row.name.rsplit(".", 1)[-1].lower() if "." in row.name else ""
    response = FileResponse(
        row.file.open("rb"),
        as_attachment=True,
        filename=row.name,
        content_type=assignments.CONTENT_TYPES.get(suffix, "application/octet-stream"),
    )
    response["Cache-Control"] = "private, no-store"
    return response
