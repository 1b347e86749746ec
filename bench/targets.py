"""Targets benchmark: the year's targets board (目标完成情况), an indicator's ranking of every unit and the API's
targets at N units × M indicators with 11 months of actuals (default 500 × 30 × 11 = 165,000 actuals).

    .venv/bin/python bench/targets.py                         # SQLite in a temporary directory
    .venv/bin/python bench/targets.py --units 100 --requests 60
    GONGJIAN_DATABASE_URL=postgres://postgres@127.0.0.1:5432/targets_bench .venv/bin/python bench/targets.py

Data: N units, M indicators of the year (a fifth of them money, in 亿元), every unit a target of every indicator
(quarterly milestones for a third), and for each target its cumulative actual of months 1–11: months 1–10
approved, November's submitted (a twentieth returned), written in bulk.
Steps:
  cold (in process) — ``targets.queries.board`` for the office computed afresh: every cell read in one query,
         rated and ranked (what the first reader pays after any change: each process keeps the board it computed
         until the targets' stamp changes);
  HTTP — the pages and API over gunicorn signed in as the project office while nothing changes: the board, an
         indicator's page with every unit ranked, and the API's targets of one indicator (N rows) and of the whole
         year (N × M rows, paged).
Each prints p50/p99, throughput and the process's peak memory.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

import registry  # noqa: E402  (the registry benchmark's Django setup, office account and HTTP timer)

YEAR = 2025  # a past year: every month's actual may be entered


def build(units: int, indicators: int, months: int = 11) -> None:
    from django.utils import timezone

    from gongjian.org.models import Region, Unit
    from gongjian.targets.models import Actual, Indicator, UnitTarget

    rng = random.Random(16)
    county = Region.objects.create(code="320311", name="泉山区", level="county")
    Unit.objects.bulk_create(
        [
            Unit(name=f"基准单位{i:04d}", kind="department", region=county, path=f"/{i}/")
            for i in range(units)
        ],
        batch_size=2000,
    )
    unit_ids = list(Unit.objects.order_by("pk").values_list("pk", flat=True))
    Indicator.objects.bulk_create(
        [
            Indicator(
                year=YEAR,
                name=f"基准指标{j:02d}",
                measure="亿元" if j % 5 == 0 else "公顷",
                category="economy" if j % 5 == 0 else "greening",
                order=j,
            )
            for j in range(indicators)
        ]
    )
    found = list(Indicator.objects.filter(year=YEAR).order_by("order"))
    targets = []
    for indicator in found:
        for unit_id in unit_ids:
            value = Decimal(rng.randint(10, 500) * (1_000_000 if indicator.is_money else 1))
            milestones = [str(value * q / 4) for q in (1, 2, 3, 4)] if indicator.order % 3 == 0 else []
            targets.append(
                UnitTarget(indicator=indicator, unit_id=unit_id, target=value, milestones=milestones)
            )
    UnitTarget.objects.bulk_create(targets, batch_size=5000)
    now = timezone.now()
    batch: list[Actual] = []
    for target_id, target, money in UnitTarget.objects.values_list(
        "pk", "target", "indicator__measure"
    ).iterator():
        pace = rng.uniform(0.7, 1.2)
        for month in range(1, months + 1):
            value = (target * Decimal(pace * month / 12)).quantize(
                Decimal(1) if money == "亿元" else Decimal("0.01")
            )
            state = "approved" if month < months else ("returned" if rng.random() < 0.05 else "submitted")
            batch.append(
                Actual(
                    unit_target_id=target_id,
                    month=month,
                    value=value,
                    state=state,
                    note="基准",
                    submitted_at=now,
                )
            )
        if len(batch) >= 20_000:
            Actual.objects.bulk_create(batch, batch_size=5000)
            batch = []
    Actual.objects.bulk_create(batch, batch_size=5000)


def measure_board(requests: int) -> list[float]:
    """The board computed afresh each time (what the first reader pays after any change)."""
    from gongjian.accounts.models import User
    from gongjian.targets import queries

    office = User.objects.get(username="bench-office")
    queries.board(YEAR, user=office, through_month=11)
    latencies = []
    for _ in range(requests):
        queries.forget()
        start = time.perf_counter()
        summaries = queries.board(YEAR, user=office, through_month=11)
        latencies.append((time.perf_counter() - start) * 1000)
        assert summaries and summaries[0].cells
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--units", type=int, default=500, help="units (default 500)")
    parser.add_argument("--indicators", type=int, default=30, help="indicators (default 30)")
    parser.add_argument("--requests", type=int, default=120, help="HTTP requests per step (default 120)")
    parser.add_argument("--board", type=int, default=30, help="in-process board reads (default 30)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--data", help="the data directory to use (default: a new temporary one)")
    args = parser.parse_args()
    workdir = args.data or tempfile.mkdtemp(prefix="gongjian-targets-")
    database = "PostgreSQL" if "postgres" in os.environ.get("GONGJIAN_DATABASE_URL", "") else "SQLite"
    registry.setup_django(workdir)
    started = time.perf_counter()
    build(args.units, args.indicators)
    registry.office_user()
    from gongjian.targets.models import Actual, Indicator

    print(
        f"built {args.units:,} units × {args.indicators} indicators, {Actual.objects.count():,} actuals in "
        f"{time.perf_counter() - started:.1f} s ({database})"
    )
    if database == "PostgreSQL":
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
    load = os.getloadavg()
    board = measure_board(args.board)
    board_peak = registry.peak_mb()
    first = Indicator.objects.filter(year=YEAR).order_by("order").first()
    steps = [
        ("board page", [f"/targets/?year={YEAR}&month=11"], b"indicator-table"),
        ("indicator page (every unit ranked)", [f"/targets/indicators/{first.pk}/?month=11"], b"unit-table"),
        (
            "API targets of one indicator",
            [f"/api/v1/targets/targets?year={YEAR}&month=11&indicator_id={first.pk}"],
            b'"count"',
        ),
        (
            "API targets of the year, 1,000 a page",
            [f"/api/v1/targets/targets?year={YEAR}&month=11&limit=1000"],
            b'"count"',
        ),
    ]
    from django.db import connection

    connection.close()
    results = []
    for label, paths, marker in steps:
        latencies, elapsed = registry.measure_list_page(
            workdir, paths, args.requests, args.workers, marker=marker
        )
        results.append((label, latencies, elapsed))
    print(
        f"\nGongjian targets — {args.units:,} units × {args.indicators} indicators × 11 months, {database}, "
        f"{os.cpu_count()} CPUs, load average at start {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, now "
        + " ".join(f"{x:.2f}" for x in os.getloadavg())
    )
    print(f"{'step':<44}{'calls':>7}{'per s':>8}{'p50 ms':>9}{'p99 ms':>9}{'peak MB':>9}")
    print(
        f"{'cold board (in process, every cell ranked)':<44}{len(board):>7}{1000 / statistics.mean(board):>8.1f}"
        f"{statistics.median(board):>9.1f}{registry.percentile(board, 0.99):>9.1f}{board_peak:>9.0f}"
    )
    for label, latencies, elapsed in results:
        print(
            f"{f'HTTP {label}':<44}{len(latencies):>7}{len(latencies) / elapsed:>8.1f}"
            f"{statistics.median(latencies):>9.1f}{registry.percentile(latencies, 0.99):>9.1f}{'—':>9}"
        )


if __name__ == "__main__":
    main()
