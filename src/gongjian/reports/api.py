"""Reports in the JSON API: periods, what is due, and the report state machine, through the report services."""

from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import File, Form, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from gongjian.core.bounds import Count, FormText, Id, Percent, Yuan
from gongjian.core.locking import StaleOut
from gongjian.core.pagination import Pages, Rows, page_of
from gongjian.projects.models import Project
from gongjian.reports import queries, services
from gongjian.reports.models import Report, ReportingPeriod, ReportPhoto

router = Router(tags=["reports"])
NO_CAPTION = Form("")  # an optional multipart text field


class PeriodOut(Schema):
    id: int
    kind: str
    code: str
    label: str
    opens_at: datetime
    deadline: datetime


class ReportOut(Schema):
    id: int
    project_id: int
    period_id: int
    state: str
    amount: int
    year_to_date: int
    since_start: int
    stated_year_to_date: int | None
    stated_since_start: int | None
    explanation: str
    progress_percent: Decimal
    progress_text: str
    workers: int
    next_plan: str
    return_reason: str
    first_submitted_at: datetime | None
    version: int


class ReportIn(Schema):
    project_id: Id
    period_id: Id
    amount: Yuan
    stated_year_to_date: Yuan | None = None
    stated_since_start: Yuan | None = None
    explanation: str = ""
    progress_percent: Percent = Decimal(0)
    progress_text: str = ""
    workers: Count = 0
    next_plan: str = ""
    submit: bool = False  # file and submit in one request (one transaction: both or neither)


class ReportPatch(Schema):
    version: int
    amount: Yuan | None = None
    stated_year_to_date: Yuan | None = None
    stated_since_start: Yuan | None = None
    explanation: str | None = None
    progress_percent: Percent | None = None
    progress_text: str | None = None
    workers: Count | None = None
    next_plan: str | None = None


class PhotoFlagOut(Schema):
    code: str  # no_time, taken_before_period, taken_after_upload, no_location, far_from_site
    text: str


class PhotoOut(Schema):
    id: int
    report_id: int
    original_name: str
    content_type: str
    size: int
    width: int
    height: int
    caption: str
    taken_at: datetime | None
    latitude: Decimal | None
    longitude: Decimal | None
    distance_m: int | None  # from the project's coordinates, when both are known
    flags: list[PhotoFlagOut]
    url: str
    thumbnail_url: str

    @staticmethod
    def resolve_url(photo) -> str:
        return reverse("reports:photo", args=[photo.pk])

    @staticmethod
    def resolve_thumbnail_url(photo) -> str:
        return reverse("reports:photo_thumbnail", args=[photo.pk])


class VersionIn(Schema):
    version: int  # the version the caller read (409 stale when the report has changed since)


class ReturnIn(Schema):
    version: int
    reason: str


class DueOut(Schema):
    project_id: int
    project: str
    period_id: int
    report_id: int | None
    state: str | None
    filing_status: str


def _period_out(period: ReportingPeriod) -> dict:
    return {
        "id": period.pk,
        "kind": period.kind,
        "code": period.code,
        "label": str(period),
        "opens_at": period.opens_at,
        "deadline": period.deadline,
    }


def _reports(request):
    return Report.objects.filter(project__in=Project.objects.in_scope(request.user))


@router.get("/periods", response=page_of(PeriodOut), summary="Reporting periods, latest first")
@paginate(Pages)
def list_periods(request):
    return Rows(ReportingPeriod.objects.order_by("-opens_at"), _period_out)


def _due_out(row: dict) -> dict:
    return {
        "project_id": row["project"].pk,
        "project": row["project"].name,
        "period_id": row["period"].pk,
        "report_id": row["report"].pk if row["report"] else None,
        "state": row["report"].state if row["report"] else None,
        "filing_status": row["status"].value,
    }


@router.get("/due", response=page_of(DueOut), summary="My reports due in the open periods")
@paginate(Pages)
def due(request):
    return Rows(queries.due_rows(request.user), _due_out)


