"""Load over HTTP (issue 14): create projects, file and read back their reports, and ask for each unit's red
projects, through the JSON API with concurrent clients, against the server started the production way
(``gongjian serve`` with ``GONGJIAN_ENV=production``: gunicorn) on PostgreSQL.

    createdb -h 127.0.0.1 -U postgres load   # once; the database is flushed
    GONGJIAN_DATABASE_URL=postgres://postgres@127.0.0.1:5432/load .venv/bin/python bench/load.py --n 2000
    ... --n 10000 --reads 4000 --workers 5

Steps, each timed over HTTP (ops/s, p50/p99, errors by status, the driver's CPU and peak memory):

1. create — N projects by ``POST /api/v1/projects`` with the office's token, 8 clients, no codes given (the
   registry assigns them); then the database must hold N projects with N distinct codes.
2. file — one report per project for the ten-day period 2026-12-1 by ``POST /api/v1/reports`` with
   ``"submit": true``, 32 clients, each with the token of the reporter of the project's unit; then every report
   is read back through ``GET /api/v1/reports?period_id=`` (500 a page, 8 clients) and a report is lost when any
   of its values (amount, progress, workers, state) or notes (progress text, next plan) is not there exactly once.
3. red list — ``GET /api/v1/lights?period=2026-12-3&group=unit&value=U&colour=2`` (one unit's red projects, 100
   a page) for every unit in turn, 32 clients, ``--reads`` requests; each answer's count must equal the count of
   the unit's red lights in the latest period, made in the database.

Between the steps, untimed: the projects created through the API get what the office adds later (an annual plan,
leaders, milestones and approvals: the registry benchmark's ``add_children``), what happened on site (started,
milestones reached, one project in eight stuck at one: ``progress_on_site``) and the year's history before the
filing (the lights benchmark's approved reports of 2026-01-1 … 2026-11-3, each project at its own pace); after
the filing, a recompute lights every project for the 36 ten-day periods as of 31 December, as the lights
benchmark does. The filing therefore lands on a year of reports, and the red list reads a year of lights.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import random
import resource
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

import lights  # noqa: E402  (the lights benchmark's year of reports)
import registry  # noqa: E402  (the registry benchmark's district and project children)
import reports_burst  # noqa: E402  (the report burst's reporters with tokens)

YEAR = 2026
FILED_PERIOD = f"{YEAR}-12-1"  # the first ten-day period after the history lights.build_reports writes
FILED_INDEX = 33  # its place among the year's 36
LATEST = f"{YEAR}-12-3"  # the latest period lit as of 31 December
FLOORS = {  # issue 14: the floors to report against
    "create": {"rate": 200, "errors": 0},
    "file": {"rate": 300, "p99": 250, "lost": 0},
    "red list": {"rate": 400, "p99": 150},
}


@dataclass
class Call:
    """One request of a step; ``check`` returns what is wrong with a 2xx answer's body, or None."""

    method: str
    path: str
    token: str
    body: dict | None = None
    check: Callable[[dict], str | None] | None = None


@dataclass
class Step:
    name: str
    clients: int
    calls: int
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    first_body: dict[str, str] = field(default_factory=dict)
    answers: list = field(default_factory=list)
    driver_cpu: float = 0.0
    peak_mb: float = 0.0

    @property
    def ok(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def p(self, q: float) -> float:
        return registry.percentile(self.latencies, q) if self.latencies else 0.0


class Server:
    """``gongjian serve`` in production mode on a free port, its output in a log file kept after it stops."""

    def __init__(self, workdir: str, workers: int):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115  (kept open for the server's lifetime)
            prefix="gongjian-load-server-", suffix=".log", delete=False
        )
        env = {
            **os.environ,
            "GONGJIAN_ENV": "production",
            "GONGJIAN_SECRET_KEY": secrets.token_urlsafe(50),
            "GONGJIAN_ALLOWED_HOSTS": "127.0.0.1",
            "GONGJIAN_DATA_DIR": workdir,
            "PYTHONPATH": str(ROOT / "src"),
        }
        command = [
            "-m",
            "gongjian.cli",
            "serve",
            "--addr",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(workers),
        ]
        self.process = subprocess.Popen(
            [sys.executable, *command], env=env, stdout=self.log, stderr=subprocess.STDOUT
        )

    def wait(self, token: str, seconds: float = 90) -> None:
        """Until it answers a request with a token; then every worker answers a few (warm-up, not measured)."""
        deadline = time.monotonic() + seconds
        while True:
            if self.process.poll() is not None:
                raise SystemExit(f"the server stopped at start-up; its log: {self.log.name}")
            try:
                status, _body = request(self.base, Call("GET", "/api/v1/periods", token))
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"the server did not answer in {seconds:.0f} s; its log: {self.log.name}")
            time.sleep(0.2)
        for _ in range(4 * self.workers):
            request(self.base, Call("GET", "/api/v1/periods", token))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


