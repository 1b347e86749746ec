"""A province (issue 14 item 5): 100,000 projects in 10 cities × 10 districts, measured on PostgreSQL.

    createdb -h 127.0.0.1 -U postgres province   # once; it is flushed
    GONGJIAN_DATABASE_URL=postgres://postgres@127.0.0.1:5432/province .venv/bin/python bench/province.py
    ... --n 20000 --filings 2000 --reads 1000     # smaller, for a quick look
    ... --reuse                                    # measure again on the province a run left (no build)

Data, written straight to the database (untimed, but its time is printed): a province of 10 cities, each of 10
districts with two streets, and in each district 10 responsible units, a park, two headquarters, 10 owner
enterprises and five leaders; N projects spread evenly over the districts, each with the registry benchmark's
annual plan, two leaders, six milestones and five approvals; on site, every project started and reached its
milestones on time but one in eight stuck at one (the load benchmark's ``progress_on_site``); the year's approved
reports of 2026-01-1 … 2026-11-3 at each project's own pace (the lights benchmark's, written by COPY).

Steps, each timed:
1. the first recompute of the year: N × 36 lights written, as of 31 December;
2. the project list page over HTTP (gunicorn, ``--workers``, signed in as the project office), the registry
   benchmark's eight mixes of filters, sorts and pages, and a city's and a district's projects;
3. the board page over HTTP (the lights benchmark's six variants) and the red list of the API — every
   responsible unit's red projects of 2026-12-3, 100 a page, 32 clients, each count checked against the
   database (the lights benchmark's ``measure_red_list``);
4. filing: ``--filings`` reports of 2026-12-1 filed and submitted through the API by 32 clients against
   ``gongjian serve`` in production mode, each with the token of the project's unit's reporter, then read back
   (lost: a value or note not there exactly once) — the load benchmark's filing;
5. the assessment engine on N × 36 (frames in memory, no explanations written; the assessment benchmark's), and
   one ten-day period assessed end to end from the database (load, assess, save the draft).
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

import assess as assess_bench  # noqa: E402  (the engine's frames)
import lights as lights_bench  # noqa: E402  (the board and red-list measurements)
import load  # noqa: E402  (the server, the concurrent steps, the filing and its check)
import registry  # noqa: E402  (the list page timer, the project children, the office's account)

YEAR = 2026
CITIES = 10
DISTRICTS = 10


def build_org() -> dict[str, list]:
    """The province's regions and, in every district, its units, parks, headquarters, owners and leaders."""
    from gongjian.core.identifiers import make_credit_code, make_org_code
    from gongjian.org.models import Person, Region, Unit

    province = Region.objects.create(code="320000", name="江苏省", level="province")
    districts, units, parks, hqs, owners, leaders, streets = [], [], [], [], [], [], []
    enterprise = 0
    for c in range(1, CITIES + 1):
        city = Region.objects.create(
            code=f"32{c:02d}00", name=f"第{c}市", level="prefecture", parent=province
        )
        for d in range(1, DISTRICTS + 1):
            county = Region.objects.create(
                code=f"32{c:02d}{d:02d}", name=f"第{c}市第{d}区", level="county", parent=city
            )
            district = {
                "region": county,
                "streets": [
                    Region.objects.create(
                        code=f"32{c:02d}{d:02d}{s:03d}",
                        name=f"第{c}市第{d}区第{s}街道",
                        level="township",
                        parent=county,
                    )
                    for s in (1, 2)
                ],
                # one by one: a unit's path (its scope) is made from its id when it is saved
                "units": [
                    Unit.objects.create(
                        name=f"{county.name}责任单位{i:02d}", kind="department", region=county
                    )
                    for i in range(10)
                ],
                "parks": [Unit.objects.create(name=f"{county.name}产业园", kind="park", region=county)],
                "headquarters": [
                    Unit.objects.create(name=f"{county.name}指挥部{i}", kind="headquarters", region=county)
                    for i in range(2)
                ],
                "owners": [],
                "leaders": [
                    Person.objects.create(
                        name=f"{county.name}领导{i}", post="副区长", leadership_body="government"
                    )
                    for i in range(5)
                ],
            }
            for i in range(10):
                enterprise += 1
                district["owners"].append(
                    Unit.objects.create(
                        name=f"{county.name}业主企业{i}有限公司",
                        kind="enterprise",
                        region=county,
                        credit_code=make_credit_code("91320311" + make_org_code(f"{enterprise:08d}")),
                    )
                )
            districts.append(district)
            streets += district["streets"]
            units += district["units"]
            parks += district["parks"]
            hqs += district["headquarters"]
            owners += district["owners"]
            leaders += district["leaders"]
    return {"districts": districts, "units": units, "leaders": leaders, "streets": streets}


