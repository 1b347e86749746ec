"""Assessment benchmark: the engine alone on generated columns, and end to end from the database.

    .venv/bin/python bench/assess.py                   # engine at 10,000 and 100,000 projects; end to end at 10,000
    .venv/bin/python bench/assess.py --n 2000 --big 0 --periods 6
    GONGJIAN_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/assess.py

Engine: N projects in 200 headquarters, 36 ten-day periods in one call of ``engine.assess`` with the default
scheme; one project in eight lags (it invests at a third of its pace and misses milestones and reports).
Also the peak memory of a fresh process that reads those frames and calls the engine once.
End to end: the registry benchmark's projects with a year of approved reports (as the lights benchmark builds
them), lit, then ``services.run_assessments`` over all the ten-day periods at once — loading the facts, running the
engine and saving every score, rank and consequence as drafts, with each run's figures — then one period on its
own, and one score's explanation written on demand for 200 scores (p50 and p99). On PostgreSQL the database is
vacuumed and analysed before (as autovacuum keeps a live one); ``--fresh`` assesses straight after the bulk load.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

import registry  # noqa: E402


def frames(n: int, periods: int):
    import polars as pl

    from gongjian.core.periods import Period

    rng = random.Random(5)
    codes = [p.code for p in list(Period.range(Period(2026, 1, 1), Period(2026, 12, 3)))[:periods]]
    projects = pl.DataFrame(
        {
            "project_id": list(range(1, n + 1)),
            "planned": [rng.randint(1, 50) * 1_000_000 for _ in range(n)],
            "headquarters_id": [1 + i % 200 for i in range(n)],
        }
    )
    lagging = {i for i in range(1, n + 1) if i % 8 == 0}
    rows = []
    for index, code in enumerate(codes, start=1):
        for pid in range(1, n + 1):
            pace = 0.33 if pid in lagging else 1.0
            plan = index * 1_000_000
            due = index // 6
            rows.append(
                (
                    code,
                    pid,
                    "dekad",
                    plan,
                    int(plan * pace * rng.uniform(0.9, 1.1)),
                    due,
                    due // 3 if pid in lagging else due,
                    int(pid in lagging and index % 4 == 0),
                    0,
                    int(pid in lagging),
                )
            )
    facts = pl.DataFrame(
        rows,
        schema=[
            "period_code",
            "project_id",
            "period_kind",
            "plan_to_date",
            "done_to_date",
            "milestones_due",
            "milestones_met",
            "missing_reports",
            "late_reports",
            "red_lights",
        ],
        orient="row",
    )
    from gongjian.assess import engine

    empty = {
        name: pl.DataFrame(schema=dict(schema))
        for name, schema in (
            ("evaluations", engine.EVALUATION_COLUMNS),
            ("adjustments", engine.ADJUSTMENT_COLUMNS),
            ("history", engine.HISTORY_COLUMNS),
        )
    }
    return projects, facts, empty


def engine_run(n: int, periods: int, calls: int = 5) -> tuple[list[float], float, int]:
    """The engine's seconds for each of ``calls`` calls (explanations not written, as a run makes them), the
    peak memory of the process, and the scores of one call."""
    from gongjian.assess import engine
    from gongjian.assess.scheme import default_scheme

    projects, facts, empty = frames(n, periods)
    seconds = []
    for _ in range(calls):
        start = time.perf_counter()
        results = engine.assess(
            projects, facts, empty["evaluations"], empty["adjustments"], empty["history"], default_scheme()
        )
        seconds.append(time.perf_counter() - start)
    return seconds, registry.peak_mb(), results.scores.height


def engine_memory(n: int) -> tuple[float, float]:
    """Peak memory (MB) of a fresh process that reads the engine's frames for ``n`` projects × 36 periods from
    Parquet files and calls the engine once: before the call (Python, polars and the frames) and at its end."""
    folder = tempfile.mkdtemp(prefix="gongjian-assess-frames-")
    projects, facts, empty = frames(n, 36)
    for name, frame in {"projects": projects, "facts": facts, **empty}.items():
        frame.write_parquet(Path(folder) / f"{name}.parquet")
    # The high-water mark of the process's own memory (VmHWM): ru_maxrss would count the parent's, which Linux
    # hands down across fork and exec.
    script = f"""
import sys
sys.path.insert(0, {str(ROOT / "src")!r})
import polars as pl
from gongjian.assess import engine
from gongjian.assess.scheme import default_scheme

def peak():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024

