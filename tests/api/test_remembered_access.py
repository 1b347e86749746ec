"""What each process remembers of an API account between requests (its permissions and data scope, issue 14) is
never stale: a revoked token, a deactivated account, a permission taken from a role, a person moved to another unit
or a unit moved in the tree take effect on the very next request; a change rolled back leaves nothing behind."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongjian.accounts import access
from gongjian.accounts import services as accounts
from gongjian.reports import services as reports
from tests.factories import ProjectFactory, UnitFactory

pytestmark = pytest.mark.django_db

JSON = "application/json"


@pytest.fixture(autouse=True)
def _nothing_remembered():
    access.forget_all()
    yield
    access.forget_all()


@pytest.fixture
def period(office_user):
    opens = timezone.now() - dt.timedelta(days=1)
    return reports.open_period(
        "2026-11-2", opens_at=opens, deadline=opens + dt.timedelta(days=9), actor=office_user
    )


@pytest.fixture
def unit():
    return UnitFactory(name="工信局")


@pytest.fixture
def reporter(make_user, unit):
    user = make_user("unit_reporter", unit=unit)
    _token, secret = accounts.create_api_token(user, "脚本", actor=user)
    user.headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    return user


def file(client, reporter, project, period, amount=1_000_000):
    return client.post(
        "/api/v1/reports",
        {"project_id": project.pk, "period_id": period.pk, "amount": amount, "submit": True},
        content_type=JSON,
        **reporter.headers,
    )


def project_ids(client, reporter) -> set[int]:
    response = client.get("/api/v1/projects?limit=500", **reporter.headers)
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def test_the_second_request_reads_no_permissions_people_or_units(client, reporter, unit, period):
    first, second = (ProjectFactory(responsible_unit=unit) for _ in range(2))
    assert file(client, reporter, first, period).status_code == 201
    with CaptureQueriesContext(connection) as queries:
        assert file(client, reporter, second, period).status_code == 201
    read = " ".join(q["sql"] for q in queries.captured_queries)
    for table in ("auth_permission", "org_person", "org_unit"):
        assert table not in read
    # the token, the filing's one read, the report, its revision with the audit events (one statement on
    # PostgreSQL), and the savepoint the test's own transaction puts around the service
    assert len(queries) <= 7, [q["sql"][:80] for q in queries.captured_queries]


def test_a_revoked_token_is_refused_at_the_next_request(client, make_user):
    user = make_user("project_office")
    token, secret = accounts.create_api_token(user, "脚本", actor=user)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    assert client.get("/api/v1/projects", **headers).status_code == 200
    assert client.get("/api/v1/projects", **headers).status_code == 200  # remembered now
    accounts.revoke_api_token(token, actor=user)
    assert client.get("/api/v1/projects", **headers).status_code == 401


def test_a_deactivated_account_is_refused_at_the_next_request(client, reporter, make_user):
    assert client.get("/api/v1/projects", **reporter.headers).status_code == 200
    admin = make_user("system_admin")
    accounts.update_account(reporter, {"is_active": False}, actor=admin)
    assert client.get("/api/v1/projects", **reporter.headers).status_code == 401


def test_a_permission_taken_from_a_role_is_refused_at_the_next_request(client, reporter, unit, period):
    first, second = (ProjectFactory(responsible_unit=unit) for _ in range(2))
    assert file(client, reporter, first, period).status_code == 201
    # as an upgrade's sync of the roles would, without touching the account or its token
    Group.objects.get(name="unit_reporter").permissions.remove(
        Permission.objects.get(codename="submit_report")
    )
    refused = file(client, reporter, second, period)
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"


def test_a_person_moved_to_another_unit_files_for_the_new_units_projects_at_once(
    client, reporter, unit, period
):
    ours, theirs = (
        ProjectFactory(responsible_unit=unit),
        ProjectFactory(responsible_unit=UnitFactory(name="住建局")),
    )
    assert project_ids(client, reporter) == {ours.pk}
    person = reporter.person
    person.unit = theirs.responsible_unit
    person.save()
    assert project_ids(client, reporter) == {theirs.pk}
    assert file(client, reporter, ours, period).status_code == 403
    assert file(client, reporter, theirs, period).status_code == 201


def test_a_unit_moved_under_anothers_parent_changes_what_its_parent_sees_at_once(client, make_user, unit):
    below = UnitFactory(name="工信局下属中心", parent=unit)
    project = ProjectFactory(responsible_unit=below)
    reporter = make_user("unit_reporter", unit=unit)
    headers = {
        "HTTP_AUTHORIZATION": f"Bearer {accounts.create_api_token(reporter, '脚本', actor=reporter)[1]}"
    }
    reporter.headers = headers
    assert project_ids(client, reporter) == {project.pk}
    below.parent = UnitFactory(name="商务局")
    below.save()
    assert project_ids(client, reporter) == set()


def test_a_role_change_rolled_back_leaves_nothing_remembered(client, reporter, unit, period):
    first, second = (ProjectFactory(responsible_unit=unit) for _ in range(2))
    assert file(client, reporter, first, period).status_code == 201
    reporter_group = Group.objects.get(name="unit_reporter")
    submit = Permission.objects.get(codename="submit_report")

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        reporter_group.permissions.remove(submit)
        assert client.get("/api/v1/projects", **reporter.headers).status_code == 200  # remembered without it
        raise Undo
    assert file(client, reporter, second, period).status_code == 201