@router.get("/reports", response=page_of(ReportOut))
@paginate(Pages, most=500)
def list_reports(
    request, period_id: Id | None = None, project_id: Id | None = None, state: str | None = None
):
    queryset = _reports(request).order_by("period__code", "project__code")
    if period_id:
        queryset = queryset.filter(period_id=period_id)
    if project_id:
        queryset = queryset.filter(project_id=project_id)
    if state:
        queryset = queryset.filter(state=state)
    return queryset


@router.get("/reports/{int:report_id}", response=ReportOut)
def get_report(request, report_id: int):
    return get_object_or_404(_reports(request), pk=report_id)


@router.post("/reports", response={201: ReportOut, 409: StaleOut})
def create_report(request, payload: ReportIn):
    """File a project's report for a period as a draft, or, with ``"submit": true``, file and submit it. When the
    report is there already (someone filed it first), 409 with its version: change it by PATCH."""
    data = payload.dict()
    submit = data.pop("submit")
    # The service reads the project and the period with the rest of what it needs (404 when either is not there)
    # and checks the project is in the caller's scope (403 when not).
    try:
        report = services.save_report(
            data.pop("project_id"), data.pop("period_id"), data, actor=request.user, submit=submit
        )
    except ObjectDoesNotExist:
        raise Http404 from None
    return Status(201, report)


@router.patch("/reports/{int:report_id}", response={200: ReportOut, 409: StaleOut})
def update_report(request, report_id: int, payload: ReportPatch):
    report = get_object_or_404(_reports(request).select_related("project", "period"), pk=report_id)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    return services.save_draft(
        report.project, report.period, data, actor=request.user, expected_version=version
    )


@router.post("/reports/{int:report_id}/submit", response={200: ReportOut, 409: StaleOut})
def submit_report(request, report_id: int, payload: VersionIn):
    report = get_object_or_404(_reports(request), pk=report_id)
    return services.submit_report(report, actor=request.user, expected_version=payload.version)


@router.post("/reports/{int:report_id}/approve", response={200: ReportOut, 409: StaleOut})
def approve_report(request, report_id: int, payload: VersionIn):
    return services.approve_report(
        get_object_or_404(_reports(request), pk=report_id),
        actor=request.user,
        expected_version=payload.version,
    )


@router.post("/reports/{int:report_id}/return", response={200: ReportOut, 409: StaleOut})
def return_report(request, report_id: int, payload: ReturnIn):
    return services.return_report(
        get_object_or_404(_reports(request), pk=report_id),
        payload.reason,
        actor=request.user,
        expected_version=payload.version,
    )


@router.get("/reports/{int:report_id}/photos", response=page_of(PhotoOut), summary="A report's site photos")
@paginate(Pages)
def list_photos(request, report_id: int):
    return get_object_or_404(_reports(request), pk=report_id).photos.all()


@router.post(
    "/reports/{int:report_id}/photos",
    response={201: list[PhotoOut], 409: StaleOut},
    summary="Add site photos (multipart: `files`, and `version`, the report's); flagged, never refused, "
    "when old or far away; the report's version goes up",
)
def add_photos(
    request,
    report_id: int,
    files: File[list[UploadedFile]],
    version: Form[int],
    caption: FormText = NO_CAPTION,
):
    report = get_object_or_404(_reports(request), pk=report_id)
    return Status(
        201, services.add_photos(report, files, actor=request.user, caption=caption, expected_version=version)
    )


@router.delete(
    "/reports/{int:report_id}/photos/{int:photo_id}",
    response={204: None, 409: StaleOut},
    summary="Take a photo off a report (?version=, the report's); the report's version goes up",
)
def remove_photo(request, report_id: int, photo_id: int, version: int):
    report = get_object_or_404(_reports(request), pk=report_id)
    services.remove_photo(
        get_object_or_404(ReportPhoto, report=report, pk=photo_id),
        actor=request.user,
        expected_version=version,
    )
    return Status(204, None)
