"""The map's benchmark (一张图, issue 15): N projects (default 10,000) of the registry benchmark, lit for a year as
the lights benchmark lights them, nine in ten with site coordinates inside the district's boundary; then the map's
data (``onemap.queries.map_data``) for the project office, and the whole page rendered through Django's test
client, each five times.

    .venv/bin/python bench/onemap.py                   # SQLite in a temporary directory
    .venv/bin/python bench/onemap.py --n 2000
    GONGJIAN_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_map .venv/bin/python bench/onemap.py
"""

from __future__ import annotations

import argparse
import json
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

import registry  # noqa: E402  (the registry benchmark's data generator)


def place_sites(year: int) -> None:
    """A square district around 117.15 E, 34.2 N, and a site in it for nine projects in ten."""
    from gongjian.org.models import Region
    from gongjian.org.services import save_boundary
    from gongjian.projects.models import Project

    top = min(Region.objects.all(), key=lambda r: (r.path.count("/"), r.code))
    ring = [[117.0, 34.05], [117.3, 34.05], [117.3, 34.35], [117.0, 34.35], [117.0, 34.05]]
    save_boundary(top, json.dumps({"type": "Polygon", "coordinates": [ring]}).encode())
    rng = random.Random(15)
    rows = list(Project.objects.only("pk"))
    for project in rows:
        if rng.random() < 0.9:
            project.longitude = Decimal(f"{rng.uniform(117.02, 117.28):.6f}")
            project.latitude = Decimal(f"{rng.uniform(34.07, 34.33):.6f}")
    Project.objects.bulk_update(rows, ["longitude", "latitude"], batch_size=2000)


def timed(label: str, func, runs: int) -> None:
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        result = func()
        seconds.append(time.perf_counter() - start)
    print(
        f"{label}: p50 {statistics.median(seconds) * 1000:.0f} ms, max {max(seconds) * 1000:.0f} ms "
        f"of {runs}{result}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--profile", action="store_true", help="and where one map_data's time goes (cProfile)"
    )
    parser.add_argument(
        "--reuse", metavar="DIR", help="measure on the SQLite district an earlier run left in DIR"
    )
    args = parser.parse_args()
    workdir = args.reuse or tempfile.mkdtemp(prefix="gongjian-map-")
    if args.reuse:  # no flush (registry.setup_django empties a PostgreSQL database first)
        os.environ.setdefault("GONGJIAN_DATA_DIR", workdir)
        os.environ["DJANGO_SETTINGS_MODULE"] = "gongjian.settings"
        import django

        django.setup()
    else:
        registry.setup_django(workdir)
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    import lights
    from gongjian.accounts.models import User
    from gongjian.onemap.queries import map_data

    print(
        f"{args.n} projects on {connection.vendor} in {workdir}; load average {os.getloadavg()}", flush=True
    )
    if args.reuse:
        office = User.objects.get(username="bench-office")
    else:
        start = time.perf_counter()
        office = lights.lit_district(args.n)
        place_sites(2026)
        print(f"built in {time.perf_counter() - start:.0f} s", flush=True)

    def data():
        with CaptureQueriesContext(connection) as captured:
            result = map_data(office, {}, year=2026)
        return f" — {len(result.points)} points, {len(result.unplaced)} listed, {len(captured)} queries"

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(office)

    def page():
        response = client.get("/map/?year=2026")
        assert response.status_code == 200
        return f" — {len(response.content) / 1024:.0f} KB"

    data()  # the account's permissions, once
    timed("map data (map_data)", data, args.runs)
    timed("map page (GET /map/)", page, args.runs)
    if args.profile:
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.runcall(map_data, office, {}, year=2026)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(18)
    reset_queries()
    print(f"peak memory {registry.peak_mb():.0f} MB; load average {os.getloadavg()}", flush=True)


if __name__ == "__main__":
    main()
