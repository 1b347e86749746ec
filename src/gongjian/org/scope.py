"""Data scope (数据权限): which units, regions and assignments a user's projects come from.

Every list, page, export and service asks :func:`scope_for` through ``Project.objects.in_scope(user)``; nothing
is only hidden in a template.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models.signals import post_delete, post_save

from gongjian.accounts import access
from gongjian.org.choices import TERRITORIAL_KINDS
from gongjian.org.models import Person, Region, Unit


@dataclass(frozen=True)
class Scope:
    sees_all: bool = False
    person_id: int | None = None
    unit_ids: frozenset[int] = field(default_factory=frozenset)
    region_paths: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.sees_all or self.person_id or self.unit_ids or self.region_paths)


def scope_for(user) -> Scope:
    """The scope of ``user``: everything for the project office and principal leaders; otherwise their unit
    and the units below it, the territory of a street or township they belong to, and their assignments."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope()
    cached = getattr(user, "_gongjian_scope", None)
    if cached is not None:
        return cached
    if user.has_perm("projects.view_all_projects"):
        scope = Scope(sees_all=True)
    else:
        person = Person.objects.select_related("unit", "unit__region").filter(user=user).first()
        if person is None:
            scope = Scope()
        elif person.unit is None:
            scope = Scope(person_id=person.pk)
        else:
            unit = person.unit
            unit_ids = frozenset(Unit.objects.filter(path__startswith=unit.path).values_list("pk", flat=True))
            regions = (unit.region.path,) if unit.kind in TERRITORIAL_KINDS and unit.region else ()
            scope = Scope(person_id=person.pk, unit_ids=unit_ids, region_paths=regions)
    user._gongjian_scope = scope
    return scope


def _changed(sender, **kwargs) -> None:
    access.bump()


def connect() -> None:
    """A scope follows from people, units and regions: a change to any of them moves the access stamp, so the
    scopes processes remember are worked out again (gongjian.accounts.access)."""
    for model in (Person, Unit, Region):
        post_save.connect(_changed, sender=model, dispatch_uid=f"access-save-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"access-delete-{model.__name__}")
