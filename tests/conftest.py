import os

import pytest
from django.db import transaction
from django.db.backends.postgresql.operations import DatabaseOperations
from django.test import override_settings

from gongjian.lights import queries
from tests.factories import (  # noqa: F401  (fixtures below build on these)
    PersonFactory,
    ProjectFactory,
    RegionFactory,
    UnitFactory,
    UserFactory,
)

# A transactional test (the browser tests, the concurrency tests) empties every table after it. On PostgreSQL
# Django does that with one TRUNCATE of every table, which makes new files for each table and its indexes: about a
# second on this machine, against 10–60 ms for a DELETE of the few rows a test wrote (the foreign keys are
# deferred to the commit, so the order of the tables does not matter). The sequences are not reset either way.
_truncate = DatabaseOperations.sql_flush


def _delete_rows(self, style, tables, *, reset_sequences=False, allow_cascade=False):
    if reset_sequences or allow_cascade or not tables:
        return _truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
    return [f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(t))};" for t in tables]


DatabaseOperations.sql_flush = _delete_rows


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """The test database does not wait for each commit to reach the disk (synchronous_commit off): a crash of the
    test server losing its last commits loses nothing a test needs, and the commits of the post-migrate sync after
    each emptying and of the concurrency tests' threads are each several milliseconds faster."""
    from django.conf import settings

    for database in settings.DATABASES.values():
        if database["ENGINE"] == "django.db.backends.postgresql":
            options = database.setdefault("OPTIONS", {})
            options["options"] = f"{options.get('options', '')} -c synchronous_commit=off".strip()


@pytest.fixture(autouse=True)
def _cheap_password_hash(settings):
    """Every account a test makes is hashed with a cheap hasher: the production hasher (PBKDF2, a million rounds)
    is slow on purpose, about a quarter of a second per account, and that slowness tests nothing here. The
    settings' own hashers are checked in tests/accounts/test_hashers.py."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_user(db):
    """make_user("project_office", unit=..., username=...) → an account with that role and a person record."""

    def make(*roles, unit=None, username=None, person=True, **kwargs):
        user = UserFactory(roles=roles, **({"username": username} if username else {}), **kwargs)
        if person:
            PersonFactory(user=user, unit=unit, name=user.full_name or user.username)
        return user

    return make


@pytest.fixture
def office_user(make_user):
    return make_user("project_office", username="office")


@pytest.fixture
def office_client(client, office_user):
    client.force_login(office_user)
    return client


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    """Background tasks run in the request that queues them, so a test reads their outcome at once; the tests of
    the queue itself (tests/jobs) switch to the database backend and run the worker."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def queued(settings):
    """Tasks wait in the database for the worker, as in production (tests.jobs.worker runs them)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(autouse=True)
def _media_in_tmp(request, settings, tmp_path_factory):
    """Uploaded files (site photos) go to a temporary folder, never into the checkout's var/; in a module whose
    tests share data built once (``module_db``), the folder that data's files went to."""
    if "module_db" in request.fixturenames:
        settings.MEDIA_ROOT = request.getfixturevalue("module_db")
    else:
        settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture(scope="module")
def module_db(django_db_setup, django_db_blocker, tmp_path_factory):
    """A transaction open for the whole module and rolled back at its end, for data that costs seconds to build
    (the demo district) and that every test of the module reads: a module fixture builds it once on top of this,
    and each test (with ``db``) runs in a savepoint of it, rolled back after the test as usual. Its files go to
    one temporary folder (yielded), with the cheap hasher and the tasks run at once, as in a test.

    Only for modules whose tests are not transactional: a transactional test would empty the tables under it.
    Tests of the module that do not ask for the data see it all the same once it is built."""
    media = tmp_path_factory.mktemp("module-media")
    with (
        django_db_blocker.unblock(),
        override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
            MEDIA_ROOT=media,
        ),
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield media
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            queries.forget()


@pytest.fixture(autouse=True)
def _password_alone_signs_in(request):
    """Tests sign in with a password alone, as the demo does; the second factor's own tests switch it on for the
    roles they need (a fresh installation asks it of the three administrators and the project office)."""
    marker = request.node.get_closest_marker("django_db")
    names = request.fixturenames
    if not (marker or {"db", "transactional_db", "live_server"} & set(names)):
        return
    transactional = bool({"transactional_db", "live_server"} & set(names)) or bool(
        marker and marker.kwargs.get("transaction")
    )
    request.getfixturevalue("transactional_db" if transactional else "db")
    from gongjian.accounts.models import RolePolicy

    RolePolicy.objects.update(require_otp=False)


@pytest.fixture(autouse=True)
def _board_kept_per_test():
    """The board keeps its figures and answers per version in the process; a test's versions roll back with its
    data, so what one test kept must not answer the next."""
    queries.forget()
    yield
    queries.forget()


# CI runs the suite in halves, on SQLite and on PostgreSQL, two at a time (make test: GONGJIAN_TEST_SHARD=1/2, 2/2).
# Whole files go to a half, the costliest first to the lighter half, by a rough cost of each test: a browser or
# live-server test ~6 s, one that loads the demo district ~8 s, a transactional one ~3 s, any other ~0.6 s; a
# module that knows its tests cost more says so in SHARD_SECONDS.
MODULE_DB_SECONDS = 10.0  # building a module's shared data (the demo district) once


def _cost(item) -> float:
    stated = getattr(item.module, "SHARD_SECONDS", None)
    if stated is not None:
        return float(stated)
    names = set(item.fixturenames)
    if "module_db" in names:  # the data built once for the module is counted once, in MODULE_DB_SECONDS
        return 1.0
    if "demo" in names or "district" in names:
        return 8.0
    if item.get_closest_marker("browser") or names & {"page", "phone", "live_server"}:
        return 6.0
    marker = item.get_closest_marker("django_db")
    if "transactional_db" in names or (marker and marker.kwargs.get("transaction")):
        return 3.0
    return 0.6


def pytest_collection_modifyitems(config, items):
    shard = os.environ.get("GONGJIAN_TEST_SHARD", "")
    if not shard:
        return
    index, total = (int(part) for part in shard.split("/"))
    files: dict[str, float] = {}
    built: set[str] = set()
    for item in items:
        path = item.nodeid.split("::")[0]
        files[path] = files.get(path, 0.0) + _cost(item)
        if "module_db" in item.fixturenames and path not in built:
            built.add(path)
            files[path] += MODULE_DB_SECONDS
    loads, home = [0.0] * total, {}
    for path, cost in sorted(files.items(), key=lambda kv: (-kv[1], kv[0])):
        lightest = loads.index(min(loads))
        home[path] = lightest
        loads[lightest] += cost
    kept = [item for item in items if home[item.nodeid.split("::")[0]] == index - 1]
    config.hook.pytest_deselected(
        items=[item for item in items if home[item.nodeid.split("::")[0]] != index - 1]
    )
    items[:] = kept
