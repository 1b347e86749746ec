"""Changing the registry. Every write goes through here: one transaction, a permission check, an audit event."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.core import audit
from gongjian.core.locking import ANY_VERSION, Stale, check_version
from gongjian.core.models import ClosedPeriod, next_serial, peek_serial, raise_serial
from gongjian.core.money import split_evenly
from gongjian.core.periods import Period
from gongjian.jobs import services as jobs
from gongjian.org.choices import UnitKind
from gongjian.org.models import Person, Unit
from gongjian.projects.choices import ChangeState, LeaderRole
from gongjian.projects.models import (
    DEKADS_PER_YEAR,
    AnnualPlan,
    Approval,
    BaselineChange,
    BaselineVersion,
    Milestone,
    Project,
    ProjectLeader,
)
from gongjian.projects.queries import BASELINE_KEYS, baseline_of

PROJECT_FIELDS = [
    "code",
    "national_code",
    "name",
    "category",
    "nature",
    "level",
    "batch",
    "funding",
    "year",
    "region",
    "park",
    "location",
    "longitude",
    "latitude",
    "owner",
    "responsible_unit",
    "headquarters",
    "commander",
    "contact_person",
    "contact_phone",
    "content",
    "total_investment",
    "planned_start",
    "planned_completion",
    "actual_start",
    "actual_completion",
    "land_area_mu",
    "land_status",
    "expected_output",
    "expected_tax",
    "expected_jobs",
    "foreign_investment_usd",
    "party_branch",
    "party_secretary",
    "is_archived",
]


class StaleVersion(Stale):
    """The project changed since the editor loaded it (``current_version`` says which version is there)."""


def _check_project_version(current: Project, expected_version: int | None, *, acting: bool = False) -> None:
    try:
        check_version(current.version, expected_version, _("项目"), acting=acting)
    except Stale as exc:
        raise StaleVersion(exc.messages[0], current_version=exc.current_version) from None


@dataclass
class ProjectChildren:
    """What belongs to a project besides its own fields. ``None`` in a slot means "leave as it is"."""

    plan_year: int | None = None
    plan_dekads: list[int] | None = None
    leaders: list[tuple[Person, str]] | None = None
    milestones: list[dict[str, Any]] | None = None
    approvals: list[dict[str, Any]] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def dekads_from_months(months: Sequence[int]) -> list[int]:
    """Split twelve monthly amounts into 36 dekads, evenly within each month (the sum is kept exactly)."""
    if len(months) != 12:
        raise ValueError("twelve monthly amounts expected")
    return [amount for month in months for amount in split_evenly(int(month), 3)]


def snapshot_project(project: Project, *, childless: bool = False) -> dict[str, Any]:
    """Everything about a project, as an audit event shows it before and after a change (``childless``: a project
    just made without plans, leaders, milestones or approvals, so there are none to read)."""
    data = audit.snapshot(
        project,
        [f.attname for f in Project._meta.concrete_fields if f.attname not in {"created_at", "updated_at"}],
    )
    if childless:
        return data | {"plans": {}, "leaders": [], "milestones": [], "approvals": []}
    data["plans"] = {str(p.year): p.dekads for p in project.plans.all()}
    data["leaders"] = sorted(f"{link.person_id}:{link.role}" for link in project.leader_links.all())
    data["milestones"] = [
        {
            "kind": m.kind,
            "name": m.name,
            "planned": audit._plain(m.planned_date),
            "actual": audit._plain(m.actual_date),
        }
        for m in project.milestones.all()
    ]
    data["approvals"] = [
        {
            "kind": a.kind,
            "name": a.name,
            "status": a.status,
            "document_no": a.document_no,
            "approved_on": audit._plain(a.approved_on),
        }
        for a in project.approvals.all()
    ]
    return data


CODE_COUNTER = "项目编号"


def _highest_code_number(year: int) -> int:
    """The highest serial among the year's registry codes (``2026-0037`` → 37): read once, when the year's counter
    is first made."""
    prefix = f"{year}-"
    codes = Project.objects.filter(code__startswith=prefix).values_list("code", flat=True)
    return max((int(c[len(prefix) :]) for c in codes if c[len(prefix) :].isdigit()), default=0)


def _code_parts(code: str) -> tuple[int, int] | None:
    """The year and serial of a code in the registry's own form (``2026-0037`` → (2026, 37)), else None."""
    year, dash, serial = code.partition("-")
    if dash and len(year) == 4 and year.isdigit() and serial.isdigit() and len(serial) <= 9:
        return int(year), int(serial)
    return None


