"""Land acquisition on the leaders' cockpit (驾驶舱): each task's progress (households agreed of all, moved) and
the cadre-first flags (干部带头: cadre households not signed N days after the announcement), each figure linking
to the ledger filtered as it was counted."""

from __future__ import annotations

from django.urls import reverse

from gongjian.core.panels import View, register
from gongjian.land import access, queries


@register(
    "land", title="征地拆迁", template="land/panels/progress.html", order=60, permission="land.view_task"
)
def land_panel(view: View) -> dict | None:
    tasks = list(access.tasks_for(view.user).exclude(state="closed").order_by("-id")[:10])
    if not tasks:
        return None
    rows = []
    for task in tasks:
        ledger = reverse("land:ledger", args=[task.pk])
        rows.append(
            {
                "task": task,
                "progress": queries.progress(task),
                "link": reverse("land:task_detail", args=[task.pk]),
                "signed_link": f"{ledger}?signed=1",
                "all_link": ledger,
                "overdue_link": f"{ledger}?overdue=1",
                "cadre_link": f"{ledger}?cadre=1&signed=0",
            }
        )
    return {"rows": rows, "flags": sum(r["progress"]["overdue"] for r in rows)}
