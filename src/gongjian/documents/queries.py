"""What briefings and minutes say, read from the data, and who reads them.

A document is drafted as sections — text the office edits and tables that stay as the data gave them. A briefing
of a month or a ten-day period has: the overall investment against plan by category, the projects by light and the
red ones, the ranking and its red flags and cards, the open problems by unit, and the decisions of the last meeting
and their state; the minutes of a meeting have its facts and its decisions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import polars as pl
from django.db.models import Count, Q
from django.utils import timezone

from gongjian.assess.models import ConsequenceKind, Run, RunState
from gongjian.attraction import queries as attraction_queries
from gongjian.core.money import format_wan
from gongjian.core.periods import Period
from gongjian.documents.choices import DocumentState
from gongjian.documents.models import Document
from gongjian.lights.choices import CaseKind, CaseState
from gongjian.lights.models import Case, Light
from gongjian.lights.services import load_inputs
from gongjian.meetings.choices import MeetingKind
from gongjian.meetings.models import Meeting
from gongjian.meetings.queries import sees_every_meeting
from gongjian.org.models import Unit
from gongjian.projects.choices import Category
from gongjian.projects.models import AnnualPlan, Project


@dataclass
class Section:
    key: str
    heading: str
    text: str = ""
    columns: list[str] | None = None
    numeric: list[bool] | None = None
    rows: list[list] | None = None

    def as_dict(self) -> dict:
        table = (
            None
            if self.columns is None
            else {"columns": self.columns, "numeric": self.numeric or [], "rows": self.rows or []}
        )
        return {"key": self.key, "heading": self.heading, "text": self.text, "table": table}


def _percent(done: int, plan: int) -> str:
    return f"{done * 100 / plan:.1f}%" if plan else "—"


def _light_period(period: Period) -> Period:
    """The ten-day period whose lights a briefing shows: the period itself, or a month's last ten-day period."""
    return period if period.dekad else period.dekads()[-1]


def _investment(period: Period, now: datetime) -> tuple[Section, pl.DataFrame]:
    projects = pl.DataFrame(
        list(
            Project.objects.filter(is_archived=False).values_list("pk", "category", "responsible_unit__name")
        ),
        schema={"project_id": pl.Int64, "category": pl.String, "unit": pl.String},
        orient="row",
    )
    plans = pl.DataFrame(
        list(AnnualPlan.objects.filter(year=period.year).values_list("project_id", "total")),
        schema={"project_id": pl.Int64, "annual": pl.Int64},
        orient="row",
    )
    money = load_inputs(None, [period], today=min(timezone.localdate(), period.end), now=now).rows.select(
        "project_id", "plan_to_date", "done_to_date"
    )
    rows = (
        projects.join(plans, on="project_id", how="left")
        .join(money, on="project_id", how="left")
        .with_columns(pl.col("annual", "plan_to_date", "done_to_date").fill_null(0))
    )
    by_category = rows.group_by("category").agg(
        pl.len().alias("n"),
        pl.col("annual").sum(),
        pl.col("plan_to_date").sum(),
        pl.col("done_to_date").sum(),
    )
    labels = dict(Category.choices)
    order = {c: i for i, c in enumerate(Category.values)}
    table = []
    for r in sorted(by_category.iter_rows(named=True), key=lambda r: order.get(r["category"], 99)):
        table.append(
            [
                str(labels.get(r["category"], r["category"])),
                r["n"],
                format_wan(r["annual"]),
                format_wan(r["plan_to_date"]),
                format_wan(r["done_to_date"]),
                _percent(r["done_to_date"], r["plan_to_date"]),
            ]
        )
    n, annual = rows.height, int(rows["annual"].sum())
    plan, done = int(rows["plan_to_date"].sum()), int(rows["done_to_date"].sum())
    table.append(["合计", n, format_wan(annual), format_wan(plan), format_wan(done), _percent(done, plan)])
    text = (
        f"全区重点项目 {n} 个，年度计划投资 {format_wan(annual)} 万元。截至{period}，累计完成投资 "
        f"{format_wan(done)} 万元，占年度计划的 {_percent(done, annual)}，为序时计划（{format_wan(plan)} 万元）的 "
        f"{_percent(done, plan)}。"
    )
    section = Section(
        "investment",
        "投资完成情况",
        text,
        ["类别", "项目数", "年度计划（万元）", "序时计划（万元）", "累计完成（万元）", "完成率"],
        [False, True, True, True, True, True],
        table,
    )
    return section, rows