def reserve_project_codes(year: int, count: int = 1) -> list[str]:
    """``count`` new registry codes of ``year`` from the year's counter (one locked row, never repeated); call
    inside the transaction that saves the projects, so a rollback gives them back."""
    first = next_serial(CODE_COUNTER, year, count=count, floor=lambda: _highest_code_number(year))
    return [f"{year}-{n:04d}" for n in range(first, first + count)]


def next_project_code(year: int) -> str:
    """The next registry code of a year, e.g. ``2026-0037`` (reserved: see :func:`reserve_project_codes`)."""
    return reserve_project_codes(year)[0]


def preview_project_code(year: int) -> str:
    """The code the next project of ``year`` would get now, for a form or an import preview; reserves nothing."""
    return f"{year}-{peek_serial(CODE_COUNTER, year, floor=lambda: _highest_code_number(year)):04d}"


def claim_project_codes(codes) -> None:
    """Many codes at once (an import): each year's counter moves once, past the highest of them."""
    highest: dict[int, int] = {}
    for code in codes:
        parts = _code_parts(code)
        if parts is not None:
            highest[parts[0]] = max(highest.get(parts[0], 0), parts[1])
    for year, serial in highest.items():
        raise_serial(CODE_COUNTER, year, serial, floor=lambda year=year: _highest_code_number(year))


def claim_project_code(code: str) -> None:
    """A code given by hand in the registry's own form moves its year's counter past it, so the counter never
    hands it out again."""
    parts = _code_parts(code)
    if parts is not None:
        year, serial = parts
        raise_serial(CODE_COUNTER, year, serial, floor=lambda: _highest_code_number(year))


def _child_key(item: models.Model) -> tuple:
    """What identifies a child of a project when no id comes with it: a leader by person, a milestone or an
    approval by kind and name."""
    if isinstance(item, ProjectLeader):
        return (item.person_id,)
    return (item.kind, item.name)


CHILD_FIELDS = {
    ProjectLeader: ["role"],
    Milestone: ["kind", "name", "planned_date", "actual_date", "sequence", "note"],
    Approval: ["kind", "name", "status", "document_no", "authority", "planned_date", "approved_on", "note"],
}


def sync_children(model: type[models.Model], wanted: dict[int, list[models.Model]]) -> None:
    """Make the projects' children of ``model`` what ``wanted`` lists ({project id: unsaved or id-carrying
    objects}), in place: a child that stays keeps its row and id (reports, cases and scores point at it), a
    changed one is updated, a new one inserted, and one no longer listed is deleted only when nothing refers to
    it — otherwise the change is refused, naming it."""
    if not wanted:
        return
    fields = CHILD_FIELDS[model]
    existing: dict[int, list[models.Model]] = {}
    for row in model.objects.filter(project_id__in=list(wanted)).order_by("pk"):
        existing.setdefault(row.project_id, []).append(row)
    changed, created, removed = [], [], []
    for project_id, items in wanted.items():
        rows = existing.get(project_id, [])
        by_id = {row.pk: row for row in rows}
        unmatched = {row.pk: row for row in rows}
        for item in items:
            row = by_id.get(item.pk) if item.pk else None
            if row is None:
                row = next((r for r in unmatched.values() if _child_key(r) == _child_key(item)), None)
            if row is None:
                item.pk, item.project_id = None, project_id
                created.append(item)
                continue
            unmatched.pop(row.pk, None)
            if any(getattr(row, name) != getattr(item, name) for name in fields):
                for name in fields:
                    setattr(row, name, getattr(item, name))
                changed.append(row)
        removed.extend(unmatched.values())
    if removed:
        try:
            with transaction.atomic():
                model.objects.filter(pk__in=[row.pk for row in removed]).delete()
        except ProtectedError as exc:
            names = "、".join(
                sorted(
                    {str(obj.milestone) for obj in exc.protected_objects if hasattr(obj, "milestone")}
                    or {str(r) for r in removed}
                )
            )
            raise ValidationError(
                {
                    model.__name__.lower() + "s": _(
                        "%(names)s 已被报表引用，不能删除；可以修改它的日期或名称。"
                    )
                    % {"names": names}
                }
            ) from None
    if changed:
        model.objects.bulk_update(changed, fields, batch_size=500)
    model.objects.bulk_create(created, batch_size=500)


