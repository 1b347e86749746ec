"""The demo district: 泉山区 of 徐州市 in the shape the district head's speech (context 001) gives it.

"今年，区委、区政府确定实施36项经济类重点项目，新建25个，续建11个，其中工业类项目23个、商贸流通类项目13个，
总投资31.2亿元，今年要完成投资10.38亿元" — and "继续实行区四套班子领导分工包挂制". A new user, a trainer or
a salesperson needs a district that looks like theirs within a minute of installing, so :func:`load_demo` builds
exactly that: the region tree, departments, streets, the three parks, headquarters and service teams, owner
enterprises, the four leadership bodies with their projects and villages, the 36 projects with plans, milestones
and approvals, and one account per role.

The data are a pure function of ``(year, as_of)``: a fixed random seed, lists walked in a fixed order, no clock
other than the defaults of those two arguments. Rebuilding the demo therefore gives the same district every time,
which the tests rely on and which keeps screenshots and training material valid.

National project codes and credit codes are made up. They pass the format and check-character rules but belong to
nobody; real codes come from the 在线审批监管平台 and the registration authorities.
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.apps import apps
from django.db import models, transaction
from django.utils import timezone

from gongjian.accounts import access
from gongjian.accounts.models import User
from gongjian.accounts.roles import Role
from gongjian.accounts.services import create_user, set_role_policy
from gongjian.assess import services as assess
from gongjian.assess.models import (
    Consequence,
    ConsequenceKind,
    Evaluation,
    EvaluatorAssignment,
    SubjectKind,
)
from gongjian.assess.scheme import default_scheme
from gongjian.assess.services import followup
from gongjian.assignments.models import Assignment, AssignmentStep, Submission
from gongjian.core import audit
from gongjian.core.identifiers import CREDIT_CODE_CHARSET, make_credit_code, make_org_code, region_level
from gongjian.core.locking import ANY_VERSION
from gongjian.core.models import ClosedPeriod, DocumentCounter, SystemSetting
from gongjian.core.money import YUAN_PER_WAN, split_by_weights
from gongjian.core.periods import Period
from gongjian.daily import services as daily_services
from gongjian.daily.models import DailyReport, DailyTask
from gongjian.demo.attraction import build_attraction
from gongjian.demo.data import (
    ACCOUNTS,
    APPROVALS,
    CITY,
    COMMERCE_MILESTONE_NAMES,
    DELAY_REASONS,
    DEMO_USERNAMES,
    DEPARTMENTS,
    DISTRICT,
    DISTRICT_CENTRE,
    DISTRICT_RADII,
    ENTERPRISES,
    EXTRA_POSTS,
    GIVEN_NAMES,
    HEADQUARTERS,
    HEALTH,
    HEALTH_WEIGHTS,
    HISTORY,
    LAND_APPROVALS,
    LEADERS,
    LEADERSHIP_UNITS,
    MILESTONES,
    MOBILE_PREFIXES,
    NEW_START_MONTHS,
    PARKS,
    POSTS,
    PRE_START_SHARE,
    PRINCIPALS,
    PROJECTS,
    PROVINCE,
    SEASON,
    SERVICE_TEAMS,
    STREETS,
    SURNAMES,
    UNSURVEYED,
    ProjectSpec,
)
from gongjian.demo.land import build_land
from gongjian.demo.pipeline import build_pipeline
from gongjian.demo.targets import build_targets
from gongjian.documents import services as documents
from gongjian.lights.choices import CaseKind
from gongjian.lights.models import Light
from gongjian.lights.services import cases, recompute
from gongjian.meetings import services as meetings
from gongjian.org.choices import UnitKind
from gongjian.org.models import Person, Region, Unit, VillageAssignment
from gongjian.org.services import save_boundary
from gongjian.projects import services
from gongjian.projects.choices import (
    ApprovalKind,
    ApprovalStatus,
    Category,
    Funding,
    LandStatus,
    LeaderRole,
    Level,
    MilestoneKind,
    Nature,
)
from gongjian.projects.models import Project
from gongjian.projects.services import ProjectChildren, create_project, dekads_from_months
from gongjian.reports.models import Report, ReportingPeriod
from gongjian.reports.services import open_period, save_draft, submit_report

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The day of the speech the demo is modelled on; any fixed number would do, this one is easy to trace.
SEED = 20221201
DEMO_PASSWORD = "Gongjian@2026"
DEMO_SETTING = "demo_accounts"
TOTAL_INVESTMENT = 3_120_000_000  # 31.2亿元
ANNUAL_PLAN = 1_038_000_000  # 10.38亿元
YUAN_PER_MILLION = 1_000_000


class DemoError(Exception):
    """The demo cannot be loaded; ``str(exc)`` says why and what to do."""


class DemoAlreadyLoaded(DemoError):
    """The database already holds a registry, which the demo would mix with or overwrite."""


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    name: str
    unit: str


@dataclass(frozen=True)
class DemoSummary:
    """What was built, for the command to print and the tests to check."""

    year: int
    as_of: date
    projects: int
    new: int
    continuing: int
    industry: int
    commerce: int
    total_investment: int
    annual_plan: int
    regions: int
    units: int
    enterprises: int
    people: int
    accounts: list[DemoAccount] = field(default_factory=list)
    password: str = DEMO_PASSWORD


def district_outline(vertices: int = 48) -> dict:
    """The demo district's boundary as GeoJSON: a wobbly ellipse that holds every site (its radius never falls
    below the ellipse through the corners of the sites' box, and the chords between vertices stay outside it)."""
    (lon, lat), (a, b) = DISTRICT_CENTRE, DISTRICT_RADII
    ring = []
    for i in range(vertices):
        t = 2 * math.pi * i / vertices
        r = 1.12 + 0.06 * math.sin(3 * t + 0.5) + 0.04 * math.sin(5 * t + 1.3)
        ring.append([round(lon + a * r * math.cos(t), 6), round(lat + b * r * math.sin(t), 6)])
    ring.append(ring[0])
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": DISTRICT[1], "adcode": DISTRICT[0]},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        ],
    }


