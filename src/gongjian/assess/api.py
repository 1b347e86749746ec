"""Assessment (考核) in the JSON API: scheme versions and their YAML, runs and their rankings, consequences,
the year-end ranking and the evaluators' scores, through the assessment services (which check the permission
to run and publish, and audit)."""

import json
from datetime import date, datetime
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from gongjian.assess import queries, services
from gongjian.assess.exports import consequences_workbook, scheme_workbook
from gongjian.assess.models import (
    Commitment,
    Consequence,
    Evaluation,
    EvaluatorAssignment,
    Interview,
    Run,
    RunState,
    Scheme,
    SchemeYear,
    Score,
)
from gongjian.assess.services import followup
from gongjian.core.bounds import Day, Id, Year
from gongjian.core.downloads import attachment
from gongjian.core.locking import StaleOut
from gongjian.core.pagination import Pages, Rows, page_of
from gongjian.core.periods import Period
from gongjian.jobs.api import TaskStarted, accepted

router = Router(tags=["assess"])
MAX_LIMIT = 500


class SchemeOut(Schema):
    id: int
    name: str
    version: int
    note: str
    created_at: datetime
    years: list[int]  # the years it is in force for


class SchemeDetailOut(SchemeOut):
    content: dict[str, Any]


class SchemeImportIn(Schema):
    yaml: str
    note: str = ""


class ActivateIn(Schema):
    year: Year
    version: int | None = (
        None  # the year's activation's (GET /schemes/years), when a scheme is in force for it
    )


class SchemeYearOut(Schema):
    year: int
    scheme_id: int
    scheme: str
    activated_at: datetime
    version: int


class RunIn(Schema):
    period: str  # 2026-11-2, 2026-11 or 2026年11月中旬
    early_reason: str = (
        ""  # required while the period is open for filing: an early draft (提前试算), never published
    )
    version: int | None = None  # the period's draft's, to replace it (409 stale when left out or out of date)


class ReviseIn(Schema):
    version: int  # the published run's, as read
    reason: str = ""


class RunOut(Schema):
    id: int
    period_code: str
    period_label: str
    period_kind: str
    scheme_id: int
    scheme: str
    revision: int
    supersedes_id: int | None
    reason: str  # why this revision corrects the published one
    early_reason: str  # 提前试算: why the office drafted it before the filing deadline ("" otherwise)
    state: str
    created_at: datetime
    created_by: str
    published_at: datetime | None
    notice_number: str
    version: int


class RunDetailOut(RunOut):
    superseded_by_id: int | None
    scores: dict[str, int]  # how many subjects of each kind were scored
    consequences: dict[str, int]  # how many consequences of each kind


class ConsequenceOut(Schema):
    id: int
    run_id: int
    period_code: str
    subject_kind: str
    subject_id: int
    name: str
    kind: str
    amount: int  # yuan
    reason: str


class ScoreOut(Schema):
    id: int
    run_id: int
    subject_kind: str
    subject_id: int
    name: str
    group: str
    score: float
    rank: int  # within the group
    group_size: int
    points: dict[str, Any]  # each indicator's points
    explanation: list[str]


class ScoreDetailOut(ScoreOut):
    period_code: str
    run_state: str
    consequences: list[ConsequenceOut]


class YearRankOut(Schema):
    subject_kind: str
    subject_id: int
    name: str
    group: str
    months: int  # published monthly results it is ranked from
    score: float  # the mean monthly score
    rank: int
    group_size: int
    grade: str
    explanation: str


class EvaluationIn(Schema):
    subject_kind: str
    subject_id: Id
    # 0–100, checked by record_evaluations, which names a wrong score by its subject (kind-id) as the page does.
    score: Annotated[float, Field(json_schema_extra={"minimum": 0, "maximum": 100})]
    comment: str = ""
    version: int | None = (
        None  # the earlier score's, when changing one (409 stale when left out or out of date)
    )


class EvaluationsIn(Schema):
    period: str
    scores: list[EvaluationIn]


class EvaluationOut(Schema):
    subject_kind: str
    subject_id: int
    name: str
    score: float | None  # null: not scored yet
    comment: str
    updated_at: datetime | None
    version: int | None  # the score's (null: not scored yet), to send back with a change