# How the clients connect: each client thread keeps one connection open and sends its requests on it (HTTP/1.1
# keep-alive, as a browser, a reporter's sync script with a session, or a load balancer in front of gunicorn
# does), unless --new-connections asks for a new TCP connection a request (urllib's way, which the runs before
# 2026-12-08 measured: it costs the clients and the server a connection's set-up and tear-down each time).
KEEP_ALIVE = True
_connections = threading.local()


def request(base: str, call: Call) -> tuple[int, bytes]:
    """The answer's status and body; a non-2xx answer is returned, not raised."""
    data = None if call.body is None else json.dumps(call.body).encode()
    headers = {"Authorization": f"Bearer {call.token}"}
    if data is not None:
        headers["Content-Type"] = "application/json"
    if not KEEP_ALIVE:
        req = urllib.request.Request(base + call.path, data=data, method=call.method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=120) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()
    kept = getattr(_connections, "by_base", None)
    if kept is None:
        kept = _connections.by_base = {}
    for attempt in (1, 2):
        connection = kept.get(base)
        reused = connection is not None
        if connection is None:
            host, port = base.removeprefix("http://").split(":")
            connection = kept[base] = http.client.HTTPConnection(host, int(port), timeout=120)
        try:
            connection.request(call.method, call.path, body=data, headers=headers)
            response = connection.getresponse()
            body = response.read()
        except Exception as exc:
            connection.close()
            del kept[base]
            # A kept connection the server had closed while it was idle (gunicorn's keep-alive time): the request
            # never reached a worker, so it is sent once more on a new one. Any other failure is the answer.
            stale = isinstance(exc, http.client.RemoteDisconnected | ConnectionResetError | BrokenPipeError)
            if stale and reused and attempt == 1:
                continue
            raise
        if response.will_close:
            connection.close()
            del kept[base]
        return response.status, body
    raise AssertionError("unreachable")


def run_step(name: str, base: str, calls: list[Call], clients: int, *, keep: bool = False) -> Step:
    """The calls by ``clients`` threads, each taking the next call; latency counts answered 2xx calls only."""
    step = Step(name, clients, len(calls))
    work: queue.Queue = queue.Queue()
    for index, call in enumerate(calls):
        work.put((index, call))
    answers: list = [None] * len(calls) if keep else []
    lock = threading.Lock()

    def failed(kind: str, body: str) -> None:
        with lock:
            step.errors[kind] += 1
            step.first_body.setdefault(kind, body[:300])

    def client() -> None:
        while True:
            try:
                index, call = work.get_nowait()
            except queue.Empty:
                return
            start = time.perf_counter()
            try:
                status, body = request(base, call)
            except (OSError, ValueError) as exc:
                failed(f"no answer ({type(exc).__name__})", str(exc))
                continue
            elapsed = (time.perf_counter() - start) * 1000
            if not 200 <= status < 300:
                failed(str(status), body.decode(errors="replace"))
                continue
            try:
                answer = json.loads(body)
            except ValueError:
                failed(f"{status} not JSON", body.decode(errors="replace"))
                continue
            wrong = call.check(answer) if call.check else None
            if wrong:
                failed("wrong answer", wrong)
                continue
            with lock:
                step.latencies.append(elapsed)
                if keep:
                    answers[index] = answer

    threads = [threading.Thread(target=client) for _ in range(clients)]
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    step.seconds = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    step.driver_cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    step.peak_mb = registry.peak_mb()
    step.answers = answers
    print_step(step)
    return step


def print_step(step: Step) -> None:
    errors = ", ".join(f"{kind}: {n:,}" for kind, n in sorted(step.errors.items())) or "0"
    print(
        f"  {step.name}: {step.ok:,} of {step.calls:,} calls in {step.seconds:.1f} s = {step.rate:.0f}/s, "
        f"p50 {step.p(0.5):.0f} ms, p99 {step.p(0.99):.0f} ms, max {max(step.latencies, default=0):.0f} ms, "
        f"{step.clients} clients; errors {errors}; driver CPU {step.driver_cpu:.0f} s, peak {step.peak_mb:.0f} MB"
    )
    for kind, body in step.first_body.items():
        print(f"    first {kind}: {body}")