def shanghai_today() -> date:
    return datetime.now(SHANGHAI).date()


def default_as_of(year: int, today: date | None = None) -> date:
    """The day the demo's history stops: today for the current year, the year's end for a past one, its first day
    for a future one. Milestones and approvals due before it are done (or late); later ones are still open."""
    today = today or shanghai_today()
    if year == today.year:
        return today
    return date(year, 12, 31) if year < today.year else date(year, 1, 1)


def load_demo(*, year: int | None = None, as_of: date | None = None, reset: bool = False) -> DemoSummary:
    """Build the demo district for ``year`` (default: this year in Asia/Shanghai) in one transaction.

    Refuses with :class:`DemoAlreadyLoaded` when the database already holds projects, units or the demo
    accounts, because mixing the demo into real data, or loading it twice, would make both meaningless. With
    ``reset=True`` it first deletes the business data (see :func:`delete_business_data`) and the demo accounts,
    then loads again.
    """
    year = year or shanghai_today().year
    as_of = as_of or default_as_of(year)
    if as_of.year != year:
        raise DemoError(f"The demo's progress date {as_of} must lie in its year {year}.")
    with transaction.atomic():
        if reset:
            delete_business_data()
            audit.record("demo.reset", note="business data and demo accounts deleted")
        else:
            _refuse_if_not_empty()
        summary = _DemoBuilder(year, as_of).build()
        # The demo writes organisation data in bulk; one event records that it happened and what it made.
        audit.record(
            "demo.load",
            object_type="core.demo",
            object_repr=f"演示区县 {year}年",
            after={"year": year, "as_of": as_of.isoformat(), "projects": summary.projects},
            only_changes=False,
        )
        return summary


def _refuse_if_not_empty() -> None:
    projects = Project.objects.count()
    units = Unit.objects.count()
    users = list(User.objects.filter(username__in=DEMO_USERNAMES).values_list("username", flat=True))
    if projects or units or users:
        found = (
            f"{projects} projects and {units} units"
            if projects or units
            else f"the accounts {', '.join(users)}"
        )
        raise DemoAlreadyLoaded(
            f"The database already holds {found}; the demo loads only into an empty registry. "
            "Run 'gongjian demo --reset' (load_demo(reset=True)) to delete them and load the demo again."
        )


# Apps whose rows are not business data: accounts and roles, the audit trail and settings, Django's own.
_KEPT_APPS = {"core", "accounts"}
# Configuration the office owns, not business data: a reset keeps it.
_KEPT_MODELS = {"lights.lightrule", "lights.ruleversion"}


def delete_business_data() -> None:
    """Delete the registry and everything hanging off it, plus the demo accounts and their login-page setting.

    Business data are the rows of every Gongjian domain app (organisation, projects and whatever later apps add)
    except regions, which are reference data (GB/T 2260) and are reused by the next load, and the numbering
    counters of what is deleted. Other accounts, the roles, the audit trail and other settings stay. Models are deleted in passes so that a model protected by
    another (a unit by its projects) goes once the other is gone; self-references are cut first.
    """
    pending = [
        model
        for config in apps.get_app_configs()
        if config.name.startswith("gongjian.") and config.label not in _KEPT_APPS
        for model in config.get_models()
        if model is not Region and model._meta.label_lower not in _KEPT_MODELS
    ]
    for model in pending:
        for fk in model._meta.get_fields():
            if isinstance(fk, models.ForeignKey) and fk.related_model is model and fk.null:
                model._default_manager.update(**{fk.name: None})
    while pending:
        blocked = []
        for model in pending:
            try:
                model._default_manager.all().delete()
            except (models.ProtectedError, models.RestrictedError):
                blocked.append(model)
        if len(blocked) == len(pending):
            names = ", ".join(m._meta.label for m in blocked)
            raise DemoError(f"Cannot delete {names}: rows outside the business data still point at them.")
        pending = blocked
    User.objects.filter(username__in=DEMO_USERNAMES).delete()
    SystemSetting.objects.filter(key=DEMO_SETTING).delete()
    # The numbers of the deleted projects, cases and documents: the demo starts again from 1; and the periods its
    # deleted assessments had closed.
    DocumentCounter.objects.all().delete()
    ClosedPeriod.objects.all().delete()


def _add_days(day: date, days: float) -> date:
    return day + timedelta(days=round(days))


