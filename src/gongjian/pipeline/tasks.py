"""Background work of the pipeline: issuing a year's plan makes a registry project of every listed item, so it
runs as a task the office follows on the task's page (which links back to the plan)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from gongjian.accounts.models import User
from gongjian.jobs.services import Failed, Progress, job
from gongjian.pipeline import services
from gongjian.pipeline.models import AnnualPlan


@job("pipeline.issue_plan", permission="pipeline.manage_pipeline")
def issue_plan(
    progress: Progress, *, plan_id: int, expected_version: int, actor_id: int | None = None
) -> dict:
    """Issue the plan as it was read: its projects enter the registry, it is numbered and its .docx kept (one
    transaction). Items that cannot enter the registry fail the job with each item and why in its result."""
    actor = User.objects.get(pk=actor_id) if actor_id else None
    plan = AnnualPlan.objects.get(pk=plan_id)
    progress(0, 1, _("项目入库、编号并生成 Word 文件"))
    url = reverse("pipeline:plan_detail", args=[plan.pk])
    try:
        plan = services.issue_plan(plan, actor=actor, expected_version=expected_version)
    except services.IssueRefused as exc:
        raise Failed(exc.messages[0], {"problems": exc.problems, "url": url}) from None
    return {
        "summary": _("已印发《%(title)s》，编号 %(number)s，%(count)s个项目入库。")
        % {"title": plan.title, "number": plan.number, "count": plan.items.count()},
        "plan_id": plan.pk,
        "number": plan.number,
        "url": url,
    }