class EvaluationSheetOut(Schema):
    period_code: str
    period_label: str
    items: list[EvaluationOut]


def _viewer(request) -> None:
    if not request.user.has_perm("assess.view_run"):
        raise PermissionDenied(_("没有查看考核结果的权限。"))


def _period(text: str) -> Period:
    try:
        return Period.parse(text)
    except ValueError:
        raise ValidationError(
            {"period": _("无法识别的期别“%(text)s”，应如 2026-11-2 或 2026-11。") % {"text": text}}
        ) from None


# Schemes


def _schemes():
    return Scheme.objects.prefetch_related(Prefetch("years", queryset=SchemeYear.objects.order_by("year")))


def _scheme_out(row: Scheme) -> dict:
    return {
        "id": row.pk,
        "name": row.name,
        "version": row.version,
        "note": row.note,
        "created_at": row.created_at,
        "years": [y.year for y in row.years.all()],
    }


@router.get(
    "/schemes", response=page_of(SchemeOut), summary="Scheme versions, newest version of each name first"
)
@paginate(Pages)
def list_schemes(request):
    _viewer(request)
    return Rows(_schemes(), _scheme_out)


@router.get("/schemes/{int:scheme_id}", response=SchemeDetailOut)
def get_scheme(request, scheme_id: int):
    _viewer(request)
    row = get_object_or_404(_schemes(), pk=scheme_id)
    return _scheme_out(row) | {"content": row.content}


@router.get(
    "/schemes/{int:scheme_id}/yaml",
    summary="A scheme version as YAML (what schemes/import reads back)",
    openapi_extra={
        # A YAML document is a mapping (name, weights, curves, consequences …), as a client that parses it reads it.
        "responses": {200: {"description": "YAML", "content": {"text/yaml": {"schema": {"type": "object"}}}}}
    },
)
def scheme_yaml(request, scheme_id: int):
    _viewer(request)
    row = get_object_or_404(Scheme, pk=scheme_id)
    return HttpResponse(services.export_yaml(row), content_type="text/yaml; charset=utf-8")


@router.post(
    "/schemes/import", response={201: SchemeOut}, summary="Import a scheme's YAML as its next version"
)
def import_scheme(request, payload: SchemeImportIn):
    row = services.import_yaml(payload.yaml, actor=request.user, note=payload.note)
    return Status(201, _scheme_out(get_object_or_404(_schemes(), pk=row.pk)))


@router.post(
    "/schemes/{int:scheme_id}/activate",
    response={200: SchemeOut, 409: StaleOut},
    summary="Put a version in force for a year (version: the year's activation's, when it has one)",
)
def activate_scheme(request, scheme_id: int, payload: ActivateIn):
    services.activate(
        get_object_or_404(Scheme, pk=scheme_id),
        payload.year,
        actor=request.user,
        expected_version=payload.version,
    )
    return _scheme_out(get_object_or_404(_schemes(), pk=scheme_id))


def _scheme_year_out(row: SchemeYear) -> dict:
    return {
        "year": row.year,
        "scheme_id": row.scheme_id,
        "scheme": str(row.scheme),
        "activated_at": row.activated_at,
        "version": row.version,
    }


@router.get("/schemes/years", response=page_of(SchemeYearOut), summary="The scheme in force for each year")
@paginate(Pages)
def scheme_years(request):
    _viewer(request)
    return Rows(SchemeYear.objects.select_related("scheme").order_by("-year"), _scheme_year_out)


# Runs


def _run_out(run: Run) -> dict:
    return {
        "id": run.pk,
        "period_code": run.period_code,
        "period_label": str(Period.parse(run.period_code)),
        "period_kind": run.period_kind,
        "scheme_id": run.scheme_id,
        "scheme": str(run.scheme),
        "revision": run.revision,
        "supersedes_id": run.supersedes_id,
        "reason": run.reason,
        "early_reason": run.early_reason,
        "state": run.state,
        "created_at": run.created_at,
        "created_by": run.created_by.display_name if run.created_by else "",
        "published_at": run.published_at,
        "notice_number": run.notice_number,
        "version": run.version,
    }


