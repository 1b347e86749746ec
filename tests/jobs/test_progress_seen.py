"""A job that works in one transaction (so a failure changes nothing) still shows its progress as it goes: the
page polls the job's row, which on PostgreSQL is written through a connection of its own."""

import pytest
from django.db import connection, connections, transaction

from gongjian.jobs import services
from gongjian.jobs.models import Job

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer at a time")

seen: list[tuple[int, int, str]] = []


def _read_elsewhere(pk) -> tuple[int, int, str]:
    """What the job's page would read now: another connection, outside the work's transaction."""
    main = connections[connection.alias]
    other = type(main)(dict(main.settings_dict), alias="reader")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT done, total, step FROM jobs_job WHERE id = %s", [pk])
            return cursor.fetchone()
    finally:
        other.close()


@services.job("tests.progress_in_one_transaction")
def _work(progress, *, fail: bool = False) -> dict:
    with transaction.atomic():
        Job.objects.create(kind="tests.made_by_the_work", label="工作中新建")
        progress(3, 10, "第三步")
        seen.append(_read_elsewhere(progress.job.pk))
        if fail:
            raise RuntimeError("boom")
    return {"summary": "完成"}


@pytest.mark.django_db(transaction=True)
def test_progress_inside_the_work_transaction_is_seen_at_once_and_a_failure_keeps_nothing_else(office_user):
    seen.clear()
    job = Job.objects.create(kind="tests.progress_in_one_transaction", label="标签", params={"fail": True})
    job = services.run(str(job.pk))
    assert seen == [(3, 10, "第三步")]  # read while the work's transaction was still open
    assert job.state == "failed"
    assert not Job.objects.filter(kind="tests.made_by_the_work").exists()  # the work's own change rolled back

    seen.clear()
    job = Job.objects.create(kind="tests.progress_in_one_transaction", label="标签", params={})
    job = services.run(str(job.pk))
    assert seen == [(3, 10, "第三步")] and job.state == "succeeded"
    assert Job.objects.filter(kind="tests.made_by_the_work").count() == 1