def build_projects(n: int) -> dict[str, list]:
    """N projects spread evenly over the districts, with their children; what happened on site."""
    from django.db import transaction

    from gongjian.projects.models import Project

    rng = random.Random(20261207)
    with transaction.atomic():
        org = build_org()
    per = n // len(org["districts"])
    for index, district in enumerate(org["districts"]):
        last = index == len(org["districts"]) - 1
        numbers = range(index * per, n if last else (index + 1) * per)
        with transaction.atomic():  # the registry benchmark's projects, in this district
            created = Project.objects.bulk_create(
                registry.new_projects(numbers, YEAR, district, rng), batch_size=2000
            )
            registry.add_children(created, YEAR, district["leaders"], rng)
    with transaction.atomic():
        load.progress_on_site(random.Random(8))
    return org


def build_reports() -> int:
    """The lights benchmark's year of approved reports (2026-01-1 … 2026-11-3, each project at its own pace, one in
    ten stopping a few periods early), written by COPY: a province's 3.3 million rows."""
    import polars as pl
    from django.utils import timezone

    from gongjian.core import bulk
    from gongjian.core.periods import Period
    from gongjian.projects.models import AnnualPlan
    from gongjian.reports.models import Report, ReportingPeriod

    periods = list(Period.range(Period(YEAR, 1, 1), Period(YEAR, 12, 3)))
    ReportingPeriod.objects.bulk_create(
        [
            ReportingPeriod(
                kind="dekad",
                code=p.code,
                opens_at=timezone.make_aware(datetime.combine(p.start, datetime.min.time())),
                deadline=timezone.make_aware(datetime.combine(p.start, datetime.min.time()))
                + timedelta(days=p.days + 3),
            )
            for p in periods
        ]
    )
    by_code = dict(ReportingPeriod.objects.values_list("code", "pk"))
    ids = [by_code[p.code] for p in periods]
    rng = random.Random(36)
    columns: dict[str, list] = {"project_id": [], "period_id": [], "amount": [], "year_to_date": []}
    for project_id, dekads in AnnualPlan.objects.filter(year=YEAR).values_list("project_id", "dekads"):
        pace = rng.choice([1.0, 1.05, 0.95, 0.85, 0.75, 0.5])
        stop = 33 - (rng.randint(1, 3) if rng.random() < 0.1 else 0)
        done = 0
        for index in range(stop):
            amount = round(dekads[index] * pace)
            done += amount
            columns["project_id"].append(project_id)
            columns["period_id"].append(ids[index])
            columns["amount"].append(amount)
            columns["year_to_date"].append(done)
    now = datetime.now(UTC)
    frame = pl.DataFrame(columns, schema={k: pl.Int64 for k in columns}).with_columns(
        state=pl.lit("approved"),
        since_start=pl.col("year_to_date"),
        explanation=pl.lit(""),
        progress_percent=pl.lit(0),
        progress_text=pl.lit(""),
        workers=pl.lit(0),
        next_plan=pl.lit(""),
        return_reason=pl.lit(""),
        version=pl.lit(1),
        first_submitted_at=pl.lit(now),
        submitted_at=pl.lit(now),
        updated_at=pl.lit(now),
    )
    for at in range(0, frame.height, 500_000):
        bulk.insert(Report, frame.slice(at, 500_000))
    return frame.height


