"""What a security review of the change found, each proved fixed."""

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from gongjian.accounts import services
from gongjian.accounts.models import ApiToken, RolePolicy, User
from gongjian.core import audit, chain
from gongjian.core.models import AuditEvent
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_a_lone_surrogate_is_refused_at_the_edge_and_cannot_stall_the_chain(make_user, client):
    user = make_user("project_office")
    _token, secret = services.create_api_token(user, "脚本", actor=user)
    response = client.post(
        "/api/v1/projects",
        '{"name": "a\\ud800b"}',
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert chain.canonical({"note": "a\ud800b"})  # hashable all the same, should one ever get in
    assert audit.readable_json({"note": "a\ud800b"}) == '{\n "note": "a?b"\n}'  # and readable on the page


@pytest.mark.parametrize("how", ["reset", "sign_out", "roles", "remove_otp"])
def test_a_token_ends_with_the_sessions_of_its_account(make_user, client, how):
    user = make_user("unit_reporter")
    secadmin = make_user("security_admin")
    TOTPDevice.objects.create(user=user, name="动态口令", confirmed=True)
    _token, secret = services.create_api_token(user, "脚本", actor=user)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    assert client.get("/api/v1/projects", **auth).status_code == 200
    if how == "reset":
        services.reset_password(user, actor=secadmin)
    elif how == "sign_out":
        services.sign_out_everywhere(user, actor=secadmin)
    elif how == "roles":
        services.assign_roles(user, ["unit_reviewer"], actor=secadmin)
    else:
        services.remove_otp(user, actor=secadmin)
    assert client.get("/api/v1/projects", **auth).status_code == 401
    assert ApiToken.objects.get().revoked_at is not None


def test_a_token_does_not_pass_the_must_change_password_gate(make_user, client):
    user = make_user("unit_reporter")
    _token, secret = services.create_api_token(user, "脚本", actor=user)
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    assert client.get("/api/v1/projects", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


def test_the_web_cannot_switch_off_the_administrators_second_factor(make_user, client):
    RolePolicy.objects.filter(role__in=["system_admin", "security_admin", "audit_admin"]).update(
        require_otp=True
    )
    secadmin = make_user("security_admin")
    client.force_login(secadmin)
    client.post("/accounts/security/policy/", {"require_otp": []})
    assert set(RolePolicy.objects.filter(require_otp=True).values_list("role", flat=True)) == {
        "system_admin",
        "security_admin",
        "audit_admin",
    }
    TOTPDevice.objects.create(user=secadmin, name="动态口令", confirmed=True)
    with pytest.raises(Exception, match="要求使用动态口令"):
        services.remove_otp(secadmin, actor=secadmin)


def test_a_django_superuser_cannot_sign_in_nor_use_a_token(db, client):
    root = User.objects.create_superuser("root", password=PASSWORD)
    response = client.post("/accounts/login/", {"username": "root", "password": PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    _token, secret = services.create_api_token(root, "脚本", actor=root)
    assert client.get("/api/v1/projects", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    assert root.is_administrator() and services.otp_required(root)


def test_digits_of_other_scripts_in_a_code_get_an_answer_not_a_server_error(make_user, client):
    RolePolicy.objects.filter(role="project_office").update(require_otp=True)
    make_user("project_office", username="office")
    client.post("/accounts/login/", {"username": "office", "password": PASSWORD})
    for code in ("²²²²²²", "١٢٣٤٥٦"):
        assert client.post("/accounts/login/verify/", {"code": code}).status_code == 200


def test_a_half_done_sign_in_ends_with_a_forced_sign_out(make_user):
    user = make_user("unit_reporter", username="rep")
    TOTPDevice.objects.create(user=user, name="动态口令", confirmed=True)
    browser = Client()
    browser.post("/accounts/login/", {"username": "rep", "password": PASSWORD})
    services.sign_out_everywhere(user, actor=make_user("security_admin"))
    response = browser.get("/accounts/login/verify/")
    assert response.status_code == 302 and response.url == "/accounts/login/"


def test_behind_the_proxy_a_sign_in_records_the_clients_address(make_user, client, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    make_user("unit_reporter", username="rep")
    client.post(
        "/accounts/login/",
        {"username": "rep", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
        HTTP_X_FORWARDED_PROTO="https",
        secure=True,
    )
    assert AuditEvent.objects.get(action="login.success").ip_address == "203.0.113.9"


def test_pages_showing_a_secret_are_not_cached(make_user, client):
    client.force_login(make_user("unit_reporter"))
    for url in ("/accounts/tokens/", "/accounts/otp/"):
        assert (
            "no-cache" in client.get(url)["Cache-Control"] or "no-store" in client.get(url)["Cache-Control"]
        )