def _run_detail(run_id: int) -> dict:
    run = get_object_or_404(Run.objects.select_related("scheme", "created_by"), pk=run_id)
    return _run_out(run) | {
        "superseded_by_id": Run.objects.filter(supersedes=run).values_list("pk", flat=True).first(),
        "scores": dict(
            run.scores.values_list("subject_kind").annotate(n=Count("pk")).order_by("subject_kind")
        ),
        "consequences": dict(run.consequences.values_list("kind").annotate(n=Count("pk")).order_by("kind")),
    }


@router.get("/runs", response=page_of(RunOut), summary="Assessment runs, latest period and revision first")
@paginate(Pages, most=MAX_LIMIT)
def list_runs(request, period: str | None = None, state: str | None = None):
    _viewer(request)
    queryset = Run.objects.select_related("scheme", "created_by").order_by("-period_code", "-revision")
    if period:
        queryset = queryset.filter(period_code=_period(period).code)
    if state:
        queryset = queryset.filter(state=state)
    return Rows(queryset, _run_out)


@router.post(
    "/runs",
    response={202: TaskStarted, 409: StaleOut},
    summary="Assess a period as a draft (replacing its draft, of the version given), in the background: the task's "
    "result names the run (result.runs[0].id)",
)
def run_period(request, payload: RunIn):
    code = _period(payload.period).code
    return accepted(
        services.start_assessments(
            [code],
            actor=request.user,
            early_reason=payload.early_reason,
            versions={} if payload.version is None else {code: payload.version},
            single=True,
        )
    )


@router.get("/runs/{int:run_id}", response=RunDetailOut)
def get_run(request, run_id: int):
    _viewer(request)
    return _run_detail(run_id)


class PublishIn(Schema):
    confirm: bool = False  # true publishes; otherwise the answer (422) lists what would be published
    version: int | None = None  # the draft's, as read: required to publish (409 stale when out of date)


class PublicationOut(Schema):
    run_id: int
    period_code: str
    period_label: str
    revision: int
    supersedes_id: int | None  # the published run this revision replaces
    scores: dict[str, int]  # kind of subject → subjects scored
    consequences: dict[str, int]  # kind of consequence → how many
    reward_total: int  # yuan
    items: list[ConsequenceOut]
    refused: str  # why it cannot be published now ("" when it can)


class ErrorItem(Schema):
    field: str | None
    message: str


class PublishUnconfirmedOut(Schema):
    code: str  # confirm: publish again with {"confirm": true}; state: it cannot be published (see refused)
    errors: list[ErrorItem]
    would_publish: PublicationOut | None = None


def _publication_out(run: Run) -> dict:
    found = services.publication(run)
    return {
        "run_id": run.pk,
        "period_code": run.period_code,
        "period_label": str(Period.parse(run.period_code)),
        "revision": run.revision,
        "supersedes_id": run.supersedes_id,
        "scores": {
            kind: n
            for kind, n in run.scores.values_list("subject_kind")
            .annotate(n=Count("pk"))
            .order_by("subject_kind")
        },
        "consequences": dict(run.consequences.values_list("kind").annotate(n=Count("pk")).order_by("kind")),
        "reward_total": found.reward_total,
        "items": [_consequence_out(c) for c in found.consequences],
        "refused": found.refused,
    }


def _confirmed(request) -> tuple[bool, int | None]:
    """``confirm`` and ``version`` from the JSON body ({"confirm": true, "version": 3}) or a form (confirm=true,
    version=3); anything else is no, and no version. Read here rather than by a body parameter, so that a POST
    without a JSON body is answered (422, or 403) too."""
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            raise ValidationError({"confirm": _("请求内容不是有效的 JSON。")}) from None
        if not isinstance(data, dict):
            return False, None
        version = data.get("version")
        return data.get("confirm") is True, version if type(version) is int else None
    version = request.POST.get("version", "")
    return (
        request.POST.get("confirm") in ("true", "1", "yes", "on"),
        int(version) if version.isdigit() and len(version) < 10 else None,
    )


