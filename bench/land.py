"""Land acquisition benchmark: a task of N households (default 20,000) — the ledger page and the fairness audit.

    .venv/bin/python bench/land.py                       # SQLite in a temporary directory
    .venv/bin/python bench/land.py --n 2000 --requests 30
    GONGJIAN_DATABASE_URL=postgres://postgres@127.0.0.1:5432/land_bench .venv/bin/python bench/land.py

Data: one park, a service team and a task of two villages; N households, each with 0–4 members, one or two land
parcels, one or two buildings (one in seven with an illegal one), attachments; the task's standard; an agreement
computed by the engine for 85 % of them, signed over the autumn, one in a hundred with an approved deviation.
Steps (in process, Django's test client, signed in as the task's team member, so every row is read in full
and audited as in production):
  ledger — the ledger page (200 rows a page) in four variants: all, a village, unsigned, cadre households;
  audit  — GET /api/v1/land/tasks/{id}/audit (the fairness audit over every agreement of the task);
  wall   — both villages' wall lists published (timed once each), then the public pages without login: the task's
           page and a version's page (500 rows a page: the first and a middle one); and the paper lists of one
           village (.docx and .pdf with the QR code, N/2 rows), generated once each and timed.
Each prints p50/p99, throughput and the process's peak memory. The goal is under 1 s each at 20,000 for the pages.
"""

from __future__ import annotations

import argparse
import datetime as dt
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

import registry  # noqa: E402  (Django set-up, peak memory and percentiles shared with the other benchmarks)


def build(n: int):
    from django.contrib.auth.models import Group

    from gongjian.accounts.models import User
    from gongjian.core.identifiers import citizen_id_check_digit
    from gongjian.land import engine, services, standard
    from gongjian.land.models import (
        Agreement,
        Attachment,
        Building,
        Household,
        Member,
        Parcel,
        Standard,
        Task,
        Village,
    )
    from gongjian.org.models import Person, Unit

    rng = random.Random("bench/land")
    park = Unit.objects.create(name="基准园区", kind="park")
    team = Unit.objects.create(name="基准征迁服务工作队", kind="service_team")
    user = User.objects.create(username="bench-team", full_name="队员")
    user.groups.add(*Group.objects.filter(name="service_team"))
    Person.objects.create(name="队员", unit=team, user=user)
    announced = dt.date(2026, 8, 25)
    task = Task.objects.create(
        name="基准征收任务", park=park, team=team, area_mu=Decimal(20000), announcement_date=announced
    )
    villages = [
        Village.objects.create(task=task, name=f"第{i}村", groups=["一组", "二组"], order=i) for i in range(2)
    ]
    content = json.loads((ROOT / "src/gongjian/land/default_standard.json").read_text(encoding="utf-8"))
    kept = Standard.objects.create(task=task, version=1, name="方案", content=content)
    std = standard.parse(content)
    households, facts = [], []
    members, parcels, buildings, attachments = [], [], [], []
    for i in range(n):
        body = f"320311{1950 + i % 50}0{1 + i % 9}1{i % 10}{i % 1000:03d}"
        households.append(
            Household(
                task=task,
                village=villages[i % 2],
                group="一组",
                number=f"B{i:06d}",
                head_name=f"户主{i}",
                head_id_number=body + citizen_id_check_digit(body),
                cadre_relation="cadre" if i % 40 == 0 else "",
            )
        )
    Household.objects.bulk_create(households, batch_size=2000)
    for h in households:
        persons = rng.randrange(0, 5)
        members += [
            Member(household=h, name="成员", id_number=h.head_id_number, relation="child")
            for _ in range(persons)
        ]
        land = [Parcel(household=h, category="arable", area_mu=Decimal(rng.randrange(50, 400)) / 100)]
        built = [Building(household=h, grade="brick_concrete", area=Decimal(rng.randrange(60, 260)))]
        if rng.random() < 1 / 7:
            built.append(Building(household=h, grade="simple", area=Decimal(20), legal=False))
        things = [Attachment(household=h, kind="tree", count=rng.randrange(1, 30))]
        parcels += land
        buildings += built
        attachments += things
        facts.append(
            engine.Facts(
                persons=1 + persons,
                parcels=tuple(engine.Parcel(p.category, p.area_mu) for p in land),
                buildings=tuple(engine.Building(b.grade, b.area, b.legal) for b in built),
                attachments=tuple(engine.Attachment(a.kind, a.count) for a in things),
            )
        )
    for model, rows in (
        (Member, members),
        (Parcel, parcels),
        (Building, buildings),
        (Attachment, attachments),
    ):
        model.objects.bulk_create(rows, batch_size=5000)
    agreements, signed = [], []
    for i, (h, f) in enumerate(zip(households, facts, strict=True)):
        if i % 100 >= 85:
            continue
        day = announced + dt.timedelta(days=rng.randrange(5, 100))
        result = engine.compute(f, std, day)
        agreed = result.total + (5000 if i % 100 == 7 else 0)
        agreements.append(
            Agreement(
                household=h,
                number=f"B-{i:06d}",
                standard=kept,
                computed_on=day,
                computed_total=result.total,
                lines=services.lines_json(result),
                agreed_total=agreed,
                state="signed",
                signed_on=day,
                deviation_reason="基准偏离" if agreed != result.total else "",
                approved_by=user if agreed != result.total else None,
            )
        )
        h.signed_on = day
        signed.append(h)
    Agreement.objects.bulk_create(agreements, batch_size=2000)
    Household.objects.bulk_update(signed, ["signed_on"], batch_size=2000)
    return task, user, villages


