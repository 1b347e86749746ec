from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "gongjian.core"
    label = "core"
    verbose_name = "核心"

    def ready(self) -> None:
        from gongjian.core import todo  # noqa: PLC0415  (app registry)

        # Principal leaders and the project office (who see every project) land on the leaders' cockpit; until it
        # is installed, on the project list.
        todo.register_landing(
            "cockpit",
            order=10,
            applies=lambda user: user.has_perm("projects.view_all_projects"),
            url=lambda user: (
                todo.reverse_or_none("cockpit:home") or todo.reverse_or_none("projects:project_list")
            ),
        )
