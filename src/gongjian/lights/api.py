"""Lights and cases in the JSON API: the board's figures, one light with its numbers, judgements, and every case
action, through the same services and scope as the pages."""

import hashlib
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404
from django.utils.http import parse_etags, quote_etag
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, UploadedFile
from ninja.pagination import paginate
from ninja.renderers import JSONRenderer
from pydantic import BaseModel

from gongjian.core import pagination as pages
from gongjian.core.bounds import Colour, FormText, Id
from gongjian.core.locking import StaleOut
from gongjian.core.pagination import Pages, Rows, page_of
from gongjian.jobs import services as jobs
from gongjian.jobs.api import TaskStarted, accepted
from gongjian.lights import queries, services
from gongjian.lights.models import (
    DIMENSION_FIELDS,
    FIGURE_FIELDS,
    Case,
    Judgement,
    Light,
    dimensions_of,
    figures_of,
)
from gongjian.lights.services import cases, letters
from gongjian.projects.models import Project

router = Router(tags=["lights"])
JSON = JSONRenderer()  # the API's renderer (gongjian.api.core keeps ninja's), for the board's kept answers
JSON_TYPE = f"{JSON.media_type}; charset={JSON.charset}"
OPTIONAL_FILE = File(None)  # an optional multipart file (evidence)


class GroupOut(BaseModel):
    key: str
    name: str
    green: int
    yellow: int
    red: int
    total: int


class LightOut(BaseModel):
    project_id: int
    project: str
    period_code: str
    colour: int  # 0 green, 1 yellow, 2 red
    dimensions: dict[str, int | None]  # null: the dimension is not judged for this project
    reasons: list[str]
    rule_version: int
    baseline: int  # the project's baseline (基准) version the light measured against


class BoardOut(BaseModel):
    period_code: str
    totals: dict[str, int]
    disagreements: int  # judgement lights that differ from the computed ones
    groups: list[GroupOut]
    count: int
    items: list[LightOut]


class JudgementOut(Schema):
    colour: int
    reason: str
    judged_by: str
    judged_at: datetime
    version: int


class LightDetailOut(LightOut):
    figures: dict[str, Any]
    computed_at: datetime
    judgement: JudgementOut | None = None


class JudgementIn(Schema):
    colour: Colour
    reason: str
    version: int | None = None  # the judgement's, when changing one (409 stale when left out or out of date)


class EventOut(Schema):
    kind: str
    text: str
    level: str
    actor: str
    at: datetime
    evidence: str


class CaseOut(Schema):
    id: int
    number: str
    kind: str
    project_id: int | None  # none for a meeting's decision about no one project
    project: str
    title: str
    reasons: list[str]
    owner_id: int
    owner: str
    level: str
    state: str
    deadline: date
    opened_at: datetime
    resolved_at: datetime | None
    closed_at: datetime | None
    resolution: str
    version: int


class CaseDetailOut(CaseOut):
    events: list[EventOut]


class CaseVersionIn(Schema):
    version: int  # the case's, as the caller read it (409 stale when it has changed since)


class TextIn(Schema):
    version: int
    text: str = ""


# A light as the API gives it (an item of the board, the head of a light's detail): its field ← the light's value;
# its dimensions are the colour of each, from their columns.
LIGHT_ITEM = {
    "project_id": "project_id",
    "project": "project__name",
    "period_code": "period_code",
    "colour": "colour",
    "reasons": "reasons",
    "rule_version": "rule_version",
    "baseline": "baseline",
}
LIGHT_VALUES = [*LIGHT_ITEM.values(), *DIMENSION_FIELDS.values()]


def _light_item(row: dict) -> dict:
    """``row``: the light's LIGHT_VALUES (a ``values()`` row)."""
    return {field: row[value] for field, value in LIGHT_ITEM.items()} | {"dimensions": dimensions_of(row)}


