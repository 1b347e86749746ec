"""Attraction benchmark: the funnel (招商引资五个环节) page and API at N leads for U units (default 50,000 / 500).

    .venv/bin/python bench/attraction.py                              # SQLite in a temporary directory
    .venv/bin/python bench/attraction.py --leads 5000 --units 100
    GONGJIAN_DATABASE_URL=postgres://postgres@127.0.0.1:5432/attraction_bench .venv/bin/python bench/attraction.py

Data (bulk_create, seconds): U units with a year's targets on every metric, a trip a unit a month, N leads over
the year spread over the units (two in five from a trip), about 80 % signed, 60 % with funds in place (one or two tranches, one in twenty
in US dollars), 15 % started, with a history step per move.
Steps:
  page — the funnel page (every unit, every link, targets, rates, ranks) through Django's test client signed in
         as the office, through months 3, 6, 9, 12;
  API  — GET /api/v1/attraction/funnel?year= with a bearer token, in process;
  HTTP — the funnel page over HTTP from gunicorn.
Each prints p50/p99, throughput and the process's peak memory. The goal: under 200 ms at 50,000 leads.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

import registry  # noqa: E402  (the registry benchmark's Django set-up and HTTP timer)

YEAR = 2026


def build(leads: int, units: int, seed: int = 16) -> None:
    from gongjian.attraction import services
    from gongjian.attraction.choices import Chain, Metric
    from gongjian.attraction.models import AttractionTarget, Lead, LeadStep, Signing, Tranche, Trip
    from gongjian.org.models import Region, Unit

    rng = random.Random(seed)
    region = Region.objects.create(code="320311", name="泉山区", level="county")
    made = [Unit(name=f"招商单位{i:04d}", kind="department", region=region) for i in range(units)]
    for unit in made:
        unit.path = ""
    Unit.objects.bulk_create(made, batch_size=1000)
    made = list(Unit.objects.order_by("pk"))
    for unit in made:  # the path the model's save would give a unit at the top
        unit.path = f"/{unit.pk}/"
    Unit.objects.bulk_update(made, ["path"], batch_size=1000)
    AttractionTarget.objects.bulk_create(
        [
            AttractionTarget(
                unit=u, year=YEAR, metric=m, value=rng.randint(1, 200) * (10_000_00 if "amount" in m else 1)
            )
            for u in made
            for m in Metric.values
        ],
        batch_size=5000,
    )
    trips = Trip.objects.bulk_create(
        [
            Trip(unit=u, start_date=dt.date(YEAR, m, 10), end_date=dt.date(YEAR, m, 12), destination="深圳")
            for u in made
            for m in range(1, 13)
        ],
        batch_size=5000,
    )
    trip_of = {(t.unit_id, t.start_date.month): t for t in trips}
    chains = Chain.values
    rows = []
    for i in range(leads):
        found = dt.date(YEAR, 1, 1) + dt.timedelta(days=rng.randint(0, 300))
        lead = Lead(
            name=f"项目{i}",
            investor=f"投资方{i}",
            chain=rng.choice(chains),
            amount=rng.choice([2, 6, 20, 80]) * 1_000_000,
            unit=made[i % units],
            found_on=found,
            last_step_on=found,
        )
        if rng.random() < 0.4:  # two leads in five come from a trip out of their unit
            lead.trip = trip_of[(lead.unit_id, found.month)]
        roll = rng.random()
        if roll < 0.8:
            lead.stage, lead.signed_on = "signed", found + dt.timedelta(days=rng.randint(5, 40))
        if roll < 0.6:
            lead.stage, lead.funded_on = "funded", lead.signed_on + dt.timedelta(days=rng.randint(5, 30))
        if roll < 0.15:
            lead.stage, lead.started_on = "started", lead.funded_on + dt.timedelta(days=rng.randint(5, 30))
        lead.last_step_on = max(d for d in (found, lead.signed_on, lead.funded_on, lead.started_on) if d)
        rows.append(lead)
    Lead.objects.bulk_create(rows, batch_size=5000)
    steps, signings, tranches = [], [], []
    for n, lead in enumerate(rows):
        steps.append(LeadStep(lead=lead, kind="follow", on=lead.found_on, text="登记", stage_to="talks"))
        if lead.signed_on:
            signings.append(Signing(lead=lead, unit_id=lead.unit_id, date=lead.signed_on, amount=lead.amount))
            steps.append(LeadStep(lead=lead, kind="move", on=lead.signed_on, text="签约", stage_to="signed"))
        if lead.funded_on:
            foreign = n % 20 == 0
            tranches.append(
                Tranche(
                    lead=lead,
                    unit_id=lead.unit_id,
                    date=lead.funded_on,
                    amount=lead.amount // 2,
                    currency="USD" if foreign else "CNY",
                    foreign_amount=lead.amount // 14 if foreign else None,
                    usd_amount=lead.amount // 14 if foreign else None,
                )
            )
            if n % 3 == 0:
                tranches.append(
                    Tranche(
                        lead=lead,
                        unit_id=lead.unit_id,
                        date=lead.funded_on + dt.timedelta(days=30),
                        amount=lead.amount // 4,
                    )
                )
            steps.append(LeadStep(lead=lead, kind="move", on=lead.funded_on, text="到位", stage_to="funded"))
    LeadStep.objects.bulk_create(steps, batch_size=5000)
    Signing.objects.bulk_create(signings, batch_size=5000)
    Tranche.objects.bulk_create(tranches, batch_size=5000)
    services.refresh_figures([u.pk for u in made])  # what the services keep as they write, counted once


def timed(client, paths: list[str], requests: int, marker: bytes, **headers) -> tuple[list[float], float]:
    for path in paths:
        response = client.get(path, HTTP_HOST="127.0.0.1", **headers)
        assert response.status_code == 200 and marker in response.content, (path, response.status_code)
    latencies, cpu = [], []
    started = time.perf_counter()
    for i in range(requests):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(paths[i % len(paths)], HTTP_HOST="127.0.0.1", **headers)
        latencies.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200
    # In process, SQLite's work is this process's too: the CPU time per request is what a request costs on an
    # idle core, whatever else the machine runs.
    print(
        f"  {paths[0]}…: CPU per request p50 {statistics.median(cpu):.1f} ms, p99 {registry.percentile(cpu, 0.99):.1f} ms"
    )
    return latencies, time.perf_counter() - started


def row(label: str, latencies: list[float], elapsed: float, peak: float | str) -> str:
    peak_text = f"{peak:>9.0f}" if isinstance(peak, float) else f"{peak:>9}"
    return (
        f"{label:<44}{len(latencies):>7}{len(latencies) / elapsed:>8.1f}{statistics.median(latencies):>9.1f}"
        f"{registry.percentile(latencies, 0.99):>9.1f}{peak_text}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--leads", type=int, default=50_000, help="leads (default 50,000)")
    parser.add_argument("--units", type=int, default=500, help="units (default 500)")
    parser.add_argument("--requests", type=int, default=60, help="requests per step (default 60)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--no-http", action="store_true", help="skip the gunicorn step")
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="gongjian-attraction-")
    database = "PostgreSQL" if "postgres" in os.environ.get("GONGJIAN_DATABASE_URL", "") else "SQLite"
    registry.setup_django(workdir)
    started = time.perf_counter()
    build(args.leads, args.units)
    print(
        f"built {args.leads:,} leads for {args.units} units in {time.perf_counter() - started:.1f} s ({database})"
    )
    from django.db import connection

    if database == "PostgreSQL":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    from django.test import Client
    from django.test.utils import setup_test_environment

    from gongjian.accounts import services as accounts

    setup_test_environment()
    office = registry.office_user()
    gc.collect()
    gc.freeze()  # as the server's workers do once loaded (gongjian/wsgi.py)
    client = Client()
    client.force_login(office)
    pages = [f"/attraction/?year={YEAR}&through={m}" for m in (3, 6, 9, 12)]
    load = os.getloadavg()
    page, page_elapsed = timed(client, pages, args.requests, b'id="funnel"')
    page_peak = registry.peak_mb()
    _token, secret = accounts.create_api_token(office, "bench", actor=office)
    api_paths = [f"/api/v1/attraction/funnel?year={YEAR}&through_month={m}" for m in (3, 6, 9, 12)]
    api, api_elapsed = timed(
        client, api_paths, args.requests, b'"units"', HTTP_AUTHORIZATION=f"Bearer {secret}"
    )
    api_peak = registry.peak_mb()
    lines = [row("funnel page (in process)", page, page_elapsed, page_peak)]
    lines.append(row("GET /api/v1/attraction/funnel (in process)", api, api_elapsed, api_peak))
    if not args.no_http:
        connection.close()
        http, elapsed = registry.measure_list_page(
            workdir, pages, args.requests, args.workers, marker=b'id="funnel"'
        )
        lines.append(row(f"funnel page, HTTP, gunicorn {args.workers} workers", http, elapsed, "—"))
    print(
        f"\nGongjian attraction funnel — {args.leads:,} leads, {args.units} units, {database}, {os.cpu_count()} CPUs, "
        f"load average at start {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    print(f"{'step':<44}{'calls':>7}{'per s':>8}{'p50 ms':>9}{'p99 ms':>9}{'peak MB':>9}")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
