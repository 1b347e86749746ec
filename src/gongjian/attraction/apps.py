from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class AttractionConfig(AppConfig):
    name = "gongjian.attraction"
    label = "attraction"
    verbose_name = "招商引资"

    def ready(self) -> None:
        from gongjian.attraction import queries  # noqa: PLC0415  (app registry)
        from gongjian.core import todo  # noqa: PLC0415  (app registry)

        # A unit's stalled leads wait for its staff to follow them up.
        todo.register(
            "attraction.stalled",
            label=_("停滞招商项目"),
            order=60,
            applies=lambda user: user.has_perm("attraction.manage_leads")
            and not user.has_perm("attraction.view_all_leads"),
            count=queries.stalled_count_for,
            url=lambda user: reverse("attraction:lead_list") + "?stalled=1&mine=1",
        )