def _write_children(project: Project, children: ProjectChildren) -> None:
    if children.plan_dekads is not None:
        year = children.plan_year or project.year
        if len(children.plan_dekads) != DEKADS_PER_YEAR or any(v < 0 for v in children.plan_dekads):
            raise ValidationError({"plan": _("分旬计划须为36个非负金额。")})
        AnnualPlan.objects.update_or_create(
            project=project,
            year=year,
            defaults={"dekads": list(children.plan_dekads), "total": sum(children.plan_dekads)},
        )
    if children.leaders is not None:
        sync_children(
            ProjectLeader,
            {
                project.pk: [
                    ProjectLeader(project=project, person=person, role=role)
                    for person, role in children.leaders
                ]
            },
        )
    if children.milestones is not None:
        items = [Milestone(project=project, sequence=i, **m) for i, m in enumerate(children.milestones)]
        for item in items:
            item.full_clean(exclude=["project", "id"])
        sync_children(Milestone, {project.pk: items})
    if children.approvals is not None:
        items = [Approval(project=project, **a) for a in children.approvals]
        for item in items:
            item.full_clean(exclude=["project", "id"])
        sync_children(Approval, {project.pk: items})


def _check_plan_fits(project: Project, children: ProjectChildren) -> None:
    if children.plan_dekads is not None and sum(children.plan_dekads) > project.total_investment:
        raise ValidationError({"plan": _("年度计划投资不能超过总投资。")})


@transaction.atomic
def create_project(fields: dict[str, Any], children: ProjectChildren | None = None, *, actor) -> Project:
    if actor is not None and not actor.has_perm("projects.add_project"):
        raise PermissionDenied(_("无权新建项目。"))
    children = children or ProjectChildren()
    values = {k: v for k, v in fields.items() if k in PROJECT_FIELDS}
    values.setdefault("year", timezone.localdate().year)
    if not isinstance(values["year"], int) or not 2000 <= values["year"] <= 2100:
        raise ValidationError({"year": _("入库年度须在 2000 到 2100 之间。")})
    numbered = not values.get("code")  # the registry gives the code
    if not numbered:
        claim_project_code(values["code"])
    project = Project(**values)
    project.full_clean(exclude=_checked_already(values) + (["code"] if numbered else []))
    _check_plan_fits(project, children)
    if numbered:
        # Taken last: the year's counter stays locked from here to the commit, and every other creation waits.
        project.code = next_project_code(values["year"])
    try:
        project.save()
    except IntegrityError:  # the only unique column: a code the counter gave that someone had typed unclaimed
        raise ValidationError({"code": project.unique_error_message(Project, ("code",))}) from None
    _write_children(project, children)
    childless = all(
        slot is None
        for slot in (children.plan_dekads, children.leaders, children.milestones, children.approvals)
    )
    audit.record(
        "project.create",
        actor=actor,
        obj=project,
        after=snapshot_project(project, childless=childless),
        only_changes=False,
    )
    return project


def _checked_already(values: dict[str, Any]) -> list[str]:
    """The foreign keys given as rows just read from the database, which full_clean need not look up again (one
    query each); one with limit_choices_to is still checked."""
    return [
        name
        for name, value in values.items()
        if isinstance(value, models.Model)
        and not value._state.adding
        and not Project._meta.get_field(name).get_limit_choices_to()
    ]