class _DemoBuilder:
    """Builds the district step by step; the random stream is consumed in one fixed order."""

    def __init__(self, year: int, as_of: date) -> None:
        self.year = year
        self.as_of = as_of
        self.rng = random.Random(SEED)
        self.regions: dict[str, Region] = {}
        self.units: dict[str, Unit] = {}
        self.people: dict[str, Person] = {}
        self.used_names: set[str] = {name for name, *_rest in LEADERS}
        self.credit_codes: set[str] = set()
        self.national_codes: set[str] = set()

    def build_history(self, projects: list[Project]) -> None:
        """Approved ten-day reports for every period of the year before ``as_of``'s: each project invests at its
        own pace against its plan (most keep up, some lag), and a few lagging ones missed their latest reports, so
        that the traffic lights show every colour. A generator of its own, seeded per project, so that adding
        the history changed no other demo value."""
        current = Period.dekad_of(self.as_of)
        periods = [p for p in Period.range(Period(self.year, 1, 1), current) if p < current]
        rows = []
        for period in periods:
            opens = datetime.combine(period.start, time(0, 0), tzinfo=SHANGHAI)
            deadline = datetime.combine(period.end + timedelta(days=3), time(18, 0), tzinfo=SHANGHAI)
            rows.append(
                ReportingPeriod(
                    kind="dekad",
                    code=period.code,
                    opens_at=opens,
                    deadline=deadline,
                    last_reminded_at=deadline,
                )
            )
        by_code = {p.code: p for p in ReportingPeriod.objects.bulk_create(rows)}
        if any(p.pk is None for p in by_code.values()):  # databases that do not return keys from bulk inserts
            by_code = {p.code: p for p in ReportingPeriod.objects.filter(code__in=list(by_code))}
        reports = []
        for project in projects:
            rng = random.Random(f"history/{project.name}")
            pace = rng.choice(
                [rng.uniform(0.92, 1.15)] * 6 + [rng.uniform(0.72, 0.9)] * 3 + [rng.uniform(0.3, 0.65)]
            )
            missed = rng.choice([0] * 8 + [1, 2]) if pace < 0.9 else 0
            plan = project.plan_for(self.year)
            dekads = plan.dekads if plan else [0] * 36
            opening = 0 if project.nature == Nature.NEW else project.total_investment * 3 // 10
            year_to_date = 0
            for period in periods[: len(periods) - missed]:
                amount = (
                    round(dekads[period.index_in_year - 1] * pace * rng.uniform(0.8, 1.2) / 10_000) * 10_000
                )
                year_to_date += amount
                row = by_code[period.code]
                filed = row.deadline - timedelta(hours=rng.randint(2, 70))
                reports.append(
                    Report(
                        project=project,
                        period=row,
                        state="approved",
                        amount=amount,
                        year_to_date=year_to_date,
                        since_start=opening + year_to_date,
                        progress_percent=min(
                            100, round(year_to_date * 100 / max(1, project.total_investment))
                        ),
                        progress_text="按计划推进" if pace >= 0.9 else "进度滞后，正在追赶",
                        workers=rng.randint(30, 400),
                        first_submitted_at=filed,
                        submitted_at=filed,
                        reviewed_at=filed + timedelta(hours=6),
                    )
                )
        Report.objects.bulk_create(reports, batch_size=2000)

    def build_baselines(self, projects: list[Project]) -> None:
        """One project re-baselined from the month of some forty days ago (that month's plan postponed to
        December after a delay in land clearance, approved by the office) and one proposal waiting for the
        office."""
        planned = [p for p in projects if p.plan_for(self.year) and p.plan_for(self.year).total > 0]
        if len(planned) < 2:
            return
        moved, waiting = planned[3 % len(planned)], planned[7 % len(planned)]
        back = self.as_of - timedelta(days=40)
        effective = Period(back.year, back.month, 1)
        if effective.year != self.year or effective.month == 12:
            return
        # that month's planned investment postponed to December: the year's total, and every month's whole 万元,
        # stay as they were
        dekads = list(moved.plan_for(self.year).dekads)
        first = effective.index_in_year - 1
        for k in range(3):
            dekads[33 + k] += dekads[first + k]
            dekads[first + k] = 0
        change = services.propose_baseline_change(
            moved,
            {"plans": {str(self.year): dekads}},
            reason="征迁交地延后一个月，该月计划投资顺延至12月",
            effective_from=effective.code,
            actor=None,
        )
        services.approve_baseline_change(
            change, actor=None, expected_version=change.version, note="经项目办核实，同意调整", relight=False
        )  # lit below
        node = waiting.milestones.order_by("planned_date").first()
        if node is not None:
            services.propose_baseline_change(
                waiting,
                {"milestones": {str(node.pk): (node.planned_date + timedelta(days=30)).isoformat()}},
                reason="用地报批延后，申请节点顺延 30 天",
                effective_from=Period.dekad_of(self.as_of).code,
                actor=None,
            )

    def build_reporting_period(self) -> None:
        """Open the ten-day period of ``as_of`` for reporting, due on the third day after it ends, so the demo's
        reporters have reports due."""
        dekad = Period.dekad_of(self.as_of)
        opens = datetime.combine(dekad.start, time(0, 0), tzinfo=SHANGHAI)
        deadline = datetime.combine(dekad.end + timedelta(days=3), time(18, 0), tzinfo=SHANGHAI)
        open_period(dekad.code, opens_at=opens, deadline=deadline, actor=None)

    def build(self) -> DemoSummary:
        self.build_regions()
        self.build_units()
        self.build_people()
        projects, plans = self.build_projects()
        accounts = self.build_accounts()
        self.build_history(projects)
        self.build_baselines(projects)
        self.build_reporting_period()
        build_attraction(self.year, self.as_of, self.units, self.people)

        recompute(year=self.year, today=self.as_of)
        # The targets before the assessments: the department scheme scores the units on their completion.
        build_targets(self.year, self.as_of)
        self.build_assessments()
        self.build_dispatch()
        self.build_work_waiting()
        build_pipeline(self.year, units=self.units, projects=projects)
        build_land(
            as_of=self.as_of, units=self.units, people=self.people, surnames=SURNAMES, given=GIVEN_NAMES
        )
        self.build_daily_cycle()  # after the ledger, whose counts a land team's reports take
        return DemoSummary(
            year=self.year,
            as_of=self.as_of,
            projects=len(projects),
            new=sum(p.nature == Nature.NEW for p in projects),
            continuing=sum(p.nature == Nature.CONTINUING for p in projects),
            industry=sum(p.category == Category.INDUSTRY for p in projects),
            commerce=sum(p.category == Category.COMMERCE for p in projects),
            total_investment=sum(p.total_investment for p in projects),
            annual_plan=sum(plans),
            regions=len(self.regions),
            units=len(self.units),
            enterprises=len(ENTERPRISES),
            people=len(self.people),
            accounts=accounts,
        )

    def build_evaluations(self, periods: list[Period]) -> None:
        """The evaluator (商务局局长) rates every project (综合评价) each ten-day period and month before the demo's
        date, between 72 and 96 and steady from one period to the next; the current period is left for them.
        Written at once like the reports' history (the service's audit record per score would double the load)."""
        rater = User.objects.get(username="evaluator")
        projects = list(Project.objects.order_by("pk").values_list("pk", flat=True))
        EvaluatorAssignment.objects.bulk_create(
            EvaluatorAssignment(rater=rater, subject_kind=SubjectKind.PROJECT, subject_id=pk)
            for pk in projects
        )
        Evaluation.objects.bulk_create(
            (
                Evaluation(
                    period_code=period.code,
                    subject_kind=SubjectKind.PROJECT,
                    subject_id=pk,
                    rater=rater,
                    score=Decimal(72 + (n * 7 + period.index_in_year) % 25),
                )
                for period in periods
                for n, pk in enumerate(projects)
            ),
            batch_size=2000,
        )

    def build_scheme(self) -> None:
        """The year's scheme: context/000's, extended to the responsible units (责任单位) — scored on their
        projects' investment and on their targets (目标完成: the completion of their 责任状 indicators, attraction's
        signings and funds in place among them) — while projects and headquarters are scored and ranked as
        before (progress and evaluation stay theirs)."""
        data = default_scheme().as_dict()
        data["description"] += "；责任单位按投资完成额和目标完成（目标责任状）考核"
        data["subjects"] = [*data["subjects"], {"kind": SubjectKind.UNIT.value}]
        both = [SubjectKind.PROJECT.value, SubjectKind.HEADQUARTERS.value]
        for indicator in data["indicators"]:
            if indicator["kind"] in ("progress", "evaluation"):
                indicator["subjects"] = both
        data["indicators"].append({"kind": "targets", "points": 60, "subjects": [SubjectKind.UNIT.value]})
        row = assess.save_scheme(data, actor=None, note="增加责任单位：投资完成额、目标完成")
        assess.activate(row, self.year, actor=None)

    def build_assessments(self) -> None:
        """Every ten-day period and month that ended before the demo's date, assessed and published in order;
        the interviews the last month's yellow cards called for, held three days after it, with one commitment
        done and one still open."""
        periods = [
            p
            for kind_first in (Period(self.year, 1, 1), Period(self.year, 1))
            for p in Period.range(kind_first, Period.of(self.as_of, kind_first.kind).prev())
            if p.year == self.year
        ]
        if not periods:
            return
        self.build_scheme()
        self.build_evaluations(periods)
        for run in assess.run_assessments([p.code for p in periods], actor=None, skip_open=True):
            assess.publish(run, actor=None, expected_version=run.version)
        last_month = max((p for p in periods if p.dekad is None), default=None)
        if last_month is None:
            return
        held = last_month.end + timedelta(days=3)
        today = min(self.as_of, timezone.localdate())  # the services take no record dated in the future
        if held > today:
            return
        chair = next(name for name, *_rest in LEADERS if name in PRINCIPALS and name != LEADERS[0][0])
        for due in Consequence.objects.filter(
            kind=ConsequenceKind.INTERVIEW, run__period_code=last_month.code, run__state="published"
        ).select_related("run"):
            interview = followup.record_interview(
                actor=None,
                consequence=due,
                held_on=held,
                interviewer=str(self.people[chair]),
                interviewee=followup.interviewee_for(due.subject_kind, due.subject_id) or due.subject_name,
                content=f"{last_month}考核{due.subject_name}排名靠后、亮黄牌。要求查找差距，倒排工期，"
                "每旬报送赶工计划，下月考核摆脱末位。",
                commitments=[
                    ("每旬报送赶工计划和完成情况", held + timedelta(days=7)),
                    ("下月考核摆脱末位", last_month.next().end + timedelta(days=10)),
                ],
            )
            first = interview.commitments.order_by("deadline").first()
            if first and first.deadline <= today:
                followup.complete_commitment(
                    first,
                    done_on=first.deadline,
                    result="已按旬报送赶工计划",
                    actor=None,
                    expected_version=first.version,
                )

    def build_dispatch(self) -> None:
        """Last month's dispatch meeting, three days after the month ended: its agenda drafted from the data, the
        red projects' units given a decision each and the headquarters one on site safety, the first handled and
        closed; its minutes and last month's briefing issued."""
        month = Period.of(self.as_of, "month").prev()
        day = month.end + timedelta(days=3)
        today = min(self.as_of, timezone.localdate())
        if month.year != self.year or day > today:
            return
        chair = self.people[next(name for name in PRINCIPALS if name != LEADERS[0][0])]
        leaders = [self.people[name] for name, *_rest in LEADERS]
        meeting = meetings.create_meeting(
            kind="monthly",
            title=f"{month}重点项目调度会",
            actor=None,
            chair=chair,
            attendees=leaders,
            held_at=datetime.combine(day, time(9, 0), tzinfo=SHANGHAI),
            place="区政府三楼会议室",
            other_attendees="各责任单位、各指挥部主要负责同志",
        )
        reds = (
            Light.objects.filter(period_code=month.dekads()[-1].code, colour=2)
            .select_related("project__responsible_unit")
            .order_by("project__code")[:3]
        )
        decisions = [
            meetings.add_decision(
                meeting,
                text=f"{light.project.name}倒排工期，下月底前追上序时进度，每旬报送赶工计划",
                actor=None,
                expected_version=ANY_VERSION,
                owner=light.project.responsible_unit,
                deadline=day + timedelta(days=20),
                projects=[light.project],
            )
            for light in reds
        ]
        decisions.append(
            meetings.add_decision(
                meeting,
                text="各指挥部开展在建工地安全生产大检查，形成问题清单并整改到位",
                actor=None,
                expected_version=ANY_VERSION,
                owner=self.units["住建局"],
                deadline=day + timedelta(days=10),
            )
        )
        first = decisions[0].case
        # The loader builds the district as a script: each step follows the last, whatever version it left.
        cases.accept(first, actor=None, expected_version=ANY_VERSION)
        cases.resolve(first, "已制定赶工计划并按旬报送", actor=None, expected_version=ANY_VERSION)
        cases.close(first, actor=None, expected_version=ANY_VERSION)
        meetings.update_meeting(
            meeting,
            actor=None,
            expected_version=ANY_VERSION,
            state="held",
            notes="会议听取了各责任单位项目推进情况汇报，研究解决了项目建设中的困难和问题。",
        )
        for draft in (
            documents.draft("minutes", meeting=meeting, actor=None),
            documents.draft("briefing", period_code=month.code, actor=None),
        ):
            documents.issue(draft, actor=None, expected_version=draft.version)
        self.build_assignment(meeting, day)

    def build_assignment(self, meeting, day: date) -> None:
        """The meeting's assignment to every department: discussion within a week, report within two; the first
        three departments have handed in their discussion."""
        assignment = Assignment.objects.create(
            title="调度会后各部门组织讨论并报送推进措施",
            meeting=meeting,
            instructions="各部门对照会议部署，一周内组织专题讨论，两周内报送本部门推进重点项目建设的措施和需协调事项。",
        )
        departments = [self.units[short] for short, _name in DEPARTMENTS]
        assignment.units.set(departments)
        discuss = AssignmentStep.objects.create(
            assignment=assignment, name="组织讨论", deadline=day + timedelta(days=7)
        )
        AssignmentStep.objects.create(
            assignment=assignment, name="报送报告", deadline=day + timedelta(days=14)
        )
        when = datetime.combine(day + timedelta(days=4), time(16, 0), tzinfo=SHANGHAI)
        Submission.objects.bulk_create(
            Submission(
                step=discuss,
                unit=unit,
                submitted_at=when,
                text=f"{unit.name}已于{day + timedelta(days=4):%m月%d日}召开党组会专题讨论，形成推进措施五条。",
            )
            for unit in departments[:3]
        )

    def build_daily_cycle(self) -> None:
        """The service teams' daily reports of the last week up to the demo's date (the last team has not filed
        today yet) and the headquarters' tasks for today and tomorrow."""
        today = min(self.as_of, timezone.localdate())
        rng = random.Random(f"daily/{today}")
        reports, tasks = [], []
        teams = [self.units[short] for short, *_rest in SERVICE_TEAMS]
        # A team's reports are signed by its member's account where the demo gives it one.
        members = {
            p.unit_id: p.user
            for p in Person.objects.filter(unit__in=teams, user__isnull=False).select_related("user")
        }
        for t, team in enumerate(teams):
            for back in range(6, -1, -1):
                day = today - timedelta(days=back)
                if back == 0 and t == len(teams) - 1:
                    continue
                figures = {
                    "households_signed": rng.randint(0, 6),
                    "buildings_demolished": rng.randint(0, 4),
                    "problems_solved": rng.randint(0, 3),
                }
                # a team with a land task files what its ledger counts that day, as filing through the service does
                figures |= daily_services.computed_figures(team, day)
                signed, razed = figures["households_signed"], figures["buildings_demolished"]
                reports.append(
                    DailyReport(
                        team=team,
                        day=day,
                        **figures,
                        filed_by=members.get(team.pk),
                        filed_at=min(datetime.combine(day, time(18, 30), tzinfo=SHANGHAI), timezone.now()),
                        done=f"入户走访 {signed + rng.randint(3, 8)} 户，签约 {signed} 户，拆除房屋 {razed} 处。",
                        plan="继续入户做好政策解释，推进剩余户签约。",
                        needs="个别户对评估结果有异议，请指挥部协调评估机构复核。"
                        if back == 1 and t == 0
                        else "",
                    )
                )
            for day, text in (
                (today, "上午集中攻坚重点户，下午完成签约户房屋移交"),
                (today + timedelta(days=1), "配合评估机构对异议户复核"),
            ):
                tasks.append(DailyTask(team=team, day=day, text=text))
        DailyReport.objects.bulk_create(reports)
        DailyTask.objects.bulk_create(tasks)

    def build_work_waiting(self) -> None:
        """Something on each demo account's to-do list (待办) besides what the steps above leave: the reporter has
        filed two of the current period's reports, which wait for the reviewer; a problem on a project the demo
        leader supervises waits for its unit and for him; the evaluator (the commerce bureau's head) has the
        commercial projects to score. Only adds: an evaluator's assignment another step made is kept as it is."""
        reporter = User.objects.get(username="reporter")
        period = ReportingPeriod.objects.filter(code=Period.dekad_of(self.as_of).code).first()
        if period is not None:
            # the last two by code: tests that build on the demo file the first ones themselves
            for project in Project.objects.in_scope(reporter).filter(is_archived=False).order_by("-code")[:2]:
                report = save_draft(
                    project,
                    period,
                    {
                        "amount": 2_000_000,
                        "progress_text": "主体结构施工，本旬完成二层楼板浇筑",
                        "workers": 120,
                    },
                    actor=reporter,
                )
                submit_report(report, actor=reporter, expected_version=report.version)
        leader = User.objects.get(username="leader").person
        led = (
            Project.objects.filter(leader_links__person=leader, leader_links__role=LeaderRole.LEAD)
            .select_related("responsible_unit")
            .order_by("code")
            .first()
        )
        if led is not None:
            cases.open_case(
                led,
                kind=CaseKind.PROBLEM,
                title=f"{led.name}施工用电增容需供电公司加快办理",
                reasons=["施工用电增容申请已逾一个月未批复，影响设备安装"],
                owner=led.responsible_unit,
                period_code=Period.dekad_of(self.as_of).code,
                supervisor=leader,
            )
        evaluator = User.objects.get(username="evaluator")  # the head of the commerce bureau
        for project in Project.objects.filter(category=Category.COMMERCE).order_by("code"):
            EvaluatorAssignment.objects.get_or_create(
                rater=evaluator, subject_kind=SubjectKind.PROJECT, subject_id=project.pk
            )

    # Organisation

    def region(self, code: str, name: str, parent: Region | None) -> Region:
        # Regions are reference data: an existing code (a loaded GB/T 2260 table, or a previous demo) is reused.
        region = Region.objects.filter(code=code).first()
        if region is None:
            region = Region(code=code, name=name, level=region_level(code).value, parent=parent)
            region.full_clean()
            region.save()
        self.regions[name] = region
        return region

    def build_regions(self) -> None:
        province = self.region(*PROVINCE, None)
        city = self.region(*CITY, province)
        district = self.region(*DISTRICT, city)
        save_boundary(
            district,
            json.dumps(district_outline(), ensure_ascii=False).encode(),
            file_name=f"{district.name}.geojson",
            expected_version=ANY_VERSION,
        )
        for street_no, street_name, villages, _roads in STREETS:
            street = self.region(DISTRICT[0] + street_no, street_name, district)
            for village_no, village_name in villages:
                self.region(street.code + village_no, village_name, street)

    def unit(
        self,
        short: str,
        name: str,
        kind: str,
        region: Region,
        *,
        parent: Unit | None = None,
        credit_code: str = "",
    ) -> Unit:
        unit = Unit(
            name=name,
            short_name=short,
            kind=kind,
            region=region,
            parent=parent,
            credit_code=credit_code,
            contact_phone=self.landline(),
        )
        unit.full_clean()
        unit.save()
        self.units[short] = unit
        return unit

    def build_units(self) -> None:
        district = self.regions[DISTRICT[1]]
        for short, name in LEADERSHIP_UNITS:
            self.unit(short, name, UnitKind.LEADERSHIP, district)
        for short, name in DEPARTMENTS:
            self.unit(short, name, UnitKind.DEPARTMENT, district)
        for _no, street, _villages, _roads in STREETS:
            self.unit(street, street, UnitKind.STREET, self.regions[street])
        for short, name, site in PARKS:
            self.unit(short, name, UnitKind.PARK, self.regions[site])
        for short, name, site in HEADQUARTERS:
            self.unit(short, name, UnitKind.HEADQUARTERS, self.regions[site])
        for short, name, parent, site in SERVICE_TEAMS:
            self.unit(short, name, UnitKind.SERVICE_TEAM, self.regions[site], parent=self.units[parent])
        for short, name, site, state_owned in ENTERPRISES:
            kind = UnitKind.STATE_ENTERPRISE if state_owned else UnitKind.ENTERPRISE
            self.unit(short, name, kind, self.regions[site], credit_code=self.credit_code())

    def credit_code(self) -> str:
        """A valid 统一社会信用代码 of a company registered in 泉山区: 9 (market regulation) 1 (enterprise),
        the district's code, a 组织机构代码 of the post-2015 "MA" series, and the GB 32100 check character."""
        while True:
            body = "MA" + "".join(self.rng.choice(CREDIT_CODE_CHARSET) for _ in range(6))
            code = make_credit_code("91" + DISTRICT[0] + make_org_code(body))
            if code not in self.credit_codes:
                self.credit_codes.add(code)
                return code

    def person_name(self) -> str:
        while True:
            name = self.rng.choice(SURNAMES) + self.rng.choice(GIVEN_NAMES)
            if name not in self.used_names:
                self.used_names.add(name)
                return name

    def mobile(self) -> str:
        return self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def landline(self) -> str:
        return f"0516-8{self.rng.randrange(10**6):06d}"

    def build_people(self) -> None:
        leaders = []
        for name, post, body, unit, _villages in LEADERS:
            person = Person(
                name=name, post=post, leadership_body=body, unit=self.units[unit], mobile=self.mobile()
            )
            leaders.append(person)
            self.people[name] = person
        staff = []
        for short, unit in self.units.items():
            for post in POSTS.get(unit.kind, []) + EXTRA_POSTS.get(short, []):
                person = Person(name=self.person_name(), post=post, unit=unit, mobile=self.mobile())
                staff.append(person)
                self.people[f"{short}/{post}"] = person
        for person in leaders + staff:
            person.full_clean()
        Person.objects.bulk_create(leaders + staff)
        access.bump()  # people came without a signal
        # 分包村居 (context 003): leaders take the demolition villages; each service team works in its village.
        since = date(self.year, 1, 1)
        assignments = [
            VillageAssignment(person=self.people[name], region=self.regions[village], since=since)
            for name, *_rest, villages in LEADERS
            for village in villages
        ]
        for short, _name, _parent, village in SERVICE_TEAMS:
            for post in POSTS[UnitKind.SERVICE_TEAM]:
                assignments.append(
                    VillageAssignment(
                        person=self.people[f"{short}/{post}"], region=self.regions[village], since=since
                    )
                )
        VillageAssignment.objects.bulk_create(assignments)

    # Projects

    def build_projects(self) -> tuple[list[Project], list[int]]:
        # 31.2亿 split by size to whole 百万元, so totals read like "3.74亿元"; the plan of the year to whole 万元.
        totals = [
            m * YUAN_PER_MILLION
            for m in split_by_weights(TOTAL_INVESTMENT // YUAN_PER_MILLION, [s.size for s in PROJECTS])
        ]
        schedules = [self.schedule(spec) for spec in PROJECTS]
        shares = [
            self.plan_share(spec, start) for spec, (start, _end) in zip(PROJECTS, schedules, strict=True)
        ]
        plans = [
            w * YUAN_PER_WAN
            for w in split_by_weights(
                ANNUAL_PLAN // YUAN_PER_WAN, [t * s for t, s in zip(totals, shares, strict=True)]
            )
        ]
        leaders = [name for name, *_rest in LEADERS]
        projects = []
        for spec, total, plan, (start, completion) in zip(PROJECTS, totals, plans, schedules, strict=True):
            health = self.rng.choices(list(HEALTH_WEIGHTS), weights=list(HEALTH_WEIGHTS.values()))[0]
            milestones = self.milestones(spec, start, completion, health)
            actual = {m["kind"]: m["actual_date"] for m in milestones}
            deputies = [n for n in leaders if n != spec.leader and n not in PRINCIPALS]
            links = [(self.people[spec.leader], LeaderRole.LEAD)]
            if self.rng.random() < 0.35:
                links.append((self.people[self.rng.choice(deputies)], LeaderRole.DEPUTY))
            fields = self.project_fields(spec, total, start, completion, actual)
            children = ProjectChildren(
                plan_year=self.year,
                plan_dekads=dekads_from_months(self.months(plan, spec, start)),
                leaders=links,
                milestones=milestones,
                approvals=self.approvals(spec, start, actual[MilestoneKind.START], health),
            )
            projects.append(create_project(fields, children, actor=None))
        return projects, plans

    def schedule(self, spec: ProjectSpec) -> tuple[date, date]:
        """Planned start and completion: continuing projects started last year, new ones start this spring or
        summer; shops and towers take longer to build than factories."""
        if spec.nature == Nature.CONTINUING:
            start = date(self.year - 1, self.rng.randint(3, 10), self.rng.randint(1, 28))
        else:
            start = date(self.year, self.rng.choice(NEW_START_MONTHS), self.rng.randint(1, 28))
        months = self.rng.randint(16, 30) if spec.category == Category.COMMERCE else self.rng.randint(10, 20)
        completion = _add_days(start, months * 30.4)
        # A continuing project still has this year's work ahead of it.
        completion = max(completion, date(self.year, self.rng.randint(6, 12), 28))
        return start, completion

    def plan_share(self, spec: ProjectSpec, start: date) -> float:
        """Roughly what part of the total a project plans to invest this year: a third or more for continuing
        projects in full swing, less for a new one the later in the year it starts."""
        if spec.nature == Nature.CONTINUING:
            return self.rng.uniform(0.35, 0.6)
        months_left = 13 - start.month
        return self.rng.uniform(0.25, 0.45) * (0.5 + months_left / 24)

    def months(self, plan: int, spec: ProjectSpec, start: date) -> list[int]:
        """The year's plan by month, in whole 万元, in the seasonal shape (less before a new project's start)."""
        weights = [
            share * (PRE_START_SHARE if spec.nature == Nature.NEW and month < start.month else 1)
            for month, share in enumerate(SEASON, start=1)
        ]
        return [w * YUAN_PER_WAN for w in split_by_weights(plan // YUAN_PER_WAN, weights)]

    def milestones(self, spec: ProjectSpec, start: date, completion: date, health: str) -> list[dict]:
        """Six nodes of physical progress; those due by ``as_of`` are done, on time or late as ``health`` says,
        or still open when the delay runs past ``as_of``. A node is never done before the one ahead of it.

        Every node draws its delay whether it is due or not, so that ``as_of`` changes progress only and not the
        names and amounts drawn after it."""
        span = (completion - start).days
        planned = {
            MilestoneKind.DELISTING: _add_days(start, -self.rng.randint(25, 70)),
            MilestoneKind.START: start,
            MilestoneKind.TOPPING_OUT: _add_days(start, span * self.rng.uniform(0.35, 0.45)),
            MilestoneKind.EQUIPMENT: _add_days(start, span * self.rng.uniform(0.6, 0.7)),
            MilestoneKind.COMPLETION: completion,
            MilestoneKind.PRODUCTION: _add_days(completion, self.rng.randint(20, 60)),
        }
        low, high = HEALTH[health]
        result, previous, open_ = [], None, False
        for kind, name in MILESTONES:
            due = planned[kind]
            delay, reason = self.rng.randint(low, high), self.rng.choice(DELAY_REASONS[kind])
            actual = None
            if not open_ and due <= self.as_of:
                candidate = _add_days(due, delay)
                if previous and candidate < previous:
                    candidate = previous
                if spec.nature == Nature.CONTINUING and kind in HISTORY:
                    # 续建 means it is already under way: land and start lie in last year, whatever the delay.
                    candidate = min(candidate, date(self.year - 1, 12, 31))
                actual = candidate if candidate <= self.as_of else None
            open_ = open_ or actual is None
            previous = actual or previous
            note = reason if actual and (actual - due).days > 15 else ""
            if kind == MilestoneKind.DELISTING and not spec.new_land:
                name = "场地交付"
            elif spec.category == Category.COMMERCE:
                name = COMMERCE_MILESTONE_NAMES.get(kind, name)
            result.append(
                {"kind": kind, "name": name, "planned_date": due, "actual_date": actual, "note": note}
            )
        return result

    def approvals(self, spec: ProjectSpec, start: date, actual_start: date | None, health: str) -> list[dict]:
        """前期手续 in the order they are obtained. A project that has started holds every permit, obtained before
        its start; one that has not is done up to a point, then one in progress, then the rest not started."""
        low, high = HEALTH[health]
        result, in_progress_seen = [], False
        for kind, lead_days, authority in APPROVALS:
            if kind == ApprovalKind.PROJECT_APPROVAL and spec.level != Level.DISTRICT:
                authority = "徐州市发展和改革委员会"
            item = {
                "kind": kind,
                "name": "",
                "status": ApprovalStatus.NOT_STARTED,
                "document_no": "",
                "authority": authority,
                "planned_date": _add_days(start, -lead_days),
                "approved_on": None,
                "note": "",
            }
            if kind in LAND_APPROVALS and not spec.new_land:
                item.update(
                    status=ApprovalStatus.NOT_REQUIRED, planned_date=None, note="利用现有土地，无需办理"
                )
                result.append(item)
                continue
            done_on = _add_days(item["planned_date"], self.rng.randint(low, high))
            serial = self.rng.randint(10, 400)
            if actual_start is not None:
                done_on = min(done_on, actual_start - timedelta(days=1))
            if actual_start is not None or (not in_progress_seen and done_on <= self.as_of):
                item.update(
                    status=ApprovalStatus.DONE,
                    approved_on=done_on,
                    document_no=self.document_no(kind, spec, done_on, serial),
                )
            elif not in_progress_seen:
                item["status"] = ApprovalStatus.IN_PROGRESS
                in_progress_seen = True
            result.append(item)
        return result

    @staticmethod
    def document_no(kind: str, spec: ProjectSpec, day: date, n: int) -> str:
        """The number of the approval document, in the style each authority writes it."""
        y = day.year
        return {
            ApprovalKind.PROJECT_APPROVAL: f"泉行审备〔{y}〕{n}号"
            if spec.level == Level.DISTRICT
            else f"徐发改投资〔{y}〕{n}号",
            ApprovalKind.LAND_PRE_REVIEW: f"徐自然资预〔{y}〕{n}号",
            ApprovalKind.LAND_PLANNING: f"地字第{DISTRICT[0]}{y}{n:05d}号",
            ApprovalKind.ENVIRONMENT: (
                f"徐环项表〔{y}〕{n}号"
                if spec.category == Category.INDUSTRY
                else f"{y}{DISTRICT[0]}00000{n:03d}"
            ),
            ApprovalKind.ENGINEERING_PLANNING: f"建字第{DISTRICT[0]}{y}{n:05d}号",
            ApprovalKind.CONSTRUCTION_PERMIT: f"{DISTRICT[0]}{day:%Y%m%d}{n % 100:02d}01",
        }[kind]

    def national_code(self, spec: ProjectSpec, start: date) -> str:
        """``YYYY-320311-DD-TT-NNNNNC`` in the year the project was registered (before its start): DD the trade,
        TT 01 for government approval (审批) or 03 for filing (备案). Made up, see the module docstring."""
        kind = "03" if spec.funding == Funding.SOCIAL else "01"
        while True:
            serial = f"{self.rng.randrange(10**5):05d}{self.rng.choice('0123456789X')}"
            code = f"{_add_days(start, -160).year}-{DISTRICT[0]}-{spec.trade}-{kind}-{serial}"
            if code not in self.national_codes:
                self.national_codes.add(code)
                return code

    def location(self, spec: ProjectSpec) -> str:
        site = self.regions[spec.site]
        street = site.parent
        roads = next(r for _no, name, _v, r in STREETS if name == street.name)
        first, second = self.rng.sample(roads, 2)
        corner = self.rng.choice(["东北", "东南", "西北", "西南"])
        park = f"（{self.units[spec.park].name}）" if spec.park else ""
        return f"{street.name}{site.name}{park}，{first}与{second}交叉口{corner}侧"

    @staticmethod
    def coordinates(spec: ProjectSpec) -> tuple[Decimal | None, Decimal | None]:
        """A made-up site centre inside 泉山区 (about 117.08–117.22 E, 34.16–34.27 N), none for a site not surveyed
        yet. Its own generator, seeded by the name, so that adding it moved no other demo value."""
        if spec.name in UNSURVEYED:
            return None, None
        rng = random.Random(f"site/{spec.name}")
        places = Decimal("0.000001")
        return (
            Decimal(rng.uniform(117.08, 117.22)).quantize(places),
            Decimal(rng.uniform(34.16, 34.27)).quantize(places),
        )

    def project_fields(
        self, spec: ProjectSpec, total: int, start: date, completion: date, actual: dict[str, date | None]
    ) -> dict:
        rng = self.rng
        wan = total // YUAN_PER_WAN
        if spec.category == Category.INDUSTRY:
            # Jiangsu asks industrial land for roughly 300万元 of investment per 亩; output 1.2–2.5 × investment.
            land = wan / rng.uniform(250, 450)
            output = total * rng.uniform(1.2, 2.5)
            jobs = output / rng.uniform(800_000, 1_500_000)
        else:
            land = wan / rng.uniform(600, 1200)
            output = total * rng.uniform(0.3, 1.0)
            jobs = output / rng.uniform(300_000, 600_000)
        if not spec.new_land:
            land, land_status = 0, LandStatus.NOT_NEEDED
        elif actual[MilestoneKind.DELISTING]:
            land_status = LandStatus.SUPPLIED
        else:
            land_status = LandStatus.PENDING
        big = total >= 150_000_000 or spec.level != Level.DISTRICT
        return {
            "national_code": self.national_code(spec, start),
            "name": spec.name,
            "category": spec.category,
            "nature": spec.nature,
            "level": spec.level,
            "funding": spec.funding,
            "year": self.year,
            "region": self.regions[spec.site],
            "park": self.units[spec.park] if spec.park else None,
            "location": self.location(spec),
            **dict(zip(("longitude", "latitude"), self.coordinates(spec), strict=True)),
            "owner": self.units[spec.owner],
            "responsible_unit": self.units[spec.responsible],
            "headquarters": self.units[spec.hq] if spec.hq else None,
            "commander": self.people[f"{spec.hq}/指挥长"] if spec.hq else None,
            "contact_person": self.person_name(),
            "contact_phone": self.mobile(),
            "content": spec.content,
            "total_investment": total,
            "planned_start": start,
            "planned_completion": completion,
            "actual_start": actual[MilestoneKind.START],
            "actual_completion": actual[MilestoneKind.COMPLETION],
            "land_area_mu": Decimal(round(land * 2) / 2).quantize(Decimal("0.01")),
            "land_status": land_status,
            "expected_output": round(output / YUAN_PER_WAN) * YUAN_PER_WAN,
            "expected_tax": round(output * rng.uniform(0.04, 0.08) / YUAN_PER_WAN) * YUAN_PER_WAN,
            "expected_jobs": round(jobs),
            "foreign_investment_usd": spec.foreign_usd,
            # 临时党支部 on the big sites (context 000): the party branch goes where the work is.
            "party_branch": f"{spec.name.removesuffix('项目')}项目临时党支部" if big else "",
            "party_secretary": self.person_name() if big else "",
        }

    # Accounts

    def build_accounts(self) -> list[DemoAccount]:
        accounts = []
        for username, role, person_key in ACCOUNTS:
            person = self.people[person_key]
            user = create_user(username=username, password=DEMO_PASSWORD, full_name=person.name, roles=[role])
            person.user = user
            person.save(update_fields=["user"])
            accounts.append(DemoAccount(username, str(role), person.name, person.unit.name))
        # The demo lets a newcomer in with a password alone; the security administrator switches the second
        # factor on per role (README: "Security").
        for role in Role:
            set_role_policy(role, require_otp=False, actor=None)
        SystemSetting.objects.update_or_create(
            key=DEMO_SETTING,
            defaults={
                "value": {
                    "password": DEMO_PASSWORD,
                    "accounts": [{"username": a.username, "role": a.role, "name": a.name} for a in accounts],
                }
            },
        )
        return accounts