@router.get(
    "/lights",
    response=BoardOut,
    summary="The traffic-light board of a period (filters as on the page); its lights a page at a time. The "
    "answer's ETag holds until a light, a judgement or the registry behind the board changes: asked again with "
    "If-None-Match, an unchanged board answers 304 with no body",
)
@paginate(Pages, pass_parameter="page")
def board(
    request,
    period: str | None = None,
    group: str = "category",
    colour: Colour | None = None,
    value: str | None = None,
    **kwargs,
):
    if not request.user.has_perm("lights.view_light"):
        raise PermissionDenied
    page = kwargs["page"]  # offset and limit, as the paginator took them
    user, shade = request.user, None if colour is None else str(colour)
    asked = (queries.parse_period(period).code, group, shade, value, page.offset, page.limit)
    key = ("api", queries.board_version(), queries.scope_key(user), get_language(), *asked)
    etag = quote_etag(hashlib.sha256(repr(key).encode()).hexdigest()[:32])
    if etag in parse_etags(request.headers.get("If-None-Match", "")):
        return HttpResponseNotModified(headers={"ETag": etag})

    def made() -> bytes:
        """The answer as the API renders it, checked against its schema once, kept for the version."""
        data = queries.build(user, period_code=period, group=group, colour=shade, value=value)
        # Only what an item carries, as plain rows: a light with its project's 50 columns and its unit made into
        # models took 7 ms a page of 100.
        rows = Rows(
            data.lights.values(*LIGHT_VALUES),
            _light_item,
            extra={
                "period_code": data.period.code,
                "totals": {str(k): v for k, v in data.totals.items()},
                "disagreements": data.disagreements,
                "groups": [g | {"name": str(g["name"])} for g in data.groups],
            },
        )
        answer = BoardOut.model_validate(pages.page(rows, page.offset, page.limit)).model_dump()
        return JSON.render(request, answer, response_status=200)

    return HttpResponse(queries.kept(key, made), content_type=JSON_TYPE, headers={"ETag": etag})


@router.get("/lights/{int:project_id}/{period_code}", response=LightDetailOut)
def light(request, project_id: int, period_code: str):
    if not request.user.has_perm("lights.view_light"):
        raise PermissionDenied
    project = get_object_or_404(Project.objects.in_scope(request.user), pk=project_id)
    row = get_object_or_404(
        Light.objects.filter(project=project, period_code=queries.parse_period(period_code).code).values(
            *dict.fromkeys([*LIGHT_VALUES, *FIGURE_FIELDS, "computed_at"])
        )
    )
    judgement = Judgement.objects.filter(project=project, period_code=row["period_code"]).first()
    return _light_item(row) | {
        "figures": figures_of(row),
        "computed_at": row["computed_at"],
        "judgement": None
        if not judgement
        else {
            "colour": judgement.colour,
            "reason": judgement.reason,
            "judged_by": judgement.judged_by.display_name if judgement.judged_by else "",
            "judged_at": judgement.judged_at,
            "version": judgement.version,
        },
    }


@router.put(
    "/lights/{int:project_id}/{period_code}/judgement",
    response={200: JudgementOut, 409: StaleOut},
    summary="Give or change the judgement light of a project and period (version: the judgement's when "
    "there is one)",
)
def judge(request, project_id: int, period_code: str, payload: JudgementIn):
    project = get_object_or_404(Project.objects.in_scope(request.user), pk=project_id)
    row = services.record_judgement(
        project,
        queries.parse_period(period_code).code,
        payload.colour,
        payload.reason,
        actor=request.user,
        expected_version=payload.version,
    )
    return {
        "colour": row.colour,
        "reason": row.reason,
        "judged_by": request.user.display_name,
        "judged_at": row.judged_at,
        "version": row.version,
    }


@router.post(
    "/lights/recompute",
    response={202: TaskStarted},
    summary="Recompute every light of this year (office), in the background: follow the task",
)
def recompute(request):
    if not request.user.has_perm("lights.change_lightrule"):
        raise PermissionDenied
    return accepted(jobs.start("lights.recompute", {}, actor=request.user, label=_("重算本年度红绿灯")))


def _case_out(case: Case) -> dict:
    return {
        "id": case.pk,
        "number": case.number,
        "kind": case.kind,
        "project_id": case.project_id,
        "project": case.about,
        "title": case.title,
        "reasons": case.reasons,
        "owner_id": case.owner_id,
        "owner": case.owner.name,
        "level": case.level,
        "state": case.state,
        "deadline": case.deadline,
        "opened_at": case.opened_at,
        "resolved_at": case.resolved_at,
        "closed_at": case.closed_at,
        "resolution": case.resolution,
        "version": case.version,
    }


def _detail(case: Case) -> dict:
    return _case_out(case) | {
        "events": [
            {
                "kind": e.kind,
                "text": e.text,
                "level": e.level,
                "actor": e.actor_name,
                "at": e.at,
                "evidence": e.evidence_name,
            }
            for e in case.events.all()
        ]
    }