# The yardstick a project is judged against (DESIGN: baselines): the office owns it; a unit may not move it.
BASELINE_FIELDS = {
    "total_investment": _("总投资"),
    "responsible_unit": _("责任单位"),
    "headquarters": _("指挥部"),
}


def _check_baseline(current: Project, fields: dict[str, Any], children: ProjectChildren, actor) -> None:
    """Refuse, naming them, the changes of the baseline by someone who does not own it."""
    if actor is None or actor.has_perm("projects.change_baseline"):
        return
    moved = [
        str(label)
        for name, label in BASELINE_FIELDS.items()
        if name in fields and _id_of(fields[name]) != _id_of(getattr(current, name))
    ]
    if children.plan_dekads is not None:
        plan = current.plan_for(children.plan_year or current.year)
        if (plan.dekads if plan else [0] * DEKADS_PER_YEAR) != list(children.plan_dekads):
            moved.append(str(_("年度分旬计划")))
    if children.leaders is not None:
        now = sorted((link.person_id, link.role) for link in current.leader_links.all())
        if sorted((person.pk, role) for person, role in children.leaders) != now:
            moved.append(str(_("包挂领导")))
    if children.milestones is not None:
        planned = {m.pk: m.planned_date for m in current.milestones.all()}
        if any(
            m.get("id") in planned and m.get("planned_date") != planned[m["id"]] for m in children.milestones
        ) or {m.get("id") for m in children.milestones} != set(planned):
            moved.append(str(_("形象进度节点计划")))
    if moved:
        raise PermissionDenied(
            _("%(fields)s 是考核的基准，只有项目办可以调整；请向项目办提出调整申请。")
            % {"fields": "、".join(moved)}
        )


def _id_of(value: Any) -> Any:
    return getattr(value, "pk", value)


@transaction.atomic
def update_project(
    project: Project,
    fields: dict[str, Any],
    children: ProjectChildren | None = None,
    *,
    actor,
    expected_version: int | None = None,
) -> Project:
    """Change a project's fields and children. ``expected_version`` is the version the editor loaded (a change
    without it, or from another version, is stale: gongjian.core.locking)."""
    if actor is not None and not Project.objects.editable_by(actor).filter(pk=project.pk).exists():
        raise PermissionDenied(_("无权修改该项目。"))
    children = children or ProjectChildren()
    current = Project.objects.select_for_update().get(pk=project.pk)
    _check_project_version(current, expected_version)
    _check_baseline(current, fields, children, actor)
    before = snapshot_project(current)
    if fields.get("code") and fields["code"] != current.code:
        claim_project_code(fields["code"])
    for name, value in fields.items():
        if name in PROJECT_FIELDS:
            setattr(current, name, value)
    current.full_clean()
    _check_plan_fits(current, children)
    current.version = F("version") + 1
    current.save()
    current.refresh_from_db()
    _write_children(current, children)
    audit.record("project.update", actor=actor, obj=current, before=before, after=snapshot_project(current))
    return current


@transaction.atomic
def delete_project(project: Project, *, actor, expected_version: int | None = None) -> None:
    """Delete a project as the deleter saw it (``expected_version``): a project changed since is not deleted."""
    if actor is not None and not (
        actor.has_perm("projects.delete_project")
        and Project.objects.in_scope(actor).filter(pk=project.pk).exists()
    ):
        raise PermissionDenied(_("无权删除该项目。"))
    project = Project.objects.select_for_update().get(pk=project.pk)
    _check_project_version(project, expected_version, acting=True)
    before = snapshot_project(project)
    pk, text = project.pk, str(project)
    project.delete()
    audit.record(
        "project.delete",
        actor=actor,
        object_type="projects.project",
        object_id=str(pk),
        object_repr=text,
        before=before,
        only_changes=False,
    )


# Baselines (基准): a unit proposes a change, the office approves it as a new version


def may_propose_baseline(user, project: Project) -> bool:
    return bool(
        user.has_perm("projects.change_project")
        and Project.objects.in_scope(user).filter(pk=project.pk).exists()
    )


