"""Accounts: sign-in, lockout, the three separate administrators, and the audit page."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongjian.accounts import services
from gongjian.accounts.models import User
from gongjian.core import audit
from gongjian.core.models import AuditEvent
from gongjian.core.todo import reverse_or_none
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_signing_in_is_audited_and_lands_on_the_cockpit_or_the_project_list(make_user, client):
    make_user("project_office", username="office")
    response = client.post("/accounts/login/", {"username": "office", "password": PASSWORD})
    # the office lands on the leaders' cockpit, on the project list until the cockpit is installed
    landing = reverse_or_none("cockpit:home") or "/projects/"
    assert response.status_code == 302 and client.get(response.url).url == landing
    assert AuditEvent.objects.filter(action="login.success", actor_name="office").exists()


def test_a_service_team_member_lands_on_the_days_report(make_user, client):
    from gongjian.org.choices import UnitKind
    from tests.factories import UnitFactory

    make_user("service_team", unit=UnitFactory(kind=UnitKind.SERVICE_TEAM), username="team")
    response = client.post("/accounts/login/", {"username": "team", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/dispatch/daily/" and "今日完成" in response.content.decode()


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(make_user, client):
    make_user("project_office", username="office")
    for _ in range(5):
        response = client.post("/accounts/login/", {"username": "office", "password": "wrong"})
        assert response.status_code == 200
    assert User.objects.get(username="office").is_locked()
    response = client.post("/accounts/login/", {"username": "office", "password": PASSWORD})
    assert "已被锁定" in response.content.decode()
    assert AuditEvent.objects.filter(action="login.failed", success=False).count() == 5
    assert AuditEvent.objects.filter(action="login.locked").exists()


def test_the_security_administrator_can_unlock_an_account(make_user, client):
    user = make_user("unit_reporter", username="rep")
    for _ in range(5):
        client.post("/accounts/login/", {"username": "rep", "password": "wrong"})
    services.unlock_user(User.objects.get(pk=user.pk), actor=make_user("security_admin"))
    assert client.post("/accounts/login/", {"username": "rep", "password": PASSWORD}).status_code == 302


def test_no_account_may_hold_two_administrator_roles_or_mix_one_with_business_roles():
    with pytest.raises(ValidationError):
        services.check_role_combination(["system_admin", "audit_admin"])
    with pytest.raises(ValidationError):
        services.check_role_combination(["security_admin", "project_office"])
    assert services.check_role_combination(["unit_reporter", "unit_reviewer"]) == [
        "unit_reporter",
        "unit_reviewer",
    ]


def test_a_weak_password_is_refused_with_the_reason():
    with pytest.raises(ValidationError) as caught:
        services.create_user(username="weak", password="alllowercase")
    assert any("至少 3 类" in m for m in caught.value.messages)


def test_only_the_security_administrator_assigns_roles(make_user):
    target = make_user("unit_reporter")
    with pytest.raises(PermissionDenied):
        services.assign_roles(target, ["project_office"], actor=make_user("system_admin"))
    services.assign_roles(target, ["project_office"], actor=make_user("security_admin"))
    assert target.role_codes() == {"project_office"}
    assert AuditEvent.objects.get(action="user.assign_roles").after == {"roles": ["project_office"]}


def test_only_the_audit_administrator_opens_the_audit_page(make_user, client):
    audit.record("project.update", object_type="projects.project", object_repr="某项目")
    for role in ("system_admin", "security_admin", "project_office", "principal_leader"):
        client.force_login(make_user(role))
        assert client.get("/system/audit/").status_code == 403, role
    client.force_login(make_user("audit_admin"))
    response = client.get("/system/audit/?action=project")
    assert response.status_code == 200 and "某项目" in response.content.decode()


def test_the_audit_page_filters_by_actor_action_and_date(make_user, client):
    alice, bob = make_user("project_office", username="alice"), make_user("project_office", username="bob")
    audit.record("project.create", actor=alice, object_repr="甲项目")
    audit.record("project.delete", actor=bob, object_repr="乙项目")
    client.force_login(make_user("audit_admin"))
    html = client.get("/system/audit/?actor=alice").content.decode()
    assert "甲项目" in html and "乙项目" not in html
    html = client.get("/system/audit/?action=project.delete").content.decode()
    assert "乙项目" in html and "甲项目" not in html


def test_reading_the_audit_trail_is_itself_audited(make_user, client):
    client.force_login(make_user("audit_admin", username="auditor"))
    client.get("/system/audit/")
    assert AuditEvent.objects.filter(action="audit.view", actor_name="auditor").exists()


def test_the_system_administrator_manages_accounts_but_not_roles_in_the_admin(make_user, client):
    client.force_login(make_user("system_admin"))
    target = make_user("unit_reporter")
    page = client.get(f"/admin/accounts/user/{target.pk}/change/").content.decode()
    assert 'name="full_name"' in page and 'name="roles"' not in page and 'name="groups"' not in page
    assert client.get("/admin/core/auditevent/").status_code == 404


def test_the_security_administrator_sees_only_the_roles_of_an_account(make_user, client):
    client.force_login(make_user("security_admin"))
    target = make_user("unit_reporter")
    page = client.get(f"/admin/accounts/user/{target.pk}/change/").content.decode()
    assert 'name="roles"' in page and 'name="full_name"' not in page
    response = client.post(f"/admin/accounts/user/{target.pk}/change/", {"roles": ["unit_reviewer"]})
    assert response.status_code == 302
    assert target.role_codes() == {"unit_reviewer"}
    response = client.post(
        f"/admin/accounts/user/{target.pk}/change/", {"roles": ["audit_admin", "unit_reviewer"]}
    )
    assert response.status_code == 200 and target.role_codes() == {"unit_reviewer"}


def test_the_project_office_keeps_reference_data_in_the_admin_and_each_change_is_audited(make_user, client):
    client.force_login(make_user("project_office"))
    for url in ("/admin/org/region/", "/admin/org/unit/", "/admin/org/person/", "/admin/projects/project/"):
        assert client.get(url).status_code == 200, url
    response = client.post(
        "/admin/org/unit/add/",
        {
            "name": "审批局",
            "short_name": "",
            "kind": "department",
            "credit_code": "",
            "contact_phone": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="org.unit.create")
    assert event.after["name"] == "审批局" and event.note == "系统管理后台"


def test_an_enterprise_needs_a_valid_credit_code_in_the_admin(make_user, client):
    client.force_login(make_user("project_office"))
    response = client.post(
        "/admin/org/unit/add/",
        {
            "name": "徐州某某有限公司",
            "kind": "enterprise",
            "credit_code": "91320311MA1234567X",
            "is_active": "on",
        },
    )
    assert response.status_code == 200 and "统一社会信用代码" in response.content.decode()
