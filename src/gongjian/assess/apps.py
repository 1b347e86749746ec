from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class AssessConfig(AppConfig):
    name = "gongjian.assess"
    label = "assess"
    verbose_name = "考核"

    def ready(self) -> None:
        from gongjian.assess import queries  # noqa: PLC0415  (app registry)
        from gongjian.core import todo  # noqa: PLC0415  (app registry)

        def scores_url(user) -> str:
            return f"{reverse('assess:evaluate')}?period={queries.scoring_period().code}&todo=1"

        todo.register(
            "assess.scores",
            label=_("待评分"),
            order=60,
            applies=queries.is_rater,
            count=queries.scores_waiting_count,
            url=scores_url,
        )
        # Evaluators land on their scoring.
        todo.register_landing(
            "assess.evaluate",
            order=50,
            applies=queries.is_rater,
            url=lambda user: reverse("assess:evaluate"),
            work=("assess.scores",),
        )