def measure(client, paths: list[str], requests: int, marker: bytes) -> list[float]:
    for path in paths:
        response = client.get(path, HTTP_HOST="127.0.0.1")
        assert response.status_code == 200 and marker in response.content, path
    latencies = []
    for i in range(requests):
        start = time.perf_counter()
        response = client.get(paths[i % len(paths)], HTTP_HOST="127.0.0.1")
        latencies.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=20_000, help="households (default 20,000)")
    parser.add_argument("--requests", type=int, default=40, help="requests per step (default 40)")
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="gongjian-land-")
    database = "PostgreSQL" if "postgres" in os.environ.get("GONGJIAN_DATABASE_URL", "") else "SQLite"
    registry.setup_django(workdir)
    started = time.perf_counter()
    task, user, villages = build(args.n)
    print(f"built a task of {args.n:,} households in {time.perf_counter() - started:.1f} s ({database})")
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    if database == "PostgreSQL":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
    setup_test_environment()
    client = Client()
    client.force_login(user)
    ledger = f"/land/tasks/{task.pk}/ledger/"
    ledger_paths = [ledger, f"{ledger}?village={villages[1].pk}", f"{ledger}?signed=0", f"{ledger}?cadre=1"]
    load = os.getloadavg()
    results = []
    for label, paths, marker in [
        ("ledger page (200 rows, 4 variants)", ledger_paths, b'id="ledger"'),
        ("fairness audit (API)", [f"/api/v1/land/tasks/{task.pk}/audit"], b'"counts"'),
    ]:
        latencies = measure(client, paths, args.requests, marker)
        results.append((label, latencies, registry.peak_mb()))
    from gongjian.land import services, wall, walldocs
    from gongjian.land.models import WallList

    once = []
    for village in villages:
        start = time.perf_counter()
        services.publish_wall_list(village, actor=user)
        once.append(
            (f"publish {village.name} ({village.households.count():,} rows)", time.perf_counter() - start)
        )
    published = WallList.objects.filter(task=task).order_by("number")
    public = Client()  # not signed in
    first = published.first()
    pages = max(1, len(first.rows) // 500)
    results.append(
        (
            "public task page (no login)",
            measure(public, [f"/land/public/{task.pk}/"], args.requests, b"wall-versions"),
            registry.peak_mb(),
        )
    )
    results.append(
        (
            "public wall list page (500 rows)",
            measure(
                public,
                [f"/land/public/walls/{first.pk}/", f"/land/public/walls/{first.pk}/?page={pages // 2 or 1}"],
                args.requests,
                b"wall-rows",
            ),
            registry.peak_mb(),
        )
    )
    sheet = wall.sheet_of(first, f"https://gongjian.example.cn/land/public/walls/{first.pk}/")
    for label, render in (("docx", walldocs.render_docx), ("pdf", walldocs.render_pdf)):
        start = time.perf_counter()
        size = len(render(sheet))
        once.append(
            (f"{label} of {len(first.rows):,} rows ({size / 1e6:.1f} MB)", time.perf_counter() - start)
        )
    print(
        f"\nGongjian land — {args.n:,} households, {database}, {os.cpu_count()} CPUs, load average at start "
        f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, now " + " ".join(f"{x:.2f}" for x in os.getloadavg())
    )
    print(f"{'step':<40}{'calls':>7}{'per s':>8}{'p50 ms':>9}{'p99 ms':>9}{'peak MB':>9}")
    for label, latencies, peak in results:
        print(
            f"{label:<40}{len(latencies):>7}{1000 / statistics.mean(latencies):>8.1f}"
            f"{statistics.median(latencies):>9.1f}{registry.percentile(latencies, 0.99):>9.1f}{peak:>9.0f}"
        )
    for label, seconds in once:
        print(f"{label:<60}{seconds:>8.2f} s")


if __name__ == "__main__":
    main()
