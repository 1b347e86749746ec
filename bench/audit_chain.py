"""Audit chain benchmark: seal N audit events into the hash chain, verify the whole chain as `gongjian audit
verify` does, and open the auditor's page (which runs the same check) a few times.

    .venv/bin/python bench/audit_chain.py --n 100000                       # SQLite in a temporary folder
    GONGJIAN_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/audit_chain.py

The events look like the trail's real ones: a project edit with a few fields before and after.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

import registry  # noqa: E402  (set-up and measuring helpers)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--pages", type=int, default=5, help="auditor page loads to time")
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="gongjian-audit-")
    registry.setup_django(workdir)
    from django.conf import settings
    from django.db import transaction
    from django.test import Client

    from gongjian.accounts.services import create_user
    from gongjian.core import audit
    from gongjian.core.models import AuditEvent

    settings.ALLOWED_HOSTS = ["testserver"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    auditor = create_user(username="auditor-bench", password="Qz7-Lmv-2026!x", roles=["audit_admin"])
    audit.seal()
    start = time.perf_counter()
    with transaction.atomic():
        batch = []
        for i in range(args.n):
            batch.append(
                audit.build_event(
                    "project.update",
                    object_type="projects.project",
                    object_id=str(i % 10_000),
                    object_repr=f"某某新材料产业园项目{i % 10_000}",
                    before={"annual_plan": i, "unit": 3, "name": "旧名"},
                    after={"annual_plan": i + 1, "unit": 4, "name": "新名称"},
                    ip_address="10.0.0.8",
                )
            )
            if len(batch) == 5000:
                AuditEvent.objects.bulk_create(batch)
                batch = []
        AuditEvent.objects.bulk_create(batch)
    write_s = time.perf_counter() - start
    start = time.perf_counter()
    sealed = audit.seal()
    seal_s = time.perf_counter() - start
    start = time.perf_counter()
    verdict = audit.verify_chain()
    verify_s = time.perf_counter() - start
    client = Client()
    client.force_login(auditor)
    pages = []
    for _ in range(args.pages):
        start = time.perf_counter()
        response = client.get("/system/audit/")
        pages.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200 and b'id="chain-ok"' in response.content
    db = "PostgreSQL" if "postgres" in os.environ.get("GONGJIAN_DATABASE_URL", "") else "SQLite"
    print(
        f"\nGongjian audit chain — {args.n:,} events, {db}, hash {settings.GONGJIAN_AUDIT_HASH}, "
        f"{os.cpu_count()} CPUs"
    )
    print(f"{'step':<34}{'seconds':>9}{'events/s':>12}")
    print(f"{'write (bulk, unsealed)':<34}{write_s:>9.2f}{args.n / write_s:>12,.0f}")
    print(f"{'seal':<34}{seal_s:>9.2f}{sealed / seal_s:>12,.0f}")
    print(f"{'verify the whole chain':<34}{verify_s:>9.2f}{verdict.checked / verify_s:>12,.0f}")
    print(
        f"auditor's page (checks the latest {settings.GONGJIAN_AUDIT_PAGE_EVENTS:,}): p50 {registry.percentile(pages, 0.5):.0f} ms, "
        f"p99 {registry.percentile(pages, 0.99):.0f} ms over {len(pages)} loads"
    )
    print(f"chain intact: {'yes' if verdict.ok else verdict.broken}; peak memory {registry.peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
