from django.apps import AppConfig
from django.db.models.signals import post_save
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class TargetsConfig(AppConfig):
    name = "gongjian.targets"
    label = "targets"
    verbose_name = "目标责任状"

    def ready(self) -> None:
        from gongjian.assess import sources as assess_sources  # noqa: PLC0415  (app registry)
        from gongjian.core import todo  # noqa: PLC0415  (app registry)
        from gongjian.targets import assessing, queries, sources  # noqa: PLC0415  (app registry)

        sources.register_builtin()
        # A scheme's 目标完成 indicator scores a unit on the completion of its targets.
        assess_sources.register("targets", assessing.completions)
        # The board keeps the units' names: a renamed unit is a change of what it shows.
        post_save.connect(_unit_saved, sender="org.Unit", dispatch_uid="targets-unit-saved")
        todo.register(
            "targets.review",
            label=_("待审核目标完成情况"),
            order=45,
            applies=lambda user: user.has_perm("targets.manage_targets"),
            count=queries.review_count,
            url=lambda user: reverse("targets:review"),
        )


def _unit_saved(sender, **kwargs) -> None:
    from gongjian.targets import queries  # noqa: PLC0415  (app registry)

    queries.changed()
