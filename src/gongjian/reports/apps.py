from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "gongjian.reports"
    label = "reports"
    verbose_name = "旬报月报"

    def ready(self) -> None:
        from gongjian.core import todo  # noqa: PLC0415  (app registry)
        from gongjian.reports import queries  # noqa: PLC0415  (app registry)

        def files(user) -> bool:
            return user.has_perm("reports.submit_report")

        def reviews(user) -> bool:
            return user.has_perm("reports.review_report")

        todo.register(
            "reports.file",
            label=_("待填报报告"),
            order=10,
            applies=files,
            count=queries.to_file_count,
            url=lambda user: reverse("reports:due_list") + "?todo=file",
        )
        todo.register(
            "reports.review",
            label=_("待审核报告"),
            order=20,
            applies=reviews,
            count=queries.to_review_count,
            url=lambda user: reverse("reports:due_list") + "?todo=review",
        )
        # Reporters land on their reports due, reviewers on the reports waiting for them.
        todo.register_landing(
            "reports.file",
            order=20,
            applies=files,
            url=lambda user: reverse("reports:due_list"),
            work=("reports.file",),
        )
        todo.register_landing(
            "reports.review",
            order=30,
            applies=reviews,
            url=lambda user: reverse("reports:due_list") + "?todo=review",
            work=("reports.review",),
        )