@router.post(
    "/runs/{int:run_id}/publish",
    response={200: RunDetailOut, 409: StaleOut, 422: PublishUnconfirmedOut},
    summary='Publish a draft computed after its filing deadline, final from then on: with {"confirm": true, '
    '"version": N} (the draft\'s, as read); without confirm, 422 lists what would be published',
    openapi_extra={
        "requestBody": {
            "required": False,
            "content": {"application/json": {"schema": PublishIn.model_json_schema()}},
        },
        # Under the text key too: gongjian.api.core adds the common error answers under text keys, where ninja
        # keys its own by number, and the document keeps the later of the two.
        "responses": {
            "422": {
                "description": "未确认（confirm）或不能发布（state），附将发布的内容",
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/PublishUnconfirmedOut"}}
                },
            }
        },
    },
)
def publish_run(request, run_id: int):
    if not request.user.has_perm("assess.run_assessment"):
        raise PermissionDenied(_("只有项目办可以管理考核。"))
    run = get_object_or_404(Run, pk=run_id)
    confirmed, version = _confirmed(request)
    if not confirmed:
        preview = _publication_out(run)
        message = preview["refused"] or _(
            "发布后结果即为定稿：请核对 would_publish 列出的内容，再以 confirm: true 发布。"
        )
        return Status(
            422,
            {
                "code": "state" if preview["refused"] else "confirm",
                "errors": [{"field": None if preview["refused"] else "confirm", "message": message}],
                "would_publish": preview,
            },
        )
    if version is None:
        raise ValidationError({"version": _("请提供所核对草稿的版本号（version）。")})
    run = services.publish(run, actor=request.user, expected_version=version)
    return _run_detail(run.pk)


@router.post(
    "/runs/{int:run_id}/revise",
    response={201: RunDetailOut, 409: StaleOut},
    summary="Open a correction of a published run (version: the run's, as read): a new draft revision, with its "
    "reason",
)
def revise_run(request, run_id: int, payload: ReviseIn):
    revision = services.revise(
        get_object_or_404(Run, pk=run_id),
        payload.reason,
        actor=request.user,
        expected_version=payload.version,
    )
    return Status(201, _run_detail(revision.pk))


# Scores and consequences


def _score_out(score: Score, explanation: list[str]) -> dict:
    return {
        "id": score.pk,
        "run_id": score.run_id,
        "subject_kind": score.subject_kind,
        "subject_id": score.subject_id,
        "name": score.subject_name,
        "group": score.group,
        "score": score.score,
        "rank": score.rank,
        "group_size": score.group_size,
        "points": score.points,
        "explanation": explanation,
    }


def _scores_out(scores) -> list[dict]:
    """A page of scores, their explanations written together (one read of the run's figures)."""
    scores = list(scores)
    written = queries.explanations(scores)
    return [_score_out(score, written[score.pk]) for score in scores]


def _consequence_out(row: Consequence) -> dict:
    return {
        "id": row.pk,
        "run_id": row.run_id,
        "period_code": row.run.period_code,
        "subject_kind": row.subject_kind,
        "subject_id": row.subject_id,
        "name": row.subject_name,
        "kind": row.kind,
        "amount": row.amount,
        "reason": row.reason,
    }


@router.get(
    "/runs/{int:run_id}/scores",
    response=page_of(ScoreOut),
    summary="A run's ranking: by kind of subject, group and rank within the group",
)
@paginate(Pages, most=MAX_LIMIT)
def run_scores(request, run_id: int, kind: str | None = None):
    _viewer(request)
    run = get_object_or_404(Run, pk=run_id)
    queryset = run.scores.order_by("subject_kind", "group", "rank", "subject_name", "pk")
    if kind:
        queryset = queryset.filter(subject_kind=kind)
    return Rows(queryset, page=_scores_out)


@router.get("/scores/{int:score_id}", response=ScoreDetailOut, summary="One score with its consequences")
def get_score(request, score_id: int):
    _viewer(request)
    score = get_object_or_404(Score.objects.select_related("run"), pk=score_id)
    consequences = Consequence.objects.select_related("run").filter(
        run=score.run, subject_kind=score.subject_kind, subject_id=score.subject_id
    )
    return _score_out(score, queries.explanation(score)) | {
        "period_code": score.run.period_code,
        "run_state": score.run.state,
        "consequences": [_consequence_out(c) for c in consequences],
    }


def _consequences(queryset, kind: str | None, subject_kind: str | None) -> Rows:
    queryset = queryset.select_related("run")
    if kind:
        queryset = queryset.filter(kind=kind)
    if subject_kind:
        queryset = queryset.filter(subject_kind=subject_kind)
    return Rows(queryset, _consequence_out)