def vacuum() -> None:
    from django.db import connection

    with connection.cursor() as cursor:  # what autovacuum does a little later on its own
        cursor.execute("VACUUM (ANALYZE)")


def measure_list(workdir: str, args) -> None:
    from gongjian.org.models import Region
    from gongjian.projects.models import Project

    unit = Project.objects.values_list("responsible_unit_id", flat=True).first()
    leader = Project.objects.values_list("leader_links__person_id", flat=True).first()
    city = Region.objects.get(code="320500")
    district = Region.objects.get(code="320503")
    queries = [
        "/projects/",
        "/projects/?category=industry",
        "/projects/?q=厂房",
        "/projects/?sort=-total",
        f"/projects/?unit={unit}&nature=new",
        f"/projects/?leader={leader}&sort=-plan",
        f"/projects/?level=city&page={max(1, min(20, args.n // 150))}",
        "/projects/?category=commerce&q=商贸&sort=start",
        f"/projects/?region={city.pk}",
        f"/projects/?region={district.pk}&sort=-total",
    ]
    latencies, elapsed = registry.measure_list_page(workdir, queries, args.requests, args.workers)
    print(
        f"\nproject list page over HTTP (gunicorn, {args.workers} workers; {len(queries)} variants, "
        f"{args.requests} requests one at a time): p50 {registry.percentile(latencies, 0.5):.1f} ms, "
        f"p99 {registry.percentile(latencies, 0.99):.1f} ms, {args.requests / elapsed:.0f} requests/s; "
        f"load average {os.getloadavg()[0]:.1f}"
    )


def measure_filing(workdir: str, args) -> None:
    from django.db import connection

    import reports_burst
    from gongjian.accounts.models import User
    from gongjian.accounts.services import create_api_token
    from gongjian.jobs.management.commands.serve import default_workers
    from gongjian.projects.models import AnnualPlan, Project
    from gongjian.reports.models import Report, ReportingPeriod

    period = ReportingPeriod.objects.get(code=load.FILED_PERIOD)
    Report.objects.filter(period=period).delete()  # a run on a reused province files them again
    User.objects.filter(username__startswith="rep-").delete()
    tokens, _users = reports_burst.reporters()
    office = User.objects.get(username="bench-office")
    office_token = create_api_token(office, "province", actor=office)[1]
    rng = random.Random(5)
    chosen = sorted(rng.sample(list(Project.objects.values_list("pk", flat=True)), args.filings))
    plans = dict(
        AnnualPlan.objects.filter(year=YEAR, project_id__in=chosen).values_list("project_id", "dekads")
    )
    units = dict(Project.objects.filter(pk__in=chosen).values_list("pk", "responsible_unit_id"))
    run = f"run {secrets.token_hex(3)}"
    expected = {pk: load.filing(pk, period.pk, plans[pk][load.FILED_INDEX], run) for pk in chosen}
    connection.close()
    server = load.Server(workdir, default_workers())
    try:
        server.wait(office_token)
        print(f"\nfiling through the API (gongjian serve, production, {default_workers()} workers)")
        load.run_step(
            "file",
            server.base,
            [load.Call("POST", "/api/v1/reports", tokens[units[pk]], body) for pk, body in expected.items()],
            32,
        )
        pages = [
            load.Call("GET", f"/api/v1/reports?period_id={period.pk}&limit=500&offset={offset}", office_token)
            for offset in range(0, args.filings, 500)
        ]
        back = load.run_step("read back", server.base, pages, 8, keep=True)
    finally:
        server.stop()
    items = [item for answer in back.answers if answer for item in answer["items"]]
    lost, unexpected = load.count_lost(expected, items)
    print(
        f"    {args.filings:,} filed; read back {len(items):,}: lost {lost:,}, not filed {unexpected:,}; "
        f"load average {os.getloadavg()[0]:.1f}"
    )


