"""The embedded mode's worker: one thread of ``gongjian serve`` that runs queued background work, so a district
needs no second process (``make demo`` stays one command)."""

import logging
import threading

from django.conf import settings
from django_tasks_db.management.commands.db_worker import Worker

logger = logging.getLogger(__name__)
_started = threading.Event()


def start_worker_thread() -> bool:
    """Start the worker thread once, when tasks are queued in the database; True when it runs."""
    if _started.is_set() or "django_tasks_db" not in settings.TASKS["default"]["BACKEND"]:
        return False

    worker = Worker(
        queue_names=["default"],
        interval=1.0,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="embedded",
        excluded_queue_names=[],
    )
    threading.Thread(target=worker.run, name="gongjian-worker", daemon=True).start()
    _started.set()
    logger.info("background worker thread started")
    return True
