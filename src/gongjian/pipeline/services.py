"""Changing the pipeline. Every write goes through here: one transaction, a permission and scope check, the row
locked and its version checked (409 when stale), an audit event.

Units propose and edit their reserve projects (:func:`propose` is also what investment attraction calls to put a
signed lead in the reserve); the office builds the year's plan from the reserve and issues it. Issuing numbers the
plan, renders its .docx and makes each listed project a registry project through the registry's own
:func:`gongjian.projects.services.create_project` — all in one transaction: when one item cannot enter the
registry, nothing is made, nothing is numbered, and the office is told which items and why (the job's result
lists them), fixes them on the plan page and issues again."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.core import audit
from gongjian.core import documents as doc
from gongjian.core.locking import check_version, raced
from gongjian.core.models import issue_document_number
from gongjian.core.money import format_wan, split_evenly
from gongjian.jobs import services as jobs
from gongjian.jobs.models import Job
from gongjian.org.choices import UnitKind
from gongjian.org.models import Person
from gongjian.org.scope import scope_for
from gongjian.pipeline.choices import CampaignKind, Origin, PlanState, Readiness, ReserveState
from gongjian.pipeline.models import AnnualPlan, Campaign, CampaignItem, PlanItem, ReserveProject
from gongjian.projects import services as registry
from gongjian.projects.choices import ApprovalKind, LeaderRole, MilestoneKind
from gongjian.projects.models import Project

RESERVE_FIELDS = [
    "name",
    "category",
    "nature",
    "level",
    "region",
    "park",
    "owner",
    "investor",
    "responsible_unit",
    "content",
    "total_investment",
    "start_year",
    "planned_start",
    "planned_completion",
    "readiness",
    "approvals_done",
    "batch",
]
PLAN_ITEM_FIELDS = [
    "planned_investment",
    "months",
    "planned_start",
    "planned_completion",
    "level",
    "responsible_unit",
    "headquarters",
]
CAMPAIGN_FIELDS = ["kind", "name", "held_on", "place", "note"]


# Who may do what


def check_office(actor) -> None:
    if actor is not None and not actor.has_perm("pipeline.manage_pipeline"):
        raise PermissionDenied(_("只有项目办可以编制年度计划和组织集中活动。"))


def in_scope(actor, reserve: ReserveProject) -> bool:
    """Whether ``reserve`` (saved or not) lies in ``actor``'s data scope, as ReserveQuerySet.in_scope reads it."""
    if actor is None:
        return True
    scope = scope_for(actor)
    if scope.sees_all:
        return True
    units = {reserve.responsible_unit_id, reserve.owner_id, reserve.park_id} - {None}
    if units & scope.unit_ids:
        return True
    path = reserve.region.path if reserve.region_id else ""
    return any(path.startswith(p) for p in scope.region_paths)


def may_edit_reserve(user, reserve: ReserveProject) -> bool:
    return bool(user.has_perm("pipeline.change_reserveproject") and in_scope(user, reserve))


def _actor_id(actor) -> int | None:
    user = audit.actor_or_none(actor)
    return user.pk if user else None


# The reserve (项目储备库)


