from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CockpitConfig(AppConfig):
    name = "gongjian.cockpit"
    label = "cockpit"
    verbose_name = "驾驶舱"

    def ready(self) -> None:
        # Every app's panels.py registers its panels (gongjian.core.panels), this app's own among them: a later
        # domain adds a panel without editing the cockpit.
        autodiscover_modules("panels")

        from gongjian.core import todo  # noqa: PLC0415  (app registry)

        # Principal leaders and the project office (who see every project) land on the cockpit (core.views.home).
        todo.register_landing(
            "cockpit",
            order=10,
            applies=lambda user: user.has_perm("projects.view_all_projects"),
            url=lambda user: todo.reverse_or_none("cockpit:home"),
        )