def create_calls(n: int, token: str, org: dict) -> list[Call]:
    rng = random.Random(14)
    calls = []
    for i in range(n):
        total = rng.randrange(5_000, 500_000) * 10_000
        body = {
            "name": f"负载项目{i + 1:05d}{rng.choice(['厂房', '商贸城', '产业园', '道路'])}",
            "category": rng.choice(["industry", "commerce", "urban", "livelihood"]),
            "nature": rng.choice(["new", "continuing", "preliminary"]),
            "level": rng.choice(["province", "city", "district"]),
            "year": YEAR,
            "region_code": rng.choice(org["streets"]).code,
            "responsible_unit_id": rng.choice(org["units"]).pk,
            "total_investment": total,
            "location": f"泉山区某路{i}号",
            "content": "新建厂房及配套设施",
            "planned_start": date(YEAR, rng.randint(1, 12), 1).isoformat(),
            "planned_completion": date(YEAR + 2, 6, 30).isoformat(),
        }
        calls.append(Call("POST", "/api/v1/projects", token, body))
    return calls


def filing(project_id: int, period_id: int, amount: int, run: str) -> dict:
    """What the reporter files for a project: values and notes of its own, so that each can be found again."""
    return {
        "project_id": project_id,
        "period_id": period_id,
        "amount": amount,
        "progress_percent": project_id % 100,
        "workers": project_id % 500,
        "progress_text": f"项目{project_id}：主体结构施工，本旬计划已完成（{run}）",
        "next_plan": f"项目{project_id}下旬计划：设备进场（{run}）",
        "submit": True,
    }


def count_lost(expected: dict[int, dict], items: list[dict]) -> tuple[int, int]:
    """Projects whose report is not read back exactly once with every value and note as filed, and the items
    read back that were not filed (a duplicate, or a report of another project)."""
    fields = ("amount", "workers", "progress_text", "next_plan")

    def key(row: dict) -> tuple:
        return (
            row["project_id"],
            *(row[f] for f in fields),
            Decimal(str(row["progress_percent"])),
            row.get("state", "submitted"),
        )

    seen = Counter(key(item) for item in items)
    notes = Counter(note for item in items for note in (item["progress_text"], item["next_plan"]))
    lost = sum(
        1
        for body in expected.values()
        if seen[key(body)] != 1 or notes[body["progress_text"]] != 1 or notes[body["next_plan"]] != 1
    )
    filed = {key(body) for body in expected.values()}
    return lost, sum(1 for item in items if key(item) not in filed)


def progress_on_site(rng: random.Random) -> int:
    """What happened on site by 31 December, which neither the registry's nor the lights benchmark's data records
    (their projects never start nor reach a milestone, so every one of them is red from February): every project
    started in its planned month and reached its milestones on their planned dates, except one in eight, stuck at
    one milestone and the ones after it. Returns how many are stuck."""
    from django.db.models import F

    from gongjian.projects.models import Milestone, Project

    Project.objects.update(actual_start=F("planned_start"))
    Milestone.objects.update(actual_date=F("planned_date"))
    stuck: dict[int, list[int]] = {}
    for pk in Project.objects.order_by("pk").values_list("pk", flat=True):
        if rng.random() < 1 / 8:
            stuck.setdefault(rng.randrange(6), []).append(pk)
    for sequence, ids in stuck.items():
        Milestone.objects.filter(project_id__in=ids, sequence__gte=sequence).update(actual_date=None)
    return sum(len(ids) for ids in stuck.values())


