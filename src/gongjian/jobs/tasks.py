"""The one django-tasks task: run a job by its id (the worker, or the embedded worker thread, picks it up)."""

from django_tasks import task

from gongjian.jobs import services


@task()
def run_job(job_id: str) -> str:
    return services.run(job_id).state
