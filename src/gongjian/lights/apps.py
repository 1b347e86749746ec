from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


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
