"""Data scope: a user sees and edits only their units' projects; the office and principal leaders see all."""

import pytest
from django.core.exceptions import PermissionDenied

from gongjian.org.choices import UnitKind
from gongjian.projects import services
from gongjian.projects.choices import LeaderRole
from gongjian.projects.models import Project, ProjectLeader
from tests.factories import PersonFactory, ProjectFactory, UnitFactory, current_version, region

pytestmark = pytest.mark.django_db


@pytest.fixture
def district():
    """Two departments (one with a sub-unit), a street with its territory, and a project for each."""
    industry = UnitFactory(name="工信局")
    industry_office = UnitFactory(name="工信局项目科", parent=industry)
    commerce = UnitFactory(name="商务局")
    street_region = region("320311001", "段庄街道")
    street = UnitFactory(name="段庄街道办事处", kind=UnitKind.STREET, region=street_region)
    village = region("320311001002", "段庄社区")
    return {
        "industry": industry,
        "commerce": commerce,
        "street": street,
        "p_industry": ProjectFactory(name="工信项目", responsible_unit=industry),
        "p_sub": ProjectFactory(name="工信科室项目", responsible_unit=industry_office),
        "p_commerce": ProjectFactory(name="商务项目", responsible_unit=commerce),
        "p_in_street": ProjectFactory(name="街道内项目", responsible_unit=commerce, region=village),
    }


def names(queryset):
    return set(queryset.values_list("name", flat=True))


def test_a_reporter_sees_the_projects_of_their_unit_and_the_units_below_it(district, make_user):
    reporter = make_user("unit_reporter", unit=district["industry"])
    assert names(Project.objects.in_scope(reporter)) == {"工信项目", "工信科室项目"}


def test_a_street_sees_every_project_located_in_its_territory(district, make_user):
    street_user = make_user("unit_reviewer", unit=district["street"])
    assert names(Project.objects.in_scope(street_user)) == {"街道内项目"}


def test_the_project_office_and_principal_leaders_see_everything(district, make_user):
    assert Project.objects.in_scope(make_user("project_office")).count() == 4
    assert Project.objects.in_scope(make_user("principal_leader")).count() == 4


def test_a_supervising_leader_sees_the_projects_they_are_assigned_to(district, make_user):
    leader = make_user("supervising_leader")
    ProjectLeader.objects.create(project=district["p_commerce"], person=leader.person, role=LeaderRole.LEAD)
    assert names(Project.objects.in_scope(leader)) == {"商务项目"}


def test_an_account_without_a_person_record_sees_nothing(district, make_user):
    assert Project.objects.in_scope(make_user("unit_reporter", person=False)).count() == 0


def test_the_three_administrators_see_no_business_data(district, make_user):
    for role in ("system_admin", "security_admin", "audit_admin"):
        assert Project.objects.in_scope(make_user(role)).count() == 0


def test_a_reporter_cannot_change_another_units_project_through_the_service(district, make_user):
    reporter = make_user("unit_reporter", unit=district["industry"])
    with pytest.raises(PermissionDenied):
        services.update_project(
            district["p_commerce"],
            {"name": "改名"},
            actor=reporter,
            expected_version=current_version(district["p_commerce"]),
        )
    district["p_commerce"].refresh_from_db()
    assert district["p_commerce"].name == "商务项目"


def test_a_reporter_can_change_their_own_units_project(district, make_user):
    reporter = make_user("unit_reporter", unit=district["industry"])
    services.update_project(
        district["p_industry"],
        {"location": "新地址"},
        actor=reporter,
        expected_version=current_version(district["p_industry"]),
    )
    district["p_industry"].refresh_from_db()
    assert district["p_industry"].location == "新地址"


def test_a_reviewer_may_see_but_not_change_their_units_project(district, make_user):
    reviewer = make_user("unit_reviewer", unit=district["industry"])
    assert "工信项目" in names(Project.objects.in_scope(reviewer))
    with pytest.raises(PermissionDenied):
        services.update_project(
            district["p_industry"],
            {"location": "x"},
            actor=reviewer,
            expected_version=current_version(district["p_industry"]),
        )


def test_the_list_page_and_the_detail_page_apply_the_scope(district, make_user, client):
    reporter = make_user("unit_reporter", unit=district["industry"])
    client.force_login(reporter)
    page = client.get("/projects/").content.decode()
    assert "工信项目" in page and "商务项目" not in page
    assert client.get(f"/projects/{district['p_commerce'].pk}/").status_code == 404
    assert client.get(f"/projects/{district['p_commerce'].pk}/edit/").status_code == 404


def test_a_headquarters_reporter_sees_the_headquarters_projects(make_user):
    hq = UnitFactory(name="段庄商贸城建设指挥部", kind=UnitKind.HEADQUARTERS)
    ProjectFactory(name="指挥部项目", headquarters=hq)
    ProjectFactory(name="别的项目")
    commander = PersonFactory(name="指挥长")
    ProjectFactory(name="指挥长项目", commander=commander)
    assert names(Project.objects.in_scope(make_user("unit_reporter", unit=hq))) == {"指挥部项目"}