def _lights(period: Period, projects: pl.DataFrame) -> list[Section]:
    code = _light_period(period).code
    lit = pl.DataFrame(
        list(
            Light.objects.filter(period_code=code, project__is_archived=False).values_list(
                "project_id", "colour", "project__name", "reasons"
            )
        ),
        schema={"project_id": pl.Int64, "colour": pl.Int64, "name": pl.String, "reasons": pl.Object},
        orient="row",
    )
    joined = projects.select("project_id", "unit").join(
        lit.select("project_id", "colour"), on="project_id", how="inner"
    )
    counts = [int((joined["colour"] == c).sum()) for c in (0, 1, 2)]
    by_unit = (
        joined.group_by("unit")
        .agg(pl.len().alias("n"), *[(pl.col("colour") == c).sum().alias(f"c{c}") for c in (0, 1, 2)])
        .sort(["c2", "c1", "unit"], descending=[True, True, False])
    )
    green, yellow, red = counts
    text = f"{_light_period(period)}，绿灯项目 {green} 个，黄灯 {yellow} 个，红灯 {red} 个。"
    sections = [
        Section(
            "lights",
            "红绿灯情况",
            text,
            ["责任单位", "项目数", "绿灯", "黄灯", "红灯"],
            [False, True, True, True, True],
            [[r["unit"], r["n"], r["c0"], r["c1"], r["c2"]] for r in by_unit.iter_rows(named=True)],
        )
    ]
    reds = lit.filter(pl.col("colour") == 2).join(projects.select("project_id", "unit"), on="project_id")
    if reds.height:
        sections.append(
            Section(
                "red",
                "红灯项目",
                "以下项目亮红灯，请责任单位对照原因限期整改。",
                ["项目", "责任单位", "原因"],
                [False, False, False],
                [
                    [r["name"], r["unit"], "；".join(r["reasons"] or [])]
                    for r in reds.sort("name").iter_rows(named=True)
                ],
            )
        )
    return sections


def _ranking(period: Period) -> list[Section]:
    runs = Run.objects.filter(
        state=RunState.PUBLISHED, period_kind=str(period.kind), period_code__lte=period.code
    ).order_by("-period_code", "-revision")
    run = runs.first()
    if run is None:
        return [Section("ranking", "考核排名", "本期尚无已发布的考核结果。")]
    scores = run.scores.filter(subject_kind="headquarters").order_by("group", "rank", "subject_name")
    assessed = Period.parse(run.period_code)
    ranking = Section(
        "ranking",
        "考核排名",
        f"{assessed}指挥部考核排名如下（{run.notice_number or run.scheme}）。",
        ["名次", "指挥部", "得分"],
        [True, False, True],
        [[s.rank, s.subject_name, f"{s.score:.2f}"] for s in scores],
    )
    names = dict(ConsequenceKind.choices)
    given: dict[str, list[str]] = {}
    for c in run.consequences.exclude(kind=ConsequenceKind.INTERVIEW).order_by("kind", "subject_name"):
        given.setdefault(c.kind, []).append(c.subject_name + (f"（{c.amount} 元）" if c.amount else ""))
    lines = [f"{names[k]}：{'、'.join(v)}。" for k, v in given.items()]
    return [ranking, Section("cards", "红旗和黄牌黑牌", "\n".join(lines) or "本期无红旗和黄牌黑牌。")]


def _problems(today) -> Section:

    open_cases = Case.objects.filter(kind=CaseKind.PROBLEM).exclude(state=CaseState.CLOSED)
    rows = list(
        open_cases.values("owner__name")
        .annotate(n=Count("id"), late=Count("id", filter=Q(deadline__lt=today)))
        .order_by("-late", "-n", "owner__name")
    )
    total, late = sum(r["n"] for r in rows), sum(r["late"] for r in rows)
    return Section(
        "problems",
        "问题协调情况",
        f"尚未办结的协调问题 {total} 个，其中逾期 {late} 个。",
        ["承办单位", "未办结", "其中逾期"],
        [False, True, True],
        [[r["owner__name"], r["n"], r["late"]] for r in rows],
    )


def _decisions(period: Period, now: datetime) -> Section:
    """The decisions of the period's dispatch meeting and how they stand. A month's meeting is held in the first
    days after the month (the November meeting early in December), so the meeting is the latest of the period's
    kind (monthly for a month, ten-day for a ten-day period; any kind when there is none) held by the time the
    briefing is drafted — and no later than the end of the next period, so a briefing drafted again later keeps
    its own meeting."""
    next_end = timezone.make_aware(datetime.combine(period.next().end, datetime.max.time()))
    held = Meeting.objects.filter(held_at__lte=min(now, next_end)).order_by("-held_at", "-id")
    kind = MeetingKind.DEKAD if period.dekad else MeetingKind.MONTHLY
    meeting = held.filter(kind=kind).first() or held.first()
    if meeting is None:
        return Section("decisions", "上次调度会交办事项落实情况", "尚无调度会交办事项。")
    decisions = list(meeting.decisions.select_related("owner", "case").order_by("number"))
    done, late = sum(d.is_closed for d in decisions), sum(d.overdue for d in decisions)
    return Section(
        "decisions",
        "上次调度会交办事项落实情况",
        f"{meeting}交办事项 {len(decisions)} 项，已销号 {done} 项，逾期未办结 {late} 项。",
        ["序号", "事项", "责任单位", "时限", "状态"],
        [True, False, False, False, False],
        [
            [
                d.number,
                d.text,
                d.owner.name,
                d.deadline.isoformat(),
                d.case.get_state_display() + ("（逾期）" if d.overdue else ""),
            ]
            for d in decisions
        ],
    )


