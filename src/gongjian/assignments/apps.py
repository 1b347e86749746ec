from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class AssignmentsConfig(AppConfig):
    name = "gongjian.assignments"
    label = "assignments"
    verbose_name = "任务交办"

    def ready(self) -> None:
        from gongjian.assignments import queries  # noqa: PLC0415  (app registry)
        from gongjian.core import todo  # noqa: PLC0415  (app registry)

        todo.register(
            "assignments.pending",
            label=_("待报送任务"),
            order=50,
            applies=lambda user: user.has_perm("assignments.add_submission"),
            count=queries.pending_count,
            url=lambda user: reverse("assignments:assignment_list") + "?todo=1",
        )