def _effective_period(text: str, project: Project) -> Period:
    """The ten-day period a change takes effect from: a real one, later than the current baseline's start, and
    not one whose assessment has been published (published results are never measured again)."""
    try:
        period = Period.parse(str(text or ""))
    except ValueError:
        raise ValidationError(
            {"effective_from": _("生效期别无效，应为某年某月某旬，如 2026年11月中旬。")}
        ) from None
    if period.dekad is None:
        period = period.dekads()[0] if period.month else Period(period.year, 1, 1)
    if not 2000 <= period.year <= 2100:
        raise ValidationError({"effective_from": _("生效期别须在 2000 到 2100 年之间。")})
    if project.baseline_from and period <= Period.parse(project.baseline_from):
        raise ValidationError(
            {
                "effective_from": _("现行基准自 %(from)s 起执行，调整须自其后的期别起生效。")
                % {"from": Period.parse(project.baseline_from)}
            }
        )
    closed = ClosedPeriod.latest_from(period.start)
    if closed:
        raise ValidationError(
            {
                "effective_from": _(
                    "%(period)s 的考核结果已发布，调整只能自其后的期别起生效（已发布的结果不再重算）。"
                )
                % {"period": Period.parse(closed)}
            }
        )
    return period


def _clean_proposal(project: Project, data: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """The proposed values that differ from ``current``, checked; raise naming the field otherwise."""
    unknown = set(data) - set(BASELINE_KEYS)
    if unknown:
        raise ValidationError(
            {"proposed": _("不能调整的字段：%(names)s") % {"names": "、".join(sorted(unknown))}}
        )
    out: dict[str, Any] = {}
    if data.get("total_investment") is not None:
        value = data["total_investment"]
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 10**16:
            raise ValidationError({"total_investment": _("总投资须为 0 到 1 万亿万元之间的金额。")})
        if value != current["total_investment"]:
            out["total_investment"] = value
    for key in ("responsible_unit", "headquarters"):
        if data.get(key) is not None and (not isinstance(data[key], int) or not 0 < data[key] < 2**31):
            raise ValidationError({key: _("单位编号无效。")})
    if "responsible_unit" in data and data["responsible_unit"] != current["responsible_unit"]:
        unit = (
            Unit.objects.filter(pk=data["responsible_unit"])
            .exclude(kind__in=[UnitKind.ENTERPRISE, UnitKind.STATE_ENTERPRISE])
            .first()
        )
        if unit is None:
            raise ValidationError({"responsible_unit": _("责任单位须为本系统中的机关或园区单位。")})
        out["responsible_unit"] = unit.pk
    if "headquarters" in data and data["headquarters"] != current["headquarters"]:
        if (
            data["headquarters"] is not None
            and not Unit.objects.filter(pk=data["headquarters"], kind=UnitKind.HEADQUARTERS).exists()
        ):
            raise ValidationError({"headquarters": _("指挥部不存在。")})
        out["headquarters"] = data["headquarters"]
    if data.get("leaders") is not None:
        try:
            links = [[int(p), str(r)] for p, r in data["leaders"]]
        except (TypeError, ValueError):
            raise ValidationError({"leaders": _("包挂领导格式无效。")}) from None
        if any(not 0 < p < 2**31 for p, _r in links):
            raise ValidationError({"leaders": _("包挂领导编号无效。")})
        if any(r not in LeaderRole.values for _p, r in links) or len({p for p, _r in links}) != len(links):
            raise ValidationError({"leaders": _("包挂领导有重复或角色无效。")})
        if Person.objects.filter(pk__in=[p for p, _r in links]).count() != len(links):
            raise ValidationError({"leaders": _("包挂领导中有人不在系统中。")})
        if sorted(links) != current["leaders"]:
            out["leaders"] = sorted(links)
    for year, dekads in (data.get("plans") or {}).items():
        if not str(year).isdigit() or not 2000 <= int(year) <= 2100:
            raise ValidationError({"plans": _("计划年度须在 2000 到 2100 之间。")})
        if len(dekads) != DEKADS_PER_YEAR or any(
            not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= 10**16 for v in dekads
        ):
            raise ValidationError({"plans": _("%(year)s年分旬计划须为36个非负金额。") % {"year": year}})
        if list(dekads) != (current["plans"].get(str(year)) or [0] * DEKADS_PER_YEAR):
            out.setdefault("plans", {})[str(year)] = list(dekads)
    total = out.get("total_investment", current["total_investment"])
    for year, dekads in out.get("plans", {}).items():
        if sum(dekads) > total:
            raise ValidationError({"plans": _("%(year)s年计划投资不能超过总投资。") % {"year": year}})
    for pk, day in (data.get("milestones") or {}).items():
        if str(pk) not in current["milestones"]:
            raise ValidationError({"milestones": _("节点 %(pk)s 不属于该项目。") % {"pk": pk}})
        try:
            value = day if isinstance(day, date) else date.fromisoformat(str(day))
        except ValueError:
            raise ValidationError({"milestones": _("节点计划日期无效：%(day)s") % {"day": day}}) from None
        if not date(2000, 1, 1) <= value <= date(2100, 12, 31):
            raise ValidationError({"milestones": _("节点计划日期须在 2000 到 2100 年之间。")})
        if value.isoformat() != current["milestones"][str(pk)]:
            out.setdefault("milestones", {})[str(pk)] = value.isoformat()
    if not out:
        raise ValidationError({"proposed": _("调整内容与现行基准相同，没有要调整的内容。")})
    return out


@transaction.atomic
def propose_baseline_change(
    project: Project, proposed: dict[str, Any], *, reason: str, effective_from: str, actor
) -> BaselineChange:
    """A unit asks the office to change the project's baseline from a ten-day period, saying why; nothing is
    measured differently until the office approves. One open proposal per project."""
    if actor is not None and not may_propose_baseline(actor, project):
        raise PermissionDenied(_("无权为该项目提出基准调整申请。"))
    current = Project.objects.select_for_update().get(pk=project.pk)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请写明调整理由。")})
    if len(reason) > 1000:
        raise ValidationError({"reason": _("调整理由不能超过 1000 字。")})
    period = _effective_period(effective_from, current)
    before = baseline_of(current)
    changes = _clean_proposal(current, proposed, before)
    if BaselineChange.objects.filter(project=current, state=ChangeState.PROPOSED).exists():
        raise ValidationError({"proposed": _("该项目已有待审批的调整申请，请等项目办审批或撤回后再提。")})
    change = BaselineChange.objects.create(
        project=current,
        effective_from=period.code,
        reason=reason,
        proposed=changes,
        before={
            key: before[key]
            if key not in ("plans", "milestones")
            else {k: before[key].get(k) for k in changes[key]}
            for key in changes
        },
        proposed_by=audit.actor_or_none(actor),
    )
    audit.record(
        "baseline.propose",
        actor=actor,
        obj=change,
        after={"project": current.code, "effective_from": period.code, "reason": reason, "proposed": changes},
        only_changes=False,
    )
    return change


def _locked_change(change: BaselineChange, expected_version: int | None) -> BaselineChange:
    """The proposal, locked, as the decider saw it and still open; else stale (409)."""
    current = BaselineChange.objects.select_for_update().select_related("project").get(pk=change.pk)
    check_version(current.version, expected_version, _("调整申请"), acting=True)
    if current.state != ChangeState.PROPOSED:  # decided already (the version moved with it)
        raise Stale(
            _("该调整申请已%(state)s，请刷新后查看。") % {"state": current.get_state_display()},
            current_version=current.version,
        )
    return current


@transaction.atomic
def approve_baseline_change(
    change: BaselineChange, *, actor, expected_version: int | None, note: str = "", relight: bool = True
) -> BaselineChange:
    """The office approves: the current baseline is kept as a superseded version in force until the change's
    period, the registry takes the new values as baseline number n + 1, and the project's lights are lit again
    (periods before the change keep the old yardstick)."""
    if actor is not None and not actor.has_perm("projects.change_baseline"):
        raise PermissionDenied(_("只有项目办可以批准基准调整。"))
    current = _locked_change(change, expected_version)
    project = Project.objects.select_for_update().get(pk=current.project_id)
    period = _effective_period(current.effective_from, project)
    now = baseline_of(project)
    changes = _clean_proposal(project, current.proposed, now)  # checked again: the registry may have moved
    BaselineVersion.objects.create(
        project=project,
        number=project.baseline,
        content=now,
        valid_from=project.baseline_from,
        valid_until=period.code,
        starts_on=Period.parse(project.baseline_from).start if project.baseline_from else None,
        ends_on=period.start,
        replaced_by=current,
    )
    fields = {key: changes[key] for key in ("total_investment",) if key in changes}
    fields |= {
        key: (changes[key] and _unit(changes[key]))
        for key in ("responsible_unit", "headquarters")
        if key in changes
    }
    children = ProjectChildren()
    if "leaders" in changes:
        people = Person.objects.in_bulk([p for p, _r in changes["leaders"]])
        children.leaders = [(people[p], r) for p, r in changes["leaders"]]
    if "milestones" in changes:
        children.milestones = [
            {
                "id": m.pk,
                "kind": m.kind,
                "name": m.name,
                "actual_date": m.actual_date,
                "note": m.note,
                "planned_date": date.fromisoformat(
                    changes["milestones"].get(str(m.pk), m.planned_date.isoformat())
                ),
            }
            for m in project.milestones.order_by("sequence", "planned_date", "pk")
        ]
    project = update_project(
        project, fields, children, actor=actor, expected_version=ANY_VERSION
    )  # locked above
    for year, dekads in changes.get("plans", {}).items():
        _write_children(project, ProjectChildren(plan_year=int(year), plan_dekads=dekads))
    Project.objects.filter(pk=project.pk).update(baseline=F("baseline") + 1, baseline_from=period.code)
    project.refresh_from_db()
    current.state, current.number = ChangeState.APPROVED, project.baseline
    current.decided_by = audit.actor_or_none(actor)
    current.decided_at, current.decision_note = timezone.now(), (note or "").strip()[:500]
    current.version += 1
    current.save()
    audit.record(
        "baseline.approve",
        actor=actor,
        obj=current,
        before={"baseline": project.baseline - 1},
        after={
            "project": project.code,
            "baseline": project.baseline,
            "effective_from": period.code,
            "changes": changes,
            "note": current.decision_note,
        },
        only_changes=False,
    )
    if relight and period.year <= timezone.localdate().year:
        jobs.start(
            "lights.relight",
            {"project_ids": [project.pk], "year": period.year},
            actor=actor,
            label=_("按新基准重算红绿灯：%(p)s") % {"p": project.name},
            audited=False,
        )
    return current


def _unit(pk: int):
    return Unit.objects.get(pk=pk)


@transaction.atomic
def refuse_baseline_change(
    change: BaselineChange, *, actor, expected_version: int | None, note: str
) -> BaselineChange:
    """The office refuses, saying why; the baseline stays as it is."""
    if actor is not None and not actor.has_perm("projects.change_baseline"):
        raise PermissionDenied(_("只有项目办可以审批基准调整。"))
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("不予批准须写明理由。")})
    current = _locked_change(change, expected_version)
    current.state, current.decision_note = ChangeState.REFUSED, note[:500]
    current.decided_by = audit.actor_or_none(actor)
    current.decided_at = timezone.now()
    current.version += 1
    current.save()
    audit.record(
        "baseline.refuse", actor=actor, obj=current, after={"note": current.decision_note}, only_changes=False
    )
    return current


@transaction.atomic
def withdraw_baseline_change(
    change: BaselineChange, *, actor, expected_version: int | None
) -> BaselineChange:
    """The proposer (or anyone of the units who may propose for the project) takes the proposal back."""
    if actor is not None and not may_propose_baseline(actor, change.project):
        raise PermissionDenied(_("无权撤回该调整申请。"))
    current = _locked_change(change, expected_version)
    current.state = ChangeState.WITHDRAWN
    current.version += 1
    current.save()
    audit.record(
        "baseline.withdraw", actor=actor, obj=current, after={"state": current.state}, only_changes=False
    )
    return current
