from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class LandConfig(AppConfig):
    name = "gongjian.land"
    label = "land"
    verbose_name = "征地拆迁"

    def ready(self) -> None:
        # The cockpit also discovers every app's panels module; importing it here registers the panel even where
        # the cockpit is not installed (and twice is harmless: registering a key again replaces it).
        from gongjian.assess import sources  # noqa: PLC0415  (app registry)
        from gongjian.core import todo  # noqa: PLC0415  (app registry)
        from gongjian.land import panels, queries  # noqa: F401, PLC0415  (app registry)

        # the assessment's 目标完成 indicator scores the service teams on the households agreed
        sources.register("land", queries.team_completions)
        from gongjian.daily import services as daily  # noqa: PLC0415  (app registry)

        # the service teams' daily report takes its counts from the ledger for a team with a task
        daily.register_counter("land", queries.team_day_figures)
        # a problem in the team's daily report becomes a case about its task's project
        daily.register_project_finder("land", queries.team_project)
        todo.register(
            "land.lawful",
            label=_("依法征收期限"),
            order=75,
            applies=lambda user: bool(queries.lawful_tasks(user)),
            count=lambda user: len(queries.lawful_waiting(user)),
            url=lambda user: reverse("land:lawful_list") + "?due=1",
        )
