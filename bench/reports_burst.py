"""Report burst benchmark: one report per project filed and submitted through the JSON API by concurrent clients
against the production server setup (gunicorn on PostgreSQL).

    GONGJIAN_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/reports_burst.py
    ... --n 2000 --clients 32 --workers 4

With --flow one (the default) each report is one request, POST /api/v1/reports with "submit": true, which files
and submits it in one transaction; with --flow two it is the draft (POST /api/v1/reports) and then
POST /api/v1/reports/{id}/submit. Clients are threads in this process, each with the API token of the reporter
of the project's unit. Afterwards every project must have exactly one report, submitted, with exactly one kept
submission.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

import registry  # noqa: E402  (the registry benchmark's data generator)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument(
        "--flow",
        choices=["one", "two"],
        default="one",
        help="one request per report (file and submit) or two (draft, then submit)",
    )
    parser.add_argument(
        "--chain-sample",
        type=int,
        default=1000,
        help="filings per arm of the audit chain's cost measurement (0 to skip)",
    )
    args = parser.parse_args()
    if "postgres" not in os.environ.get("GONGJIAN_DATABASE_URL", ""):
        raise SystemExit("set GONGJIAN_DATABASE_URL to a PostgreSQL database (it is flushed)")

    workdir = tempfile.mkdtemp(prefix="gongjian-burst-")
    registry.setup_django(workdir)
    from datetime import timedelta

    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from gongjian.projects.models import Project
    from gongjian.reports.models import Report, ReportRevision
    from gongjian.reports.services import open_period

    registry.build_projects(args.n, 2026)
    now = timezone.now()
    period = open_period(
        "2026-11-3", opens_at=now - timedelta(days=1), deadline=now + timedelta(days=3), actor=None
    )
    tokens, users = reporters()
    work: queue.Queue = queue.Queue()
    for pk, unit_id in Project.objects.values_list("pk", "responsible_unit_id"):
        work.put((pk, tokens[unit_id]))
    connection.close()

    port = 18000 + os.getpid() % 1000
    base = f"http://127.0.0.1:{port}/api/v1"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "gongjian.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        env={**os.environ, "GONGJIAN_DATA_DIR": workdir, "PYTHONPATH": str(ROOT / "src")},
    )
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def call(method: str, url: str, token: str, payload: dict) -> dict:
        request = urllib.request.Request(
            url,
            data=json.dumps(payload).encode(),
            method=method,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())

    def client() -> None:
        while True:
            try:
                project_id, token = work.get_nowait()
            except queue.Empty:
                return
            start = time.perf_counter()
            try:
                filing = {"project_id": project_id, "period_id": period.pk, "amount": 1_000_000}
                if args.flow == "one":
                    call("POST", f"{base}/reports", token, filing | {"submit": True})
                else:
                    report = call("POST", f"{base}/reports", token, filing)
                    call(
                        "POST", f"{base}/reports/{report['id']}/submit", token, {"version": report["version"]}
                    )
                with lock:
                    latencies.append((time.perf_counter() - start) * 1000)
            except (urllib.error.URLError, OSError, ValueError) as exc:
                with lock:
                    errors.append(f"{project_id}: {exc}")

    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/openapi.json", timeout=2)
            except urllib.error.HTTPError:
                break  # the server answers (401 without a session)
            except OSError:
                time.sleep(0.1)
        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        cpu_before = resource.getrusage(resource.RUSAGE_SELF)
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        cpu_after = resource.getrusage(resource.RUSAGE_SELF)
        client_cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    finally:
        server.terminate()
        server.wait(timeout=10)

    per_project = dict(Report.objects.filter(period=period).values_list("project_id").annotate(n=Count("id")))
    submitted = Report.objects.filter(period=period, state="submitted").count()
    revisions = ReportRevision.objects.filter(report__period=period).count()
    exactly_once = (
        len(per_project) == args.n
        and set(per_project.values()) == {1}
        and submitted == args.n
        and revisions == args.n
    )
    latencies.sort()
    requests_per_report = 1 if args.flow == "one" else 2
    print(
        f"\nGongjian report burst — {args.n:,} projects, {args.clients} clients, gunicorn {args.workers} workers, "
        f"PostgreSQL, {os.cpu_count()} CPUs, {requests_per_report} request(s) per report"
    )
    print(
        f"{'reports':>10}{'seconds':>10}{'reports/s':>12}{'requests/s':>12}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}"
    )
    done = len(latencies)
    print(
        f"{done:>10,}{elapsed:>10.1f}{done / elapsed:>12.0f}{requests_per_report * done / elapsed:>12.0f}"
        f"{statistics.median(latencies) if latencies else 0:>10.0f}"
        f"{latencies[min(done - 1, round(0.99 * (done - 1)))] if latencies else 0:>10.0f}{len(errors):>8}"
    )
    print(
        f"every report landed exactly once: {'yes' if exactly_once else 'NO'} "
        f"(projects with a report {len(per_project):,}, submitted {submitted:,}, kept submissions {revisions:,})"
    )
    print(
        f"the 32 client threads themselves used {client_cpu:.0f} CPU-seconds of the {elapsed:.0f} s "
        f"({client_cpu / elapsed / (os.cpu_count() or 1):.0%} of the machine): they share its cores with the server".replace(
            "32", str(args.clients), 1
        )
    )
    for line in errors[:5]:
        print("error:", line)
    if args.chain_sample:
        chain_cost(args.chain_sample, users)


def reporters() -> tuple[dict, dict]:
    """A reporter for each unit responsible for projects, with an API token: ({unit id: token}, {unit id: user})."""
    from django.contrib.auth.models import Group

    from gongjian.accounts.models import User
    from gongjian.accounts.services import create_api_token
    from gongjian.org.models import Person, Unit

    group = Group.objects.get(name="unit_reporter")
    tokens, users = {}, {}
    for unit in Unit.objects.filter(responsible_projects__isnull=False).distinct():
        user = User.objects.create(username=f"rep-{unit.pk}")
        user.groups.add(group)
        Person.objects.create(name=f"填报员{unit.pk}", unit=unit, user=user)
        tokens[unit.pk] = create_api_token(user, "burst", actor=user)[1]
        users[unit.pk] = user
    return tokens, users


def chain_cost(sample: int, users: dict) -> None:
    """What the audit trail's hash chain adds to one filing (issue 11 allows 1 ms): file and submit reports in
    process, in turn with the web server's background sealer (as gunicorn runs it), with sealing right after each
    commit (as commands and tests run it), and with sealing held back; compare the arms' p50 and p99. The chain
    is verified afterwards."""
    from datetime import timedelta

    from django.utils import timezone

    from gongjian.core import audit
    from gongjian.projects.models import Project
    from gongjian.reports.services import open_period, save_report

    now = timezone.now()
    period = open_period(
        "2026-12-1", opens_at=now - timedelta(days=1), deadline=now + timedelta(days=3), actor=None
    )
    projects = list(Project.objects.order_by("pk")[: 3 * sample])
    scheduled = audit.schedule_seal
    arms: dict[str, list[float]] = {
        "background sealer (web server)": [],
        "sealed after each commit": [],
        "sealing held back": [],
    }
    names = list(arms)
    for i, project in enumerate(projects):
        name = names[i % 3]
        audit.schedule_seal = (lambda: None) if name == "sealing held back" else scheduled
        audit._sealer.enabled = name == "background sealer (web server)"
        if audit._sealer.enabled:
            audit._sealer.start()
        start = time.perf_counter()
        save_report(
            project, period, {"amount": 1_000_000}, actor=users[project.responsible_unit_id], submit=True
        )
        arms[name].append((time.perf_counter() - start) * 1000)
    audit.schedule_seal = scheduled
    audit._sealer.enabled = False
    time.sleep(0.5)  # let the background sealer finish its last round
    start = time.perf_counter()
    late = audit.seal()
    seal_ms = (time.perf_counter() - start) * 1000
    verdict = audit.verify_chain()
    print(f"\naudit chain's cost per filing, in process, {len(projects):,} filings taking the arms in turn:")
    print(f"{'arm':<34}{'filings':>9}{'p50 ms':>9}{'p99 ms':>9}{'vs held back':>14}")
    base = statistics.median(arms["sealing held back"])
    for name, times in arms.items():
        times.sort()
        p50 = statistics.median(times)
        print(
            f"{name:<34}{len(times):>9,}{p50:>9.2f}{times[round(0.99 * (len(times) - 1))]:>9.2f}"
            f"{p50 - base:>+13.2f}"
        )
    print(
        f"left to seal at the end: {late:,} events ({seal_ms:.0f} ms); "
        f"chain verified: {'intact' if verdict.ok else verdict.broken} ({verdict.checked:,} events)"
    )


if __name__ == "__main__":
    main()
