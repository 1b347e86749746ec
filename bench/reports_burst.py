"""Report burst benchmark: one report per project filed and submitted through the JSON API by concurrent clients
against the production server setup (gunicorn on PostgreSQL).

    GONGJIAN_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/reports_burst.py
    ... --n 2000 --clients 32 --workers 2 --threads 8 --create 1000

With --flow one (the default) each report is one request, POST /api/v1/reports with "submit": true, which files
and submits it in one transaction; with --flow two it is the draft (POST /api/v1/reports) and then
POST /api/v1/reports/{id}/submit. Clients are threads in this process, each with the API token of the reporter
of the project's unit. Afterwards every project must have exactly one report, submitted, with exactly one kept
submission.

With --create N, first N projects are created through the API (POST /api/v1/projects without a code, the
registry numbers them) by --create-clients (8) threads with the office's token; afterwards the N codes must be
distinct. Each step also reports the CPU the server's processes (gunicorn's workers, and PostgreSQL's backends of
this database) spent per request, which a shared machine disturbs less than the rate. Then, in this process,
--in-process filings through Django's test client count the queries of one filing and its CPU.
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
    parser.add_argument(
        "--workers",
        type=int,
        help="gunicorn worker processes (default as gongjian serve: one per core, at least 2)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=8,
        help="threads per worker, gthread (default 8 as gongjian serve; 1: sync)",
    )
    parser.add_argument("--create", type=int, default=0, help="projects to create through the API first")
    parser.add_argument("--create-clients", type=int, default=8)
    parser.add_argument(
        "--in-process",
        type=int,
        default=200,
        help="filings through the test client to count queries (0 to skip)",
    )
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
    args.workers = args.workers or max(2, os.cpu_count() or 1)
    if "postgres" not in os.environ.get("GONGJIAN_DATABASE_URL", ""):
        raise SystemExit("set GONGJIAN_DATABASE_URL to a PostgreSQL database (it is flushed)")

    workdir = tempfile.mkdtemp(prefix="gongjian-burst-")
    registry.setup_django(workdir)
    from datetime import timedelta

    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from gongjian.accounts.services import create_api_token
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
    creations = create_payloads(args.create) if args.create else []
    office = registry.office_user() if args.create else None
    office_token = create_api_token(office, "burst", actor=office)[1] if office else ""
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
            "--worker-class",
            "gthread" if args.threads > 1 else "sync",
            "--threads",
            str(args.threads),
            "--access-logfile",  # as gongjian serve runs it (its command line: serve.gunicorn_argv)
            "-",
            "--log-level",
            "warning",
        ],
        env={
            **os.environ,
            "GONGJIAN_DATA_DIR": workdir,
            "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
        },
        stdout=subprocess.DEVNULL,
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
        warm_up(base, next(iter(tokens.values())), args.workers * args.threads)
        if creations:
            created = create_step(base, office_token, creations, args.create_clients, server.pid)
        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        with ServerCpu(server.pid) as server_cpu:
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
        f"\nGongjian report burst — {args.n:,} projects, {args.clients} clients, gunicorn {args.workers} workers "
        f"× {args.threads} threads, PostgreSQL, {os.cpu_count()} CPUs, {requests_per_report} request(s) per report"
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
    print(
        f"server CPU per report: gunicorn {server_cpu.seconds('gunicorn') * 1000 / max(done, 1):.1f} ms, "
        f"PostgreSQL {server_cpu.seconds('postgres') * 1000 / max(done, 1):.1f} ms"
    )
    for line in errors[:5]:
        print("error:", line)
    if creations:
        print_create_step(created, Project.objects.filter(name__startswith="接口项目"))
    if args.in_process:
        in_process(args.in_process, tokens)
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


def cpu_of(pid: int) -> float | None:
    """CPU seconds (user and system) a process has used, from /proc (Linux); None when it has ended."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class ServerCpu:
    """The CPU the server spends during a step: gunicorn's master and workers, and PostgreSQL's backends of this
    database (not this process's own), looked at every half second, so that a backend that ends during the step
    (CONN_MAX_AGE) loses at most half a second of it."""

    def __init__(self, master: int) -> None:
        self.master = master
        self.first: dict[tuple[str, int], float] = {}
        self.last: dict[tuple[str, int], float] = {}
        self.own: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _pids(self) -> list[tuple[str, int]]:
        from django.db import connection

        pids = [("gunicorn", self.master)]
        for task in os.listdir(f"/proc/{self.master}/task"):
            with open(f"/proc/{self.master}/task/{task}/children") as children:
                pids += [("gunicorn", int(pid)) for pid in children.read().split()]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid, pg_backend_pid() FROM pg_stat_activity WHERE datname = current_database()"
            )
            rows = cursor.fetchall()
        self.own.add(rows[0][1])  # this process's connections (one per thread) are not the server's
        return pids + [("postgres", pid) for pid, _own in rows if pid not in self.own]

    def _look(self, at_start: bool) -> None:
        for key in self._pids():
            used = cpu_of(key[1])
            if used is not None:
                if key not in self.first:
                    self.first[key] = used if at_start else 0.0
                self.last[key] = used

    def _run(self) -> None:
        from django.db import connection

        while not self._stop.wait(0.5):
            self._look(False)
        connection.close()

    def __enter__(self) -> ServerCpu:
        self._pids()  # learn this thread's own backend first
        self._look(True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._look(False)

    def seconds(self, kind: str) -> float:
        return sum(self.last[key] - self.first[key] for key in self.last if key[0] == kind)


def warm_up(base: str, token: str, clients: int) -> None:
    """A few untimed requests from as many clients as the server has threads, so that no step pays for the
    workers' first requests (Django's URL patterns, the API's schemas, the connections)."""

    def client() -> None:
        for _ in range(4):
            request = urllib.request.Request(f"{base}/periods", headers={"Authorization": f"Bearer {token}"})
            with urllib.request.urlopen(request, timeout=60) as response:
                response.read()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def create_payloads(n: int) -> list[dict]:
    """Projects as a client of the API sends them, without codes, on the registry benchmark's regions and units."""
    import random

    from gongjian.org.models import Region, Unit

    rng = random.Random(14)
    streets = list(Region.objects.filter(level="township").values_list("code", flat=True))
    units = list(Unit.objects.filter(kind="department").values_list("pk", flat=True))
    return [
        {
            "name": f"接口项目{i + 1:05d}{rng.choice(['厂房', '商贸城', '产业园', '道路'])}",
            "category": rng.choice(["industry", "commerce", "urban", "livelihood"]),
            "nature": rng.choice(["new", "continuing", "preliminary"]),
            "level": rng.choice(["province", "city", "district"]),
            "year": 2026,
            "region_code": rng.choice(streets),
            "responsible_unit_id": rng.choice(units),
            "total_investment": rng.randrange(5_000, 500_000) * 10_000,
            "location": f"泉山区某路{i}号",
            "content": "新建厂房及配套设施",
            "planned_start": f"2026-{rng.randint(1, 12):02d}-01",
            "planned_completion": "2028-06-30",
        }
        for i in range(n)
    ]


def create_step(base: str, token: str, payloads: list[dict], clients: int, master: int) -> dict:
    """POST every payload to /api/v1/projects from ``clients`` threads; the rate, latencies and server CPU."""
    work: queue.Queue = queue.Queue()
    for body in payloads:
        work.put(body)
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client() -> None:
        while True:
            try:
                body = work.get_nowait()
            except queue.Empty:
                return
            request = urllib.request.Request(
                f"{base}/projects",
                data=json.dumps(body).encode(),
                method="POST",
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            )
            start = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    response.read()
                with lock:
                    latencies.append((time.perf_counter() - start) * 1000)
            except (urllib.error.URLError, OSError, ValueError) as exc:
                with lock:
                    errors.append(str(exc))

    threads = [threading.Thread(target=client) for _ in range(clients)]
    with ServerCpu(master) as server_cpu:
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "n": len(payloads),
        "clients": clients,
        "seconds": elapsed,
        "latencies": latencies,
        "errors": errors,
        "cpu": [
            server_cpu.seconds(kind) * 1000 / max(len(latencies), 1) for kind in ("gunicorn", "postgres")
        ],
    }


