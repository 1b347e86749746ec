"""Eight writers at once on PostgreSQL: every event is sealed exactly once, into one chain with no fork."""

import threading

import pytest
from django.db import connection, connections, transaction

from gongjian.core import audit
from gongjian.core.models import AuditEvent

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL run)"
    ),
]

WRITERS, TRANSACTIONS, EVENTS = 8, 25, 3


def test_eight_concurrent_writers_make_one_unbroken_chain():
    barrier = threading.Barrier(WRITERS)
    errors = []

    def writer(n):
        try:
            barrier.wait()
            for t in range(TRANSACTIONS):
                with transaction.atomic():
                    for e in range(EVENTS):
                        audit.record(
                            "report.update",
                            object_type="reports.report",
                            object_id=str(n),
                            object_repr=f"写入者{n} 事务{t} 记录{e}",
                            after={"n": n, "t": t, "e": e},
                        )
        except Exception as exc:  # the assertion below shows what went wrong
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    total = WRITERS * TRANSACTIONS * EVENTS
    assert AuditEvent.objects.count() == total
    assert AuditEvent.objects.filter(seq__isnull=True).count() == 0  # each commit sealed what it wrote
    seqs = sorted(AuditEvent.objects.values_list("seq", flat=True))
    assert seqs == list(range(1, total + 1))
    prev = list(AuditEvent.objects.values_list("prev_hash", flat=True))
    assert len(set(prev)) == total  # no two events claim the same predecessor: no fork
    verdict = audit.verify_chain()
    assert verdict.ok and verdict.checked == total