def briefing_sections(period: Period, *, now: datetime | None = None) -> list[Section]:
    now = now or timezone.now()
    investment, projects = _investment(period, now)
    return [
        investment,
        *_lights(period, projects),
        *_ranking(period),
        _problems(timezone.localdate()),
        _decisions(period, now),
        *_attraction(period),
        Section(
            "asks",
            "下步工作要求",
            ("各责任单位、各指挥部要对照序时进度查找差距，红灯项目逐项制定整改措施，交办事项按时办结销号。"),
        ),
    ]


def _attraction(period: Period) -> list[Section]:
    """招商引资 in a monthly briefing: each unit's five links cumulative to the month, against its targets
    (nothing for a ten-day briefing, nor a month without any attraction figure or target)."""
    if period.dekad is not None or period.month is None:
        return []
    totals = attraction_queries.unit_totals(period.year, period.month)
    goals = attraction_queries.targets(period.year)
    ids = set(totals) | set(goals)
    if not ids:
        return []
    names = dict(Unit.objects.filter(pk__in=ids).values_list("pk", "name"))
    empty = dict.fromkeys(attraction_queries.METRICS, 0)

    def share(value: int, goal: int | None) -> str:
        return _percent(value, goal) if goal else "—"

    rows = []
    for pk in sorted(ids, key=lambda i: names.get(i, "")):
        v, t = totals.get(pk, empty), goals.get(pk, {})
        rows.append(
            [
                names.get(pk, ""),
                v["signed_count"],
                format_wan(v["signed_amount"]),
                share(v["signed_amount"], t.get("signed_amount")),
                format_wan(v["funds_amount"]),
                share(v["funds_amount"], t.get("funds_amount")),
                v["starts"],
                v["big_projects"],
                format_wan(v["foreign_usd"]),
            ]
        )
    sums = {m: sum(totals.get(pk, empty)[m] for pk in ids) for m in attraction_queries.METRICS}
    text = (
        f"1—{period.month}月，全区外出招商 {sums['trips']} 次，新增意向项目 {sums['leads']} 个，签约项目 "
        f"{sums['signed_count']} 个、金额 {format_wan(sums['signed_amount'])} 万元，到位资金 "
        f"{format_wan(sums['funds_amount'])} 万元，开工项目 {sums['starts']} 个，500万元以上项目 "
        f"{sums['big_projects']} 个，实际利用外资 {format_wan(sums['foreign_usd'])} 万美元。"
    )
    return [
        Section(
            "attraction",
            "招商引资情况",
            text,
            [
                "单位",
                "签约项目",
                "签约金额（万元）",
                "完成率",
                "到位资金（万元）",
                "完成率",
                "开工项目",
                "500万元以上项目",
                "利用外资（万美元）",
            ],
            [False, True, True, True, True, True, True, True, True],
            rows,
        )
    ]


def minutes_sections(meeting: Meeting) -> list[Section]:
    held = timezone.localtime(meeting.held_at)
    attendees = "、".join(
        [str(p) for p in meeting.attendees.all()]
        + ([meeting.other_attendees] if meeting.other_attendees else [])
    )
    chair = meeting.chair.name if meeting.chair else "有关领导"
    facts = f"{held:%Y年%m月%d日}，{chair}在{meeting.place or '会议室'}主持召开{meeting.title}。" + (
        f"参加会议的有：{attendees}。" if attendees else ""
    )
    decisions = list(meeting.decisions.select_related("owner", "assignee").order_by("number"))
    return [
        Section("facts", "会议基本情况", "\n".join(filter(None, [facts, meeting.notes]))),
        Section(
            "decisions",
            "会议议定事项",
            "会议议定以下事项：" if decisions else "本次会议无交办事项。",
            ["序号", "事项", "责任单位", "责任人", "完成时限"],
            [True, False, False, False, False],
            [
                [
                    d.number,
                    d.text,
                    d.owner.name,
                    d.assignee.name if d.assignee else "",
                    d.deadline.isoformat(),
                ]
                for d in decisions
            ],
        ),
        Section(
            "asks", "工作要求", "各责任单位要按照会议议定事项，明确责任人，按时限办结，并在平台报送办理结果。"
        ),
    ]


def visible_documents(user):
    """Briefings and minutes a user reads: every one for the office and the principal leaders; for anyone else
    the issued ones only. Once issued, a briefing (通报) or minutes (纪要) goes to every unit as it stands; a draft
    is the office's working copy, with every unit's decisions, lights and scores in it."""
    if sees_every_meeting(user):
        return Document.objects.all()
    return Document.objects.filter(state=DocumentState.ISSUED)