@router.get(
    "/runs/{int:run_id}/consequences", response=page_of(ConsequenceOut), summary="A run's consequences"
)
@paginate(Pages, most=MAX_LIMIT)
def run_consequences(request, run_id: int, kind: str | None = None, subject_kind: str | None = None):
    _viewer(request)
    run = get_object_or_404(Run, pk=run_id)
    return _consequences(
        run.consequences.order_by("kind", "subject_kind", "subject_name", "pk"), kind, subject_kind
    )


@router.get(
    "/consequences",
    response=page_of(ConsequenceOut),
    summary="Consequences of the published runs, latest period first",
)
@paginate(Pages, most=MAX_LIMIT)
def list_consequences(
    request, year: Year | None = None, kind: str | None = None, subject_kind: str | None = None
):
    _viewer(request)
    queryset = Consequence.objects.filter(run__state=RunState.PUBLISHED).order_by(
        "-run__period_code", "kind", "subject_kind", "subject_name", "pk"
    )
    if year:
        queryset = queryset.filter(run__period_code__startswith=f"{year}-")
    return _consequences(queryset, kind, subject_kind)


# The year-end ranking


@router.get(
    "/year/{int:year}",
    response=page_of(YearRankOut),
    summary="The year-end ranking and grades from the year's published monthly results",
)
@paginate(Pages)
def year_end(request, year: Year, kind: str | None = None):
    _viewer(request)
    grades = services.year_end(year)
    if grades.height and kind:
        grades = grades.filter(grades["subject_kind"] == kind)
    return Rows(grades, page=_year_ranks)


def _year_ranks(grades) -> list[dict]:
    """A page of the year-end grades (a polars frame) with the subjects' names."""
    if not grades.height:
        return []
    names = services.subject_names()
    return [
        {
            "subject_kind": r["subject_kind"],
            "subject_id": r["subject_id"],
            "name": names.get((r["subject_kind"], r["subject_id"]), str(r["subject_id"])),
            "group": r["group"],
            "months": r["months"],
            "score": r["mean_score"],
            "rank": r["rank"],
            "group_size": r["group_size"],
            "grade": r["grade"],
            "explanation": r["explanation"],
        }
        for r in grades.iter_rows(named=True)
    ]


# Comprehensive evaluation


def _sheet(user, period: Period) -> dict:
    """The subjects assigned to ``user`` with their scores of ``period``; like the page, only for a rater or
    the project office."""
    assigned = list(EvaluatorAssignment.objects.filter(rater=user).order_by("subject_kind", "subject_id"))
    if not assigned and not user.has_perm("assess.run_assessment"):
        raise PermissionDenied(_("没有分配给你评价的对象。"))
    mine = {
        (e.subject_kind, e.subject_id): e
        for e in Evaluation.objects.filter(rater=user, period_code=period.code)
    }
    names = services.subject_names() if assigned else {}
    items = []
    for a in assigned:
        done = mine.get((a.subject_kind, a.subject_id))
        items.append(
            {
                "subject_kind": a.subject_kind,
                "subject_id": a.subject_id,
                "name": names.get((a.subject_kind, a.subject_id), str(a.subject_id)),
                "score": float(done.score) if done else None,
                "comment": done.comment if done else "",
                "updated_at": done.updated_at if done else None,
                "version": done.version if done else None,
            }
        )
    return {"period_code": period.code, "period_label": str(period), "items": items}


@router.get(
    "/evaluations",
    response=EvaluationSheetOut,
    summary="The caller's subjects to evaluate and their scores (this ten-day period unless ?period=)",
)
def my_evaluations(request, period: str | None = None):
    return _sheet(request.user, _period(period) if period else Period.dekad_of(timezone.localdate()))


@router.post(
    "/evaluations",
    response={200: EvaluationSheetOut, 409: StaleOut},
    summary="Score one's assigned subjects for a period (0–100), a changed score with its version; errors name "
    "the field kind-id",
)
def record_evaluations(request, payload: EvaluationsIn):
    period = _period(payload.period)
    services.record_evaluations(
        request.user,
        period.code,
        {(s.subject_kind, s.subject_id): (s.score, s.comment, s.version) for s in payload.scores},
    )
    return _sheet(request.user, period)