def _visible(request, case_id: int) -> Case:
    if not request.user.has_perm("lights.view_case"):
        raise PermissionDenied
    return get_object_or_404(
        queries.visible_cases(request.user).select_related("project", "owner"), pk=case_id
    )


@router.get(
    "/cases", response=page_of(CaseOut), summary="Cases the caller sees (state=open for all not closed)"
)
@paginate(Pages, most=500)
def list_cases(request, state: str = "open", kind: str | None = None, overdue: bool = False):
    if not request.user.has_perm("lights.view_case"):
        raise PermissionDenied
    return Rows(
        queries.filter_cases(
            queries.visible_cases(request.user).select_related("project", "owner"),
            state=state,
            kind=kind,
            overdue=overdue,
        ),
        _case_out,
    )


@router.get("/cases/{int:case_id}", response=CaseDetailOut)
def get_case(request, case_id: int):
    return _detail(_visible(request, case_id))


CASE_ANSWERS = {200: CaseDetailOut, 409: StaleOut}


@router.post("/cases/{int:case_id}/accept", response=CASE_ANSWERS)
def accept(request, case_id: int, payload: CaseVersionIn):
    return _detail(
        cases.accept(_visible(request, case_id), actor=request.user, expected_version=payload.version)
    )


@router.post(
    "/cases/{int:case_id}/act",
    response=CASE_ANSWERS,
    summary="Record an action (multipart: text, version, evidence)",
)
def act(
    request,
    case_id: int,
    text: Form[FormText],
    version: Form[int],
    evidence: UploadedFile | None = OPTIONAL_FILE,
):
    return _detail(
        cases.act(
            _visible(request, case_id), text, actor=request.user, evidence=evidence, expected_version=version
        )
    )


@router.post(
    "/cases/{int:case_id}/resolve",
    response=CASE_ANSWERS,
    summary="Resolve for acceptance (multipart: text, version, evidence — required for red-light cases)",
)
def resolve(
    request,
    case_id: int,
    text: Form[FormText],
    version: Form[int],
    evidence: UploadedFile | None = OPTIONAL_FILE,
):
    return _detail(
        cases.resolve(
            _visible(request, case_id), text, actor=request.user, evidence=evidence, expected_version=version
        )
    )


@router.post("/cases/{int:case_id}/close", response=CASE_ANSWERS)
def close(request, case_id: int, payload: TextIn):
    return _detail(
        cases.close(
            _visible(request, case_id),
            actor=request.user,
            note=payload.text,
            expected_version=payload.version,
        )
    )


@router.post("/cases/{int:case_id}/reopen", response=CASE_ANSWERS)
def reopen(request, case_id: int, payload: TextIn):
    return _detail(
        cases.reopen(
            _visible(request, case_id), payload.text, actor=request.user, expected_version=payload.version
        )
    )


@router.post("/cases/{int:case_id}/pass_up", response=CASE_ANSWERS)
def pass_up(request, case_id: int, payload: TextIn):
    return _detail(
        cases.pass_up(
            _visible(request, case_id), payload.text, actor=request.user, expected_version=payload.version
        )
    )


@router.post(
    "/cases/{int:case_id}/letters/{kind}",
    response={202: TaskStarted, 409: StaleOut},
    summary="Issue a letter (reminder, assignment, escalation) about the case as read (version), in the "
    "background: the task's file_url downloads the .docx once it is issued",
)
def issue_letter(request, case_id: int, kind: str, payload: CaseVersionIn):
    case = _visible(request, case_id)
    return accepted(letters.start_letters({case.pk: payload.version}, kind, actor=request.user))


class LetterCaseIn(Schema):
    id: Id
    version: int  # the case's, as read


class LettersIn(Schema):
    cases: list[LetterCaseIn]


@router.post(
    "/cases/letters/{kind}",
    response={202: TaskStarted, 409: StaleOut},
    summary="Issue one kind of letter on each of several cases, each as read (version), all or none, in "
    "the background: the task's file_url downloads them as one .zip",
)
def issue_letters(request, kind: str, payload: LettersIn):
    if not request.user.has_perm("lights.view_case"):
        raise PermissionDenied
    wanted = {item.id: item.version for item in payload.cases}
    return accepted(letters.start_letters(wanted, kind, actor=request.user))
