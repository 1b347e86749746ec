"""Credentials: passwords changed, reset, expired and not reused; the second factor; API tokens that expire;
forced sign-outs; every credential event in the audit trail; sign-ins the security administrator can read."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from gongjian.accounts import services
from gongjian.accounts.models import ApiToken, RolePolicy, User
from gongjian.core.models import AuditEvent
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _events(action, user):
    return AuditEvent.objects.filter(action=action, object_id=str(user.pk))


def _code(key_hex: str) -> str:
    return f"{totp(bytes.fromhex(key_hex)):06d}"


def test_a_user_changes_their_own_password_on_their_page_and_it_is_audited(make_user, client):
    user = make_user("unit_reporter", username="rep")
    client.force_login(user)
    response = client.post(
        "/accounts/password/",
        {"old_password": "wrong", "new_password": "Neu-Passw0rd!1", "new_password_again": "Neu-Passw0rd!1"},
    )
    assert "当前密码不正确" in response.content.decode()
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password": "Neu-Passw0rd!1", "new_password_again": "Neu-Passw0rd!1"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Neu-Passw0rd!1")
    assert client.get("/accounts/me/").status_code == 200  # the session survives its own password change
    assert _events("password.change", user).filter(actor=user).exists()


def test_none_of_the_last_five_passwords_can_be_chosen_again(make_user):
    user = make_user("unit_reporter")
    current = PASSWORD
    services.change_password(user, current, "Erst-Passw0rd!1")
    current = "Erst-Passw0rd!1"
    for n in range(2, 6):
        services.change_password(user, current, f"Next-Passw0rd!{n}")
        current = f"Next-Passw0rd!{n}"
    with pytest.raises(ValidationError) as caught:
        services.change_password(user, current, "Erst-Passw0rd!1")
    assert "最近 5 次" in str(caught.value)
    services.change_password(user, current, "Next-Passw0rd!6")
    services.change_password(user, "Next-Passw0rd!6", "Erst-Passw0rd!1")  # six changes ago: allowed again


def test_an_expired_password_must_be_changed_before_anything_else(make_user, client, settings):
    settings.GONGJIAN_PASSWORD_MAX_DAYS = 90
    user = make_user("project_office", username="office")
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - timedelta(days=91))
    response = client.post("/accounts/login/", {"username": "office", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/password/")
    assert "已被重置或已过期" in response.content.decode()
    assert client.get("/projects/").status_code == 302
    api = client.get("/api/v1/projects")
    assert api.status_code == 403 and api.json()["code"] == "forbidden"
    settings.GONGJIAN_PASSWORD_MAX_DAYS = 0  # 0 = never expires
    assert client.get("/projects/").status_code == 200


def test_the_security_administrator_resets_a_password_which_signs_the_account_out_and_must_be_changed(
    make_user, client
):
    reporter = make_user("unit_reporter", username="rep")
    reporter_client = type(client)()
    reporter_client.force_login(reporter)
    assert reporter_client.get("/projects/").status_code == 200
    client.force_login(make_user("security_admin", username="sec"))
    page = client.post(f"/accounts/security/users/{reporter.pk}/", {"action": "reset"}).content.decode()
    temporary = re.search(r'id="temporary-password".*?<code>(.+?)</code>', page, re.S).group(1)
    assert reporter_client.get("/projects/").status_code == 302  # the old session is over
    fresh = type(client)()
    response = fresh.post("/accounts/login/", {"username": "rep", "password": temporary}, follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/password/")
    event = _events("password.reset", reporter).get()
    assert event.actor_name == "sec" and temporary not in str(event.after) + event.note


def test_only_the_console_resets_an_administrators_password_and_names_the_operator(make_user, capsys):
    auditor = make_user("audit_admin", username="auditor")
    with pytest.raises(CommandError):
        call_command("account", "reset-password", "auditor", "--operator", " ")
    call_command("account", "reset-password", "auditor", "--operator", "王五")
    temporary = capsys.readouterr().out.split("Temporary password: ")[1].strip()
    auditor.refresh_from_db()
    assert auditor.check_password(temporary) and auditor.must_change_password
    event = _events("password.reset", auditor).get()
    assert event.actor is None and "操作人 王五" in event.note
    with pytest.raises(Exception, match="服务器控制台"):
        services.reset_password(auditor, actor=make_user("security_admin"))


def test_administrator_roles_are_given_only_on_the_console(make_user):
    user = make_user("unit_reporter")
    with pytest.raises(Exception, match="服务器控制台"):
        services.assign_roles(user, ["audit_admin"], actor=make_user("security_admin"))
    call_command("account", "set-roles", user.username, "--role", "audit_admin", "--operator", "王五")
    assert user.role_codes() == {"audit_admin"}
    assert "操作人 王五" in _events("user.assign_roles", user).get().note


def test_a_forced_sign_out_ends_every_session_of_the_account(make_user, client):
    reporter = make_user("unit_reporter")
    client.force_login(reporter)
    assert client.get("/projects/").status_code == 200
    services.sign_out_everywhere(reporter, actor=make_user("security_admin"))
    assert client.get("/projects/").status_code == 302
    assert _events("user.sign_out_all", reporter).exists()


# -- the second factor ----------------------------------------------------------------------------------------


def test_with_a_device_the_password_alone_does_not_sign_in(make_user, client):
    user = make_user("unit_reporter", username="rep")
    device = TOTPDevice.objects.create(user=user, name="动态口令", confirmed=True)
    response = client.post("/accounts/login/", {"username": "rep", "password": PASSWORD})
    assert response.url == "/accounts/login/verify/"
    assert client.get("/projects/").status_code == 302  # not signed in yet
    response = client.post(
        "/accounts/login/verify/", {"code": "000000" if _code(device.key) != "000000" else "111111"}
    )
    assert "动态口令或恢复码不正确" in response.content.decode()
    assert _events("login.otp_failed", user).exists()
    response = client.post("/accounts/login/verify/", {"code": _code(device.key)})
    assert "尝试过于频繁" in response.content.decode()  # django-otp's back-off after a failure
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)
    response = client.post("/accounts/login/verify/", {"code": _code(device.key)})
    assert response.status_code == 302 and client.get("/projects/").status_code == 200
    assert _events("login.success", user).exists()


def test_a_role_that_requires_the_factor_enrols_at_sign_in_and_gets_recovery_codes(make_user, client):
    RolePolicy.objects.filter(role="project_office").update(require_otp=True)
    user = make_user("project_office", username="office")
    client.post("/accounts/login/", {"username": "office", "password": PASSWORD})
    page = client.get("/accounts/login/verify/").content.decode()
    assert "<svg" in page and "绑定动态口令" in page
    assert not TOTPDevice.objects.filter(user=user).exists()  # nothing is stored before it is confirmed
    key = client.session["gongjian_otp_key"]
    page = client.post("/accounts/login/verify/", {"code": _code(key)}).content.decode()
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", page)
    assert len(codes) == 10 and client.get("/projects/").status_code == 200
    assert _events("otp.enrol", user).exists()
    # A recovery code signs in once, and only once.
    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"username": "office", "password": PASSWORD})
    assert client.post("/accounts/login/verify/", {"code": codes[0]}).status_code == 302
    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"username": "office", "password": PASSWORD})
    assert client.post("/accounts/login/verify/", {"code": codes[0]}).status_code == 200


def test_wrong_codes_lock_the_account_like_wrong_passwords(make_user, client):
    user = make_user("unit_reporter", username="rep")
    TOTPDevice.objects.create(user=user, name="动态口令", confirmed=True, throttling_failure_count=0)
    client.post("/accounts/login/", {"username": "rep", "password": PASSWORD})
    for _ in range(5):
        TOTPDevice.objects.filter(user=user).update(throttling_failure_timestamp=None)
        client.post("/accounts/login/verify/", {"code": "abcdefgh"})
    user.refresh_from_db()
    assert user.is_locked()


def test_switching_the_policy_on_signs_out_that_roles_accounts_without_a_device(make_user, client):
    reporter = make_user("unit_reporter")
    client.force_login(reporter)
    services.set_role_policy("unit_reporter", require_otp=True, actor=make_user("security_admin"))
    assert client.get("/projects/").status_code == 302
    assert services.needs_second_factor(reporter)


def test_the_owner_may_unbind_an_optional_factor_but_not_a_required_one(make_user):
    user = make_user("unit_reporter")
    TOTPDevice.objects.create(user=user, name="动态口令", confirmed=True)
    RolePolicy.objects.filter(role="unit_reporter").update(require_otp=True)
    with pytest.raises(Exception, match="要求使用动态口令"):
        services.remove_otp(user, actor=user)
    RolePolicy.objects.filter(role="unit_reporter").update(require_otp=False)
    services.remove_otp(user, actor=user)
    assert not TOTPDevice.objects.filter(user=user).exists() and _events("otp.remove", user).exists()


def test_a_fresh_installation_requires_the_factor_of_the_administrators_and_the_office():
    from gongjian.accounts.roles import sync_roles

    RolePolicy.objects.all().delete()
    sync_roles()
    required = set(RolePolicy.objects.filter(require_otp=True).values_list("role", flat=True))
    assert required == {"system_admin", "security_admin", "audit_admin", "project_office"}


# -- sign-in messages and the sign-in log ---------------------------------------------------------------------


def test_the_lockout_message_is_the_same_for_unknown_and_known_accounts(make_user, client):
    make_user("unit_reporter", username="known")
    pages = {}
    for name in ("known", "nobody"):
        for _ in range(5):
            response = client.post("/accounts/login/", {"username": name, "password": "wrong"})
        pages[name] = re.search(
            r'class="errors-summary".*?>(.*?)</div>', response.content.decode(), re.S
        ).group(1)
    assert pages["known"] == pages["nobody"] and "已被锁定" in pages["known"]


def test_the_security_administrator_sees_sign_ins_and_failures_by_account_and_address(make_user, client):
    make_user("unit_reporter", username="rep")
    client.post("/accounts/login/", {"username": "rep", "password": "wrong"}, REMOTE_ADDR="10.1.2.3")
    client.post("/accounts/login/", {"username": "rep", "password": PASSWORD}, REMOTE_ADDR="10.1.2.4")
    client.force_login(make_user("security_admin"))
    page = client.get("/accounts/security/logins/?ip=10.1.2.3").content.decode()
    assert "登录失败" in page and "10.1.2.3" in page and "10.1.2.4" not in page
    page = client.get("/accounts/security/logins/?account=rep").content.decode()
    assert "登录成功" in page and "10.1.2.4" in page


# -- API tokens -----------------------------------------------------------------------------------------------


def test_a_token_expires_after_the_days_chosen_and_its_expiry_is_audited_once(make_user, client):
    user = make_user("unit_reporter")
    token, secret = services.create_api_token(user, "脚本", actor=user, days=30)
    assert (token.expires_at - timezone.now()).days in (29, 30)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}", "REMOTE_ADDR": "10.9.8.7"}
    assert client.get("/api/v1/projects", **headers).status_code == 200
    token.refresh_from_db()
    assert token.last_used_ip == "10.9.8.7" and token.last_used_at is not None
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/v1/projects", **headers).status_code == 401
    assert services.record_token_expiries() == 0  # already noticed and written by the refused request
    assert _events("api_token.expire", token).count() == 1


def test_the_tick_writes_the_expiry_of_tokens_nobody_used(make_user):
    user = make_user("unit_reporter")
    token, _secret = services.create_api_token(user, "脚本", actor=user, days=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(hours=1))
    assert services.record_token_expiries() == 1 and services.record_token_expiries() == 0


def test_a_token_is_refused_while_its_account_is_locked_or_inactive(make_user, client):
    user = make_user("unit_reporter")
    _token, secret = services.create_api_token(user, "脚本", actor=user)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    User.objects.filter(pk=user.pk).update(locked_until=timezone.now() + timedelta(minutes=10))
    assert client.get("/api/v1/projects", **auth).status_code == 401
    User.objects.filter(pk=user.pk).update(locked_until=None, is_active=False)
    assert client.get("/api/v1/projects", **auth).status_code == 401
    User.objects.filter(pk=user.pk).update(is_active=True)
    assert client.get("/api/v1/projects", **auth).status_code == 200


def test_a_token_lifetime_beyond_the_maximum_is_refused(make_user, client):
    user = make_user("unit_reporter")
    client.force_login(user)
    page = client.post("/accounts/tokens/", {"name": "脚本", "days": "9999"}).content.decode()
    assert "有效期须在 1 到 365 天之间" in page and not ApiToken.objects.exists()


def test_every_credential_event_is_in_the_audit_trail(make_user):
    user = services.create_user(
        username="zhang", password=PASSWORD, full_name="张三", roles=["unit_reporter"]
    )
    token, _secret = services.create_api_token(user, "脚本", actor=user)
    services.revoke_api_token(token, actor=user)
    services.change_password(user, PASSWORD, "Neu-Passw0rd!1")
    key = services.new_otp_key()
    services.enrol_otp(user, key, _code(key))
    services.remove_otp(user, actor=make_user("security_admin"))
    services.reset_password(user, actor=make_user("security_admin"))
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "password.set",
        "api_token.create",
        "api_token.revoke",
        "password.change",
        "otp.enrol",
        "otp.remove",
        "password.reset",
    } <= actions


@pytest.mark.parametrize(
    "url, data",
    [
        ("/accounts/otp/", {"action": "recovery"}),
        ("/accounts/otp/", {"action": "enrol", "code": "12345678901234567890123"}),
        ("/accounts/otp/", {"action": "remove"}),
        ("/accounts/tokens/", {"revoke": "abc"}),
        ("/accounts/tokens/", {"name": "x" * 5000, "days": "1e20"}),
        ("/accounts/password/", {"old_password": "x" * 100_000}),
        ("/accounts/login/verify/", {"code": "\x00"}),
    ],
)
def test_hostile_input_on_the_account_pages_gets_an_answer_not_a_server_error(make_user, client, url, data):
    client.force_login(make_user("unit_reporter"))
    assert client.post(url, data).status_code in (200, 302, 400, 404)


def test_hostile_input_on_the_security_pages_gets_an_answer_not_a_server_error(make_user, client):
    target = make_user("unit_reporter")
    client.force_login(make_user("security_admin"))
    for data in ({"action": "revoke", "token": "abc"}, {"action": "revoke"}, {"action": "nothing"}, {}):
        assert client.post(f"/accounts/security/users/{target.pk}/", data).status_code in (302, 404)
    assert (
        client.get("/accounts/security/logins/?ip=not-an-ip&page=-5&account=" + "x" * 500).status_code == 200
    )
    assert client.get("/accounts/security/?page=99999999999999999999").status_code == 200
    assert client.get("/accounts/security/users/99999999/").status_code == 404
