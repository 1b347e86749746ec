"""Pages: the runs of each period, a run's rankings with consequences, one score's explanation, and the
confirmation that lists what publishing a run makes final."""

from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gongjian.assess import exports, notice, queries, services
from gongjian.assess.models import (
    Commitment,
    Consequence,
    ConsequenceKind,
    Evaluation,
    EvaluatorAssignment,
    Interview,
    Run,
    RunState,
    Scheme,
    Score,
    SubjectKind,
    group_label,
    indicator_keys,
    indicator_label,
)
from gongjian.assess.services import followup
from gongjian.core import excel
from gongjian.core.bounds import query_year
from gongjian.core.downloads import attachment
from gongjian.core.locking import Stale, posted_version
from gongjian.core.periods import Period
from gongjian.jobs.views import background_export


@permission_required("assess.view_run", raise_exception=True)
def run_list(request):
    return _run_list(request)


def _run_list(request, *, status: int = 200, kept: dict | None = None):
    """The runs, and the office's form to run a period: each period offered carries the version of its draft, if
    it has one (running it again replaces that draft, and only that one). ``kept``: the form as posted."""
    today = timezone.localdate()
    periods = [
        Period.dekad_of(today).prev(),
        Period.month_of(today).prev(),
        Period.dekad_of(today),
        Period.month_of(today),
    ]
    deadlines = services.filing_deadlines(periods)
    now = timezone.now()
    drafts = dict(
        Run.objects.filter(period_code__in=[p.code for p in periods], state=RunState.DRAFT).values_list(
            "period_code", "version"
        )
    )
    kept = kept or {}
    choices = [
        {
            "period": p,
            "deadline": deadlines[p.code],
            "open": deadlines[p.code] >= now,
            "version": kept["versions"].get(p.code, "") if kept else drafts.get(p.code, ""),
        }
        for p in periods
    ]
    return render(
        request,
        "assess/run_list.html",
        {
            "runs": Run.objects.select_related("scheme")[:100],
            "choices": choices,
            "year": today.year,
            "can_run": request.user.has_perm("assess.run_assessment"),
            "kept": kept,
        },
        status=status,
    )


@require_POST
@permission_required("assess.run_assessment", raise_exception=True)
def run_period(request):
    code = request.POST.get("period", "")
    version = posted_version(request.POST, f"version-{code}")
    try:
        job = services.start_assessments(
            [code],
            actor=request.user,
            early_reason=request.POST.get("early_reason", ""),
            versions={} if version is None else {Period.parse(code).code: version},
            single=True,
        )
    except Stale as exc:  # a draft of the period computed since the page was read: 409, the form as posted
        messages.error(request, exc.messages[0])
        versions = {
            key.removeprefix("version-"): value
            for key, value in request.POST.items()
            if key.startswith("version-")
        }
        return _run_list(
            request,
            status=409,
            kept={"period": code, "versions": versions, "early_reason": request.POST.get("early_reason", "")},
        )
    except (ValidationError, ValueError) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
        return redirect("assess:run_list")
    return redirect("jobs:job_detail", pk=job.pk)


@permission_required("assess.view_run", raise_exception=True)
def run_detail(request, pk):
    return _run_page(request, get_object_or_404(Run.objects.select_related("scheme", "supersedes"), pk=pk))


def _run_page(request, run: Run, *, status: int = 200, kept: dict | None = None):
    """A run's ranking and the office's forms (rerun, revise), each carrying the run's version; after a refused
    action, ``kept`` holds what was typed and the version it was typed against."""
    kind = request.GET.get("kind") or SubjectKind.HEADQUARTERS
    scores = run.scores.filter(subject_kind=kind).order_by("group", "rank", "subject_name")
    consequences = {}
    for c in run.consequences.filter(subject_kind=kind):
        consequences.setdefault(c.subject_id, []).append(c)
    rows = [{"score": s, "consequences": consequences.get(s.subject_id, [])} for s in scores]
    kinds = [k for k in SubjectKind if run.scores.filter(subject_kind=k).exists()]
    period = Period.parse(run.period_code)
    deadline = services.filing_deadlines([period])[period.code]
    return render(
        request,
        "assess/run_detail.html",
        {
            "run": run,
            "period": period,
            "deadline": deadline,
            "still_open": deadline >= timezone.now(),
            "rows": rows,
            "kind": kind,
            "kinds": kinds,
            "indicators": [indicator_label(key) for key in indicator_keys(scores[0].points)]
            if scores
            else [],
            "can_run": request.user.has_perm("assess.run_assessment"),
            "kept": kept or {},
            "version": kept["version"] if kept else run.version,
        },
        status=status,
    )


