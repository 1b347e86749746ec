"""Registry benchmark: import, export and the filtered list page at N projects (default 10,000).

    make bench                                   # SQLite in a temporary directory
    .venv/bin/python bench/registry.py --n 2000 --requests 100
    GONGJIAN_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/registry.py

Steps: build reference data and N projects (each with an annual plan, two leaders, six milestones and five
approvals), export them to .xlsx, delete them, import that file (all creates), import it again (all
unchanged), import it with every total changed (all updates), then request the list page with a mix of
filters, sorts and pages over HTTP from gunicorn (2 workers), signed in as the project office. Peak memory is the
process's peak resident set size after each step (it only grows).
"""

from __future__ import annotations

import argparse
import io
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))


BENCH_PASSWORD = "Kq7!trial-run-2026"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def setup_django(workdir: str) -> None:
    os.environ.setdefault("GONGJIAN_DATA_DIR", workdir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "gongjian.settings"
    import django

    django.setup()
    from django.core.management import call_command

    if "sqlite" not in os.environ.get("GONGJIAN_DATABASE_URL", "sqlite"):
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", interactive=False, verbosity=0)


def build_org() -> dict[str, list]:
    """The district the projects belong to: regions down to eight streets, 40 responsible units, four parks, 12
    headquarters, 200 owner enterprises and 20 leaders, by kind."""
    from gongjian.core.identifiers import make_credit_code, make_org_code
    from gongjian.org.models import Person, Region, Unit

    province = Region.objects.create(code="320000", name="江苏省", level="province")
    city = Region.objects.create(code="320300", name="徐州市", level="prefecture", parent=province)
    county = Region.objects.create(code="320311", name="泉山区", level="county", parent=city)
    streets = [
        Region.objects.create(code=f"320311{i:03d}", name=f"第{i}街道", level="township", parent=county)
        for i in range(1, 9)
    ]
    units = [
        Unit.objects.create(name=f"责任单位{i:02d}", kind="department", region=county) for i in range(40)
    ]
    parks = [Unit.objects.create(name=f"产业园{i}", kind="park", region=county) for i in range(4)]
    hqs = [Unit.objects.create(name=f"指挥部{i:02d}", kind="headquarters", region=county) for i in range(12)]
    owners = [
        Unit.objects.create(
            name=f"业主企业{i:03d}有限公司",
            kind="enterprise",
            region=county,
            credit_code=make_credit_code("91320311" + make_org_code(f"{i + 1:08d}")),
        )
        for i in range(200)
    ]
    leaders = [
        Person.objects.create(name=f"领导{i:02d}", post="副区长", leadership_body="government")
        for i in range(20)
    ]
    return {
        "streets": streets,
        "units": units,
        "parks": parks,
        "headquarters": hqs,
        "owners": owners,
        "leaders": leaders,
    }


def build_projects(n: int, year: int) -> None:
    """N projects written straight to the database, shaped like the import would make them."""
    from django.db import transaction

    from gongjian.projects.models import Project

    rng = random.Random(20261123)
    with transaction.atomic():
        org = build_org()
        Project.objects.bulk_create(new_projects(range(n), year, org, rng), batch_size=2000)
        add_children(list(Project.objects.order_by("pk")), year, org["leaders"], rng)


def existing_org() -> dict[str, list]:
    """The district :func:`build_org` made, read back (for projects added later, as the office adds them)."""
    from gongjian.org.models import Person, Region, Unit

    def units(kind: str) -> list:
        return list(Unit.objects.filter(kind=kind).order_by("pk"))

    return {
        "streets": list(Region.objects.filter(level="township").order_by("pk")),
        "units": units("department"),
        "parks": units("park"),
        "headquarters": units("headquarters"),
        "owners": units("enterprise"),
        "leaders": list(Person.objects.filter(leadership_body="government").order_by("pk")),
    }


def new_projects(numbers, year: int, org: dict[str, list], rng: random.Random) -> list:
    """Unsaved projects numbered ``numbers`` (0-based; the code is the number + 1) in ``org``'s district."""
    from gongjian.projects.models import Project

    streets, units, parks = org["streets"], org["units"], org["parks"]
    hqs, owners = org["headquarters"], org["owners"]
    projects = []
    for i in numbers:
        total = rng.randrange(5_000, 500_000) * 10_000
        projects.append(
            Project(
                code=f"{year}-{i + 1:05d}",
                name=f"基准项目{i + 1:05d}{rng.choice(['厂房', '商贸城', '产业园', '道路'])}",
                category=rng.choice(["industry", "commerce", "urban", "livelihood"]),
                nature=rng.choice(["new", "continuing", "preliminary"]),
                level=rng.choice(["province", "city", "district"]),
                year=year,
                region=rng.choice(streets),
                park=rng.choice(parks) if i % 3 == 0 else None,
                owner=rng.choice(owners),
                responsible_unit=rng.choice(units),
                headquarters=rng.choice(hqs) if i % 2 else None,
                location=f"泉山区某路{i}号",
                content="新建厂房及配套设施",
                total_investment=total,
                planned_start=date(year, rng.randint(1, 12), 1),
                planned_completion=date(year + 2, 6, 30),
                land_area_mu=rng.randint(0, 300),
                expected_output=total * 2,
                expected_tax=total // 10,
                expected_jobs=rng.randint(0, 800),
            )
        )
    return projects


def add_children(projects: list, year: int, leaders: list, rng: random.Random) -> None:
    """Each project's annual plan for ``year`` (a third of its total, evenly by month), two leaders, six
    milestones and five approvals, written straight to the database."""
    from gongjian.projects.models import AnnualPlan, Approval, Milestone, ProjectLeader
    from gongjian.projects.services import dekads_from_months

    plans, links, milestones, approvals = [], [], [], []
    for p in projects:
        months = [p.total_investment // 3 // 12] * 12
        plans.append(AnnualPlan(project=p, year=year, dekads=dekads_from_months(months), total=sum(months)))
        first, second = rng.sample(leaders, 2)
        links += [
            ProjectLeader(project=p, person=first, role="lead"),
            ProjectLeader(project=p, person=second, role="deputy"),
        ]
        for j, kind in enumerate(
            ["delisting", "start", "topping_out", "equipment", "completion", "production"]
        ):
            milestones.append(
                Milestone(
                    project=p,
                    kind=kind,
                    sequence=j,
                    planned_date=date(year, 1, 15) + timedelta(days=60 * j),
                )
            )
        for kind in [
            "project_approval",
            "land_pre_review",
            "land_planning",
            "environment",
            "construction_permit",
        ]:
            approvals.append(Approval(project=p, kind=kind, status="in_progress"))
    AnnualPlan.objects.bulk_create(plans, batch_size=2000)
    ProjectLeader.objects.bulk_create(links, batch_size=5000)
    Milestone.objects.bulk_create(milestones, batch_size=5000)
    Approval.objects.bulk_create(approvals, batch_size=5000)


def office_user():
    """The office's account the benchmarks sign in with, by password alone (the project office's second factor,
    on by default in a fresh installation, is switched off as the demo does)."""
    from gongjian.accounts.services import create_user, set_role_policy

    set_role_policy("project_office", require_otp=False, actor=None)
    return create_user(username="bench-office", password=BENCH_PASSWORD, roles=["project_office"])


def measure_list_page(
    workdir: str, queries: list[str], requests: int, workers: int, marker: bytes = b"project-table"
) -> tuple[list[float], float]:
    """Serve the benchmark database with gunicorn, sign in through the login form, and time a page (the list
    page unless ``queries`` say otherwise); every answer must be 200 and contain ``marker``."""
    import http.cookiejar
    import re
    import socket
    import subprocess
    import urllib.parse
    import urllib.request

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
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        for _ in range(100):
            try:
                page = opener.open(f"{base}/accounts/login/").read().decode()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit("gunicorn did not start")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode(
            {"username": "bench-office", "password": BENCH_PASSWORD, "csrfmiddlewaretoken": token}
        ).encode()
        opener.open(urllib.request.Request(f"{base}/accounts/login/", data=form, headers={"Referer": base}))
        urls = [base + urllib.parse.quote(q, safe="/?=&-") for q in queries]
        for url in urls * 2:  # warm-up: every worker loads its code and connections
            opener.open(url).read()
        latencies = []
        start_all = time.perf_counter()
        for i in range(requests):
            start = time.perf_counter()
            with opener.open(urls[i % len(urls)]) as response:
                body = response.read()
                assert response.status == 200 and marker in body
            latencies.append((time.perf_counter() - start) * 1000)
        return latencies, time.perf_counter() - start_all
    finally:
        server.terminate()
        server.wait(timeout=10)


def timed(label: str, func, rows: list):
    start = time.perf_counter()
    result = func()
    seconds = time.perf_counter() - start
    rows.append((label, seconds, peak_mb()))
    return result, seconds


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=10_000, help="projects (default 10,000)")
    parser.add_argument("--requests", type=int, default=300, help="list-page requests (default 300)")
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers serving the list page")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="gongjian-bench-") as workdir:
        setup_django(workdir)
        from django.conf import settings
        from django.db import connection

        from gongjian.core import audit
        from gongjian.exchange.services import export_projects, import_projects
        from gongjian.projects.models import Project

        engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        steps: list[tuple[str, float, float]] = []
        timed("generate projects (bulk insert)", lambda: build_projects(args.n, args.year), steps)
        user = office_user()

        buffer = io.BytesIO()
        queryset = Project.objects.order_by("code")
        timed(
            f"export {args.n:,} projects to .xlsx",
            lambda: export_projects(queryset, args.year, buffer),
            steps,
        )
        data = buffer.getvalue()
        Project.objects.all().delete()

        def run_import(payload: bytes):
            # The web server (and the embedded worker) seal the audit chain in their own thread after the import
            # commits, so the user does not wait for it; here it is held back and timed on its own below.
            with mock.patch.object(audit, "_seal_after_commit", lambda: None):
                result = import_projects(io.BytesIO(payload), filename="projects.xlsx", actor=user)
            if result.errors:
                raise SystemExit(f"import reported errors: {result.errors[:3]}")
            return result

        def imported(label: str, payload: bytes):
            result, _ = timed(label, lambda: run_import(payload), steps)
            timed("  then seal its audit events (background)", audit.seal, steps)
            return result

        created = imported(f"import {args.n:,} new projects", data)
        same = imported(f"re-import same file ({args.n:,} unchanged)", data)
        Project.objects.update(total_investment=1)  # every row in the file now differs from the database
        changed = imported(f"re-import ({args.n:,} updated)", data)
        assert Project.objects.count() == args.n, "re-import must update, not duplicate"

        unit = Project.objects.values_list("responsible_unit_id", flat=True).first()
        leader = (
            Project.objects.filter(leader_links__isnull=False)
            .values_list("leader_links__person_id", flat=True)
            .first()
        )
        queries = [
            "/projects/",
            "/projects/?category=industry",
            "/projects/?q=厂房",
            "/projects/?sort=-total",
            f"/projects/?unit={unit}&nature=new",
            f"/projects/?leader={leader}&sort=-plan",
            "/projects/?level=city&page=20",
            "/projects/?category=commerce&q=商贸&sort=start",
        ]
        connection.close()
        latencies, elapsed = measure_list_page(workdir, queries, args.requests, args.workers)
        steps.append((f"list page x{args.requests} over HTTP", elapsed, peak_mb()))

        print(
            f"\nGongjian registry benchmark — {args.n:,} projects, {engine}, Python {sys.version.split()[0]}, "
            f"{os.cpu_count()} CPUs"
        )
        print(f"{'step':<44}{'seconds':>10}{'rows/s':>12}{'peak RSS MB':>14}")
        for label, seconds, memory in steps:
            rate = f"{args.n / seconds:,.0f}" if label.startswith(("import", "re-import", "export")) else ""
            print(f"{label:<44}{seconds:>10.2f}{rate:>12}{memory:>14.0f}")
        print(
            f"\nimport results: created={created.created} unchanged={same.unchanged} updated={changed.updated}"
        )
        print(
            f"list page over HTTP (gunicorn, {args.workers} workers; {len(queries)} filter/sort/page variants, "
            f"{args.requests} sequential requests): "
            f"p50 {statistics.median(latencies):.1f} ms, p99 {percentile(latencies, 0.99):.1f} ms, "
            f"max {max(latencies):.1f} ms, {args.requests / elapsed:.0f} req/s"
        )
        connection.close()


if __name__ == "__main__":
    main()
