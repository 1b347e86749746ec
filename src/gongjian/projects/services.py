"""Changing the registry. Every write goes through here: one transaction, a permission check, an audit event."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F, ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.core import audit
from gongjian.core.locking import Stale, check_version
from gongjian.core.models import next_serial, peek_serial, raise_serial
from gongjian.core.money import split_evenly
from gongjian.org.models import Person
from gongjian.projects.models import DEKADS_PER_YEAR, AnnualPlan, Approval, Milestone, Project, ProjectLeader

PROJECT_FIELDS = [
    "code", "national_code", "name", "category", "nature", "level", "funding", "year", "region", "park",
    "location", "longitude", "latitude", "owner", "responsible_unit", "headquarters", "commander", "contact_person", "contact_phone",
    "content", "total_investment", "planned_start", "planned_completion", "actual_start", "actual_completion",
    "land_area_mu", "land_status", "expected_output", "expected_tax", "expected_jobs", "foreign_investment_usd",
    "party_branch", "party_secretary", "is_archived",
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


def snapshot_project(project: Project) -> dict[str, Any]:
    """Everything about a project, as an audit event shows it before and after a change."""
    data = audit.snapshot(project, [f.attname for f in Project._meta.concrete_fields
                                    if f.attname not in {"created_at", "updated_at"}])
    data["plans"] = {str(p.year): p.dekads for p in project.plans.all()}
    data["leaders"] = sorted(f"{link.person_id}:{link.role}" for link in project.leader_links.all())
    data["milestones"] = [
        {"kind": m.kind, "name": m.name, "planned": audit._plain(m.planned_date), "actual": audit._plain(m.actual_date)}
        for m in project.milestones.all()
    ]
    data["approvals"] = [
        {"kind": a.kind, "name": a.name, "status": a.status, "document_no": a.document_no,
         "approved_on": audit._plain(a.approved_on)}
        for a in project.approvals.all()
    ]
    return data


CODE_COUNTER = "项目编号"


def _highest_code_number(year: int) -> int:
    """The highest serial among the year's registry codes (``2026-0037`` → 37): read once, when the year's counter
    is first made."""
    prefix = f"{year}-"
    codes = Project.objects.filter(code__startswith=prefix).values_list("code", flat=True)
    return max((int(c[len(prefix):]) for c in codes if c[len(prefix):].isdigit()), default=0)


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
            names = "、".join(sorted({str(obj.milestone) for obj in exc.protected_objects
                                     if hasattr(obj, "milestone")} or {str(r) for r in removed}))
            raise ValidationError({model.__name__.lower() + "s": _(
                "%(names)s 已被报表引用，不能删除；可以修改它的日期或名称。") % {"names": names}}) from None
    if changed:
        model.objects.bulk_update(changed, fields, batch_size=500)
    model.objects.bulk_create(created, batch_size=500)


def _write_children(project: Project, children: ProjectChildren) -> None:
    if children.plan_dekads is not None:
        year = children.plan_year or project.year
        if len(children.plan_dekads) != DEKADS_PER_YEAR or any(v < 0 for v in children.plan_dekads):
            raise ValidationError({"plan": _("分旬计划须为36个非负金额。")})
        AnnualPlan.objects.update_or_create(project=project, year=year,
                                            defaults={"dekads": list(children.plan_dekads),
                                                      "total": sum(children.plan_dekads)})
    if children.leaders is not None:
        sync_children(ProjectLeader, {project.pk: [
            ProjectLeader(project=project, person=person, role=role) for person, role in children.leaders]})
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
    if values.get("code"):
        claim_project_code(values["code"])
    else:
        values["code"] = next_project_code(values["year"])
    project = Project(**values)
    project.full_clean()
    _check_plan_fits(project, children)
    project.save()
    _write_children(project, children)
    audit.record("project.create", actor=actor, obj=project, after=snapshot_project(project), only_changes=False)
    return project


# The yardstick a project is judged against (DESIGN: baselines): the office owns it; a unit may not move it.
BASELINE_FIELDS = {"total_investment": _("总投资"), "responsible_unit": _("责任单位"),
                   "headquarters": _("指挥部")}


def _check_baseline(current: Project, fields: dict[str, Any], children: ProjectChildren, actor) -> None:
    """Refuse, naming them, the changes of the baseline by someone who does not own it."""
    if actor is None or actor.has_perm("projects.change_baseline"):
        return
    moved = [str(label) for name, label in BASELINE_FIELDS.items()
             if name in fields and _id_of(fields[name]) != _id_of(getattr(current, name))]
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
        if any(m.get("id") in planned and m.get("planned_date") != planned[m["id"]] for m in children.milestones) \
                or {m.get("id") for m in children.milestones} != set(planned):
            moved.append(str(_("形象进度节点计划")))
    if moved:
        raise PermissionDenied(_("%(fields)s 是考核的基准，只有项目办可以调整；请向项目办提出调整申请。")
                               % {"fields": "、".join(moved)})


def _id_of(value: Any) -> Any:
    return getattr(value, "pk", value)


@transaction.atomic
def update_project(project: Project, fields: dict[str, Any], children: ProjectChildren | None = None, *,
                   actor, expected_version: int | None = None) -> Project:
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
    if actor is not None and not (actor.has_perm("projects.delete_project")
                                  and Project.objects.in_scope(actor).filter(pk=project.pk).exists()):
        raise PermissionDenied(_("无权删除该项目。"))
    project = Project.objects.select_for_update().get(pk=project.pk)
    _check_project_version(project, expected_version, acting=True)
    before = snapshot_project(project)
    pk, text = project.pk, str(project)
    project.delete()
    audit.record("project.delete", actor=actor, object_type="projects.project", object_id=str(pk),
                 object_repr=text, before=before, only_changes=False)
