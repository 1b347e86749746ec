"""Who sees and changes what of the land ledgers: the task's service team (its members, and the headquarters or
street above it) for their own tasks, the project office, the principal leaders and the land auditor for all.
Personal data in full only for the team's members, the office and the auditor (``land.view_identity``)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from gongjian.land.models import Task
from gongjian.org.models import Unit
from gongjian.org.queries import person_of


def unit_of(user) -> Unit | None:
    if not getattr(user, "is_authenticated", False):
        return None
    person = person_of(user)
    return person.unit if person is not None and person.unit_id else None


def tasks_for(user) -> QuerySet[Task]:
    """The tasks ``user`` may read: all with ``land.view_all_tasks``; else those of a team the user belongs to
    or oversees (a headquarters or street above it), and those with a village the user takes (分包村居)."""
    tasks = Task.objects.select_related("team", "park", "project")
    if not getattr(user, "is_authenticated", False) or not user.has_perm("land.view_task"):
        return tasks.none()
    if user.has_perm("land.view_all_tasks"):
        return tasks
    # 分包村居: a leader who takes a village of the task sees it
    leads = Q(pk__in=Task.objects.filter(villages__leader__user=user).values("pk"))
    unit = unit_of(user)
    if unit is None:
        return tasks.filter(leads)
    ancestors = [int(pk) for pk in unit.path.strip("/").split("/") if pk]
    return tasks.filter(Q(team__path__startswith=unit.path) | Q(team_id__in=ancestors) | leads)


def is_team_member(user, task: Task) -> bool:
    unit = unit_of(user)
    return bool(unit is not None and unit.path.startswith(task.team.path))


def reads_in_full(user, task: Task) -> bool:
    """Whether ``user`` reads the households' names and ID numbers unmasked."""
    return bool(getattr(user, "is_authenticated", False)) and (
        user.has_perm("land.view_identity") or is_team_member(user, task)
    )


def keeps_ledger(user, task: Task) -> bool:
    """The team's members and the office (``land.view_all_tasks`` with the change permission) keep the ledger."""
    if not user.has_perm("land.change_household"):
        return False
    return is_team_member(user, task) or user.has_perm("land.view_all_tasks")