def _clean_reserve(reserve: ReserveProject) -> None:
    """The reserve project's fields checked, every problem named by its field."""
    errors: dict[str, list[str]] = {}
    try:
        reserve.full_clean(exclude=["project", "created_by"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    done = reserve.approvals_done
    if not isinstance(done, list) or any(kind not in ApprovalKind.values for kind in done):
        errors.setdefault("approvals_done", []).append(_("已办结手续须从前期手续类型中选择。"))
    else:
        reserve.approvals_done = [kind for kind in ApprovalKind.values if kind in done]
    if (
        reserve.readiness == Readiness.READY
        and isinstance(done, list)
        and ApprovalKind.PROJECT_APPROVAL not in done
    ):
        errors.setdefault("readiness", []).append(_("具备开工条件的项目须已办结立项/备案。"))
    if (
        reserve.planned_start
        and reserve.planned_completion
        and reserve.planned_completion < reserve.planned_start
    ):
        errors.setdefault("planned_completion", []).append(_("预计竣工日期不能早于预计开工日期。"))
    if reserve.planned_start and reserve.start_year and reserve.planned_start.year != reserve.start_year:
        errors.setdefault("planned_start", []).append(_("预计开工日期须在预计开工年度内。"))
    if reserve.responsible_unit_id and reserve.responsible_unit.kind in (
        UnitKind.ENTERPRISE,
        UnitKind.STATE_ENTERPRISE,
    ):
        errors.setdefault("responsible_unit", []).append(_("责任单位须为机关、街道或园区，不能是企业。"))
    if errors:
        raise ValidationError(errors)


def _reserve_snapshot(reserve: ReserveProject) -> dict[str, Any]:
    return audit.snapshot(
        reserve,
        [
            f.attname
            for f in ReserveProject._meta.concrete_fields
            if f.attname not in {"created_at", "updated_at"}
        ],
    )


@transaction.atomic
def propose(
    fields: dict[str, Any], *, actor, origin: str = Origin.PLANNED, origin_ref: str = ""
) -> ReserveProject:
    """Put a proposed project in the reserve: a unit's own (谋划, ``origin`` planned) or a lead signed by
    investment attraction (``origin`` attraction, ``origin_ref`` the lead's reference), which calls this."""
    if actor is not None and not actor.has_perm("pipeline.add_reserveproject"):
        raise PermissionDenied(_("无权提出储备项目。"))
    if origin not in Origin.values:
        raise ValidationError({"origin": _("项目来源无效。")})
    values = {k: v for k, v in fields.items() if k in RESERVE_FIELDS}
    reserve = ReserveProject(
        **values,
        origin=origin,
        origin_ref=(origin_ref or "").strip()[:200],
        created_by=audit.actor_or_none(actor),
    )
    _clean_reserve(reserve)
    if not in_scope(actor, reserve):
        raise PermissionDenied(_("只能为本单位（或本单位所属园区、辖区）提出储备项目。"))
    reserve.save()
    audit.record(
        "pipeline.reserve.propose",
        actor=actor,
        obj=reserve,
        after=_reserve_snapshot(reserve),
        only_changes=False,
    )
    return reserve


def _locked_reserve(reserve: ReserveProject, actor, expected_version: int | None, *, acting=False):
    if actor is not None and not may_edit_reserve(actor, reserve):
        raise PermissionDenied(_("无权修改该储备项目。"))
    current = ReserveProject.objects.select_for_update().get(pk=reserve.pk)
    check_version(current.version, expected_version, _("储备项目"), acting=acting)
    return current


@transaction.atomic
def update_reserve(
    reserve: ReserveProject, fields: dict[str, Any], *, actor, expected_version: int | None
) -> ReserveProject:
    """Edit a reserve project as the editor read it (version ``expected_version``); one already in the registry
    or withdrawn is no longer edited here."""
    current = _locked_reserve(reserve, actor, expected_version)
    if not current.is_open:
        raise ValidationError(
            _("该储备项目%(state)s，不能再修改。") % {"state": current.get_state_display()}, code="state"
        )
    before = _reserve_snapshot(current)
    for name, value in fields.items():
        if name in RESERVE_FIELDS:
            setattr(current, name, value)
    _clean_reserve(current)
    if not in_scope(actor, current):
        raise PermissionDenied(_("不能把储备项目改到本单位数据范围之外。"))
    current.version += 1
    current.save()
    audit.record(
        "pipeline.reserve.update", actor=actor, obj=current, before=before, after=_reserve_snapshot(current)
    )
    return current


@transaction.atomic
def withdraw_reserve(
    reserve: ReserveProject, *, reason: str, actor, expected_version: int | None
) -> ReserveProject:
    """Take a project out of the reserve (已退出), saying why; one listed in a plan is first removed from it."""
    current = _locked_reserve(reserve, actor, expected_version, acting=True)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请写明退出原因。")})
    if current.state != ReserveState.RESERVE:
        raise ValidationError(
            _("只有储备状态的项目可以退出（当前：%(state)s）。") % {"state": current.get_state_display()},
            code="state",
        )
    current.state, current.withdraw_reason = ReserveState.WITHDRAWN, reason[:500]
    current.version += 1
    current.save()
    audit.record(
        "pipeline.reserve.withdraw",
        actor=actor,
        obj=current,
        before={"state": ReserveState.RESERVE},
        after={"state": current.state, "reason": current.withdraw_reason},
    )
    return current


# The year's plan (年度重点项目计划)


def default_title(year: int) -> str:
    from gongjian.org.models import Region  # noqa: PLC0415  (kept beside its one use)

    district = Region.objects.filter(level="county").order_by("code").values_list("name", flat=True).first()
    return f"{district or ''}{year}年重点项目计划"


@transaction.atomic
def create_plan(year: int, *, actor, title: str = "") -> AnnualPlan:
    check_office(actor)
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationError({"year": _("年度须在 2000 到 2100 之间。")})
    if AnnualPlan.objects.filter(year=year).exists():
        raise ValidationError(_("%(year)s年的计划已经存在。") % {"year": year}, code="exists")
    try:
        with transaction.atomic():
            plan = AnnualPlan.objects.create(
                year=year,
                title=(title or "").strip()[:200] or default_title(year),
                created_by=audit.actor_or_none(actor),
            )
    except IntegrityError:
        raise raced(_("年度计划")) from None
    audit.record("pipeline.plan.create", actor=actor, obj=plan, after={"year": year, "title": plan.title})
    return plan


def _locked_plan(plan: AnnualPlan, actor, expected_version: int | None, *, acting=False) -> AnnualPlan:
    check_office(actor)
    current = AnnualPlan.objects.select_for_update().get(pk=plan.pk)
    check_version(current.version, expected_version, _("年度计划"), acting=acting)
    if current.state != PlanState.DRAFT:
        raise ValidationError(_("该计划已印发，不能再修改。"), code="issued")
    return current


def _bump(plan: AnnualPlan) -> None:
    plan.version += 1
    plan.save(update_fields=["version"])


def default_share(reserve: ReserveProject, year: int) -> int:
    """The part of a reserve project's total that falls in ``year``: by months of its planned construction when
    it has dates, else all of it (the office edits it)."""
    start, end = reserve.planned_start, reserve.planned_completion
    if not start or not end:
        return reserve.total_investment
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    first = max(start, date(year, 1, 1))
    last = min(end, date(year, 12, 31))
    if last < first:
        return 0
    inside = (last.year - first.year) * 12 + last.month - first.month + 1
    return reserve.total_investment * inside // months


@transaction.atomic
def add_plan_items(
    plan: AnnualPlan, reserves: list[ReserveProject], *, actor, expected_version: int | None
) -> list[PlanItem]:
    """List reserve projects in the plan (列入计划), with defaults from the reserve the office then edits."""
    current = _locked_plan(plan, actor, expected_version)
    locked = list(
        ReserveProject.objects.select_for_update().filter(pk__in=[r.pk for r in reserves]).order_by("pk")
    )
    refused = [r.name for r in locked if r.state != ReserveState.RESERVE]
    if refused:
        raise ValidationError(
            _("以下项目不在储备状态，不能列入计划：%(names)s") % {"names": "、".join(refused)}, code="state"
        )
    if not locked:
        raise ValidationError({"reserve": _("请选择要列入计划的储备项目。")})
    last = max(current.items.values_list("sequence", flat=True), default=0)
    items = []
    for n, reserve in enumerate(locked, start=1):
        items.append(
            PlanItem(
                plan=current,
                reserve=reserve,
                sequence=last + n,
                planned_investment=default_share(reserve, current.year),
                planned_start=reserve.planned_start,
                planned_completion=reserve.planned_completion,
                level=reserve.level,
                responsible_unit_id=reserve.responsible_unit_id,
            )
        )
        reserve.state = ReserveState.PLANNED
        reserve.version += 1
    PlanItem.objects.bulk_create(items)
    ReserveProject.objects.bulk_update(locked, ["state", "version"])
    _bump(current)
    audit.record(
        "pipeline.plan.add",
        actor=actor,
        obj=current,
        after={"reserves": [r.pk for r in locked], "names": [r.name for r in locked]},
        only_changes=False,
    )
    return items


def _clean_item(item: PlanItem, leaders: list[Person] | None) -> None:
    errors: dict[str, list[str]] = {}
    try:
        item.full_clean(exclude=["plan", "reserve", "months"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    year = item.plan.year
    if item.planned_investment is not None and item.planned_investment > item.reserve.total_investment:
        errors.setdefault("planned_investment", []).append(
            _("年度计划投资（%(plan)s万元）不能超过总投资（%(total)s万元）。")
            % {
                "plan": format_wan(item.planned_investment),
                "total": format_wan(item.reserve.total_investment),
            }
        )
    if item.months:
        months = item.months
        if (
            not isinstance(months, list)
            or len(months) != 12
            or any(not isinstance(v, int) or isinstance(v, bool) or v < 0 for v in months)
        ):
            errors.setdefault("months", []).append(_("分月计划须为12个非负金额（元）。"))
        elif sum(months) != item.planned_investment:
            errors.setdefault("months", []).append(
                _("分月计划合计（%(sum)s万元）须等于年度计划投资（%(plan)s万元）。")
                % {"sum": format_wan(sum(months)), "plan": format_wan(item.planned_investment or 0)}
            )
    if item.planned_start and item.planned_completion and item.planned_completion < item.planned_start:
        errors.setdefault("planned_completion", []).append(_("计划竣工日期不能早于计划开工日期。"))
    if item.planned_completion and item.planned_completion.year < year:
        errors.setdefault("planned_completion", []).append(_("计划竣工日期不能早于计划年度。"))
    if item.headquarters_id and item.headquarters.kind != UnitKind.HEADQUARTERS:
        errors.setdefault("headquarters", []).append(_("请选择指挥部。"))
    if item.responsible_unit_id and item.responsible_unit.kind in (
        UnitKind.ENTERPRISE,
        UnitKind.STATE_ENTERPRISE,
    ):
        errors.setdefault("responsible_unit", []).append(_("责任单位须为机关、街道或园区，不能是企业。"))
    if leaders is not None and len({p.pk for p in leaders}) != len(leaders):
        errors.setdefault("leaders", []).append(_("包挂领导有重复。"))
    if errors:
        raise ValidationError(errors)


def item_leaders(item: PlanItem) -> list[Person]:
    return item.ordered_leaders()


def _item_snapshot(item: PlanItem) -> dict[str, Any]:
    data = audit.snapshot(
        item, [*(f if f not in ("responsible_unit", "headquarters") else f + "_id" for f in PLAN_ITEM_FIELDS)]
    )
    return data | {"leaders": [p.pk for p in item_leaders(item)]}


@transaction.atomic
def edit_plan_item(
    item: PlanItem,
    fields: dict[str, Any],
    *,
    actor,
    expected_version: int | None,
    leaders: list[Person] | None = None,
) -> PlanItem:
    """Edit what the registry's baseline will be for one listed project (``expected_version``: the plan's)."""
    plan = _locked_plan(item.plan, actor, expected_version)
    current = PlanItem.objects.select_related("reserve").get(pk=item.pk, plan=plan)
    current.plan = plan
    before = _item_snapshot(current)
    for name, value in fields.items():
        if name in PLAN_ITEM_FIELDS:
            setattr(current, name, value)
    if current.months is None:
        current.months = []
    _clean_item(current, leaders)
    current.save()
    if leaders is not None:
        through = PlanItem.leaders.through
        through.objects.filter(planitem=current).delete()
        through.objects.bulk_create([through(planitem=current, person=p) for p in leaders])
    _bump(plan)
    audit.record(
        "pipeline.plan.edit_item", actor=actor, obj=current, before=before, after=_item_snapshot(current)
    )
    return current


@transaction.atomic
def remove_plan_item(item: PlanItem, *, actor, expected_version: int | None) -> None:
    """Take a project off the draft plan: it goes back to the reserve."""
    plan = _locked_plan(item.plan, actor, expected_version)
    current = PlanItem.objects.get(pk=item.pk, plan=plan)
    reserve = ReserveProject.objects.select_for_update().get(pk=current.reserve_id)
    name = reserve.name
    current.delete()
    if reserve.state == ReserveState.PLANNED:
        reserve.state = ReserveState.RESERVE
        reserve.version += 1
        reserve.save(update_fields=["state", "version"])
    _bump(plan)
    audit.record(
        "pipeline.plan.remove",
        actor=actor,
        obj=plan,
        after={"reserve": reserve.pk, "name": name},
        only_changes=False,
    )


def item_months(item: PlanItem, year: int) -> list[int]:
    """The twelve monthly amounts of an item: as given, or spread evenly over the months of the year the project
    is planned to build in (its start month, or January, to its completion month, or December)."""
    if item.months:
        return list(item.months)
    first = item.planned_start.month if item.planned_start and item.planned_start.year == year else 1
    last = (
        item.planned_completion.month
        if item.planned_completion and item.planned_completion.year == year
        else 12
    )
    if item.planned_start and item.planned_start.year > year:
        first = last = 12
    last = max(first, last)
    spread = split_evenly(item.planned_investment, last - first + 1)
    return [0] * (first - 1) + spread + [0] * (12 - last)


def registry_fields(item: PlanItem, year: int) -> tuple[dict[str, Any], registry.ProjectChildren]:
    """What the registry project of a listed item is made of: the reserve's description and the plan's
    baseline (annual plan split by month into the registry's dekads, planned dates as milestones, leaders)."""
    reserve = item.reserve
    fields = {
        "name": reserve.name,
        "category": reserve.category,
        "nature": reserve.nature,
        "level": item.level,
        "batch": reserve.batch,
        "year": year,
        "region": reserve.region,
        "park": reserve.park,
        "owner": reserve.owner,
        "responsible_unit": item.responsible_unit,
        "headquarters": item.headquarters,
        "content": reserve.content,
        "total_investment": reserve.total_investment,
        "planned_start": item.planned_start,
        "planned_completion": item.planned_completion,
    }
    leaders = item_leaders(item)
    milestones = []
    if item.planned_start:
        milestones.append({"kind": MilestoneKind.START, "name": "", "planned_date": item.planned_start})
    if item.planned_completion:
        milestones.append(
            {"kind": MilestoneKind.COMPLETION, "name": "", "planned_date": item.planned_completion}
        )
    children = registry.ProjectChildren(
        plan_year=year,
        plan_dekads=registry.dekads_from_months(item_months(item, year)),
        leaders=[(p, LeaderRole.LEAD if i == 0 else LeaderRole.DEPUTY) for i, p in enumerate(leaders)],
        milestones=milestones,
    )
    return fields, children


def start_issue(plan: AnnualPlan, *, actor, expected_version: int | None) -> Job:
    """Queue the issuing of the plan as read; a plan edited or issued since is refused at once (the job checks
    again, under lock, when it runs)."""
    check_office(actor)
    current = AnnualPlan.objects.get(pk=plan.pk)
    check_version(current.version, expected_version, _("年度计划"), acting=True)
    if current.state != PlanState.DRAFT:
        raise ValidationError(_("该计划已印发。"), code="issued")
    if not current.items.exists():
        raise ValidationError(_("计划中还没有项目。"), code="state")
    return jobs.start(
        "pipeline.issue_plan",
        {"plan_id": current.pk, "expected_version": current.version, "actor_id": _actor_id(actor)},
        actor=actor,
        label=_("印发《%(title)s》并入库") % {"title": current.title},
    )


class IssueRefused(ValidationError):
    """The plan could not be issued: ``problems`` lists each item that could not enter the registry and why."""

    def __init__(self, problems: list[dict[str, Any]]):
        lines = [_("第%(n)s项《%(name)s》：%(why)s") % p for p in problems]
        super().__init__(
            _("%(count)s个项目未能入库，计划未印发，未生成任何项目：%(lines)s")
            % {"count": len(problems), "lines": "；".join(lines)},
            code="invalid",
        )
        self.problems = problems


def _why(exc: Exception) -> str:
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        labels = {f.name: str(f.verbose_name) for f in Project._meta.fields}
        return "；".join(
            f"{labels.get(field, field)}：{message}" if field in labels else message
            for field, messages in exc.message_dict.items()
            for message in messages
        )
    return "；".join(getattr(exc, "messages", [str(exc)]))


@transaction.atomic
def issue_plan(
    plan: AnnualPlan, *, actor, expected_version: int | None, on: date | None = None
) -> AnnualPlan:
    """Issue the plan as read: every listed project enters the registry (or, already there, is linked), the plan
    is numbered and its .docx kept — all or nothing (see the module's docstring)."""
    current = _locked_plan(plan, actor, expected_version, acting=True)
    items = list(
        current.items.select_related(
            "reserve__region", "reserve__park", "reserve__owner", "responsible_unit", "headquarters"
        ).order_by("sequence", "id")
    )
    if not items:
        raise ValidationError(_("计划中还没有项目。"), code="state")
    problems: list[dict[str, Any]] = []
    made: list[tuple[ReserveProject, Project, bool]] = []
    for n, item in enumerate(items, start=1):
        reserve = ReserveProject.objects.select_for_update().get(pk=item.reserve_id)
        if reserve.project_id:  # already in the registry (a continuing project): linked, not made twice
            made.append((reserve, reserve.project, False))
            continue
        fields, children = registry_fields(item, current.year)
        try:
            with transaction.atomic():
                project = registry.create_project(fields, children, actor=actor)
        except (ValidationError, PermissionDenied) as exc:
            problems.append({"n": n, "item": item.pk, "name": reserve.name, "why": _why(exc)})
            continue
        made.append((reserve, project, True))
    if problems:
        raise IssueRefused(problems)
    for reserve, project, _new in made:
        reserve.project, reserve.state = project, ReserveState.REGISTERED
        reserve.version += 1
        reserve.save(update_fields=["project", "state", "version", "updated_at"])
    on = on or timezone.localdate()
    current.number = issue_document_number(settings.GONGJIAN_DOC_PREFIX, on.year)
    from gongjian.pipeline.exports import plan_document  # noqa: PLC0415  (exports reads the models)

    current.content = doc.render(plan_document(current, items, number=current.number, on=on))
    current.state, current.issued_at = PlanState.ISSUED, timezone.now()
    current.issued_by = audit.actor_or_none(actor)
    current.version += 1
    current.save()
    audit.record(
        "pipeline.plan.issue",
        actor=actor,
        obj=current,
        only_changes=False,
        after={
            "number": current.number,
            "title": current.title,
            "projects": [p.code for _r, p, _new in made],
            "created": [p.code for _r, p, new in made if new],
        },
    )
    return current


# Campaign batches (集中签约/开工/投产)


def _campaign_items(rows: list[dict[str, Any]]) -> list[CampaignItem]:
    """Items from {project | reserve, amount, note}, each checked; errors name the row."""
    items, errors = [], []
    seen: set[tuple[str, int]] = set()
    for n, row in enumerate(rows, start=1):
        project, reserve = row.get("project"), row.get("reserve")
        amount = row.get("amount")
        if (project is None) == (reserve is None):
            errors.append(_("第%(n)s行：请选择库内项目或储备项目之一。") % {"n": n})
            continue
        if not isinstance(amount, int) or isinstance(amount, bool) or not 0 <= amount <= 10**16:
            errors.append(_("第%(n)s行：金额须为非负金额。") % {"n": n})
            continue
        key = ("p", project.pk) if project is not None else ("r", reserve.pk)
        if key in seen:
            errors.append(_("第%(n)s行：项目重复。") % {"n": n})
            continue
        seen.add(key)
        items.append(
            CampaignItem(
                project=project, reserve=reserve, amount=amount, note=str(row.get("note") or "")[:200]
            )
        )
    if errors:
        raise ValidationError({"items": errors})
    return items


def _clean_campaign(campaign: Campaign) -> None:
    campaign.full_clean(exclude=["created_by"])
    if campaign.kind not in CampaignKind.values:  # full_clean said so already; kept for the type checker
        raise ValidationError({"kind": _("活动类型无效。")})


def _campaign_snapshot(campaign: Campaign) -> dict[str, Any]:
    data = audit.snapshot(campaign, CAMPAIGN_FIELDS)
    data["items"] = [
        f"{'p' if i.project_id else 'r'}{i.project_id or i.reserve_id}:{i.amount}"
        for i in campaign.items.all()
    ]
    return data


@transaction.atomic
def create_campaign(fields: dict[str, Any], items: list[dict[str, Any]], *, actor) -> Campaign:
    check_office(actor)
    campaign = Campaign(
        **{k: v for k, v in fields.items() if k in CAMPAIGN_FIELDS}, created_by=audit.actor_or_none(actor)
    )
    _clean_campaign(campaign)
    rows = _campaign_items(items)
    campaign.save()
    for row in rows:
        row.campaign = campaign
    CampaignItem.objects.bulk_create(rows)
    audit.record(
        "pipeline.campaign.create",
        actor=actor,
        obj=campaign,
        after=_campaign_snapshot(campaign),
        only_changes=False,
    )
    return campaign


@transaction.atomic
def update_campaign(
    campaign: Campaign,
    fields: dict[str, Any],
    *,
    actor,
    expected_version: int | None,
    items: list[dict[str, Any]] | None = None,
) -> Campaign:
    """Edit a campaign as read (``expected_version``); ``items``, when given, is its whole new list."""
    check_office(actor)
    current = Campaign.objects.select_for_update().get(pk=campaign.pk)
    check_version(current.version, expected_version, _("集中活动"))
    before = _campaign_snapshot(current)
    for name, value in fields.items():
        if name in CAMPAIGN_FIELDS:
            setattr(current, name, value)
    _clean_campaign(current)
    if items is not None:
        rows = _campaign_items(items)
        current.items.all().delete()
        for row in rows:
            row.campaign = current
        CampaignItem.objects.bulk_create(rows)
    current.version += 1
    current.save()
    audit.record(
        "pipeline.campaign.update", actor=actor, obj=current, before=before, after=_campaign_snapshot(current)
    )
    return current
