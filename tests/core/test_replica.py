"""Reads from a streaming replica: a page or list read with GET goes to the replica, a write and everything in a
request that writes stay on the primary, and whoever has just written reads from the primary for a few seconds.

The replica here is a second connection to the test database (as ``TEST: {"MIRROR": "default"}`` makes it when
``GONGJIAN_DATABASE_REPLICA_URL`` is set); the queries each connection ran show where every read went."""

import pytest
from django.db import connections
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext

from gongjian.core import replica
from gongjian.projects.models import Project
from tests.factories import ProjectFactory

ROUTED = {
    "DATABASE_ROUTERS": ["gongjian.core.replica.ReplicaRouter"],
}


@pytest.fixture(scope="module", autouse=True)
def _replica_alias(django_db_setup, django_db_blocker):
    """A ``replica`` connection to the same test database, as the settings add one for a province."""
    with django_db_blocker.unblock():
        connections.settings[replica.REPLICA] = dict(connections.settings["default"])
        connections.settings[replica.REPLICA]["TEST"] = {"MIRROR": "default"}
        yield
        getattr(connections._connections, replica.REPLICA, None) and connections[replica.REPLICA].close()
        if hasattr(connections._connections, replica.REPLICA):
            delattr(connections._connections, replica.REPLICA)
        del connections.settings[replica.REPLICA]


def _middleware(settings):
    return [
        *settings.MIDDLEWARE[
            : settings.MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware")
        ],
        "gongjian.core.replica.ReplicaReadsMiddleware",
        *settings.MIDDLEWARE[
            settings.MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware") :
        ],
    ]


def test_only_reading_requests_without_a_pin_read_from_the_replica():
    factory = RequestFactory()
    assert replica.reads_from_replica(factory.get("/projects/"))
    assert replica.reads_from_replica(factory.head("/projects/"))
    assert not replica.reads_from_replica(factory.post("/projects/new/"))
    pinned = factory.get("/projects/")
    pinned.COOKIES[replica.PIN_COOKIE] = "1"
    assert not replica.reads_from_replica(pinned)
    assert not replica.reads_from_replica(factory.get("/api/v1/projects", HTTP_X_GONGJIAN_PRIMARY="1"))


def test_the_router_sends_reads_there_only_while_a_reading_request_is_answered():
    router = replica.ReplicaRouter()
    assert router.db_for_read(Project) is None  # a command, the worker, the scheduler: the primary
    seen = {}

    def view(request):
        seen["read"] = router.db_for_read(Project)
        seen["write"] = router.db_for_write(Project)
        return HttpResponse("ok")

    middleware = replica.ReplicaReadsMiddleware(view)
    response = middleware(RequestFactory().get("/projects/"))
    assert seen == {"read": replica.REPLICA, "write": "default"}
    assert replica.PIN_COOKIE not in response.cookies
    assert router.db_for_read(Project) is None  # reset after the request

    response = middleware(RequestFactory().post("/projects/new/"))
    assert seen == {"read": None, "write": "default"}
    assert response.cookies[replica.PIN_COOKIE]["max-age"] == 5
    assert router.allow_migrate(replica.REPLICA, "projects") is False
    assert router.allow_migrate("default", "projects") is True


@pytest.mark.django_db(transaction=True, databases=["default", replica.REPLICA])
def test_a_page_reads_from_the_replica_and_a_writer_reads_its_write_from_the_primary(office_client, settings):
    ProjectFactory(name="复制库读取的项目")
    with override_settings(MIDDLEWARE=_middleware(settings), **ROUTED):
        with (
            CaptureQueriesContext(connections[replica.REPLICA]) as on_replica,
            CaptureQueriesContext(connections["default"]) as on_primary,
        ):
            page = office_client.get("/projects/")
        assert page.status_code == 200
        assert "复制库读取的项目" in page.content.decode()
        assert any("projects_project" in q["sql"] for q in on_replica.captured_queries)
        assert not any(
            "projects_project" in q["sql"] and q["sql"].lstrip().upper().startswith("SELECT")
            for q in on_primary.captured_queries
        )

        # A write pins this browser to the primary: the next page reads there.
        office_client.post("/projects/", {})
        assert office_client.cookies[replica.PIN_COOKIE].value == "1"
        with CaptureQueriesContext(connections[replica.REPLICA]) as on_replica:
            page = office_client.get("/projects/")
        assert page.status_code == 200
        assert not on_replica.captured_queries
