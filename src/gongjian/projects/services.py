"""Changing the registry. Every write goes through here: one transaction, a permission check, an audit event."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.core import audit
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


class StaleVersion(ValidationError):
    """The project changed since the editor loaded it."""


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


def next_project_code(year: int) -> str:
    """The next free registry code of a year, e.g. ``2026-0037``."""
    prefix = f"{year}-"
    codes = Project.objects.filter(code__startswith=prefix).values_list("code", flat=True)
    numbers = [int(c[len(prefix):]) for c in codes if c[len(prefix):].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:04d}"


def _write_children(project: Project, children: ProjectChildren) -> None:
    if children.plan_dekads is not None:
        year = children.plan_year or project.year
        if len(children.plan_dekads) != DEKADS_PER_YEAR or any(v < 0 for v in children.plan_dekads):
            raise ValidationError({"plan": _("分旬计划须为36个非负金额。")})
        AnnualPlan.objects.update_or_create(project=project, year=year,
                                            defaults={"dekads": list(children.plan_dekads),
                                                      "total": sum(children.plan_dekads)})
    if children.leaders is not None:
        project.leader_links.all().delete()
        ProjectLeader.objects.bulk_create(
            ProjectLeader(project=project, person=person, role=role) for person, role in children.leaders
        )
    if children.milestones is not None:
        project.milestones.all().delete()
        items = [Milestone(project=project, sequence=i, **m) for i, m in enumerate(children.milestones)]
        for item in items:
            item.full_clean(exclude=["project"])
        Milestone.objects.bulk_create(items)
    if children.approvals is not None:
        project.approvals.all().delete()
        items = [Approval(project=project, **a) for a in children.approvals]
        for item in items:
            item.full_clean(exclude=["project"])
        Approval.objects.bulk_create(items)


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
    if not values.get("code"):
        values["code"] = next_project_code(values["year"])
    project = Project(**values)
    project.full_clean()
    _check_plan_fits(project, children)
    project.save()
    _write_children(project, children)
    audit.record("project.create", actor=actor, obj=project, after=snapshot_project(project), only_changes=False)
    return project


@transaction.atomic
def update_project(project: Project, fields: dict[str, Any], children: ProjectChildren | None = None, *,
                   actor, expected_version: int | None = None) -> Project:
    """Change a project's fields and children. ``expected_version`` is the version the editor loaded."""
    if actor is not None and not Project.objects.editable_by(actor).filter(pk=project.pk).exists():
        raise PermissionDenied(_("无权修改该项目。"))
    children = children or ProjectChildren()
    current = Project.objects.select_for_update().get(pk=project.pk)
    if expected_version is not None and current.version != expected_version:
        raise StaleVersion(
            _("该项目已被他人修改（当前版本 %(v)d），请刷新后重新编辑。") % {"v": current.version}, code="stale"
        )
    before = snapshot_project(current)
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
def delete_project(project: Project, *, actor) -> None:
    if actor is not None and not (actor.has_perm("projects.delete_project")
                                  and Project.objects.in_scope(actor).filter(pk=project.pk).exists()):
        raise PermissionDenied(_("无权删除该项目。"))
    before = snapshot_project(project)
    pk, text = project.pk, str(project)
    project.delete()
    audit.record("project.delete", actor=actor, object_type="projects.project", object_id=str(pk),
                 object_repr=text, before=before, only_changes=False)
