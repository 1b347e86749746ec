from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class TargetsConfig(AppConfig):
    name = "gongjian.targets"
    label = "targets"
    verbose_name = "目标责任状"

    def ready(self) -> None:
        from gongjian.core import todo  # noqa: PLC0415  (app registry)
        from gongjian.targets import queries, sources  # noqa: PLC0415  (app registry)

        sources.register_builtin()
        todo.register(
            "targets.review",
            label=_("待审核目标完成情况"),
            order=45,
            applies=lambda user: user.has_perm("targets.manage_targets"),
            count=queries.review_count,
            url=lambda user: reverse("targets:review"),
        )
