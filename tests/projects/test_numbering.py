"""Registry codes from one locked counter row a year: O(1) per create, never repeated, no gaps, codes given by
hand respected (issue 12 item 3)."""

import threading

import pytest
from django.db import connection, connections

from gongjian.core.models import DocumentCounter
from gongjian.projects import services
from gongjian.projects.models import Project
from tests.factories import ProjectFactory, UnitFactory, current_version, region

pytestmark = pytest.mark.django_db


@pytest.fixture
def fields():
    """fields(**overrides) → a valid project's fields, every project here in one responsible unit."""
    unit = UnitFactory(name="工信局")
    return lambda **overrides: (
        {
            "name": "新能源电池材料项目",
            "category": "industry",
            "nature": "new",
            "level": "district",
            "year": 2026,
            "region": region("320311"),
            "responsible_unit": unit,
            "total_investment": 500_000_000,
        }
        | overrides
    )


def test_the_counter_starts_after_the_codes_made_before_it(office_user, fields):
    ProjectFactory(code="2026-0041", year=2026)
    ProjectFactory(code="GZ-2026-7", year=2026)  # another form of code: not the counter's business
    created = services.create_project(fields(), actor=office_user)
    assert created.code == "2026-0042"
    assert services.create_project(fields(name="第二个"), actor=office_user).code == "2026-0043"


def test_a_code_typed_by_hand_is_never_handed_out_again(office_user, fields):
    services.create_project(fields(code="2026-0100"), actor=office_user)
    assert services.create_project(fields(name="自动编号"), actor=office_user).code == "2026-0101"
    later = services.create_project(fields(name="改号", year=2027), actor=office_user)
    services.update_project(
        later, {"code": "2027-0500"}, actor=office_user, expected_version=current_version(later)
    )
    assert services.create_project(fields(name="又一个", year=2027), actor=office_user).code == "2027-0501"


def test_a_create_that_fails_gives_its_number_back(office_user, fields):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.create_project(fields(total_investment=-1), actor=office_user)
    assert services.create_project(fields(), actor=office_user).code == "2026-0001"


def test_numbering_reads_one_counter_row_not_the_years_codes(
    office_user, fields, django_assert_max_num_queries
):
    services.create_project(fields(), actor=office_user)
    Project.objects.bulk_create(
        [Project(**{**fields(), "code": f"2026-9{i:04d}", "name": f"项目{i}"}) for i in range(300)]
    )
    with django_assert_max_num_queries(4):  # a savepoint, the row selected for update, its update, release
        services.next_project_code(2026)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL run)")
def test_eight_clerks_creating_projects_at_once_get_no_error_no_gap_and_no_repeat(make_user, client):
    office = make_user("project_office", username="office")
    unit, _region = UnitFactory(name="工信局"), region("320311")
    from gongjian.accounts.services import create_api_token

    token = create_api_token(office, "并发", actor=office)[1]
    payload = {
        "name": "并发新建",
        "category": "industry",
        "nature": "new",
        "level": "district",
        "year": 2026,
        "region_code": "320311",
        "responsible_unit_id": unit.pk,
        "total_investment": 100_000_000,
    }
    per_clerk, clerks = 25, 8
    barrier, statuses = threading.Barrier(clerks), []
    lock = threading.Lock()

    def clerk(n):
        from django.test import Client

        own = Client()
        try:
            barrier.wait()
            for i in range(per_clerk):
                response = own.post(
                    "/api/v1/projects",
                    {**payload, "name": f"并发新建{n}-{i}"},
                    content_type="application/json",
                    HTTP_AUTHORIZATION=f"Bearer {token}",
                )
                with lock:
                    statuses.append(response.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=clerk, args=(n,)) for n in range(clerks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [201] * (clerks * per_clerk)
    codes = sorted(Project.objects.values_list("code", flat=True))
    assert codes == [f"2026-{n:04d}" for n in range(1, clerks * per_clerk + 1)]
    assert DocumentCounter.objects.get(prefix=services.CODE_COUNTER, year=2026).last == clerks * per_clerk
