from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "gongjian.meetings"
    label = "meetings"
    verbose_name = "调度会"

    def ready(self) -> None:
        from gongjian.core import todo  # noqa: PLC0415  (app registry)
        from gongjian.meetings import queries  # noqa: PLC0415  (app registry)

        todo.register(
            "meetings.decisions",
            label=_("待办交办事项"),
            order=40,
            applies=lambda user: user.has_perm("meetings.view_decision"),
            count=queries.my_decision_count,
            url=lambda user: reverse("meetings:decision_list") + "?state=mine",
        )