def measure_assessment(args) -> None:
    from gongjian.accounts.models import User
    from gongjian.assess import services
    from gongjian.assess.models import Score

    seconds, peak, rows = assess_bench.engine_run(args.n, 36, calls=2)
    print(
        f"\nassessment engine, {args.n:,} projects × 36 ten-day periods in memory, no explanations written: "
        f"{', '.join(f'{s:.2f} s' for s in seconds)} ({rows:,} scores); peak {peak:.0f} MB"
    )
    office = User.objects.get(username="bench-office")
    clock = time.perf_counter()
    runs = services.run_assessments([f"{YEAR}-11-3"], actor=office, early_reason="基准测试")
    took = time.perf_counter() - clock
    saved = Score.objects.filter(run__in=runs).count()
    print(
        f"one ten-day period (2026-11-3) end to end from the database (load, assess, save the draft): {took:.2f} s, "
        f"{saved:,} scores; peak {registry.peak_mb():.0f} MB; load average {os.getloadavg()[0]:.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=100_000, help="projects (default 100,000)")
    parser.add_argument("--requests", type=int, default=300, help="list and board page requests")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers for the pages")
    parser.add_argument("--reads", type=int, default=2000, help="red-list requests an arm")
    parser.add_argument("--filings", type=int, default=10_000, help="reports filed through the API")
    parser.add_argument("--reuse", action="store_true", help="measure on the province a run left")
    parser.add_argument(
        "--skip", default="", help="steps to leave out, by comma: list, board, filing, assessment"
    )
    args = parser.parse_args()
    url = os.environ.get("GONGJIAN_DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("set GONGJIAN_DATABASE_URL to a PostgreSQL database (it is flushed)")
    if url.rstrip("/").rsplit("/", 1)[-1].split("?")[0] == "test":
        raise SystemExit("the database named test belongs to the test suite: use another")
    skip = set(filter(None, args.skip.split(",")))
    workdir = tempfile.mkdtemp(prefix="gongjian-province-")
    print(
        f"Gongjian province — {args.n:,} projects in {CITIES} cities × {DISTRICTS} districts, PostgreSQL, "
        f"{os.cpu_count()} CPUs, load average at start {os.getloadavg()[0]:.2f}"
    )
    if args.reuse:
        os.environ.setdefault("GONGJIAN_DATA_DIR", workdir)
        os.environ["DJANGO_SETTINGS_MODULE"] = "gongjian.settings"
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        from gongjian.projects.models import Project

        args.n = Project.objects.count()
    else:
        registry.setup_django(workdir)
        from gongjian.lights import services as lighting

        lighting.install_default_rules()  # a flushed database has lost the migration's rows
        clock = time.perf_counter()
        build_projects(args.n)
        registry.office_user()
        built = time.perf_counter() - clock
        clock = time.perf_counter()
        reports = build_reports()
        print(
            f"  (untimed) {args.n:,} projects with plans, leaders, milestones and approvals in {built:.0f} s; "
            f"{reports:,} approved reports by COPY in {time.perf_counter() - clock:.0f} s"
        )
        vacuum()
        clock = time.perf_counter()
        result = lighting.recompute(year=YEAR, today=date(YEAR, 12, 31), open_cases=False)
        split = ", ".join(f"{k} {v:.1f} s" for k, v in result.seconds.items())
        print(
            f"first recompute: {result.lights:,} lights written in {time.perf_counter() - clock:.1f} s ({split}); "
            f"peak {registry.peak_mb():.0f} MB; load average {os.getloadavg()[0]:.1f}"
        )
        vacuum()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        print(f"database size {cursor.fetchone()[0]}")
    connection.close()
    if "list" not in skip:
        measure_list(workdir, args)
    if "board" not in skip:
        lights_bench.measure_board(workdir, args)
        lights_bench.measure_red_list(workdir, args.reads, 32)
    if "filing" not in skip:
        measure_filing(workdir, args)
    if "assessment" not in skip:
        measure_assessment(args)


if __name__ == "__main__":
    main()
