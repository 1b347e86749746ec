from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class DailyConfig(AppConfig):
    name = "gongjian.daily"
    label = "daily"
    verbose_name = "工作队日报"

    def ready(self) -> None:
        from gongjian.core import todo  # noqa: PLC0415  (app registry)
        from gongjian.daily import queries  # noqa: PLC0415  (app registry)

        def member(user) -> bool:
            return queries.my_team(user) is not None

        todo.register(
            "daily.today",
            label=_("今日日报"),
            order=70,
            applies=member,
            count=queries.today_waiting_count,
            url=lambda user: reverse("daily:daily"),
        )
        # A service team's member lands on the day's report.
        todo.register_landing(
            "daily.today",
            order=60,
            applies=member,
            url=lambda user: reverse("daily:daily"),
            work=("daily.today",),
        )