# Many periods at once


class BatchIn(Schema):
    periods: list[str]  # of one year; published ones are left as they are
    early_reason: str = ""  # required when any is still open for filing: early drafts (提前试算)
    versions: dict[str, int] = {}  # period code → its draft's version, for every period that has a draft


@router.post(
    "/runs/batch",
    response={202: TaskStarted, 409: StaleOut},
    summary="Assess several periods of one year at once, each as a draft (a period's draft replaced only "
    "from the version given for it in versions), in the background: the task's result lists the "
    "runs (result.runs)",
)
def run_periods(request, payload: BatchIn):
    versions = {_period(code).code: version for code, version in payload.versions.items()}
    return accepted(
        services.start_assessments(
            [_period(p).code for p in payload.periods],
            actor=request.user,
            early_reason=payload.early_reason,
            versions=versions,
        )
    )


# Interviews and commitments, the red-flag board, the cadre archive


class CommitmentIn(Schema):
    text: str
    deadline: Day


class CommitmentOut(Schema):
    id: int
    text: str
    deadline: date
    done_on: date | None
    result: str
    state: str  # open, overdue, done, late
    version: int


class InterviewIn(Schema):
    consequence_id: Id  # the published interview (约谈) consequence it answers
    held_on: Day
    interviewer: str
    interviewee: str
    content: str
    commitments: list[CommitmentIn] = []


class InterviewOut(Schema):
    id: int
    consequence_id: int | None
    subject_kind: str
    subject_id: int
    held_on: date
    interviewer: str
    interviewee: str
    content: str
    commitments: list[CommitmentOut]
    version: int


class InterviewDueOut(Schema):
    consequence: ConsequenceOut
    interview: InterviewOut | None


class CompleteIn(Schema):
    version: int  # the commitment's, as read
    done_on: Day | None  # null reopens it
    result: str = ""


def _commitment_out(row: Commitment) -> dict:
    return {
        "id": row.pk,
        "text": row.text,
        "deadline": row.deadline,
        "done_on": row.done_on,
        "result": row.result,
        "state": followup.commitment_state(row),
        "version": row.version,
    }


def _interview_out(row: Interview) -> dict:
    return {
        "id": row.pk,
        "consequence_id": row.consequence_id,
        "subject_kind": row.subject_kind,
        "subject_id": row.subject_id,
        "held_on": row.held_on,
        "interviewer": row.interviewer,
        "interviewee": row.interviewee,
        "content": row.content,
        "commitments": [_commitment_out(c) for c in row.commitments.all()],
        "version": row.version,
    }


def _consequence_out(row: Consequence) -> dict:
    return {
        "id": row.pk,
        "run_id": row.run_id,
        "period_code": row.run.period_code,
        "subject_kind": row.subject_kind,
        "subject_id": row.subject_id,
        "name": row.subject_name,
        "kind": row.kind,
        "amount": row.amount,
        "reason": row.reason,
    }


def _interview_due_out(item: dict) -> dict:
    return {
        "consequence": _consequence_out(item["consequence"]),
        "interview": _interview_out(item["interview"]) if item["interview"] else None,
    }


@router.get(
    "/interviews",
    response=page_of(InterviewDueOut),
    summary="The interviews the year's published results call for, each with its record once held",
)
@paginate(Pages)
def list_interviews(request, year: Year | None = None):
    _viewer(request)
    return Rows(followup.interview_queue(year or timezone.localdate().year), _interview_due_out)


@router.post(
    "/interviews",
    response={201: InterviewOut, 409: StaleOut},
    summary="Record an interview and its commitments (409 stale when it is recorded already)",
)
def record_interview(request, payload: InterviewIn):
    consequence = get_object_or_404(Consequence, pk=payload.consequence_id)
    row = followup.record_interview(
        actor=request.user,
        consequence=consequence,
        held_on=payload.held_on,
        interviewer=payload.interviewer,
        interviewee=payload.interviewee,
        content=payload.content,
        commitments=[(c.text, c.deadline) for c in payload.commitments],
    )
    return Status(201, _interview_out(row))


