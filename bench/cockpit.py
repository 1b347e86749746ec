"""Cockpit benchmark: the leaders' cockpit (驾驶舱) page at N projects (default 10,000).

    .venv/bin/python bench/cockpit.py                  # SQLite in a temporary directory
    .venv/bin/python bench/cockpit.py --n 2000 --requests 100
    GONGJIAN_DATABASE_URL=postgres://postgres@127.0.0.1:5432/cockpit_bench .venv/bin/python bench/cockpit.py
    .venv/bin/python bench/cockpit.py --data /tmp/cockpit       # keep the district there
    .venv/bin/python bench/cockpit.py --data /tmp/cockpit --reuse   # measure it again, migrated to this code

Data: the lights benchmark's district (bench/lights.py ``lit_district``: the registry benchmark's N projects with
plans, milestones and leaders, an approved report of every project for 33 ten-day periods, every project lit for
the 36 periods of the year), and an open case for every other project red now (opened 1–90 days ago).
Steps:
  cold — every figure computed afresh: the page rendered in this process through Django's test client, signed in
         as the office, the figures the cockpit keeps per board version forgotten before each request
         (what the first leader pays after a light, a judgement or a project changed);
  HTTP — the page over HTTP from gunicorn signed in as the project office, a mix of the cockpit, its filters and
         the wall screen: what the leaders and the wall screen pay while nothing changed.
Each prints p50/p99, throughput and the process's peak memory.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

import registry  # noqa: E402  (the registry benchmark's data generator and HTTP timer)

YEAR = 2026


def variants() -> list[str]:
    from gongjian.org.models import Region, Unit

    region = Region.objects.filter(level="township").order_by("pk").first()
    park = Unit.objects.filter(kind="park").order_by("pk").first()
    paths = [
        f"/cockpit/?year={YEAR}",
        f"/cockpit/?year={YEAR}&category=industry",
        f"/cockpit/?year={YEAR}&level=city",
        f"/cockpit/screen/?year={YEAR}",
    ]
    if region:
        paths.append(f"/cockpit/?year={YEAR}&region={region.pk}")
    if park:
        paths.append(f"/cockpit/?year={YEAR}&park={park.pk}")
    return paths


def measure_cold(paths: list[str], requests: int) -> list[float]:
    from django.test import Client
    from django.test.utils import setup_test_environment

    from gongjian.accounts.models import User
    from gongjian.lights import queries

    setup_test_environment()
    client = Client()
    client.force_login(User.objects.get(username="bench-office"))
    for path in paths:  # code and templates loaded once
        assert client.get(path, HTTP_HOST="127.0.0.1").status_code == 200
    latencies = []
    for i in range(requests):
        queries.forget()
        start = time.perf_counter()
        response = client.get(paths[i % len(paths)], HTTP_HOST="127.0.0.1")
        latencies.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200 and b"panel-investment" in response.content
    return latencies


def open_cases() -> int:
    """Cases as a district has them (once): every other project red now has an open case, opened 1–90 days ago,
    a third of them past their deadline; written in bulk (the recompute of the data opens none)."""
    import datetime as dt

    from django.utils import timezone

    from gongjian.core.periods import Period
    from gongjian.lights.models import Case, Light

    if Case.objects.exists():
        return 0
    now, today = timezone.now(), timezone.localdate()
    reds = Light.objects.filter(period_code=Period.dekad_of(today).code, colour=2).order_by("project_id")
    rows = []
    for i, (light_id, project_id, owner_id, code) in enumerate(
        reds.values_list("pk", "project_id", "project__responsible_unit_id", "period_code")
    ):
        if i % 2:
            continue
        opened = now - dt.timedelta(days=1 + i % 90)
        rows.append(
            Case(
                kind="light",
                number=f"BENCH-{project_id}",
                project_id=project_id,
                light_id=light_id,
                period_code=code,
                title="亮红灯",
                owner_id=owner_id,
                state=("new", "accepted", "in_hand")[i % 3],
                deadline=today + dt.timedelta(days=(-5, 10, 20)[i % 3]),
                opened_at=opened,
                last_action_at=opened,
            )
        )
    Case.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def reuse(workdir: str) -> None:
    """Django on the database an earlier run left (nothing flushed), migrated to this code."""
    os.environ.setdefault("GONGJIAN_DATA_DIR", workdir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "gongjian.settings"
    import django

    django.setup()
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    print(f"reused the district in {workdir}, migrated in {time.perf_counter() - started:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=10_000, help="projects (default 10,000)")
    parser.add_argument("--requests", type=int, default=300, help="HTTP requests (default 300)")
    parser.add_argument("--cold", type=int, default=60, help="cold renders (default 60)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--data", help="the data directory to use (default: a new temporary one)")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure the district an earlier run left in --data (or the database), migrated to this code",
    )
    args = parser.parse_args()
    workdir = args.data or tempfile.mkdtemp(prefix="gongjian-cockpit-")
    database = "PostgreSQL" if "postgres" in os.environ.get("GONGJIAN_DATABASE_URL", "") else "SQLite"
    if args.reuse:
        reuse(workdir)
    else:
        registry.setup_django(workdir)
        import lights

        started = time.perf_counter()
        lights.lit_district(args.n, YEAR)
        print(f"built and lit {args.n:,} projects in {time.perf_counter() - started:.1f} s ({database})")
    if database == "PostgreSQL":
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
    from gongjian.projects.models import Project

    print(f"opened {open_cases():,} cases for projects red now")
    projects = Project.objects.count()
    paths = variants()
    load = os.getloadavg()
    cold = measure_cold(paths, args.cold)
    cold_peak = registry.peak_mb()
    from django.db import connection

    connection.close()
    latencies, elapsed = registry.measure_list_page(
        workdir, paths, args.requests, args.workers, marker=b"panel-investment"
    )
    print(
        f"\nGongjian cockpit — {projects:,} projects, {database}, {os.cpu_count()} CPUs, "
        f"load average at start {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, now "
        + " ".join(f"{x:.2f}" for x in os.getloadavg())
    )
    print(f"{'step':<44}{'calls':>7}{'per s':>8}{'p50 ms':>9}{'p99 ms':>9}{'peak MB':>9}")
    print(
        f"{'cold (figures computed, in process)':<44}{len(cold):>7}{1000 / statistics.mean(cold):>8.1f}"
        f"{statistics.median(cold):>9.1f}{registry.percentile(cold, 0.99):>9.1f}{cold_peak:>9.0f}"
    )
    print(
        f"{f'HTTP, gunicorn {args.workers} workers, {len(paths)} variants':<44}{args.requests:>7}"
        f"{args.requests / elapsed:>8.1f}{statistics.median(latencies):>9.1f}"
        f"{registry.percentile(latencies, 0.99):>9.1f}{'—':>9}"
    )
    print("variants: " + ", ".join(paths))


if __name__ == "__main__":
    main()