names = ["projects", "facts", "evaluations", "adjustments", "history"]
frames = [pl.read_parquet({folder!r} + f"/{{name}}.parquet") for name in names]
before = peak()
engine.assess(*frames, default_scheme())
print(before, peak())
"""
    try:
        out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    finally:
        shutil.rmtree(folder)
    before, after = map(float, out.stdout.split())
    return before, after


def explanations_on_demand(runs, count: int = 200) -> list[float]:
    """Seconds to read one score and write its explanation from its run's figures (what the score page and the
    API do), for ``count`` scores drawn from ``runs``: projects and headquarters alike."""
    from gongjian.assess import queries
    from gongjian.assess.models import Score

    ids = list(Score.objects.filter(run__in=runs).values_list("pk", flat=True))
    rng = random.Random(14)
    seconds = []
    for pk in rng.sample(ids, min(count, len(ids))):
        start = time.perf_counter()
        lines = queries.explanation(Score.objects.get(pk=pk))
        seconds.append(time.perf_counter() - start)
        assert lines
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--big", type=int, default=100_000, help="engine-only size (0 to skip)")
    parser.add_argument("--periods", type=int, default=36, help="ten-day periods end to end")
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="PostgreSQL: assess straight after the bulk load, without VACUUM ANALYZE",
    )
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="gongjian-assess-")
    registry.setup_django(workdir)

    print(
        f"\nGongjian assessment — default scheme, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"{'engine only (no explanations written)':<44}{'first s':>9}{'median s':>9}{'best s':>9}{'scores':>11}"
        f"{'peak MB':>9}"
    )
    for n in [args.n] + ([args.big] if args.big else []):
        seconds, peak, rows = engine_run(n, 36, calls=5 if n <= 20_000 else 2)
        label = f"{n:,} projects × 36 ten-day periods, one call"
        median = registry.percentile(seconds, 0.5)
        print(f"{label:<44}{seconds[0]:>9.3f}{median:>9.3f}{min(seconds):>9.3f}{rows:>11,}{peak:>9.0f}")
    before, after = engine_memory(args.n)
    print(
        f"peak memory of a process reading the frames of {args.n:,} × 36 and calling the engine once: "
        f"{after:.0f} MB ({before:.0f} MB before the call)"
    )

    from django.db import connection

    import lights as lights_bench
    from gongjian.assess import services
    from gongjian.assess.models import Score
    from gongjian.core.periods import Period

    office = lights_bench.lit_district(args.n)
    database = "PostgreSQL" if "postgres" in os.environ.get("GONGJIAN_DATABASE_URL", "") else "SQLite"
    if database == "PostgreSQL" and not args.fresh:
        # What autovacuum does to a live database: statistics for the planner, and the rows just written marked
        # visible (read straight after a bulk load, each page is first rewritten to say so).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    codes = [p.code for p in list(Period.range(Period(2026, 1, 1), Period(2026, 12, 3)))[: args.periods]]
    start = time.perf_counter()
    runs = services.run_assessments(codes, actor=office, early_reason="基准测试")
    seconds = time.perf_counter() - start
    saved = Score.objects.filter(run__in=runs).count()
    peak = registry.peak_mb()
    # one period on its own, as the office's button runs it (replacing its draft)
    single = []
    for code in (codes[len(codes) // 2], codes[-1]):
        clock = time.perf_counter()
        draft = next(run for run in runs if run.period_code == code)
        services.run_assessment(code, actor=office, early_reason="基准测试", expected_version=draft.version)
        single.append(time.perf_counter() - clock)
    vacuumed = " (after VACUUM ANALYZE)" if database == "PostgreSQL" and not args.fresh else ""
    print(f"\nend to end on {database}{vacuumed}: {args.n:,} projects")
    print(f"{'step':<60}{'seconds':>9}{'scores':>11}{'peak MB':>9}")
    print(
        f"{f'{len(codes)} ten-day periods at once: load, assess, save drafts':<60}{seconds:>9.2f}{saved:>11,}"
        f"{peak:>9.0f}"
    )
    for code, took in zip((codes[len(codes) // 2], codes[-1]), single, strict=True):
        print(f"{f'one period ({code}) rerun on its own, replacing its draft':<60}{took:>9.2f}")
    seconds = explanations_on_demand(runs)
    print(
        f"one score's explanation on demand (read the score, write it from its run's figures), {len(seconds)} "
        f"scores: p50 {registry.percentile(seconds, 0.5) * 1000:.1f} ms, p99 {registry.percentile(seconds, 0.99) * 1000:.1f} ms"
    )
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