def print_create_step(created: dict, projects) -> None:
    latencies, done = created["latencies"], len(created["latencies"])
    codes = projects.values("code").distinct().count()
    print(
        f"\nprojects created through the API, {created['clients']} clients: {done:,} in {created['seconds']:.1f} s, "
        f"{done / created['seconds']:.0f}/s, p50 {statistics.median(latencies) if latencies else 0:.0f} ms, "
        f"p99 {latencies[min(done - 1, round(0.99 * (done - 1)))] if latencies else 0:.0f} ms, "
        f"errors {len(created['errors'])}; distinct codes {codes:,} of {projects.count():,}; server CPU per "
        f"project: gunicorn {created['cpu'][0]:.1f} ms, PostgreSQL {created['cpu'][1]:.1f} ms"
    )
    for line in created["errors"][:5]:
        print("error:", line)


def in_process(n: int, tokens: dict) -> None:
    """File ``n`` reports of another period through Django's test client (the whole request but the socket) with
    the reporters' tokens: the queries of one filing (each reporter's second, as a worker serves it) and the CPU
    per filing."""
    from datetime import timedelta

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from gongjian.core import audit
    from gongjian.projects.models import Project
    from gongjian.reports.services import open_period

    now = timezone.now()
    period = open_period(
        "2026-12-2", opens_at=now - timedelta(days=1), deadline=now + timedelta(days=3), actor=None
    )
    audit._sealer.start()  # as the web server seals: in its own thread
    client = Client(HTTP_HOST="127.0.0.1")
    projects = list(Project.objects.order_by("pk").values_list("pk", "responsible_unit_id")[:n])

    def file(pk: int, unit_id: int) -> None:
        response = client.post(
            "/api/v1/reports",
            {"project_id": pk, "period_id": period.pk, "amount": 1_000_000, "submit": True},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {tokens[unit_id]}",
        )
        if response.status_code != 201:
            raise SystemExit(f"in-process filing answered {response.status_code}: {response.content[:200]}")

    # The first half counted (recording queries costs time of its own), the second timed.
    seen: set[int] = set()
    queries: list[int] = []
    for pk, unit_id in projects[: n // 2]:
        with CaptureQueriesContext(connection) as captured:
            file(pk, unit_id)
        if unit_id in seen:
            queries.append(len(captured))
        seen.add(unit_id)
    times: list[float] = []
    started_cpu = time.process_time()
    for pk, unit_id in projects[n // 2 :]:
        start = time.perf_counter()
        file(pk, unit_id)
        times.append((time.perf_counter() - start) * 1000)
    cpu = (time.process_time() - started_cpu) * 1000 / len(times)
    audit._sealer.enabled = False
    times.sort()
    print(
        f"\nin process, {len(projects):,} filings through the test client: queries per filing "
        f"{min(queries, default=0)}–{max(queries, default=0)} (a reporter's second and later), "
        f"p50 {statistics.median(times):.2f} ms, p99 {times[round(0.99 * (len(times) - 1))]:.2f} ms, "
        f"CPU {cpu:.2f} ms per filing (this process, the sealer thread included)"
    )


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
