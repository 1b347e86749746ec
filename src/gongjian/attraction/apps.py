from django.apps import AppConfig
from django.db.models.signals import post_save
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class AttractionConfig(AppConfig):
    name = "gongjian.attraction"
    label = "attraction"
    verbose_name = "招商引资"

    def ready(self) -> None:
        from gongjian.assess import archive  # noqa: PLC0415  (app registry)
        from gongjian.attraction import panels, queries, targeting  # noqa: F401, PLC0415  (app registry; panels registers itself)
        from gongjian.core import todo  # noqa: PLC0415  (app registry)
        from gongjian.projects import extras  # noqa: PLC0415  (app registry)

        # A unit's attraction figures are computed sources of the targets (签约金额, 资金到位…).
        targeting.register()
        # 全员招商: each cadre's introduced leads go into their archive.
        archive.register_credit("attraction", "招商引资", queries.credit_lines)
        # A registry project that came from a lead shows the lead's history on its page.
        extras.register(
            "attraction.lead", template="attraction/_project_leads.html", build=queries.project_leads
        )

        # A signed lead's reserve project entering the registry (the plan issued) links the lead to the project.
        post_save.connect(_reserve_saved, sender="pipeline.ReserveProject", dispatch_uid="attraction-reserve")

        # A unit's stalled leads wait for its staff to follow them up.
        todo.register(
            "attraction.stalled",
            label=_("停滞招商项目"),
            order=60,
            applies=lambda user: (
                user.has_perm("attraction.manage_leads") and not user.has_perm("attraction.view_all_leads")
            ),
            count=queries.stalled_count_for,
            url=lambda user: reverse("attraction:lead_list") + "?stalled=1&mine=1",
        )


def _reserve_saved(sender, instance, **kwargs) -> None:
    if instance.project_id is None:
        return
    from gongjian.attraction import services  # noqa: PLC0415  (app registry)

    services.link_registered(instance)
