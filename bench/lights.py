"""Traffic-light benchmark: light N projects (default 10,000) for every ten-day period of a year, and the board.

    .venv/bin/python bench/lights.py                   # SQLite in a temporary directory
    .venv/bin/python bench/lights.py --n 2000 --requests 100
    GONGJIAN_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/lights.py

Data: the registry benchmark's N projects (plan, six milestones, leaders), the year's 36 ten-day reporting periods
and an approved report of every project for each of the first 33 (each project keeps its own pace against its plan,
and one in ten stops reporting a few periods before the end), lit as of 31 December: 36 lights per project.
Steps: the first full recompute (every light written), the same again (nothing changed, nothing written), and one
after a published rule change (every light rewritten with the new version); then the board page over HTTP from
gunicorn, signed in as the project office, with a mix of periods, groupings and colour filters.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

import registry  # noqa: E402  (the registry benchmark's data generator and HTTP timer)

YEAR = 2026
AS_OF = date(YEAR, 12, 31)


def build_reports(year: int) -> int:
    from django.utils import timezone

    from gongjian.core.periods import Period
    from gongjian.projects.models import AnnualPlan
    from gongjian.reports.models import Report, ReportingPeriod

    periods = list(Period.range(Period(year, 1, 1), Period(year, 12, 3)))
    rows = []
    for period in periods:
        opens = timezone.make_aware(datetime.combine(period.start, clock()))
        rows.append(
            ReportingPeriod(
                kind="dekad",
                code=period.code,
                opens_at=opens,
                deadline=opens + timedelta(days=period.days + 3),
            )
        )
    ReportingPeriod.objects.bulk_create(rows)
    by_code = dict(ReportingPeriod.objects.values_list("code", "pk"))
    rng = random.Random(36)
    batch, written = [], 0
    for project_id, dekads in AnnualPlan.objects.filter(year=year).values_list("project_id", "dekads"):
        pace = rng.choice([1.0, 1.05, 0.95, 0.85, 0.75, 0.5])
        stop = 33 - (rng.randint(1, 3) if rng.random() < 0.1 else 0)
        done = 0
        for index, period in enumerate(periods[:stop]):
            amount = round(dekads[index] * pace)
            done += amount
            batch.append(
                Report(
                    project_id=project_id,
                    period_id=by_code[period.code],
                    state="approved",
                    amount=amount,
                    year_to_date=done,
                    since_start=done,
                    first_submitted_at=timezone.now(),
                    submitted_at=timezone.now(),
                )
            )
        if len(batch) >= 20_000:
            Report.objects.bulk_create(batch)
            written += len(batch)
            batch = []
    Report.objects.bulk_create(batch)
    return written + len(batch)


def lit_district(n: int, year: int = 2026):
    """The registry benchmark's N projects with a year of approved reports, every project lit for the year, and
    the office's account (returned): what the assessment and briefing benchmarks start from."""
    from datetime import date

    import registry
    from gongjian.accounts.models import User
    from gongjian.lights import services as lights

    lights.install_default_rules()
    registry.build_projects(n, year)
    build_reports(year)
    registry.office_user()
    lights.recompute(year=year, today=date(year, 12, 31), open_cases=False)
    return User.objects.get(username="bench-office")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="gongjian-lights-")
    registry.setup_django(workdir)
    from gongjian.lights import services
    from gongjian.lights.models import LightRule

    services.install_default_rules()  # a flushed PostgreSQL database has lost the migration's rows
    started = time.perf_counter()
    registry.build_projects(args.n, YEAR)
    reports = build_reports(YEAR)
    registry.office_user()
    print(
        f"built {args.n:,} projects and {reports:,} approved reports in {time.perf_counter() - started:.1f} s"
    )

    rows = []

    def run(label: str) -> None:
        start = time.perf_counter()
        result = services.recompute(year=YEAR, today=AS_OF, open_cases=False)
        seconds = time.perf_counter() - start
        rows.append((label, result, seconds, registry.peak_mb()))

    run("first recompute (all written)")
    run("again, nothing changed")
    rule = LightRule.objects.get(dimension="investment")
    rule.params = {"green_from_percent": 85, "yellow_from_percent": 65}
    rule.save()
    services.publish_rules(actor=None, note="benchmark")
    run("after a rule change (all rewritten)")

    database = "PostgreSQL" if "postgres" in os.environ.get("GONGJIAN_DATABASE_URL", "") else "SQLite"
    print(f"\nGongjian lights — {args.n:,} projects × 36 ten-day periods, {database}, {os.cpu_count()} CPUs")
    print(
        f"{'step':<38}{'lights':>9}{'written':>9}{'load s':>8}{'engine s':>10}{'store s':>9}{'total s':>9}"
        f"{'peak MB':>9}"
    )
    for label, result, seconds, peak in rows:
        load = result.seconds.get("query", 0) + result.seconds.get("rows", 0)
        print(
            f"{label:<38}{result.lights:>9,}{result.changed:>9,}{load:>8.2f}{result.seconds['engine']:>10.2f}"
            f"{result.seconds['store']:>9.2f}{seconds:>9.2f}{peak:>9.0f}"
        )

    if database == "PostgreSQL":
        # What autovacuum does a little later on its own: the rewrites above left dead rows and no statistics.
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) lights_light")
            cursor.execute("ANALYZE")
        print("(PostgreSQL: VACUUM (ANALYZE) lights_light before the board, as autovacuum would do)")
    queries = [
        f"/lights/?period={YEAR}-12-3",
        f"/lights/?period={YEAR}-12-3&group=unit",
        f"/lights/?period={YEAR}-11-2&group=leader",
        f"/lights/?period={YEAR}-12-3&colour=2",
        f"/lights/?period={YEAR}-12-3&group=region&colour=1&page=3",
        f"/lights/?period={YEAR}-06-1&group=park",
    ]
    latencies, elapsed = registry.measure_list_page(
        workdir, queries, args.requests, args.workers, marker=b"light-table"
    )
    print(
        f"\nboard page over HTTP (gunicorn, {args.workers} workers; {len(queries)} variants, {args.requests} "
        f"requests): p50 {statistics.median(latencies):.1f} ms, p99 {registry.percentile(latencies, 0.99):.1f} ms, "
        f"{args.requests / elapsed:.0f} requests/s"
    )
    measure_http_recompute(workdir, args.workers)