@router.get("/interviews/{int:interview_id}", response=InterviewOut)
def get_interview(request, interview_id: int):
    _viewer(request)
    return _interview_out(get_object_or_404(Interview, pk=interview_id))


@router.post(
    "/commitments/{int:commitment_id}/complete",
    response={200: CommitmentOut, 409: StaleOut},
    summary="Record a commitment done (its date and result), or reopen it (version: the commitment's)",
)
def complete_commitment(request, commitment_id: int, payload: CompleteIn):
    row = followup.complete_commitment(
        get_object_or_404(Commitment, pk=commitment_id),
        done_on=payload.done_on,
        result=payload.result,
        actor=request.user,
        expected_version=payload.version,
    )
    return _commitment_out(row)


class TallyOut(Schema):
    subject_kind: str
    subject_id: int
    name: str
    red_flags: int
    rewards: int
    reward_amount: int  # yuan
    yellow_cards: int
    black_cards: int
    criticisms: int
    marks: dict[str, list[str]]  # period code → the consequences given in it


class FlagBoardOut(Schema):
    year: int
    periods: list[str]
    items: list[TallyOut]


@router.get(
    "/flags/{int:year}",
    response=FlagBoardOut,
    summary="The red-flag board: each subject's flags, rewards and cards over the year's published periods",
)
def flag_board(request, year: Year, kind: str = "headquarters"):
    _viewer(request)
    periods, tallies = followup.flag_board(year, kind)
    return {
        "year": year,
        "periods": [p.code for p in periods],
        "items": [
            {
                "subject_kind": t.subject_kind,
                "subject_id": t.subject_id,
                "name": t.name,
                "red_flags": t.flags,
                "rewards": t.rewards,
                "reward_amount": t.reward_amount,
                "yellow_cards": t.yellow,
                "black_cards": t.black,
                "criticisms": t.criticised,
                "marks": t.marks,
            }
            for t in tallies
        ],
    }


class ArchiveSubjectOut(Schema):
    subject_kind: str
    subject_id: int
    name: str
    role: str
    grade: str
    rank: str  # "2/9"
    mean_score: float | None
    red_flags: int
    reward_amount: int
    yellow_cards: list[str]  # the periods
    black_cards: list[str]
    criticisms: list[str]
    interviews: list[InterviewOut]


class ArchiveOut(Schema):
    year: int
    person_id: int
    name: str
    post: str
    unit: str
    subjects: list[ArchiveSubjectOut]


def _archive_out(year: int, e) -> dict:
    return {
        "year": year,
        "person_id": e.person.pk,
        "name": e.person.name,
        "post": e.person.post,
        "unit": e.person.unit.name if e.person.unit_id else "",
        "subjects": [
            {
                "subject_kind": s.subject_kind,
                "subject_id": s.subject_id,
                "name": s.name,
                "role": str(s.role),
                "grade": s.grade,
                "rank": s.rank,
                "mean_score": s.mean_score,
                "red_flags": s.flags,
                "reward_amount": s.reward_amount,
                "yellow_cards": s.yellow,
                "black_cards": s.black,
                "criticisms": s.criticised,
                "interviews": [_interview_out(i) for i in s.interviews],
            }
            for s in e.subjects
        ],
    }


@router.get(
    "/archive/{int:year}",
    response=page_of(ArchiveOut),
    summary="The cadre archive: each leader's and commander's year",
)
@paginate(Pages)
def cadre_archive(request, year: Year, person_id: Id | None = None):
    _viewer(request)
    return Rows(
        followup.archive(year, {person_id} if person_id else None), lambda entry: _archive_out(year, entry)
    )


@router.get("/schemes/{int:scheme_id}/xlsx", summary="A scheme version as Excel tables")
def scheme_xlsx(request, scheme_id: int):
    _viewer(request)
    row = get_object_or_404(Scheme, pk=scheme_id)
    return attachment(scheme_workbook(row), f"{row.name}_v{row.version}.xlsx")


@router.get("/consequences/{int:year}/xlsx", summary="The year's consequences ledger (奖惩台账) as Excel")
def consequences_xlsx(request, year: Year):
    _viewer(request)
    return attachment(consequences_workbook(year), f"奖惩台账_{year}.xlsx")
