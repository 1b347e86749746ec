"""Briefing benchmark: the monthly dispatch briefing (调度情况通报) of a district of N projects.

    .venv/bin/python bench/briefing.py                 # 10,000 projects
    .venv/bin/python bench/briefing.py --n 2000
    GONGJIAN_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/briefing.py

The registry benchmark's projects with a year of approved reports (as the lights benchmark builds them), lit,
the November results assessed and published, a monthly dispatch meeting with 50 decisions and 2,000 open problem
cases; then the November briefing drafted from the database (investment by category, lights by unit and the red
projects, the ranking and its cards, the problems by unit, the last meeting's decisions) and issued as .docx.
Each step is run `--runs` times on the same data; the table gives p50 and p99 of them.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

import registry  # noqa: E402


def build_dispatch(office, problems: int) -> None:
    from django.utils import timezone

    from gongjian.lights.choices import CaseKind
    from gongjian.lights.models import Case
    from gongjian.meetings import services
    from gongjian.org.models import Unit
    from gongjian.projects.models import Project

    units = list(Unit.objects.filter(kind="department")[:20]) or list(Unit.objects.all()[:20])
    meeting = services.create_meeting(
        kind="monthly",
        title="11月重点项目调度会",
        actor=office,
        held_at=timezone.make_aware(timezone.datetime(2026, 11, 28, 9)),
    )
    for i in range(50):
        services.add_decision(
            meeting,
            text=f"交办事项 {i + 1}",
            owner=units[i % len(units)],
            actor=office,
            deadline=date(2026, 12, 10) + timedelta(days=i % 20),
        )
    now = timezone.now()
    projects = list(Project.objects.values_list("pk", "responsible_unit_id")[:problems])
    Case.objects.bulk_create(
        Case(
            kind=CaseKind.PROBLEM,
            number=f"协2026-B{i:05d}",
            project_id=pid,
            period_code="2026-11-2",
            title="用地指标待协调",
            owner_id=unit,
            deadline=date(2026, 11, 1) + timedelta(days=i % 60),
            opened_at=now,
            last_action_at=now,
        )
        for i, (pid, unit) in enumerate(projects)
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    registry.setup_django(tempfile.mkdtemp(prefix="gongjian-briefing-"))

    import lights as lights_bench
    from gongjian.assess import services as assess
    from gongjian.documents import services as briefings

    office = lights_bench.lit_district(args.n)
    assess.publish(assess.run_assessment("2026-11", actor=office), actor=office)
    build_dispatch(office, min(2000, args.n))

    drafts, issues, sizes = [], [], []
    for _ in range(args.runs):
        clock = time.perf_counter()
        row = briefings.draft("briefing", period_code="2026-11", actor=office)
        drafts.append(time.perf_counter() - clock)
        clock = time.perf_counter()
        row = briefings.issue(row, actor=office)
        issues.append(time.perf_counter() - clock)
        sizes.append(len(bytes(row.content)))
    total = [d + i for d, i in zip(drafts, issues, strict=True)]
    rows = sum(len((s.get("table") or {}).get("rows", [])) for s in row.sections)
    database = "PostgreSQL" if "postgres" in os.environ.get("GONGJIAN_DATABASE_URL", "") else "SQLite"
    print(
        f"\nGongjian monthly briefing — {args.n:,} projects on {database}, {os.cpu_count()} CPUs, "
        f"{args.runs} runs; the briefing has {rows:,} table rows, {sizes[-1] / 1024:.0f} KB"
    )
    print(f"{'step':<46}{'p50 s':>9}{'p99 s':>9}")
    for name, values in (
        ("draft from the database", drafts),
        ("issue: number, render .docx, keep", issues),
        ("draft and issue", total),
    ):
        print(f"{name:<46}{registry.percentile(values, 0.5):>9.2f}{registry.percentile(values, 0.99):>9.2f}")
    print(f"{'peak memory':<46}{registry.peak_mb():>9.0f} MB")


if __name__ == "__main__":
    main()