def measure_http_recompute(workdir: str, workers: int) -> None:
    """Relight the year over HTTP as the office's script would: the answer (202 and a task id) is timed, then the
    worker runs the task (in this process, as `gongjian worker` would) and the task is timed to its end."""
    import json
    import socket
    import subprocess
    import urllib.request

    from gongjian.accounts.models import User
    from gongjian.accounts.services import create_api_token
    from gongjian.jobs import services as jobs
    from gongjian.jobs.models import Job

    office = User.objects.get(username="bench-office")
    _token, secret = create_api_token(office, "benchmark", actor=office)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "gongjian.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        env={**os.environ, "GONGJIAN_DATA_DIR": workdir, "PYTHONPATH": str(ROOT / "src")},
    )
    try:
        headers = {"Authorization": f"Bearer {secret}"}
        for _ in range(100):
            try:
                urllib.request.urlopen(urllib.request.Request(f"{base}/api/v1/due", headers=headers)).read()
                break
            except OSError:
                time.sleep(0.1)
        answers = []
        for _ in range(5):
            start = time.perf_counter()
            with urllib.request.urlopen(
                urllib.request.Request(f"{base}/api/v1/lights/recompute", method="POST", headers=headers)
            ) as response:
                body = json.loads(response.read())
                assert response.status == 202 and body["task_id"]
            answers.append((time.perf_counter() - start) * 1000)
    finally:
        server.terminate()
        server.wait()
    queued = list(Job.objects.filter(kind="lights.recompute", state="queued").order_by("created_at"))
    start = time.perf_counter()
    first = jobs.run(str(queued[0].pk))
    worker_seconds = time.perf_counter() - start
    assert first.state == "succeeded", first.error
    for job in queued[1:]:
        jobs.run(str(job.pk))
    print(
        f"\nrelight over HTTP (POST /api/v1/lights/recompute, 5 requests): answer p50 "
        f"{statistics.median(answers):.1f} ms, max {max(answers):.1f} ms (202 with the task id); the worker "
        f"finished the task in {worker_seconds:.2f} s ({first.result['lights']:,} lights)"
    )


if __name__ == "__main__":
    main()
