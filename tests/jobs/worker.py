"""Running queued background tasks in a test, as the worker does."""


def work_off_the_queue():
    """What `gongjian worker` does with each queued task (its loop also recycles database connections between
    tasks, which would close the test's own)."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test",
        excluded_queue_names=[],
    )
    for result in DBTaskResult.objects.ready():
        result.claim("test")
        worker.run_task(result)
