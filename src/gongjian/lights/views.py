"""Pages: the traffic-light board, one light with its reasons and numbers, and the cases (督办件) with their
history and the actions the viewer may take."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from gongjian.core import excel, money
from gongjian.core.locking import Stale, posted_version
from gongjian.core.periods import Period
from gongjian.jobs.views import background_export
from gongjian.lights import exports, queries, services
from gongjian.lights.choices import LADDER, CaseKind, CaseState, Colour, Dimension
from gongjian.lights.models import Case, Judgement, Light, RuleVersion
from gongjian.lights.services import cases, letters
from gongjian.lights.services.letters import KINDS as LETTER_KINDS
from gongjian.org.models import Unit
from gongjian.projects.filters import PROJECT_FILTERS, narrow
from gongjian.projects.models import Project
from gongjian.projects.queries import baseline_label

FIGURE_LABELS = {
    "plan_to_date": gettext_lazy("序时计划"),
    "done_to_date": gettext_lazy("本年累计完成"),
    "ratio": gettext_lazy("完成率"),
    "percent": gettext_lazy("完成率"),
    "gap_points": gettext_lazy("低于绿灯线（百分点）"),
    "overdue": gettext_lazy("逾期个数"),
    "label": gettext_lazy("逾期最久的节点"),
    "planned": gettext_lazy("其计划日期"),
    "days_overdue": gettext_lazy("逾期（天）"),
    "missed_in_a_row": gettext_lazy("连续未报期数"),
    "description": gettext_lazy("逾期最久的问题"),
    "deadline": gettext_lazy("其办理时限"),
    "workdays_overdue": gettext_lazy("逾期（工作日）"),
    "planned_start": gettext_lazy("计划开工"),
    "actual_start": gettext_lazy("实际开工"),
    "red_from": gettext_lazy("亮红灯起始日"),
}


def _figure_text(key: str, value) -> str:
    """A light's figure as a reader expects it: money in 万元, rates in %, not the stored yuan and ratios."""
    if key in ("plan_to_date", "done_to_date"):
        return f"{money.format_wan(int(value))} 万元"
    if key == "ratio":
        return f"{float(value) * 100:.1f}%"
    if key == "percent":
        return f"{float(value):.1f}%"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def _figures(figures: dict) -> list[tuple[str, str]]:
    shown = [(k, v) for k, v in figures.items() if v is not None]
    if any(k == "percent" for k, _v in shown):  # the ratio is the same rate again
        shown = [(k, v) for k, v in shown if k != "ratio"]
    return [(FIGURE_LABELS.get(k, k), _figure_text(k, v)) for k, v in shown]


def _period_options(selected: Period) -> list[Period]:
    today = timezone.localdate()
    last = Period.dekad_of(today) if selected.year == today.year else Period(selected.year, 12, 3)
    return list(Period.range(Period(selected.year, 1, 1), last))[::-1]


