"""Pages: the runs of each period, a run's rankings with consequences, and one score's explanation."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongjian.assess import services
from gongjian.assess.models import Run, RunState, Score, SubjectKind
from gongjian.core.periods import Period


@permission_required("assess.view_run", raise_exception=True)
def run_list(request):
    today = timezone.localdate()
    choices = [
        Period.dekad_of(today).prev(),
        Period.month_of(today).prev(),
        Period.dekad_of(today),
        Period.month_of(today),
    ]
    return render(
        request,
        "assess/run_list.html",
        {
            "runs": Run.objects.select_related("scheme")[:100],
            "choices": choices,
            "year": today.year,
            "can_run": request.user.has_perm("assess.run_assessment"),
        },
    )


@require_POST
@permission_required("assess.run_assessment", raise_exception=True)
def run_period(request):
    try:
        run = services.run_assessment(request.POST.get("period", ""), actor=request.user)
    except (ValidationError, ValueError) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
        return redirect("assess:run_list")
    messages.success(
        request, _("已计算 %(period)s 的考核结果（草稿）。") % {"period": Period.parse(run.period_code)}
    )
    return redirect("assess:run_detail", pk=run.pk)


@permission_required("assess.view_run", raise_exception=True)
def run_detail(request, pk):
    run = get_object_or_404(Run.objects.select_related("scheme", "supersedes"), pk=pk)
    kind = request.GET.get("kind") or SubjectKind.HEADQUARTERS
    scores = run.scores.filter(subject_kind=kind).order_by("group", "rank", "subject_name")
    consequences = {}
    for c in run.consequences.filter(subject_kind=kind):
        consequences.setdefault(c.subject_id, []).append(c)
    rows = [{"score": s, "consequences": consequences.get(s.subject_id, [])} for s in scores]
    kinds = [k for k in SubjectKind if run.scores.filter(subject_kind=k).exists()]
    return render(
        request,
        "assess/run_detail.html",
        {
            "run": run,
            "period": Period.parse(run.period_code),
            "rows": rows,
            "kind": kind,
            "kinds": kinds,
            "indicators": list(scores[0].points) if scores else [],
            "can_run": request.user.has_perm("assess.run_assessment"),
        },
    )


@require_POST
@permission_required("assess.run_assessment", raise_exception=True)
def run_action(request, pk, action):
    run = get_object_or_404(Run, pk=pk)
    try:
        if action == "publish":
            services.publish(run, actor=request.user)
            messages.success(request, _("考核结果已发布。"))
        elif action == "revise":
            run = services.revise(run, request.POST.get("reason", ""), actor=request.user)
            messages.success(request, _("已生成修订草稿。"))
        elif action == "rerun":
            run = services.run_assessment(run.period_code, actor=request.user)
            messages.success(request, _("已按最新数据重新计算草稿。"))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("assess:run_detail", pk=run.pk)


@permission_required("assess.view_run", raise_exception=True)
def score_detail(request, pk):
    score = get_object_or_404(Score.objects.select_related("run", "run__scheme"), pk=pk)
    consequences = score.run.consequences.filter(subject_kind=score.subject_kind, subject_id=score.subject_id)
    return render(
        request,
        "assess/score_detail.html",
        {
            "score": score,
            "run": score.run,
            "period": Period.parse(score.run.period_code),
            "consequences": consequences,
            "published": score.run.state == RunState.PUBLISHED,
        },
    )


@login_required
def evaluate(request):
    """The rater's form: a score (0–100) and a comment for each subject assigned to them, for one period;
    the project office also sees who has not scored yet."""
    from gongjian.assess.models import Evaluation, EvaluatorAssignment

    period = Period.parse(
        request.GET.get("period") or request.POST.get("period") or Period.dekad_of(timezone.localdate()).code
    )
    assigned = list(EvaluatorAssignment.objects.filter(rater=request.user))
    if not assigned and not request.user.has_perm("assess.run_assessment"):
        raise PermissionDenied
    names = services.subject_names()
    if request.method == "POST":
        scores = {}
        for a in assigned:
            value = request.POST.get(f"score-{a.subject_kind}-{a.subject_id}", "").strip()
            if value:
                scores[(a.subject_kind, a.subject_id)] = (
                    value,
                    request.POST.get(f"comment-{a.subject_kind}-{a.subject_id}", ""),
                )
        try:
            count = services.record_evaluations(request.user, period.code, scores)
            messages.success(request, _("已保存 %(n)d 项评分。") % {"n": count})
            return redirect(f"{request.path}?period={period.code}")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
    mine = {
        (e.subject_kind, e.subject_id): e
        for e in Evaluation.objects.filter(rater=request.user, period_code=period.code)
    }
    rows = [
        {
            "a": a,
            "name": names.get((a.subject_kind, a.subject_id), a.subject_id),
            "done": mine.get((a.subject_kind, a.subject_id)),
            "value": request.POST.get(f"score-{a.subject_kind}-{a.subject_id}", ""),
        }
        for a in assigned
    ]
    return render(
        request,
        "assess/evaluate.html",
        {
            "period": period,
            "rows": rows,
            "missing": services.missing_evaluations(period.code)
            if request.user.has_perm("assess.run_assessment")
            else None,
        },
    )


@permission_required("assess.view_run", raise_exception=True)
def run_notice(request, pk):
    """The notice (通报) of a published run as .docx."""
    from django.http import HttpResponse
    from django.utils.http import content_disposition_header

    from gongjian.assess import notice

    run = get_object_or_404(Run, pk=pk)
    try:
        content = notice.render(run, actor=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("assess:run_detail", pk=run.pk)
    response = HttpResponse(content, content_type=(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"))
    response["Content-Disposition"] = content_disposition_header(True, f"考核通报_{run.period_code}.docx")
    return response


@login_not_required
def public(request):
    """The public page (公示): the latest published ranking of headquarters and its red flags and cards; names
    and posts only."""
    runs = []
    for kind in ("dekad", "month"):
        run = Run.objects.filter(state=RunState.PUBLISHED, period_kind=kind).order_by("-period_code").first()
        if run:
            scores = run.scores.filter(subject_kind="headquarters").order_by("group", "rank", "subject_name")
            marks = {}
            for c in run.consequences.filter(subject_kind="headquarters").exclude(kind="interview"):
                marks.setdefault(c.subject_id, []).append(c)
            runs.append({"run": run, "period": Period.parse(run.period_code),
                         "rows": [{"score": s, "marks": marks.get(s.subject_id, [])} for s in scores]})
    return render(request, "assess/public.html", {"runs": runs})


@permission_required("assess.run_assessment", raise_exception=True)
def what_if(request):
    """Run any scheme version over a past period and compare its ranking with the scheme in force, side by
    side; nothing is saved."""
    from gongjian.assess.models import Scheme

    schemes_all = list(Scheme.objects.order_by("name", "-version"))
    period = Period.parse(request.GET.get("period") or Period.dekad_of(timezone.localdate()).prev().code)
    kind = request.GET.get("kind") or SubjectKind.HEADQUARTERS
    chosen = next((s for s in schemes_all if str(s.pk) == request.GET.get("scheme")), None)
    rows, error = [], ""
    if chosen:
        try:
            active = services.scheme_for(period.year)
            current = services.compute(period, active).scores
            trial = services.compute(period, chosen).scores
            names = services.subject_names()
            base = {r["subject_id"]: r for r in current.filter(current["subject_kind"] == kind).iter_rows(named=True)}
            for r in trial.filter(trial["subject_kind"] == kind).iter_rows(named=True):
                was = base.get(r["subject_id"])
                rows.append({"name": names.get((kind, r["subject_id"]), r["subject_id"]), "group": r["group"],
                             "rank": r["rank"], "score": r["score"],
                             "was_rank": was["rank"] if was else None, "was_score": was["score"] if was else None,
                             "moved": (was["rank"] - r["rank"]) if was else None})
            rows.sort(key=lambda row: (row["group"], row["rank"]))
        except ValueError as exc:
            error = str(exc)
    return render(request, "assess/what_if.html", {
        "schemes": schemes_all, "chosen": chosen, "period": period, "kind": kind, "rows": rows, "error": error,
        "active": services.scheme_for(period.year), "kinds": list(SubjectKind),
    })


@permission_required("assess.view_run", raise_exception=True)
def run_export(request, pk):
    """A run's scores and consequences, every kind of subject, to Excel."""
    from gongjian.core.excel import Export

    run = get_object_or_404(Run, pk=pk)
    scores = list(run.scores.order_by("subject_kind", "group", "rank", "subject_name"))
    indicators = list(scores[0].points) if scores else []
    marks: dict[tuple[str, int], list[str]] = {}
    for c in run.consequences.all():
        marks.setdefault((c.subject_kind, c.subject_id), []).append(
            c.get_kind_display() + (f" {c.amount}元" if c.amount else ""))
    export = Export(run.period_code, [_("考核对象类型"), _("分组"), _("名次"), _("组内数"), _("考核对象"), _("得分"),
                                      *indicators, _("奖惩"), _("计分说明")])
    for row, s in enumerate(scores, start=1):
        export.sheet.write_row(row, 0, [s.get_subject_kind_display(), s.group, s.rank, s.group_size, s.subject_name,
                                        s.score, *[s.points.get(i) for i in indicators],
                                        "、".join(marks.get((s.subject_kind, s.subject_id), [])),
                                        "\n".join(s.explanation)])
    last = 7 + len(indicators)
    return export.response(f"考核结果_{run.period_code}_r{run.revision}.xlsx",
                           {(0, 1): 12, (4, 4): 30, (last, last): 80}, freeze=(1, 5))


@permission_required("assess.view_run", raise_exception=True)
def year_end(request, year):
    """The year-end ranking (年终排名) from the published monthly results, with each subject's grade."""
    grades = services.year_end(year)
    names = services.subject_names()
    kind = request.GET.get("kind") or SubjectKind.HEADQUARTERS
    rows = [r | {"name": names.get((r["subject_kind"], r["subject_id"]), r["subject_id"])}
            for r in grades.filter(grades["subject_kind"] == kind).iter_rows(named=True)] if grades.height else []
    return render(request, "assess/year_end.html", {"year": year, "rows": rows, "kind": kind,
                                                     "kinds": list(SubjectKind)})
