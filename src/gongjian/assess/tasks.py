"""Background and scheduled work of the assessment: run periods as the office asked (one or several of a year),
export a run's scores, draft the periods past their deadline, tell the office of overdue rectification
commitments."""

from django.urls import reverse
from django.utils.translation import gettext as _

from gongjian.accounts.models import User
from gongjian.assess import exports, services
from gongjian.assess.models import Run
from gongjian.assess.services import followup
from gongjian.core.periods import Period
from gongjian.jobs.services import Progress, job


@job("assess.run", permission="assess.run_assessment")
def run(
    progress: Progress,
    *,
    periods: list[str],
    early_reason: str = "",
    versions: dict[str, int] | None = None,
    skip_published: bool = True,
    actor_id: int | None = None,
) -> dict:
    """Assess ``periods`` as drafts in one transaction (see services.run_assessments): all of them, or — when one
    is refused (published, or its draft changed since it was read) — none."""
    actor = User.objects.get(pk=actor_id) if actor_id is not None else None
    progress(0, len(periods), _("核对考核期"))
    runs = services.run_assessments(
        periods,
        actor=actor,
        skip_published=skip_published,
        early_reason=early_reason,
        versions=versions or {},
        progress=progress,
    )
    names = "、".join(str(Period.parse(run.period_code)) for run in runs)
    if len(runs) == 1:
        run = runs[0]
        summary = (
            _("已提前试算 %(period)s 的考核结果（草稿，不能发布）。")
            if run.is_early()
            else _("已计算 %(period)s 的考核结果（草稿）。")
        ) % {"period": Period.parse(run.period_code)}
        url = reverse("assess:run_detail", args=[run.pk])
    else:
        summary = (
            _("已计算 %(n)d 期考核结果（草稿）：%(names)s。") % {"n": len(runs), "names": names}
            if runs
            else _("所选各期的考核结果均已发布，未重新计算。")
        )
        url = reverse("assess:run_list")
    return {
        "summary": summary,
        "runs": [{"id": run.pk, "period_code": run.period_code} for run in runs],
        "url": url,
    }


def draft_due_runs() -> str:
    return f"起草 {'、'.join(services.run_due()) or '无'}"


def remind_overdue_commitments() -> str:
    return f"已告知项目办 {followup.remind_overdue()} 项"


@job("assess.export_run", permission="assess.view_run")
def export_run(progress: Progress, *, run_id: int) -> dict:
    """A run's scores to Excel, as the run page's export would write them."""
    run = Run.objects.get(pk=run_id)
    progress.save_file(exports.run_filename(run), exports.run_workbook(run, progress=progress))
    return {"summary": _("导出 %(n)d 条考核结果。") % {"n": progress.job.done}, "rows": progress.job.done}
