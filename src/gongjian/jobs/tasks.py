"""The one django-tasks task: run a job by its id (the worker, or the embedded worker thread, picks it up); and the
scheduled removal of old job files."""

from django.utils.translation import gettext as _
from django_tasks import task

from gongjian.jobs import services


@task()
def run_job(job_id: str) -> str:
    return services.run(job_id).state


def remove_old_files() -> str:
    jobs, uploads = services.remove_old_files()
    return _("删除过期任务文件 %(j)d 个、未读取的上传 %(u)d 个") % {"j": jobs, "u": uploads}
