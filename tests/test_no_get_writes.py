"""No GET writes: every page, export and API read of the site, opened by every role, leaves the database as it was.

A GET is a read (RFC 9110 §9.2.1: safe method). A page that creates, marks or counts something when it is merely
opened changes the records behind the user's back, and a link preview, a browser's prefetch or a crawler then
does it too. The walker below builds the demo district (plus the few rows the demo has none of: a site photo, a
letter, a handed-in file …), takes every URL pattern of the resolver — pages, exports, the admin site and the JSON
API — fills its parameters with real ids, and opens each one as each demo account (and as an anonymous visitor).
Any status but 500 is fine (a 403 or a 405 is the right answer to many of them); what must not happen is a
change of any row, except in the few tables a read may legitimately write (see MAY_CHANGE).

Each GET is watched three ways: the SQL it runs (an INSERT, UPDATE or DELETE on a watched table), a cheap
signature of every table (row count and largest key in one query; on PostgreSQL the transaction's own counts of
inserted, updated and deleted rows) and, when either moved, a full fingerprint (row
count and a hash of all values ordered by key) to name the models that changed; one full fingerprint before and
after each role's walk catches anything else. A file's body is read to its end and the work a request leaves for
after the commit runs, as it would on the server.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import traceback
import types
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.contrib.auth.decorators import login_not_required
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, models
from django.http import HttpResponse
from django.test import Client, TestCase
from django.urls import URLPattern, URLResolver, get_resolver, path, resolve
from django.urls.exceptions import Resolver404
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from gongjian.accounts import services as accounts
from gongjian.accounts.models import User
from gongjian.assess.models import Adjustment, Consequence, EvaluatorAssignment, Interview, Run, Scheme, Score
from gongjian.assess.services import followup, record_evaluations
from gongjian.assignments import services as assignments
from gongjian.assignments.models import Assignment
from gongjian.attraction.models import Lead, LeadStep, Tranche, Trip
from gongjian.core import audit
from gongjian.core.models import CalendarDay, Notification, SystemSetting
from gongjian.core.notify import notify
from gongjian.core.periods import Period
from gongjian.daily import services as daily
from gongjian.demo.data import DEMO_USERNAMES
from gongjian.demo.loader import load_demo
from gongjian.documents.models import Document
from gongjian.exchange import services as exchange
from gongjian.exchange.importing import ImportResult, RowError
from gongjian.jobs.models import Job
from gongjian.land.models import Agreement, LawfulPath, WallList
from gongjian.land.models import Task as LandTask
from gongjian.lights import queries
from gongjian.lights import services as lights
from gongjian.lights.models import Light
from gongjian.lights.services import letters
from gongjian.meetings.models import Meeting
from gongjian.org.models import Person, Unit
from gongjian.pipeline.models import AnnualPlan as PipelinePlan
from gongjian.pipeline.models import Campaign, PlanItem, ReserveProject
from gongjian.projects.models import BaselineChange, Project
from gongjian.reports import services as reports
from gongjian.reports.models import Report, ReportingPeriod
from gongjian.targets import services as targets
from gongjian.targets.models import Actual, Contract, Settlement
from tests.factories import photo_bytes

pytestmark = pytest.mark.django_db

# What a test here costs, for splitting the suite in CI (tests/conftest.py): each role's walk over every route
# takes 6–25 s (the district is built once for the module, in MODULE_DB_SECONDS).
SHARD_SECONDS = 10

YEAR = 2026
AS_OF = dt.date(
    2026, 11, 20
)  # the demo's "today": 2026-11-2 is the open period, 2026-10 the last month assessed
OTHER_YEAR = 2027  # a year with no activated scheme and no runs: the year pages once created rows for it
ANONYMOUS = "anonymous"
ROLES = [*DEMO_USERNAMES, ANONYMOUS]

# Tables a read may change, and why.
MAY_CHANGE = {
    "core.AuditEvent": "reading the audit trail, sensitive data and exports is itself audited (等保 8.1.5)",
    "core.AuditChain": "the seal of the audit trail moves with each event",
    "sessions.Session": "the session is saved on every request (messages, the OTP enrolment key, expiry)",
    "accounts.ApiToken": "a token records when and from where it was last used",
}

# URL patterns the walk does not open, and why. Everything else the resolver knows is opened (the test below
# fails on a pattern that is neither opened nor listed here, so a new URL is covered the day it is added).
SKIP: dict[str, str] = {
    # Nothing so far: even the two logout URLs are opened (last, since Django answers their GET with 405 and a
    # GET that did sign out would end the walk's session).
}

# Patterns opened after all others, in this order.
LAST = ["admin/logout/", "accounts/logout/"]

# GETs known to write, as {(role, route): reason}: the walk lets these pass and reports the rest. Each must still
# write (strict, like xfail(strict=True)), so that the entry goes the day the page is fixed.
KNOWN_WRITES: dict[tuple[str, str], str] = {}


# -- the district ------------------------------------------------------------------------------------------------


@dataclass
class District:
    """The demo accounts by username, and the ids (and other values) the walk fills URL parameters with."""

    users: dict[str, User]
    ids: dict[str, object]


def build_district() -> District:
    """The demo of YEAR as of AS_OF, plus one row of each kind the demo has none of, made through the services
    where they exist, so that every detail page and file download has something real to show."""
    load_demo(year=YEAR, as_of=AS_OF)
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES)}
    office, reporter, leader, evaluator = (
        users["office"],
        users["reporter"],
        users["leader"],
        users["evaluator"],
    )

    # A project the reporter files for and the leader supervises, and a second one of the reporter's with no
    # report in the open period (opening its report page must not start a draft).
    mine = Project.objects.in_scope(reporter).order_by("code")
    project = mine.filter(pk__in=Project.objects.in_scope(leader).values("pk")).first() or mine.first()
    blank = mine.exclude(pk=project.pk).first()
    period = ReportingPeriod.objects.get(code=Period.dekad_of(AS_OF).code)
    past = Report.objects.filter(project=project, state="approved").order_by("-period__deadline").first()

    # This period's report: a draft with a problem and a site photo, then submitted (for the reviewer).
    report = reports.save_draft(
        project,
        period,
        {"amount": 1_000_000, "progress_text": "主体施工"},
        actor=reporter,
        problems=[
            {
                "category": "land",
                "description": "用地指标未落实",
                "unit_asked": Unit.objects.exclude(pk=project.responsible_unit_id).first(),
            }
        ],
    )
    photo = reports.add_photos(
        report,
        [SimpleUploadedFile("site.jpg", photo_bytes(), content_type="image/jpeg")],
        actor=reporter,
        expected_version=report.version,
    )[0]
    report = reports.submit_report(report, actor=reporter, expected_version=report.version)

    # A letter on a case both the reporter and the leader see (a case event with a file); a leader's judgement
    # beside a computed light.
    seen = queries.visible_cases(reporter).order_by("pk")
    case = seen.filter(pk__in=queries.visible_cases(leader).values("pk")).first() or seen.first()
    letter = letters.issue(case, "reminder", actor=office, expected_version=case.version)
    light = Light.objects.filter(project=project).order_by("-period_code").first()
    lights.record_judgement(project, light.period_code, 1, "现场踏勘进度正常", actor=leader)

    # Assessment: the evaluator scores two headquarters for the open period; an adjustment; a holiday.
    headquarters = list(Unit.objects.filter(kind="headquarters").order_by("pk")[:2])
    for hq in headquarters:
        EvaluatorAssignment.objects.create(rater=evaluator, subject_kind="headquarters", subject_id=hq.pk)
    record_evaluations(
        evaluator, period.code, {("headquarters", hq.pk): ("88", "进展较快", None) for hq in headquarters}
    )
    Adjustment.objects.create(
        period_code=f"{YEAR}-10",
        subject_kind="headquarters",
        subject_id=headquarters[0].pk,
        points=3,
        reason="获市政府通报表扬",
        created_by=office,
    )
    CalendarDay.objects.create(day=dt.date(YEAR, 10, 1), is_workday=False, name="国庆节")

    # A handed-in file for the demo's assignment.
    assignment = Assignment.objects.order_by("pk").first()
    step = assignment.steps.order_by("deadline").last()
    submission = assignments.submit(
        step,
        assignment.units.order_by("pk").last(),
        text="推进措施五条",
        actor=None,
        files=[SimpleUploadedFile("推进措施.docx", b"PK\x03\x04 a word document")],
    )

    # A photo of a service team's day, filed today (photos go on days still open for correction).
    team_report = daily.file_report(
        daily.team_of(users["team"]), daily.today(), {"done": "入户走访 12 户"}, actor=users["team"]
    )
    daily_photo = daily.add_photos(
        team_report,
        [SimpleUploadedFile("现场.jpg", photo_bytes(), content_type="image/jpeg")],
        actor=users["team"],
        expected_version=team_report.version,
    )[0]

    # An API token of the reporter, a second factor and recovery codes of a spare account, the error report of a
    # failed import of the office.
    accounts.create_api_token(reporter, "同步脚本", actor=reporter)
    spare = User.objects.create_user("spare", full_name="备用账号", is_active=False)
    totp = TOTPDevice.objects.create(user=spare, name="手机", confirmed=True)
    StaticToken.objects.create(
        device=StaticDevice.objects.create(user=spare, name="恢复码"), token="12345678"
    )
    failed = ImportResult(
        filename="项目.xlsx",
        errors=[RowError(sheet="项目", row=2, column="总投资", value="三亿", message="不是数字")],
    )

    # Targets: the reporter's unit's actual of the last month entered again with its evidence file.
    waiting = (
        Actual.objects.filter(
            unit_target__unit=Person.objects.get(user=reporter).unit, state="submitted", computed=False
        )
        .order_by("pk")
        .first()
    )
    evidenced = targets.enter_actual(
        waiting.unit_target,
        waiting.month,
        value=waiting.value,
        evidence=SimpleUploadedFile("统计月报.pdf", b"%PDF-1.4 evidence"),
        actor=reporter,
        expected_version=waiting.version,
    )
    signed = Contract.objects.get(state="signed")

    interviews = Consequence.objects.filter(kind="interview").order_by("pk")
    published = Run.objects.filter(state="published").order_by("-period_code", "-revision")
    run = published.filter(period_kind="month").first() or published.first()
    interview = Interview.objects.order_by("pk").first()
    return District(
        users=users,
        ids={
            "user": reporter.pk,
            "project": project.pk,
            "project_blank": blank.pk,
            "period": period.pk,
            "light_code": light.period_code,
            "report": report.pk,
            "report_past": past.pk,
            "photo": photo.pk,
            "daily_photo": daily_photo.pk,
            "case": case.pk,
            "case_event": letter.pk,
            "run": run.pk,
            "score": Score.objects.filter(run=run).order_by("rank", "pk").first().pk,
            "consequence": (
                interviews.filter(interview_record__isnull=True).first() or interviews.first()
            ).pk,
            "interview": interview.pk,
            "commitment": interview.commitments.order_by("pk").first().pk,
            "person": followup.archive(YEAR)[0].person.pk,
            "scheme": Scheme.objects.order_by("pk").first().pk,
            "meeting": Meeting.objects.order_by("pk").first().pk,
            "trip": Trip.objects.order_by("pk").first().pk,
            "lead": Lead.objects.filter(stage="funded").order_by("pk").first().pk,
            "lead_step": LeadStep.objects.order_by("pk").first().pk,
            "tranche": Tranche.objects.order_by("pk").first().pk,
            "document": Document.objects.order_by("pk").first().pk,
            "team": daily.teams_for(users["team"]).first().pk,
            "assignment": assignment.pk,
            "step": step.pk,
            "hand_in": submission.files.first().pk,
            "import_token": exchange.save_error_report(failed, user=office),
            "project_type": ContentType.objects.get_for_model(Project).pk,
            "totp": totp.pk,
            # the demo's re-baselined project's approved change, and the one waiting for the office
            "baseline_change": BaselineChange.objects.filter(state="approved").get().pk,
            "baseline_open": BaselineChange.objects.filter(state="proposed").get().pk,
            "land_task": LandTask.objects.order_by("pk").first().pk,
            # a household with an approved deviation: its page shows the whole agreement
            "household": Agreement.objects.filter(approved_by__isnull=False)
            .order_by("pk")
            .first()
            .household_id,
            "agreement": Agreement.objects.filter(state="pending").order_by("pk").first().pk,
            "indicator": evidenced.unit_target.indicator_id,
            "unit_target": evidenced.unit_target_id,
            "target_unit": evidenced.unit_target.unit_id,
            "actual": evidenced.pk,
            "contract": signed.pk,
            "settlement": Settlement.objects.order_by("pk").first().pk,
            # the demo's corrected wall list (公开上墙), and a holdout on the lawful path
            "wall": WallList.objects.order_by("-number").first().pk,
            "lawful_household": LawfulPath.objects.order_by("pk").first().household_id,
            "job": Job.objects.create(
                kind="lights.recompute", label="重算本年度红绿灯", created_by=office
            ).pk,
            # the demo's pipeline: a reserve project of next year, this year's issued plan, next year's draft
            # plan and one of its items, a campaign
            "reserve": ReserveProject.objects.filter(start_year=YEAR + 1).order_by("pk").first().pk,
            "plan": PipelinePlan.objects.get(year=YEAR).pk,
            "draft_plan": PipelinePlan.objects.get(year=YEAR + 1).pk,
            "plan_item": PlanItem.objects.filter(plan__year=YEAR + 1).order_by("pk").first().pk,
            "campaign": Campaign.objects.order_by("pk").first().pk,
        },
    )


# -- the URLs ----------------------------------------------------------------------------------------------------


def _join(route1: str, route2: str) -> str:
    # As Django joins the routes of nested patterns into ResolverMatch.route.
    return route2 if not route1 else route1 + route2.removeprefix("^")


def url_patterns(resolver: URLResolver | None = None, prefix: str = "") -> dict[str, URLPattern]:
    """Every route of the site (nested includes joined) → its pattern; a route given twice (a django-ninja path
    with a GET and a POST operation, the admin login the site overrides) is one URL, answered by the first."""
    found: dict[str, URLPattern] = {}
    for item in (resolver or get_resolver()).url_patterns:
        route = _join(prefix, str(item.pattern))
        if isinstance(item, URLResolver):
            for key, value in url_patterns(item, route).items():
                found.setdefault(key, value)
        else:
            found.setdefault(route, item)
    return found


# Path parameters of the site's own pages and API: route → one or more {parameter: key of District.ids or a
# value}. The walk fails on a parameterised route missing here (apart from the admin's, filled generically).
PARAMETERS: dict[str, list[dict[str, object]]] = {
    "accounts/security/users/<int:pk>/": [{"pk": "user"}],
    "projects/<int:pk>/": [{"pk": "project"}],
    "map/projects/<int:pk>/card/": [{"pk": "project"}],
    "projects/<int:pk>/edit/": [{"pk": "project"}],
    "projects/<int:pk>/delete/": [{"pk": "project"}],
    "projects/<int:pk>/baseline/propose/": [{"pk": "project"}],
    "system/jobs/<uuid:pk>/": [{"pk": "job"}],
    "system/jobs/<uuid:pk>/status/": [{"pk": "job"}],
    "system/jobs/<uuid:pk>/file/": [{"pk": "job"}],
    "api/v1/tasks/<task_id>": [{"task_id": "job"}],
    "api/v1/tasks/<task_id>/file": [{"task_id": "job"}],
    "projects/baseline-changes/<int:pk>/": [{"pk": "baseline_change"}, {"pk": "baseline_open"}],
    "reports/<int:project_pk>/<int:period_pk>/": [
        {"project_pk": "project", "period_pk": "period"},
        {"project_pk": "project_blank", "period_pk": "period"},
    ],
    "reports/<int:pk>/review/": [{"pk": "report"}],
    "reports/photos/<int:pk>/": [{"pk": "photo"}],
    "reports/photos/<int:pk>/thumbnail/": [{"pk": "photo"}],
    "reports/periods/<int:pk>/": [{"pk": "period"}],
    "reports/periods/<int:pk>/remind/": [{"pk": "period"}],
    "reports/periods/<int:pk>/batch/": [{"pk": "period"}],
    "lights/projects/<int:project_pk>/<str:code>/": [{"project_pk": "project", "code": "light_code"}],
    "lights/cases/<int:pk>/": [{"pk": "case"}],
    "lights/cases/<int:pk>/letters/<str:kind>/": [{"pk": "case", "kind": "=reminder"}],
    "lights/cases/<int:pk>/<str:action>/": [{"pk": "case", "action": "=accept"}],
    "lights/cases/<int:pk>/evidence/<int:event_pk>/": [{"pk": "case", "event_pk": "case_event"}],
    "assess/runs/<int:pk>/": [{"pk": "run"}],
    "assess/runs/<int:pk>/export/": [{"pk": "run"}],
    "assess/runs/<int:pk>/<str:action>/": [{"pk": "run", "action": "=publish"}],
    "assess/scores/<int:pk>/": [{"pk": "score"}],
    "assess/runs/<int:pk>/notice.docx": [{"pk": "run"}],
    "assess/year/<year:year>/": [{"year": f"={YEAR}"}, {"year": f"={OTHER_YEAR}"}],
    "assess/interviews/new/<int:consequence>/": [{"consequence": "consequence"}],
    "assess/interviews/<int:pk>/": [{"pk": "interview"}],
    "assess/flags/<year:year>/": [{"year": f"={YEAR}"}, {"year": f"={OTHER_YEAR}"}],
    "assess/flags/<year:year>/consequences.xlsx": [{"year": f"={YEAR}"}, {"year": f"={OTHER_YEAR}"}],
    "assess/archive/<year:year>/": [{"year": f"={YEAR}"}, {"year": f"={OTHER_YEAR}"}],
    "assess/archive/<year:year>/export.xlsx": [{"year": f"={YEAR}"}, {"year": f"={OTHER_YEAR}"}],
    "assess/archive/<year:year>/archive.docx": [{"year": f"={YEAR}"}, {"year": f"={OTHER_YEAR}"}],
    "assess/archive/<year:year>/<int:person>/": [{"year": f"={YEAR}", "person": "person"}],
    "assess/archive/<year:year>/<int:person>.docx": [{"year": f"={YEAR}", "person": "person"}],
    "dispatch/meetings/<int:pk>/": [{"pk": "meeting"}],
    "attraction/trips/<int:pk>/": [{"pk": "trip"}],
    "attraction/trips/<int:pk>/edit/": [{"pk": "trip"}],
    "attraction/leads/<int:pk>/": [{"pk": "lead"}],
    "attraction/leads/<int:pk>/edit/": [{"pk": "lead"}],
    "attraction/leads/<int:pk>/contract/": [{"pk": "lead"}],
    "attraction/leads/<int:pk>/<str:action>/": [
        {"pk": "lead", "action": "=step"},
        {"pk": "lead", "action": "=tranche"},
        {"pk": "lead", "action": "=start"},
    ],
    "attraction/tranches/<int:pk>/evidence/": [{"pk": "tranche"}],
    "api/v1/attraction/trips/<int:trip_id>": [{"trip_id": "trip"}],
    "api/v1/attraction/leads/<int:lead_id>": [{"lead_id": "lead"}],
    "api/v1/attraction/leads/<int:lead_id>/sign": [{"lead_id": "lead"}],
    "api/v1/attraction/leads/<int:lead_id>/start": [{"lead_id": "lead"}],
    "api/v1/attraction/leads/<int:lead_id>/production": [{"lead_id": "lead"}],
    "api/v1/attraction/leads/<int:lead_id>/drop": [{"lead_id": "lead"}],
    "api/v1/attraction/leads/<int:lead_id>/steps": [{"lead_id": "lead"}],
    "api/v1/attraction/leads/<int:lead_id>/tranches": [{"lead_id": "lead"}],
    "api/v1/attraction/steps/<int:step_id>": [{"step_id": "lead_step"}],
    "api/v1/attraction/tranches/<int:tranche_id>": [{"tranche_id": "tranche"}],
    "dispatch/documents/<int:pk>/": [{"pk": "document"}],
    "dispatch/documents/<int:pk>/docx/": [{"pk": "document"}],
    "dispatch/daily/teams/<int:pk>/": [{"pk": "team"}],
    "dispatch/daily/photos/<int:pk>/": [{"pk": "daily_photo"}],
    "dispatch/daily/photos/<int:pk>/thumbnail/": [{"pk": "daily_photo"}],
    "dispatch/assignments/<int:pk>/": [{"pk": "assignment"}],
    "dispatch/assignments/<int:pk>/export.xlsx": [{"pk": "assignment"}],
    "dispatch/assignments/files/<int:pk>/": [{"pk": "hand_in"}],
    "exchange/projects/import/errors/<str:token>/": [{"token": "import_token"}],
    "exchange/attraction/import/errors/<str:token>/": [{"token": "import_token"}],
    "exchange/attraction/<str:what>/import/": [{"what": "=leads"}, {"what": "=tranches"}],
    "exchange/attraction/<str:what>/template/": [{"what": "=leads"}, {"what": "=tranches"}],
    "api/v1/projects/<int:project_id>": [{"project_id": "project"}],
    "api/v1/projects/<int:project_id>/baseline": [{"project_id": "project"}],
    "api/v1/projects/<int:project_id>/baseline-changes": [{"project_id": "project"}],
    "api/v1/projects/baseline-changes/<int:change_id>/approve": [{"change_id": "baseline_open"}],
    "api/v1/projects/baseline-changes/<int:change_id>/refuse": [{"change_id": "baseline_open"}],
    "api/v1/projects/baseline-changes/<int:change_id>/withdraw": [{"change_id": "baseline_open"}],
    "api/v1/reports/<int:report_id>": [{"report_id": "report"}, {"report_id": "report_past"}],
    "api/v1/reports/<int:report_id>/submit": [{"report_id": "report"}],
    "api/v1/reports/<int:report_id>/approve": [{"report_id": "report"}],
    "api/v1/reports/<int:report_id>/return": [{"report_id": "report"}],
    "api/v1/reports/<int:report_id>/photos": [{"report_id": "report"}],
    "api/v1/reports/<int:report_id>/photos/<int:photo_id>": [{"report_id": "report", "photo_id": "photo"}],
    "api/v1/lights/<int:project_id>/<period_code>": [{"project_id": "project", "period_code": "light_code"}],
    "api/v1/lights/<int:project_id>/<period_code>/judgement": [
        {"project_id": "project", "period_code": "light_code"}
    ],
    "api/v1/cases/<int:case_id>": [{"case_id": "case"}],
    **{
        f"api/v1/cases/<int:case_id>/{action}": [{"case_id": "case"}]
        for action in ("accept", "act", "resolve", "close", "reopen", "pass_up")
    },
    "api/v1/cases/<int:case_id>/letters/<kind>": [{"case_id": "case", "kind": "=reminder"}],
    "api/v1/cases/letters/<kind>": [{"kind": "=reminder"}],
    "api/v1/assess/schemes/<int:scheme_id>": [{"scheme_id": "scheme"}],
    "api/v1/assess/schemes/<int:scheme_id>/yaml": [{"scheme_id": "scheme"}],
    "api/v1/assess/schemes/<int:scheme_id>/activate": [{"scheme_id": "scheme"}],
    "api/v1/assess/schemes/<int:scheme_id>/xlsx": [{"scheme_id": "scheme"}],
    "api/v1/assess/runs/<int:run_id>": [{"run_id": "run"}],
    "api/v1/assess/runs/<int:run_id>/publish": [{"run_id": "run"}],
    "api/v1/assess/runs/<int:run_id>/revise": [{"run_id": "run"}],
    "api/v1/assess/runs/<int:run_id>/scores": [{"run_id": "run"}],
    "api/v1/assess/runs/<int:run_id>/consequences": [{"run_id": "run"}],
    "api/v1/assess/scores/<int:score_id>": [{"score_id": "score"}],
    "api/v1/assess/year/<int:year>": [{"year": f"={YEAR}"}, {"year": f"={OTHER_YEAR}"}],
    "api/v1/assess/interviews/<int:interview_id>": [{"interview_id": "interview"}],
    "api/v1/assess/commitments/<int:commitment_id>/complete": [{"commitment_id": "commitment"}],
    "api/v1/assess/flags/<int:year>": [{"year": f"={YEAR}"}, {"year": f"={OTHER_YEAR}"}],
    "api/v1/assess/archive/<int:year>": [{"year": f"={YEAR}"}, {"year": f"={OTHER_YEAR}"}],
    "api/v1/assess/consequences/<int:year>/xlsx": [{"year": f"={YEAR}"}, {"year": f"={OTHER_YEAR}"}],
    "api/v1/dispatch/meetings/<int:meeting_id>": [{"meeting_id": "meeting"}],
    "api/v1/dispatch/meetings/<int:meeting_id>/decisions": [{"meeting_id": "meeting"}],
    "api/v1/dispatch/documents/<int:document_id>": [{"document_id": "document"}],
    "api/v1/dispatch/documents/<int:document_id>/issue": [{"document_id": "document"}],
    "api/v1/dispatch/documents/<int:document_id>/docx": [{"document_id": "document"}],
    "api/v1/dispatch/assignments/<int:assignment_id>": [{"assignment_id": "assignment"}],
    "api/v1/dispatch/assignments/<int:assignment_id>/steps/<int:step_id>/submissions": [
        {"assignment_id": "assignment", "step_id": "step"}
    ],
    "api/v1/dispatch/daily/teams/<int:team_id>": [{"team_id": "team"}],
    **{
        f"land/tasks/<int:pk>/{page}": [{"pk": "land_task"}]
        for page in (
            "",
            "ledger/",
            "ledger.xlsx",
            "import/",
            "import/template.xlsx",
            "standard/",
            "audit/",
            "dispatch/",
            "payments/",
            "edit/",
            "households/new/",
        )
    },
    "land/households/<int:pk>/": [{"pk": "household"}, {"pk": "lawful_household"}],
    "land/households/<int:pk>/edit/": [{"pk": "household"}],
    "land/households/<int:pk>/lawful/": [{"pk": "lawful_household"}],
    "land/households/<int:pk>/files/<slug:kind>/": [
        {"pk": "household", "kind": "=appraisal"},
        {"pk": "lawful_household", "kind": "=decision"},
    ],
    "land/tasks/<int:pk>/wall/publish/": [{"pk": "land_task"}],
    "land/public/<int:pk>/": [{"pk": "land_task"}],
    **{f"land/public/walls/<int:pk>{tail}": [{"pk": "wall"}] for tail in ("/", ".docx", ".pdf")},
    **{
        f"api/v1/land/tasks/<int:task_id>{tail}": [{"task_id": "land_task"}]
        for tail in ("", "/standards", "/households", "/audit", "/reconciliation")
    },
    **{
        f"api/v1/land/households/<int:household_id>{tail}": [{"household_id": "household"}]
        for tail in ("", "/agreement")
    },
    **{
        f"api/v1/land/agreements/<int:agreement_id>/{tail}": [{"agreement_id": "agreement"}]
        for tail in ("approval", "sign")
    },
    "pipeline/<int:pk>/": [{"pk": "reserve"}],
    "pipeline/<int:pk>/edit/": [{"pk": "reserve"}],
    "pipeline/<int:pk>/withdraw/": [{"pk": "reserve"}],
    "pipeline/plans/<int:pk>/": [{"pk": "plan"}, {"pk": "draft_plan"}],
    "pipeline/plans/<int:pk>/docx/": [{"pk": "plan"}, {"pk": "draft_plan"}],
    "pipeline/plans/<int:pk>/items/<int:item_pk>/": [{"pk": "draft_plan", "item_pk": "plan_item"}],
    "pipeline/campaigns/<int:pk>/": [{"pk": "campaign"}],
    "pipeline/campaigns/<int:pk>/edit/": [{"pk": "campaign"}],
    "api/v1/pipeline/reserve/<int:reserve_id>": [{"reserve_id": "reserve"}],
    "api/v1/pipeline/reserve/<int:reserve_id>/withdraw": [{"reserve_id": "reserve"}],
    "api/v1/pipeline/plans/<int:plan_id>": [{"plan_id": "plan"}, {"plan_id": "draft_plan"}],
    "api/v1/pipeline/plans/<int:plan_id>/items": [{"plan_id": "draft_plan"}],
    "api/v1/pipeline/plans/<int:plan_id>/items/<int:item_id>": [
        {"plan_id": "draft_plan", "item_id": "plan_item"}
    ],
    "api/v1/pipeline/plans/<int:plan_id>/items/<int:item_id>/remove": [
        {"plan_id": "draft_plan", "item_id": "plan_item"}
    ],
    "api/v1/pipeline/plans/<int:plan_id>/issue": [{"plan_id": "draft_plan"}],
    "api/v1/pipeline/plans/<int:plan_id>/docx": [{"plan_id": "plan"}],
    "api/v1/pipeline/campaigns/<int:campaign_id>": [{"campaign_id": "campaign"}],
    "targets/indicators/<int:pk>/": [{"pk": "indicator"}],
    "targets/indicators/<int:pk>/split/": [{"pk": "indicator"}],
    "targets/units/<int:pk>/": [{"pk": "target_unit"}],
    "targets/units/<int:pk>/actual/": [{"pk": "target_unit"}],
    "targets/actuals/<int:pk>/evidence/": [{"pk": "actual"}],
    "targets/review/<int:pk>/": [{"pk": "actual"}],
    **{
        f"targets/contracts/<int:pk>/{action}/": [{"pk": "contract"}]
        for action in ("issue", "docx", "scan", "sign")
    },
    "targets/settlements/<int:pk>/": [{"pk": "settlement"}],
    "targets/settlements/<int:pk>/publish/": [{"pk": "settlement"}],
    "api/v1/targets/indicators/<int:indicator_id>": [{"indicator_id": "indicator"}],
    "api/v1/targets/targets/<int:target_id>": [{"target_id": "unit_target"}],
    "api/v1/targets/actuals/<int:actual_id>": [{"actual_id": "actual"}],
    "api/v1/targets/actuals/<int:actual_id>/review": [{"actual_id": "actual"}],
    "api/v1/targets/contracts/<int:contract_id>": [{"contract_id": "contract"}],
    "api/v1/targets/contracts/<int:contract_id>/docx": [{"contract_id": "contract"}],
    "api/v1/targets/contracts/<int:contract_id>/issue": [{"contract_id": "contract"}],
    "api/v1/targets/settlements/<int:settlement_id>": [{"settlement_id": "settlement"}],
    "api/v1/targets/settlements/<int:settlement_id>/publish": [{"settlement_id": "settlement"}],
}

# Besides the bare URL, these query strings (the filters and switches a page reads from the GET).
QUERIES: dict[str, list[str]] = {
    "projects/": [
        "year={YEAR}&sort=-total_investment&per_page=100",
        "year={OTHER_YEAR}",
        "state=active&plan_year={YEAR}&light=2&light_period={light_code}",
        "state=active&milestone=start&due_within=30",
    ],
    "lights/": ["period={light_code}&group=unit", "colour=2"],
    "map/": ["colour=2&year={YEAR}", "colour=none"],
    "lights/export/": ["period={light_code}&colour=2"],
    "lights/cases/": ["state=all", "overdue=1", "overdue=1&kind=decision&category=industry", "state=mine"],
    "cockpit/": ["year={YEAR}&category=industry", "year=abc"],
    "cockpit/screen/": ["year={YEAR}"],
    "reports/periods/<int:pk>/batch/": ["download=1"],
    "assess/": ["kind=project"],
    "assess/evaluate/": ["period={YEAR}-10-3", "period={YEAR}-10-3&todo=1"],
    "assess/what-if/": ["period={YEAR}-10&kind=headquarters&scheme={scheme}", "period={YEAR}-01..{YEAR}-10"],
    "assess/year/<year:year>/": ["kind=project"],
    "dispatch/daily/": ["day={AS_OF}"],
    "land/tasks/<int:pk>/ledger/": ["signed=0&cadre=1", "overdue=1", "deviation=1&page=2"],
    "dispatch/daily/export.xlsx": ["team={team}"],
    "dispatch/decisions/": ["state=open", "state=mine"],
    "attraction/": ["year={YEAR}&through=6"],
    "attraction/leads/": ["stalled=1", "year={YEAR}&link=signed_amount&through=6", "stalled=1&mine=1"],
    "attraction/targets/": ["unit=1&year={YEAR}&metric=trips"],
    "attraction/targets/table/": ["year={OTHER_YEAR}", "year=abc"],
    "api/v1/attraction/funnel": ["year={YEAR}"],
    "api/v1/attraction/leads": ["stage=funded&stalled=true"],
    "dispatch/assignments/": ["todo=1"],
    "reports/": ["todo=file", "todo=review"],
    "system/audit/": ["action=login.success"],
    "system/audit/export/": ["since={YEAR}-11-01&until={YEAR}-11-30"],
    "api/v1/projects": ["year={YEAR}&page=2"],
    "api/v1/lights": ["period={light_code}"],
    "api/v1/cases": ["state=open"],
    "api/v1/assess/runs": ["period_kind=month"],
    "api/v1/dispatch/daily": ["day={AS_OF}"],
    "pipeline/": ["readiness=ready&batch=attract&state=reserve", "start_year=abc"],
    "pipeline/export/": ["category=industry"],
    "api/v1/pipeline/reserve": ["readiness=ready&start_year={OTHER_YEAR}"],
    "api/v1/pipeline/campaigns": ["year={YEAR}&kind=start"],
    "targets/": ["year={YEAR}&month=10"],
    "targets/units/<int:pk>/": ["year={YEAR}&edit={actual}"],
    "targets/export.xlsx": ["year={YEAR}&month=10"],
    "api/v1/targets/targets": ["year={YEAR}&month=10"],
}

_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")


def _admin_parameters(route: str, district: District) -> list[dict[str, object]] | None:
    """The admin's routes: an object of the model the route names (its first by key), a content type and object
    for "view on site", an app for the app index and a path nobody serves for the catch-all."""
    ids = district.ids
    if route == "admin/r/<path:content_type_id>/<path:object_id>/":
        return [{"content_type_id": ids["project_type"], "object_id": ids["project"]}]
    if route.startswith("admin/otp_totp/totpdevice/<int:pk>/"):
        return [{"pk": ids["totp"]}]
    match = re.match(r"admin/(\w+)/(\w+)/(?:<path:object_id>|<id>|<int:pk>)/", route)
    if match:
        model = apps.get_model(match[1], match[2])
        pk = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
        return [dict.fromkeys(_PARAMETER.findall(route), pk)]
    return None


def concrete_urls(route: str, district: District) -> list[str]:
    """The URLs the walk opens for ``route``."""
    ids = district.ids
    if route.startswith("admin/(?P<app_label>"):  # the app index, a regular expression
        bases = ["admin/projects/"]
    elif route == "admin/(?P<url>.*)$":  # the catch-all: a page nobody serves
        bases = ["admin/no-such-page/"]
    elif not _PARAMETER.search(route):
        bases = [route]
    else:
        choices = PARAMETERS.get(route) or _admin_parameters(route, district)
        assert choices, f"{route}: say in PARAMETERS which ids fill its parameters"
        bases = []
        for choice in choices:
            values = {
                name: str(value)[1:] if str(value).startswith("=") else ids.get(value, value)
                for name, value in choice.items()
            }
            bases.append(_PARAMETER.sub(lambda m, values=values: str(values[m[1]]), route))
    urls = [f"/{base}" for base in bases]
    fill = {**ids, "YEAR": YEAR, "OTHER_YEAR": OTHER_YEAR, "AS_OF": AS_OF.isoformat()}
    urls += [f"/{bases[0]}?{query.format(**fill)}" for query in QUERIES.get(route, [])]
    return urls


# -- watching the database ---------------------------------------------------------------------------------------


def watched_models() -> list[type[models.Model]]:
    """Every concrete table, many-to-many tables included, except those a read may change."""
    return [
        m
        for m in apps.get_models(include_auto_created=True)
        if not m._meta.proxy and m._meta.managed and m._meta.label not in MAY_CHANGE
    ]


_WRITE = re.compile(
    r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+"?(\w+)"?', re.IGNORECASE
)


class Watch:
    """The watched tables: a cheap signature (count and largest key of each, in one query), a full fingerprint
    (count and a hash of all values, ordered by key) and the write statements the requests run."""

    def __init__(self) -> None:
        self.models = watched_models()
        self.labels = {m._meta.db_table: m._meta.label for m in self.models}
        quote = connection.ops.quote_name
        self.signature_sql = " UNION ALL ".join(
            f"SELECT {i}, COUNT(*), CAST(MAX({quote(m._meta.pk.column)}) AS VARCHAR(100)) "
            f"FROM {quote(m._meta.db_table)}"
            for i, m in enumerate(self.models)
        )
        self.writes: list[tuple[str, str]] = []

    def signature(self) -> list[tuple]:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # The rows this transaction has inserted, updated and deleted in each table so far: it sees
                # updates too, and it stays fast where counting slows down on the dead rows of the earlier tests'
                # rolled-back demos (from 2 to 25 ms a query).
                cursor.execute(
                    "SELECT relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_xact_user_tables "
                    "WHERE relname = ANY(%s)",
                    [list(self.labels)],
                )
            else:
                cursor.execute(self.signature_sql)
            return sorted(cursor.fetchall())

    def fingerprint(self) -> dict[str, tuple[int, str]]:
        result = {}
        for model in self.models:
            rows = [
                tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)  # bytea on PostgreSQL
                for row in model._default_manager.order_by("pk").values_list()
            ]
            result[model._meta.label] = (len(rows), hashlib.blake2b(repr(rows).encode()).hexdigest())
        return result

    def __call__(self, execute, sql, params, many, context):
        match = _WRITE.match(sql)
        if match and match[1] in self.labels:
            self.writes.append((self.labels[match[1]], sql[:200]))
        return execute(sql, params, many, context)


def changed(before: dict, after: dict) -> list[str]:
    return [
        f"{label} ({before[label][0]} → {after[label][0]} rows)"
        if before[label][0] != after[label][0]
        else f"{label} (values)"
        for label in before
        if before[label] != after[label]
    ]


@dataclass
class Visit:
    url: str
    route: str
    status: int = 0
    changed: list[str] = field(default_factory=list)
    writes: list[tuple[str, str]] = field(default_factory=list)
    error: str = ""


def get(client: Client, url: str) -> tuple[int, str]:
    """GET ``url``; the status and, for a 500, the last lines of the traceback. A file's body is read to its end
    (a streamed response runs its code while it is read; the client closes it at the end, never call close()
    again: that would fire request_finished, which closes the database connection in the test's transaction)."""
    response = client.get(url, follow=False)
    if response.streaming:
        b"".join(response.streaming_content)
    error = ""
    if response.status_code == 500:
        info = getattr(response, "exc_info", None)
        error = "".join(traceback.format_exception(*info)[-3:]) if info else response.content.decode()[:500]
    return response.status_code, error


def walk(client: Client, urls: list[tuple[str, str]], watch: Watch) -> list[Visit]:
    """Open each URL; after each, compare the signature and look at the writes, and where either moved, name
    the models whose fingerprint changed."""
    visits = []
    baseline = watch.fingerprint()
    signature = watch.signature()
    with connection.execute_wrapper(watch):
        for route, url in urls:
            visit = Visit(url=url, route=route)
            watch.writes.clear()
            # Work a request leaves for after the commit (e-mail, the audit seal) runs too, as it would live.
            with TestCase.captureOnCommitCallbacks(execute=True):
                visit.status, visit.error = get(client, url)
            visit.writes = list(watch.writes)
            now = watch.signature()
            if visit.writes or now != signature:
                after = watch.fingerprint()
                visit.changed = changed(baseline, after)
                baseline, signature = after, now
            visits.append(visit)
    final = watch.fingerprint()
    if final != baseline:  # a change the signature and the statements both missed
        visits.append(Visit(url="(somewhere in the walk)", route="", changed=changed(baseline, final)))
    return visits


def walk_plan(district: District) -> list[tuple[str, str]]:
    routes = [r for r in url_patterns() if r not in SKIP]
    routes.sort(key=lambda r: (r in LAST, LAST.index(r) if r in LAST else 0))
    return [(route, url) for route in routes for url in concrete_urls(route, district)]


# -- the tests ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(module_db):
    """The district, built once for the module (ten seconds a build); each walk reads it in a savepoint of its own.
    The tests that need an empty database come first in the file: once built, every later test sees it."""
    return build_district()


@pytest.fixture
def district(built, db):
    return built


def test_the_walker_names_what_a_get_changed_and_lets_the_audit_trail_grow(settings):
    def adds_a_row(request):
        CalendarDay.objects.create(day=dt.date(YEAR, 10, 8), is_workday=True, name="国庆调休")
        return HttpResponse("ok")

    def changes_a_value(request):
        SystemSetting.objects.filter(key="probe").update(value={"n": 2})
        return HttpResponse("ok")

    def only_audits(request):
        audit.record("probe.view", object_type="core.systemsetting", note="a read that is audited")
        SystemSetting.objects.filter(key="probe").update(value={"n": 2})  # a statement that changes nothing
        return HttpResponse("ok")

    def breaks(request):
        raise RuntimeError("the probe broke")

    urls = types.ModuleType("probe_urls")
    urls.urlpatterns = [
        path(f"{view.__name__}/", login_not_required(view))
        for view in (adds_a_row, changes_a_value, only_audits, breaks)
    ]
    settings.ROOT_URLCONF = urls
    SystemSetting.objects.create(key="probe", value={"n": 1})

    watch = Watch()
    visits = walk(
        Client(raise_request_exception=False),
        [(name, f"/{name}/") for name in ("adds_a_row", "changes_a_value", "only_audits", "breaks")],
        watch,
    )

    seen = {v.route: v for v in visits}
    assert seen["adds_a_row"].changed == ["core.CalendarDay (0 → 1 rows)"]
    assert seen["changes_a_value"].changed == ["core.SystemSetting (values)"]
    assert seen["only_audits"].changed == [] and seen["only_audits"].writes  # the trail may grow
    assert seen["breaks"].status == 500 and "the probe broke" in seen["breaks"].error
    assert len(visits) == 4  # nothing the per-URL checks missed
    signature = watch.signature()
    CalendarDay.objects.all().delete()
    assert watch.signature() != signature  # the cheap check alone sees a row go


def test_opening_the_notifications_leaves_them_unread_and_the_button_marks_them_read(client, make_user):
    reporter = make_user("unit_reporter", username="rep")
    other = make_user("unit_reporter", username="rep2")
    notify([reporter, other], "2026年11月中旬报告待填报", "请于11月23日前报送。", url="/reports/")
    client.force_login(reporter)

    html = client.get("/system/notifications/").content.decode()

    assert "2026年11月中旬报告待填报" in html and 'id="mark-read"' in html
    assert Notification.objects.filter(read_at__isnull=True).count() == 2

    response = client.post("/system/notifications/")

    assert response.status_code == 302
    assert not Notification.objects.filter(user=reporter, read_at__isnull=True).exists()
    assert Notification.objects.get(user=other).read_at is None  # only one's own
    assert Notification.objects.get(user=reporter).read_at <= timezone.now()
    assert 'id="mark-read"' not in client.get("/system/notifications/").content.decode()


def test_every_url_pattern_is_walked_or_skipped_with_a_reason(district):
    routes = set(url_patterns())
    assert not set(SKIP) - routes, "SKIP names patterns the site no longer has"
    assert not set(LAST) - routes, "LAST names patterns the site no longer has"
    missing, wrong = [], []
    for route in sorted(routes - set(SKIP)):
        for url in concrete_urls(route, district):
            try:
                match = resolve(url.split("?")[0])
            except Resolver404:
                missing.append(url)
                continue
            if match.route != route:
                wrong.append(f"{url} → {match.route} (meant {route})")
    assert not missing and not wrong, "\n".join(missing + wrong)


@pytest.mark.parametrize("role", ROLES)
def test_no_page_or_api_read_changes_the_database_for_any_role(district, role):
    client = Client(raise_request_exception=False)
    if role != ANONYMOUS:
        client.force_login(district.users[role])
    plan = walk_plan(district)
    visits = walk(client, plan, Watch())

    errors = [f"{v.url}: 500\n{v.error}" for v in visits if v.status == 500]
    wrote = [v for v in visits if v.changed]
    unexpected = [
        f"{v.url} ({v.status}) changed {', '.join(v.changed)}\n    "
        + "\n    ".join(sql for _model, sql in v.writes[:5])
        for v in wrote
        if (role, v.route) not in KNOWN_WRITES
    ]
    fixed = [route for known, route in KNOWN_WRITES if known == role and all(v.route != route for v in wrote)]
    assert len({route for route, _url in plan}) > 250  # the walk reached the whole site
    assert not errors, f"as {role}, server errors:\n" + "\n".join(errors)
    assert not unexpected, f"as {role}, GETs that wrote:\n" + "\n".join(unexpected)
    assert not fixed, f"as {role}, these GETs no longer write; remove them from KNOWN_WRITES: {fixed}"
    assert role == ANONYMOUS or "_auth_user_id" in client.session  # no GET signed the walker out