@permission_required("lights.view_light", raise_exception=True)
def board(request):
    data = queries.build(
        request.user,
        period_code=request.GET.get("period"),
        group=request.GET.get("group", "category"),
        colour=request.GET.get("colour"),
        value=request.GET.get("value"),
    )
    page = Paginator(data.lights, queries.PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "lights/board.html",
        {
            "board": data,
            "page": page,
            "periods": _period_options(data.period),
            "groups": queries.GROUPS,
            "colours": Colour,
            "group_label": queries.GROUPS[data.group][0],
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("lights.view_light", raise_exception=True)
def board_export(request):
    """The board's list as the page filters it, to Excel; a long list is written by a background job."""
    params = {
        "period": request.GET.get("period"),
        "group": request.GET.get("group", "category"),
        "colour": request.GET.get("colour"),
        "value": request.GET.get("value"),
    }
    data = queries.build(
        request.user,
        period_code=params["period"],
        group=params["group"],
        colour=params["colour"],
        value=params["value"],
    )
    started = background_export(
        request,
        rows=data.lights.count(),
        kind="lights.export_board",
        params=params,
        label=_("导出红绿灯（%(period)s）") % {"period": data.period},
        back=reverse("lights:board") + (f"?{request.GET.urlencode()}" if request.GET else ""),
    )
    if started is not None:
        return started
    return excel.response(exports.board_workbook(data.lights), f"红绿灯_{data.period}.xlsx")


@permission_required("lights.view_light", raise_exception=True)
def light_detail(request, project_pk, code):
    project = get_object_or_404(Project.objects.in_scope(request.user), pk=project_pk)
    period = queries.parse_period(code)
    light = Light.objects.filter(project=project, period_code=period.code).first()
    judgement = (
        Judgement.objects.filter(project=project, period_code=period.code).select_related("judged_by").first()
    )
    status, kept = 200, None
    if request.method == "POST":
        version = posted_version(request.POST)
        try:
            colour = request.POST.get("colour", "")
            services.record_judgement(
                project,
                period.code,
                int(colour) if colour.isdigit() else -1,
                request.POST.get("reason", ""),
                actor=request.user,
                expected_version=version,
            )
            messages.success(request, _("研判已保存。"))
            return redirect("lights:light_detail", project_pk=project.pk, code=period.code)
        except ValidationError as exc:  # said on the page, which keeps the colour and reason as given
            messages.error(request, "；".join(exc.messages))
            status = 409 if isinstance(exc, Stale) else 200
            kept = {
                "colour": request.POST.get("colour", ""),
                "reason": request.POST.get("reason", ""),
                "version": "" if version is None else version,
            }
    labels = dict(Colour.choices)
    dimensions = []
    colours, figures = (light.dimensions, light.figures) if light else ({}, {})
    for dimension in Dimension:
        if colours.get(dimension.value) is not None:
            dimensions.append(
                {
                    "label": dimension.label,
                    "colour": colours[dimension.value],
                    "colour_label": labels[colours[dimension.value]],
                    "figures": _figures(figures.get(dimension.value) or {}),
                }
            )
    history = list(
        Light.objects.filter(project=project, period_code__startswith=f"{period.year}-").values_list(
            "period_code", "colour"
        )
    )
    history.sort(key=lambda row: Period.parse(row[0]))
    version = RuleVersion.objects.filter(number=light.rule_version).first() if light else None
    return render(
        request,
        "lights/light_detail.html",
        {
            "project": project,
            "period": period,
            "light": light,
            "judgement": judgement,
            "dimensions": dimensions,
            "history": [(Period.parse(c), colour) for c, colour in history],
            "version": version,
            "colours": Colour,
            "baseline": baseline_label(project, light.baseline) if light else "",
            "cases": project.cases.order_by("-opened_at")[:10],
            "can_judge": request.user.has_perm("lights.add_judgement"),
            "disagrees": bool(light and judgement and judgement.colour != light.colour),
            "kept": kept,
        },
        status=status,
    )


def _filtered_cases(request):
    state, kind = request.GET.get("state", "open"), request.GET.get("kind")
    # The cockpit's figures open the list narrowed as they counted: an owner, the projects' region, park…
    projects, _words = narrow(request.GET, Project.objects.all())
    # "mine": the cases waiting for the user (their to-do), else every case they see
    cases = queries.my_cases(request.user) if state == "mine" else queries.visible_cases(request.user)
    queryset = queries.filter_cases(
        cases.select_related("project", "owner", "supervisor"),
        state=state,
        kind=kind,
        overdue=bool(request.GET.get("overdue")),
        owner=request.GET.get("owner"),
        projects=projects if _words else None,
    )
    return queryset, state, kind


def _narrowed(request) -> list[str]:
    """The filters the case list's form does not show, in words (an owner, a region…), kept as hidden fields."""
    words = []
    owner = request.GET.get("owner", "")
    if owner.isdigit() and len(owner) < 19:
        unit = Unit.objects.filter(pk=int(owner)).values_list("name", flat=True).first()
        words.append(_("承办单位：%(name)s") % {"name": unit or _("（不存在）")})
    return words + narrow(request.GET, Project.objects.none())[1]


@permission_required("lights.view_case", raise_exception=True)
def case_list(request):
    queryset, state, kind = _filtered_cases(request)
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "lights/case_list.html",
        {
            "page": page,
            "state": state,
            "kind": kind,
            "narrowed": _narrowed(request),
            "kept_params": [(k, request.GET[k]) for k in ("owner", *PROJECT_FILTERS) if request.GET.get(k)],
            "states": CaseState.choices,
            "kinds": CaseKind.choices,
            "today": timezone.localdate(),
            "can_issue_letters": request.user.has_perm("lights.close_case"),
            "letter_kinds": LETTER_KINDS,
        },
    )


@permission_required("lights.view_case", raise_exception=True)
def case_export(request):
    """The case list as filtered, to Excel (督办台账)."""
    queryset, _state, _kind = _filtered_cases(request)
    today = timezone.localdate()
    content = excel.workbook(exports.case_sheet(queryset.iterator(chunk_size=1000), today))
    return excel.response(content, f"督办台账_{today:%Y%m%d}.xlsx")


def _visible_case(request, pk) -> Case:
    return get_object_or_404(
        queries.visible_cases(request.user).select_related("project", "owner", "supervisor"), pk=pk
    )


@permission_required("lights.view_case", raise_exception=True)
def case_detail(request, pk):
    return _case_page(request, _visible_case(request, pk))


def _case_page(request, case: Case, *, status: int = 200, kept: dict | None = None):
    """The case with its history and the forms of what the viewer may do, each carrying the case's version. After
    a refused action (``kept``: the action, the text typed and the version it was typed against) the page keeps
    the text and that version, so pressing again cannot act on a case the viewer has not seen."""
    user = request.user
    return render(
        request,
        "lights/case_detail.html",
        {
            "case": case,
            "events": case.events.select_related("actor"),
            "can_handle": case.is_open and case.state != CaseState.RESOLVED and cases.can_handle(user, case),
            "can_close": case.state == CaseState.RESOLVED and cases.can_close(user, case),
            "can_pass_up": case.level != LADDER[-1],
            "ladder": [
                (level, level.label, LADDER.index(level) <= LADDER.index(case.level)) for level in LADDER
            ],
            "today": timezone.localdate(),
            "can_issue_letters": user.has_perm("lights.close_case"),
            "letter_kinds": LETTER_KINDS,
            "kept": kept or {},
            "version": kept["version"] if kept and kept.get("version") is not None else case.version,
        },
        status=status,
    )


ACTIONS = {
    "accept": lambda case, post, files, user, v: cases.accept(case, actor=user, expected_version=v),
    "act": lambda case, post, files, user, v: cases.act(
        case, post.get("text", ""), actor=user, evidence=files.get("evidence"), expected_version=v
    ),
    "resolve": lambda case, post, files, user, v: cases.resolve(
        case, post.get("text", ""), actor=user, evidence=files.get("evidence"), expected_version=v
    ),
    "close": lambda case, post, files, user, v: cases.close(
        case, actor=user, note=post.get("text", ""), expected_version=v
    ),
    "reopen": lambda case, post, files, user, v: cases.reopen(
        case, post.get("text", ""), actor=user, expected_version=v
    ),
    "pass_up": lambda case, post, files, user, v: cases.pass_up(
        case, post.get("text", ""), actor=user, expected_version=v
    ),
}
DONE = {
    "accept": gettext_lazy("已签收。"),
    "act": gettext_lazy("处置情况已记录。"),
    "resolve": gettext_lazy("已办结，待销号。"),
    "close": gettext_lazy("已销号。"),
    "reopen": gettext_lazy("已退回重办。"),
    "pass_up": gettext_lazy("已上交上一级督办。"),
}


@require_POST
@permission_required("lights.view_case", raise_exception=True)
def case_action(request, pk, action):
    """One action on a case from the version the viewer read (the form's hidden ``version``). When it is refused
    the case's page says why — 409 when someone has acted on the case since — and keeps what was typed."""
    case = _visible_case(request, pk)
    if action not in ACTIONS:
        raise PermissionDenied
    version = posted_version(request.POST)
    try:
        ACTIONS[action](case, request.POST, request.FILES, request.user, version)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        kept = {"action": action, "text": request.POST.get("text", ""), "version": version}
        return _case_page(
            request, _visible_case(request, pk), status=409 if isinstance(exc, Stale) else 400, kept=kept
        )
    messages.success(request, DONE[action])
    return redirect("lights:case_detail", pk=case.pk)


@require_POST
@permission_required("lights.close_case", raise_exception=True)
def case_letter(request, pk, kind):
    """Issue a reminder, assignment or escalation letter about the case as read (``version``), in the background:
    the task's page offers the letter to download once it is issued."""
    case = _visible_case(request, pk)
    version = posted_version(request.POST)
    try:
        job = letters.start_letters({case.pk: version}, kind, actor=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return _case_page(
            request,
            case,
            status=409 if isinstance(exc, Stale) else 400,
            kept={"action": "letter", "text": "", "version": version},
        )
    return redirect("jobs:job_detail", pk=job.pk)


@require_POST
@permission_required("lights.close_case", raise_exception=True)
def case_letters(request):
    """Issue one kind of letter on each case ticked on the case list (each as read: ``version-<id>``), in the
    background: the task's page offers them as one .zip. Refused, the list says why."""
    wanted = {
        int(pk): posted_version(request.POST, f"version-{pk}")
        for pk in dict.fromkeys(request.POST.getlist("case"))
        if pk.isdigit() and len(pk) < 10
    }
    try:
        job = letters.start_letters(wanted, request.POST.get("kind", ""), actor=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect(
            request.POST.get("back", "")
            if request.POST.get("back", "").startswith("/lights/cases/")
            else "lights:case_list"
        )
    return redirect("jobs:job_detail", pk=job.pk)


@permission_required("lights.view_case", raise_exception=True)
def case_evidence(request, pk, event_pk):
    case = _visible_case(request, pk)
    event = get_object_or_404(case.events.exclude(evidence=""), pk=event_pk)
    return FileResponse(
        event.evidence.open("rb"), as_attachment=True, filename=event.evidence_name or "evidence"
    )