def verdict(measured: float, floor: float, *, at_least: bool, unit: str) -> str:
    if (measured >= floor) if at_least else (measured <= floor):
        return "met"
    gap = floor - measured if at_least else measured - floor
    share = f" ({gap / floor:.0%})" if floor else ""
    return f"not met by {gap:,.0f}{unit}{share}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=2000, help="projects (default 2,000)")
    parser.add_argument(
        "--workers", type=int, help="gunicorn workers (default as gongjian serve has it: 2 × cores + 1)"
    )
    parser.add_argument("--reads", type=int, default=4000, help="red-list requests (default 4,000)")
    parser.add_argument("--create-clients", type=int, default=8)
    parser.add_argument("--file-clients", type=int, default=32)
    parser.add_argument("--read-clients", type=int, default=32)
    parser.add_argument(
        "--new-connections",
        action="store_true",
        help="a new TCP connection for every request (by default each client keeps its connection open)",
    )
    args = parser.parse_args()
    global KEEP_ALIVE
    KEEP_ALIVE = not args.new_connections
    url = os.environ.get("GONGJIAN_DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("set GONGJIAN_DATABASE_URL to a PostgreSQL database (it is flushed)")
    if url.rstrip("/").rsplit("/", 1)[-1].split("?")[0] == "test":
        raise SystemExit("the database named test belongs to the test suite: use another")

    load_at_start = os.getloadavg()
    workdir = tempfile.mkdtemp(prefix="gongjian-load-")
    registry.setup_django(workdir)
    from django.db import connection, transaction
    from django.db.models import Count

    from gongjian.accounts.services import create_api_token
    from gongjian.jobs.management.commands.serve import default_workers
    from gongjian.lights import services as lighting
    from gongjian.lights.models import Light
    from gongjian.projects.models import AnnualPlan, Project
    from gongjian.reports.models import ReportingPeriod, ReportRevision

    args.workers = args.workers or default_workers()
    lighting.install_default_rules()  # a flushed database has lost the migration's rows
    with transaction.atomic():
        org = registry.build_org()
    office = registry.office_user()
    office_token = create_api_token(office, "load", actor=office)[1]
    connection.close()

    print(
        f"Gongjian load over HTTP — {args.n:,} projects, gongjian serve (gunicorn, {args.workers} workers) on "
        f"PostgreSQL, {os.cpu_count()} CPUs, load average at start {load_at_start[0]:.2f} "
        f"{load_at_start[1]:.2f} {load_at_start[2]:.2f}; clients "
        + ("keep their connections open" if KEEP_ALIVE else "open a new connection a request")
    )
    server = Server(workdir, args.workers)
    steps: dict[str, Step] = {}
    failed = True
    try:
        server.wait(office_token)
        base = server.base

        # 1. create
        steps["create"] = run_step(
            "create", base, create_calls(args.n, office_token, org), args.create_clients
        )
        created = Project.objects.count()
        codes = Project.objects.exclude(code="").values("code").distinct().count()
        print(f"    in the database: {created:,} projects, {codes:,} distinct codes")

        # untimed: what the office adds to the projects, and the year's history before the filing
        started = time.perf_counter()
        with transaction.atomic():
            registry.add_children(
                list(Project.objects.order_by("pk")), YEAR, org["leaders"], random.Random(20261123)
            )
            stuck = progress_on_site(random.Random(8))
        history = lights.build_reports(YEAR)
        print(
            f"  (untimed) plans, leaders, milestones and approvals for {created:,} projects (started, milestones "
            f"reached on time but for {stuck:,} stuck at one) and {history:,} approved reports of 2026-01-1 … "
            f"2026-11-3 written in {time.perf_counter() - started:.1f} s"
        )

        # 2. file, then read every report back
        tokens, _users = reports_burst.reporters()
        period = ReportingPeriod.objects.get(code=FILED_PERIOD)
        run = f"run {secrets.token_hex(3)}"
        expected = {
            pk: filing(pk, period.pk, dekads[FILED_INDEX], run)
            for pk, dekads in AnnualPlan.objects.filter(year=YEAR).values_list("project_id", "dekads")
        }
        units = dict(Project.objects.values_list("pk", "responsible_unit_id"))
        connection.close()
        steps["file"] = run_step(
            "file",
            base,
            [Call("POST", "/api/v1/reports", tokens[units[pk]], body) for pk, body in expected.items()],
            args.file_clients,
        )
        pages = [
            Call("GET", f"/api/v1/reports?period_id={period.pk}&limit=500&offset={offset}", office_token)
            for offset in range(0, max(args.n, 1), 500)
        ]
        steps["read back"] = run_step("read back", base, pages, 8, keep=True)
        items = [item for answer in steps["read back"].answers if answer for item in answer["items"]]
        listed = {answer["count"] for answer in steps["read back"].answers if answer}
        lost, unexpected = count_lost(expected, items)
        kept = ReportRevision.objects.filter(report__period=period).count()
        print(
            f"    read back {len(items):,} reports (the list's count: {', '.join(f'{c:,}' for c in listed)}); "
            f"lost {lost:,}, not filed {unexpected:,}; kept submissions in the database {kept:,}"
        )

        # untimed: light the year
        started = time.perf_counter()
        result = lighting.recompute(year=YEAR, today=date(YEAR, 12, 31), open_cases=False)
        with connection.cursor() as cursor:  # what autovacuum does a little later on its own
            cursor.execute("VACUUM (ANALYZE) lights_light")
            cursor.execute("ANALYZE")
        latest = Light.objects.filter(period_code=LATEST)
        colours = dict(latest.values_list("colour").annotate(n=Count("*")).values_list("colour", "n"))
        print(
            f"  (untimed) recompute: {result.lights:,} lights in {time.perf_counter() - started:.1f} s with "
            f"VACUUM (ANALYZE); {LATEST}: green {colours.get(0, 0):,}, yellow {colours.get(1, 0):,}, "
            f"red {colours.get(2, 0):,}; the driver's peak so far {registry.peak_mb():.0f} MB (the recompute runs in it)"
        )

        # 3. red list
        reds = dict(
            latest.filter(colour=2)
            .values_list("project__responsible_unit_id")
            .annotate(n=Count("*"))
            .values_list("project__responsible_unit_id", "n")
        )
        unit_ids = sorted(set(units.values()))
        connection.close()

        def red_call(unit: int) -> Call:
            def check(answer: dict) -> str | None:
                want = reds.get(unit, 0)
                items = answer["items"]
                if answer["count"] != want or len(items) != min(100, want):
                    return f"unit {unit}: count {answer['count']}, {len(items)} items; database {want}"
                if any(item["colour"] != 2 or units.get(item["project_id"]) != unit for item in items):
                    return f"unit {unit}: a listed light is not red or not of the unit"
                return None

            path = f"/api/v1/lights?period={LATEST}&group=unit&value={unit}&colour=2"
            return Call("GET", path, office_token, check=check)

        red_calls = [red_call(unit_ids[i % len(unit_ids)]) for i in range(args.reads)]
        steps["red list"] = run_step("red list", base, red_calls, args.read_clients)
        failed = (
            any(step.errors for step in steps.values()) or lost > 0 or created != args.n or codes != args.n
        )
    finally:
        server.stop()
        if failed:
            print(f"server log: {server.log.name}")

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cursor.fetchone()[0]
    summary(args, steps, lost, size, (created, codes))
    print(f"server log kept at {server.log.name}")


def summary(args, steps: dict[str, Step], lost: int, size: str, stored: tuple[int, int]) -> None:
    print(f"\nsummary — {args.n:,} projects, database {size}, {args.workers} gunicorn workers")
    print(
        f"{'step':<11}{'clients':>8}{'calls':>8}{'ok/s':>8}{'p50 ms':>8}{'p99 ms':>8}{'errors':>8}"
        f"{'driver CPU s':>14}{'peak MB':>9}"
    )
    for step in steps.values():
        print(
            f"{step.name:<11}{step.clients:>8}{step.calls:>8,}{step.rate:>8.0f}{step.p(0.5):>8.0f}"
            f"{step.p(0.99):>8.0f}{sum(step.errors.values()):>8,}{step.driver_cpu:>14.0f}{step.peak_mb:>9.0f}"
        )
    create, file, red = steps.get("create"), steps.get("file"), steps.get("red list")
    rows = []
    if create:
        rows += [
            (
                f"create projects, {create.clients} clients: ≥200/s",
                f"{create.rate:.0f}/s",
                verdict(create.rate, FLOORS["create"]["rate"], at_least=True, unit="/s"),
            ),
            (
                "create projects: 0 errors",
                f"{sum(create.errors.values()):,}",
                verdict(sum(create.errors.values()), 0, at_least=False, unit=" errors"),
            ),
            (
                f"create projects: {args.n:,} in the database, distinct codes",
                f"{stored[0]:,}/{stored[1]:,}",
                "met" if stored == (args.n, args.n) else "NOT met",
            ),
        ]
    if file:
        rows += [
            (
                f"file+submit, {file.clients} clients: ≥300/s",
                f"{file.rate:.0f}/s",
                verdict(file.rate, FLOORS["file"]["rate"], at_least=True, unit="/s"),
            ),
            (
                "file+submit: p99 ≤250 ms",
                f"{file.p(0.99):.0f} ms",
                verdict(file.p(0.99), FLOORS["file"]["p99"], at_least=False, unit=" ms"),
            ),
            ("file+submit: 0 lost", f"{lost:,}", verdict(lost, 0, at_least=False, unit=" lost")),
        ]
    if red:
        at = "" if args.n == 10_000 else " (floor set at 10,000)"
        rows += [
            (
                f"red list, {red.clients} clients: ≥400/s{at}",
                f"{red.rate:.0f}/s",
                verdict(red.rate, FLOORS["red list"]["rate"], at_least=True, unit="/s"),
            ),
            (
                f"red list: p99 ≤150 ms{at}",
                f"{red.p(0.99):.0f} ms",
                verdict(red.p(0.99), FLOORS["red list"]["p99"], at_least=False, unit=" ms"),
            ),
        ]
    print(f"\n{'floor':<58}{'measured':>12}  verdict")
    for floor, measured, said in rows:
        print(f"{floor:<58}{measured:>12}  {said}")


if __name__ == "__main__":
    main()
