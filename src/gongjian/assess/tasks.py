"""Background and scheduled work of the assessment: a run's scores exported; draft the periods past their
deadline, tell the office of overdue rectification commitments."""

from django.utils.translation import gettext as _

from gongjian.assess import exports, followup, services
from gongjian.assess.models import Run
from gongjian.jobs.services import Progress, job


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
