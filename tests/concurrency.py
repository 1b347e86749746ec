"""What the concurrency tests share: they run on PostgreSQL only (real row locks and concurrent connections, each
thread its own), start their calls at the same moment, and check that one of two writers won."""

import threading

import pytest
from django.db import connection, connections

from gongjian.core.locking import Stale

ON_POSTGRESQL = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL run)"
    ),
]


def run_together(*calls):
    """Start every call at the same moment in its own thread (own connection); return results or errors."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # the test inspects what each thread got
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def one_wins(results) -> list:
    """Of two writers from one version, one got through and the other was told the object is stale."""
    winners = [r for r in results if not isinstance(r, Exception)]
    losers = [r for r in results if isinstance(r, Stale)]
    assert len(winners) == 1 and len(losers) == 1, results
    return winners
