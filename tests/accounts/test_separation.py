"""三员分立, proved as a matrix: each of the three administrators × each kind of account × each page and action
that touches credentials or roles. Only the cells marked allowed change anything, and each change is audited;
every other cell is refused and leaves the account as it was."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from gongjian.accounts.models import ApiToken, RolePolicy, User
from gongjian.accounts.services import create_api_token
from gongjian.core.models import AuditEvent
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

ADMINS = ["system_admin", "security_admin", "audit_admin"]
# The kinds of account an administrator might act on: business roles, each administrator, and their own.
TARGETS = ["unit_reporter", "project_office", "system_admin", "security_admin", "audit_admin", "self"]
BUSINESS = {"unit_reporter", "project_office"}


def allowed(actor: str, target: str, action: str) -> bool:
    """The policy the matrix checks (DESIGN and issue 11), written once, plainly."""
    if action in {"admin_password_page", "admin_grant_admin_role"}:
        return False  # nobody, ever, on the web
    if action == "admin_edit_account":
        return actor == "system_admin" and target in BUSINESS
    if action in {"admin_assign_roles", "reset_password", "remove_otp"}:
        return actor == "security_admin" and target in BUSINESS
    if action in {"sign_out", "revoke_token", "unlock"}:
        return actor == "security_admin" and target != "self"
    raise AssertionError(action)


def _state(user: User) -> tuple:
    user.refresh_from_db()
    return (
        user.password,
        user.username,
        user.full_name,
        user.is_active,
        user.security_stamp,
        tuple(sorted(user.role_codes())),
        user.locked_until,
        TOTPDevice.objects.filter(user=user).count(),
        tuple(ApiToken.objects.filter(user=user).values_list("revoked_at", flat=True)),
    )


def _do(client, action: str, target: User) -> None:
    """What the administrator tries, through the pages a person would use."""
    if action == "admin_password_page":
        client.get(f"/admin/accounts/user/{target.pk}/password/")
        client.post(
            f"/admin/accounts/user/{target.pk}/password/",
            {"password1": "Neu-Passw0rd!x", "password2": "Neu-Passw0rd!x", "usable_password": "true"},
        )
    elif action == "admin_edit_account":
        # (the roles as they are, so that the security administrator's roles-only form changes nothing)
        client.post(
            f"/admin/accounts/user/{target.pk}/change/",
            {
                "username": target.username,
                "full_name": "改过的名字",
                "email": "",
                "is_active": "on",
                "roles": sorted(target.role_codes()),
            },
        )
    elif action == "admin_assign_roles":
        client.post(f"/admin/accounts/user/{target.pk}/change/", {"roles": ["unit_reviewer"]})
    elif action == "admin_grant_admin_role":
        client.post(f"/admin/accounts/user/{target.pk}/change/", {"roles": ["security_admin"]})
    elif action == "reset_password":
        client.post(f"/accounts/security/users/{target.pk}/", {"action": "reset"})
    elif action == "remove_otp":
        client.post(f"/accounts/security/users/{target.pk}/", {"action": "remove_otp"})
    elif action == "sign_out":
        client.post(f"/accounts/security/users/{target.pk}/", {"action": "sign_out"})
    elif action == "unlock":
        client.post(f"/accounts/security/users/{target.pk}/", {"action": "unlock"})
    elif action == "revoke_token":
        token = ApiToken.objects.filter(user=target, revoked_at__isnull=True).first()
        client.post(f"/accounts/security/users/{target.pk}/", {"action": "revoke", "token": token.pk})
    else:
        raise AssertionError(action)


ACTIONS = [
    "admin_password_page",
    "admin_edit_account",
    "admin_assign_roles",
    "admin_grant_admin_role",
    "reset_password",
    "remove_otp",
    "sign_out",
    "unlock",
    "revoke_token",
]


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("target_kind", TARGETS)
@pytest.mark.parametrize("actor_role", ADMINS)
def test_each_administrator_can_touch_only_the_credentials_and_roles_that_are_theirs(
    make_user, client, actor_role, target_kind, action
):
    actor = make_user(actor_role, username=f"actor_{actor_role}")
    target = actor if target_kind == "self" else make_user(target_kind, username=f"target_{target_kind}")
    # Given a target with something to act on: a second factor, a live token and a lockout.
    TOTPDevice.objects.create(user=target, name="动态口令", confirmed=True)
    create_api_token(target, "脚本", actor=target)
    User.objects.filter(pk=target.pk).update(failed_logins=0, locked_until="2099-01-01T00:00:00Z")
    before, events = _state(target), AuditEvent.objects.count()
    client.force_login(actor)

    _do(client, action, target)

    changed = _state(target) != before
    expected = allowed(actor_role, target_kind, action)
    assert changed is expected, f"{actor_role} {action} on {target_kind}: changed={changed}"
    if expected:
        assert AuditEvent.objects.count() > events and AuditEvent.objects.filter(actor=actor).exists()


def test_the_admin_offers_no_password_form_and_no_administrator_roles(make_user, client):
    reporter = make_user("unit_reporter")
    client.force_login(make_user("system_admin"))
    page = client.get(f"/admin/accounts/user/{reporter.pk}/change/").content.decode()
    assert "password" not in page.split('name="full_name"')[0].lower().split("<form")[-1]
    client.force_login(make_user("security_admin"))
    page = client.get(f"/admin/accounts/user/{reporter.pk}/change/").content.decode()
    assert 'value="unit_reviewer"' in page and 'value="security_admin"' not in page


@pytest.mark.parametrize("actor_role", [*ADMINS, "project_office", "unit_reporter"])
def test_only_the_security_administrator_sets_which_roles_need_a_second_factor(make_user, client, actor_role):
    client.force_login(make_user(actor_role))
    client.post("/accounts/security/policy/", {"require_otp": ["unit_reporter"]})
    switched = RolePolicy.objects.get(role="unit_reporter").require_otp
    assert switched is (actor_role == "security_admin")


@pytest.mark.parametrize("actor_role", ADMINS)
def test_only_the_system_administrator_creates_accounts_and_their_first_password_must_change(
    make_user, client, actor_role
):
    client.force_login(make_user(actor_role))
    client.post(
        "/admin/accounts/user/add/",
        {
            "username": "newbie",
            "full_name": "新人",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "usable_password": "true",
        },
    )
    created = User.objects.filter(username="newbie").first()
    assert (created is not None) is (actor_role == "system_admin")
    if created:
        assert created.must_change_password and not created.is_superuser
        assert AuditEvent.objects.filter(action="password.set", object_id=str(created.pk)).exists()


@pytest.mark.parametrize(
    "role", ["unit_reporter", "project_office", "system_admin", "security_admin", "audit_admin"]
)
def test_no_business_role_opens_the_security_pages(make_user, client, role):
    client.force_login(make_user(role))
    target = make_user("unit_reviewer")
    expected = 200 if role == "security_admin" else 403
    for url in (
        "/accounts/security/",
        f"/accounts/security/users/{target.pk}/",
        "/accounts/security/logins/",
        "/accounts/security/policy/",
    ):
        assert client.get(url).status_code == expected, url
