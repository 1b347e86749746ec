"""Recomputes running at once on PostgreSQL, with real threads: each red project gets one open case, and the
case numbers claimed as blocks from the year's counter are never repeated and leave no gap (issue 14 opens a
burst's cases together)."""

import datetime as dt
import threading

from django.db import connections, transaction

from gongjian.lights import services
from gongjian.lights.models import Case
from gongjian.lights.services import cases
from tests.concurrency import ON_POSTGRESQL
from tests.factories import ProjectFactory

pytestmark = ON_POSTGRESQL

PLAN = [1_000_000] * 36  # 100 万元 a dekad, nothing filed: every project red
PERIOD = "2026-11-1"


def run_at_once(batches: list[list[int]]) -> list[BaseException]:
    barrier, errors, lock = threading.Barrier(len(batches)), [], threading.Lock()

    def worker(ids: list[int]) -> None:
        try:
            barrier.wait()
            with transaction.atomic():
                cases.open_for_reds(ids, PERIOD)
        except BaseException as exc:
            with lock:
                errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(ids,)) for ids in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def red_projects(unit, n: int) -> list[int]:
    ids = [ProjectFactory(code=f"2026-{i:03d}", responsible_unit=unit, plan=PLAN).pk for i in range(1, n + 1)]
    services.recompute(today=dt.date(2026, 11, 8), open_cases=False)
    return ids


def numbers() -> list[int]:
    return sorted(
        int(n.rsplit("-", 1)[1]) for n in Case.objects.filter(kind="light").values_list("number", flat=True)
    )


def test_four_recomputes_opening_cases_at_once_number_them_without_gap_or_repeat(unit):
    ids = red_projects(unit, 40)

    errors = run_at_once([ids[i::4] for i in range(4)])

    assert errors == []
    assert Case.objects.filter(kind="light").count() == 40
    assert numbers() == list(range(1, 41))
    assert sorted(Case.objects.filter(kind="light").values_list("project_id", flat=True)) == sorted(ids)


def test_two_recomputes_finding_the_same_reds_at_once_open_one_case_a_project(unit):
    ids = red_projects(unit, 12)

    errors = run_at_once([ids, list(reversed(ids))])

    open_cases = Case.objects.filter(kind="light").exclude(state="closed")
    assert sorted(open_cases.values_list("project_id", flat=True)) == sorted(ids), errors
    assert numbers() == list(range(1, 13))