@permission_required("assess.run_assessment", raise_exception=True)
def run_action(request, pk, action):
    """Publish (GET: the confirmation listing what will be published; POST with ``confirm``: publish), revise
    or rerun a run."""
    run = get_object_or_404(Run.objects.select_related("scheme", "supersedes"), pk=pk)
    if action == "publish" and (request.method == "GET" or request.POST.get("confirm") != "yes"):
        if request.method == "POST":
            messages.error(request, _("发布前请核对将发布的内容，并勾选确认。"))
        return _publish_page(request, run)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    version = posted_version(request.POST)
    try:
        if action == "publish":
            services.publish(run, actor=request.user, expected_version=version)
            messages.success(request, _("考核结果已发布。"))
        elif action == "revise":
            run = services.revise(
                run, request.POST.get("reason", ""), actor=request.user, expected_version=version
            )
            messages.success(request, _("已生成修订草稿。"))
        elif action == "rerun":  # in the background: the task's page follows it and links back to the draft
            job = services.start_assessments(
                [run.period_code],
                actor=request.user,
                early_reason=request.POST.get("early_reason", ""),
                versions={} if version is None else {run.period_code: version},
                single=True,
            )
            return redirect("jobs:job_detail", pk=job.pk)
    except Stale as exc:  # changed since the page was read: the page as it is now, saying so (409)
        messages.error(request, exc.messages[0])
        run.refresh_from_db()
        if action == "publish":  # the confirmation again, listing what the draft holds now
            return _publish_page(request, run, status=409)
        return _run_page(
            request,
            run,
            status=409,
            kept={
                "version": "" if version is None else version,
                "action": action,
                "reason": request.POST.get("reason", ""),
                "early_reason": request.POST.get("early_reason", ""),
            },
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("assess:run_detail", pk=run.pk)


def _publish_page(request, run: Run, *, status: int = 200):
    """What publishing ``run`` makes final, with the confirmation form carrying the version listed."""
    return render(
        request,
        "assess/run_publish.html",
        {"run": run, "period": Period.parse(run.period_code), "publication": services.publication(run)},
        status=status,
    )


@permission_required("assess.view_run", raise_exception=True)
def score_detail(request, pk):
    score = get_object_or_404(Score.objects.select_related("run", "run__scheme"), pk=pk)
    consequences = score.run.consequences.filter(subject_kind=score.subject_kind, subject_id=score.subject_id)
    return render(
        request,
        "assess/score_detail.html",
        {
            "score": score,
            "explanation": queries.explanation(score),
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
    text = (request.GET.get("period") or request.POST.get("period") or "").strip()
    try:
        period = Period.parse(text) if text else Period.dekad_of(timezone.localdate())
    except ValueError:
        # Scores are never saved into a period other than the one asked for: the page shows this ten-day period.
        messages.error(
            request, _("无法识别的期别“%(text)s”（应如 2026年11月中旬），已显示本旬。") % {"text": text[:20]}
        )
        period, text = Period.dekad_of(timezone.localdate()), None
    # a rater with nothing assigned yet is told so on the page (the menu offers it to every rater)
    assigned = list(EvaluatorAssignment.objects.filter(rater=request.user))
    if not assigned and not (
        request.user.has_perm("assess.add_evaluation") or request.user.has_perm("assess.run_assessment")
    ):
        raise PermissionDenied
    names = services.subject_names()
    status = 200
    if request.method == "POST" and text is not None:
        scores = {}
        for a in assigned:
            key = f"{a.subject_kind}-{a.subject_id}"
            value = request.POST.get(f"score-{key}", "").strip()
            if value:
                scores[(a.subject_kind, a.subject_id)] = (
                    value,
                    request.POST.get(f"comment-{key}", ""),
                    posted_version(request.POST, f"version-{key}"),
                )
        try:
            count = services.record_evaluations(request.user, period.code, scores)
            messages.success(request, _("已保存 %(n)d 项评分。") % {"n": count})
            return redirect(f"{request.path}?period={period.code}")
        except (
            ValidationError
        ) as exc:  # the scores and comments stay as typed (409 when scored elsewhere since)
            messages.error(request, "；".join(exc.messages))
            status = 409 if isinstance(exc, Stale) else 200
    mine = {
        (e.subject_kind, e.subject_id): e
        for e in Evaluation.objects.filter(rater=request.user, period_code=period.code)
    }
    posted = request.method == "POST"
    rows = []
    # ?todo=1: only the subjects still waiting for a score (the to-do page's list)
    todo = bool(request.GET.get("todo"))
    waiting = {a.pk for a in queries.scores_waiting(request.user, period.code)} if todo else None
    for a in assigned:
        if waiting is not None and a.pk not in waiting:
            continue
        key, done = f"{a.subject_kind}-{a.subject_id}", mine.get((a.subject_kind, a.subject_id))
        rows.append(
            {
                "a": a,
                "name": names.get((a.subject_kind, a.subject_id), a.subject_id),
                "done": done,
                "value": request.POST.get(f"score-{key}", ""),
                "comment": request.POST.get(f"comment-{key}", "")
                if posted
                else (done.comment if done else ""),
                "version": request.POST.get(f"version-{key}", "")
                if posted
                else (done.version if done else ""),
            }
        )
    return render(
        request,
        "assess/evaluate.html",
        {
            "period": period,
            "rows": rows,
            "todo": todo,
            "missing": services.missing_evaluations(period.code)
            if request.user.has_perm("assess.run_assessment")
            else None,
            "assignments": EvaluatorAssignment.objects.count(),
        },
        status=status,
    )


@permission_required("assess.view_run", raise_exception=True)
def run_notice(request, pk):
    """The notice (通报) of a published run as .docx."""
    run = get_object_or_404(Run, pk=pk)
    try:
        content = notice.render(run)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("assess:run_detail", pk=run.pk)
    return attachment(content, f"考核通报_{Period.parse(run.period_code)}.docx")


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
            runs.append(
                {
                    "run": run,
                    "period": Period.parse(run.period_code),
                    "rows": [{"score": s, "marks": marks.get(s.subject_id, [])} for s in scores],
                }
            )
    year = int(runs[0]["run"].period_code[:4]) if runs else timezone.localdate().year
    _periods, tallies = followup.flag_board(year, SubjectKind.HEADQUARTERS)
    board = [t for t in tallies if t.flags or t.rewards]
    return render(request, "assess/public.html", {"runs": runs, "year": year, "board": board})


@permission_required("assess.run_assessment", raise_exception=True)
def what_if(request):
    """Run any scheme version over past periods (one, or a range such as 2026-01..2026-10) and compare its
    rankings and consequences with the scheme in force, side by side; nothing is saved."""
    schemes_all = list(Scheme.objects.order_by("name", "-version"))
    text = request.GET.get("period") or str(Period.dekad_of(timezone.localdate()).prev())
    kind = request.GET.get("kind") or SubjectKind.HEADQUARTERS
    chosen = next((s for s in schemes_all if str(s.pk) == request.GET.get("scheme")), None)
    rows, error, periods = [], "", []
    try:
        periods = services.parse_periods(text)
        if chosen:
            rows = [
                r | {"group_label": group_label(r["group"])} for r in services.what_if(chosen, periods, kind)
            ]
    except ValidationError as exc:
        error = "；".join(exc.messages)
    except ValueError as exc:
        error = str(exc)
    year = periods[0].year if periods else timezone.localdate().year
    return render(
        request,
        "assess/what_if.html",
        {
            "schemes": schemes_all,
            "chosen": chosen,
            "text": text,
            "periods": periods,
            "kind": kind,
            "rows": rows,
            "error": error,
            "active": services.scheme_for(year),
            "kinds": list(SubjectKind),
            "span": f"{periods[0]}—{periods[-1]}（{len(periods)} 期）"
            if len(periods) > 1
            else (str(periods[0]) if periods else ""),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("assess.view_run", raise_exception=True)
def run_export(request, pk):
    """A run's scores and consequences, every kind of subject, to Excel; a district's many projects' scores are
    written by a background job."""
    run = get_object_or_404(Run, pk=pk)
    started = background_export(
        request,
        rows=run.scores.count(),
        kind="assess.export_run",
        params={"run_id": run.pk},
        label=_("导出考核结果（%(period)s）") % {"period": run.period_code},
        back=reverse("assess:run_detail", args=[run.pk]),
    )
    if started is not None:
        return started
    return excel.response(exports.run_workbook(run), exports.run_filename(run))


@permission_required("assess.view_run", raise_exception=True)
def year_end(request, year):
    """The year-end ranking (年终排名) from the published monthly results, with each subject's grade."""
    grades = services.year_end(year)
    names = services.subject_names()
    kind = request.GET.get("kind") or SubjectKind.HEADQUARTERS
    rows = (
        [
            r
            | {
                "name": names.get((r["subject_kind"], r["subject_id"]), r["subject_id"]),
                "group_label": group_label(r["group"]),
            }
            for r in grades.filter(grades["subject_kind"] == kind).iter_rows(named=True)
        ]
        if grades.height
        else []
    )
    return render(
        request,
        "assess/year_end.html",
        {"year": year, "rows": rows, "kind": kind, "kinds": list(SubjectKind)},
    )


# Follow-up: interviews and commitments, the red-flag board, the cadre archive


class InterviewForm(forms.Form):
    held_on = forms.DateField(
        label=_("约谈日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    interviewer = forms.CharField(label=_("约谈人"), max_length=100)
    interviewee = forms.CharField(label=_("被约谈人"), max_length=100)
    content = forms.CharField(label=_("约谈内容"), widget=forms.Textarea(attrs={"rows": 5}))


class CommitmentForm(forms.Form):
    text = forms.CharField(label=_("整改事项"), max_length=300, required=False)
    deadline = forms.DateField(
        label=_("整改时限"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


CommitmentFormSet = forms.formset_factory(CommitmentForm, extra=3)


def _apply_errors(form, exc: ValidationError) -> None:
    for name, messages_ in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, messages_)


@permission_required("assess.view_run", raise_exception=True)
def interviews(request):
    """The interviews published yellow cards call for (待约谈 / 已约谈) and the commitments still open."""
    year = query_year(request)
    queue = followup.interview_queue(year)
    today = timezone.localdate()
    commitments = [
        {"row": c, "state": followup.commitment_state(c, today)}
        for c in Commitment.objects.select_related("interview")
        .filter(interview__in=followup.interviews_of(year))
        .order_by("done_on", "deadline")
    ]
    return render(
        request,
        "assess/interviews.html",
        {
            "year": year,
            "queue": queue,
            "commitments": commitments,
            "waiting": sum(1 for item in queue if item["interview"] is None),
            "overdue": sum(1 for c in commitments if c["state"] == "overdue"),
            "can_run": request.user.has_perm("assess.run_assessment"),
        },
    )


@permission_required("assess.run_assessment", raise_exception=True)
def interview_new(request, consequence):
    item = get_object_or_404(Consequence.objects.select_related("run"), pk=consequence, kind="interview")
    status = 200
    if request.method == "GET" and hasattr(item, "interview_record"):
        return redirect("assess:interview_detail", pk=item.interview_record.pk)
    if request.method == "POST":
        form, formset = InterviewForm(request.POST), CommitmentFormSet(request.POST, prefix="c")
        if form.is_valid() and formset.is_valid():
            try:
                interview = followup.record_interview(
                    actor=request.user,
                    consequence=item,
                    **form.cleaned_data,
                    commitments=[
                        (f.cleaned_data.get("text", ""), f.cleaned_data.get("deadline"))
                        for f in formset.forms
                    ],
                )
                messages.success(request, _("约谈已登记。"))
                return redirect("assess:interview_detail", pk=interview.pk)
            except Stale as exc:  # recorded by someone else meanwhile: say so (409), keep what was typed
                messages.error(request, exc.messages[0])
                status = 409
            except ValidationError as exc:
                _apply_errors(form, exc)
    else:
        form = InterviewForm(
            initial={
                "held_on": timezone.localdate(),
                "interviewee": followup.interviewee_for(item.subject_kind, item.subject_id),
            }
        )
        formset = CommitmentFormSet(prefix="c")
    return render(
        request,
        "assess/interview_form.html",
        {"item": item, "period": Period.parse(item.run.period_code), "form": form, "formset": formset},
        status=status,
    )


@permission_required("assess.view_run", raise_exception=True)
def interview_detail(request, pk):
    interview = get_object_or_404(Interview.objects.select_related("consequence__run"), pk=pk)
    can_run = request.user.has_perm("assess.run_assessment")
    error, status, kept = None, 200, {}
    if request.method == "POST":
        if not can_run:
            raise PermissionDenied
        version = posted_version(request.POST)
        commitment = request.POST.get("commitment", "")
        try:
            if commitment:
                row = get_object_or_404(
                    Commitment, pk=int(commitment) if commitment.isdigit() else 0, interview=interview
                )
                reopen = request.POST.get("action") == "reopen"
                followup.complete_commitment(
                    row,
                    done_on=None if reopen else _date(request.POST.get("done_on")),
                    result=request.POST.get("result", ""),
                    actor=request.user,
                    expected_version=version,
                )
                messages.success(request, _("已重新打开。") if reopen else _("已登记完成情况。"))
            else:
                followup.add_commitment(
                    interview,
                    request.POST.get("text", ""),
                    _date(request.POST.get("deadline")),
                    actor=request.user,
                    expected_version=version,
                )
                messages.success(request, _("已添加整改承诺。"))
            return redirect("assess:interview_detail", pk=interview.pk)
        except ValidationError as exc:  # said on the page, which keeps what was typed
            error = "；".join(exc.messages)
            status = 409 if isinstance(exc, Stale) else 200
            kept = {
                "commitment": commitment,
                "version": "" if version is None else version,
                **{name: request.POST.get(name, "") for name in ("text", "deadline", "done_on", "result")},
            }
            interview.refresh_from_db()
    today = timezone.localdate()
    rows = []
    for c in interview.commitments.all():
        mine = kept.get("commitment") == str(c.pk)
        rows.append(
            {
                "row": c,
                "state": followup.commitment_state(c, today),
                "version": kept["version"] if mine else c.version,
                "done_on": kept["done_on"] if mine and kept["done_on"] else today.isoformat(),
                "result": kept["result"] if mine else "",
            }
        )
    adding = bool(kept) and not kept.get("commitment")
    return render(
        request,
        "assess/interview_detail.html",
        {
            "interview": interview,
            "rows": rows,
            "can_run": can_run,
            "error": error,
            "today": today,
            "subject": services.subject_names().get((interview.subject_kind, interview.subject_id), ""),
            "version": kept["version"] if adding else interview.version,
            "new_text": kept.get("text", "") if adding else "",
            "new_deadline": kept.get("deadline", "") if adding else "",
        },
        status=status,
    )


def _date(text):
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        raise ValidationError({"done_on": _("日期格式应为 YYYY-MM-DD。")}) from None


# The red-flag board's columns by period, in the order a reader looks for them: the honours, then the cards.
FLAG_COLUMNS = [
    ConsequenceKind.RED_FLAG,
    ConsequenceKind.REWARD,
    ConsequenceKind.YELLOW_CARD,
    ConsequenceKind.BLACK_CARD,
    ConsequenceKind.PUBLIC_CRITICISM,
]


@permission_required("assess.view_run", raise_exception=True)
def flags(request, year):
    """The red-flag board (红旗榜): every published period of the year, the flags, rewards and cards of each
    subject, most flags first."""
    kind = request.GET.get("kind") or SubjectKind.HEADQUARTERS
    _periods, tallies = followup.flag_board(year, kind)
    by_period = [
        {"period": row.period, "cells": [row.names.get(k, []) for k in FLAG_COLUMNS]}
        for row in followup.flags_by_period(year, kind)
    ]
    return render(
        request,
        "assess/flags.html",
        {
            "year": year,
            "kind": kind,
            "kinds": list(SubjectKind),
            "rows": tallies,
            "by_period": by_period,
            "columns": [ConsequenceKind(k).label for k in FLAG_COLUMNS],
        },
    )


@permission_required("assess.view_run", raise_exception=True)
def archive(request, year):
    """The cadre archive (干部考核档案) of a year: each leader and commander with their subjects' grades, flags,
    cards and interviews."""
    entries = followup.archive(year)
    return render(request, "assess/archive.html", {"year": year, "entries": entries})


@permission_required("assess.view_run", raise_exception=True)
def archive_person(request, year, person):
    entries = followup.archive(year, {person})
    if not entries:
        raise Http404
    return render(request, "assess/archive_person.html", {"year": year, "entry": entries[0]})


@permission_required("assess.view_run", raise_exception=True)
def archive_docx(request, year, person=None):
    entries = followup.archive(year, {person} if person else None)
    if person and not entries:
        raise Http404
    content = followup.archive_document(entries)
    name = f"干部考核档案_{year}" + (f"_{entries[0].person.name}" if person else "") + ".docx"
    return attachment(content, name)


@permission_required("assess.view_run", raise_exception=True)
def archive_export(request, year):
    return excel.response(exports.archive_workbook(year), f"干部考核档案_{year}.xlsx")


@permission_required("assess.view_run", raise_exception=True)
def consequences_export(request, year):
    """The year's consequences ledger (奖惩台账) to Excel."""
    return attachment(exports.consequences_workbook(year), f"奖惩台账_{year}.xlsx")
