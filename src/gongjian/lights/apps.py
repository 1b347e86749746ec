from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class LightsConfig(AppConfig):
    name = "gongjian.lights"
    label = "lights"
    verbose_name = "红绿灯与督办"

    def ready(self) -> None:
        # The board keeps its figures and answers per version (lights.services.registry_changed). A change of a
        # project, its leaders or the organisation (names, territories, assignments) made through the ORM moves
        # the version here, whoever makes it (a service, the admin, the shell); bulk writers call it themselves.
        # No business rule runs here: only the version of what the board shows moves.
        from gongjian.org.models import Person, Region, Unit, VillageAssignment  # noqa: PLC0415  (app registry)
        from gongjian.projects.models import Project, ProjectLeader  # noqa: PLC0415  (app registry)

        for model in (Project, ProjectLeader, Unit, Person, Region, VillageAssignment):
            post_save.connect(_saved, sender=model, dispatch_uid=f"lights.board.{model.__name__}.save")
            post_delete.connect(_deleted, sender=model, dispatch_uid=f"lights.board.{model.__name__}.delete")
        _register_todo()


def _register_todo() -> None:
    """The cases waiting for a user and those waiting for the office to close them (待办); supervising leaders and
    commanders land on their projects' board."""
    from gongjian.core import todo  # noqa: PLC0415  (app registry)
    from gongjian.lights import queries  # noqa: PLC0415  (app registry)

    todo.register(
        "lights.cases",
        label=_("待办督办件"),
        order=30,
        applies=lambda user: user.has_perm("lights.handle_case"),
        count=queries.my_case_count,
        url=lambda user: reverse("lights:case_list") + "?state=mine",
    )
    todo.register(
        "lights.close",
        label=_("待销号督办件"),
        order=35,
        applies=lambda user: user.has_perm("lights.close_case"),
        count=queries.to_close_count,
        url=lambda user: reverse("lights:case_list") + "?state=resolved",
    )

    def supervises(user) -> bool:
        # A supervising leader or commander (by role, or by leading or commanding a project) who does not see
        # every project; the principal leaders and the office land on the cockpit.
        if not user.has_perm("lights.view_light") or user.has_perm("projects.view_all_projects"):
            return False
        return user.has_perm("lights.add_judgement") or queries.leads(user) is not None

    todo.register_landing(
        "lights.board",
        order=40,
        applies=supervises,
        url=queries.my_board_url,
        work=("lights.cases", "meetings.decisions"),
    )


def _saved(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    from gongjian.lights.services import registry_changed  # noqa: PLC0415  (app registry)

    # Fixtures load raw; a new project has no lights yet, and a new unit, person or region no projects, while a
    # new leader's link or village assignment changes what an existing project is grouped under or who sees it.
    if raw or (created and sender.__name__ in ("Project", "Unit", "Person", "Region")):
        return
    registry_changed()


def _deleted(sender, instance, **kwargs) -> None:
    from gongjian.lights.services import registry_changed  # noqa: PLC0415  (app registry)

    registry_changed()
