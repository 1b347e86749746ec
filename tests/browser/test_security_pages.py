"""Security in the browser (issue "Trust I"): two-step sign-in with an authenticator app, enrolment, recovery
codes, password reset by the security administrator, the role policy, the audit chain and API tokens."""

import base64
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp.oath import totp
from playwright.sync_api import expect

from gongjian.accounts import services
from gongjian.accounts.models import ApiToken, RolePolicy, User
from gongjian.core.audit import AuditEvent
from gongjian.org.models import Person
from tests.factories import PASSWORD, UnitFactory

pytestmark = pytest.mark.browser

# signed in: on the role's landing page (the office on the cockpit, a reporter on the reports due; issue 15)
LANDED = re.compile(r"/(cockpit|reports)/$")
VERIFY_PAGE = re.compile(r"/accounts/login/verify/$")
WRONG_CODE = "动态口令或恢复码不正确。"


def code_for(key_hex: str, drift: int = 0) -> str:
    """What the authenticator app shows now (``drift=1``: in the next 30-second step, which the server still
    accepts; a second sign-in within the same step cannot reuse the code, as django-otp refuses replays)."""
    return f"{totp(bytes.fromhex(key_hex), drift=drift):06d}"


def a_wrong_code(key_hex: str) -> str:
    valid = {code_for(key_hex, drift) for drift in (-1, 0, 1)}
    return next(code for code in ("000000", "111111", "222222") if code not in valid)


def scan(page) -> str:
    """Read the key the way a person would type it into the app: the base32 text under the QR code."""
    text = page.locator("#otp-key").inner_text().replace(" ", "")
    return base64.b32decode(text + "=" * (-len(text) % 8)).hex()


def sign_out(page):
    page.locator("header").get_by_role("button", name="退出").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def require_otp_for_office():
    RolePolicy.objects.filter(role="project_office").update(require_otp=True)


@pytest.fixture
def office(make_user):
    return make_user("project_office", username="office", full_name="项目办小张")


@pytest.fixture
def reporter(make_user):
    return make_user(
        "unit_reporter", username="reporter", full_name="填报员小李", unit=UnitFactory(name="住建局")
    )


@pytest.fixture
def security_admin(make_user):
    return make_user("security_admin", username="secadmin", full_name="安全员老周")


def test_an_office_account_enrols_at_first_sign_in_and_then_needs_a_code_every_time(page, login, office):
    require_otp_for_office()
    login("office", PASSWORD)
    expect(page).to_have_url(VERIFY_PAGE)
    expect(page.locator("h1")).to_have_text("绑定动态口令")
    expect(page.locator("#otp-qr svg")).to_be_visible()
    expect(page.locator("#otp-key")).to_have_text(re.compile(r"^[A-Z2-7]{4}( [A-Z2-7]{4})+$"))
    key = scan(page)

    page.fill("#id_code", code_for(key))
    page.click("button:has-text('绑定并登录')")
    codes = page.locator("#recovery-codes ol.codes li")
    expect(codes).to_have_count(10)
    expect(page.locator("#recovery-codes")).to_contain_text("只显示这一次")
    recovery = codes.all_inner_texts()
    assert len(set(recovery)) == 10
    page.click("text=我已保存，继续")
    expect(page).to_have_url(LANDED)
    expect(page.locator("header")).to_contain_text("项目办小张")

    sign_out(page)
    login("office", PASSWORD)
    expect(page).to_have_url(VERIFY_PAGE)  # the password alone does not sign in
    expect(page.locator("h1")).to_have_text("输入动态口令")
    expect(page.locator("#otp-qr")).to_have_count(0)
    expect(page.locator("header a.who")).to_have_count(0)

    page.fill("#id_code", a_wrong_code(key))
    page.click("button:has-text('验证并登录')")
    expect(page.locator("#id_code_errors")).to_contain_text(WRONG_CODE)
    expect(page).to_have_url(VERIFY_PAGE)

    page.wait_for_timeout(1_100)  # after one wrong code django-otp throttles the next try for a second
    page.fill("#id_code", recovery[3])
    page.click("button:has-text('验证并登录')")
    expect(page).to_have_url(LANDED)
    expect(page.locator("header")).to_contain_text("项目办小张")
    page.goto("/accounts/me/")
    expect(page.locator("#otp")).to_contain_text("剩余恢复码 9 个")


def test_a_reporter_enrols_voluntarily_from_my_account_and_is_then_asked_for_the_code(page, login, reporter):
    login("reporter", PASSWORD)
    expect(page).to_have_url(LANDED)  # the reporter's role does not require a second factor
    page.locator("header a.who").click()
    expect(page).to_have_url(re.compile(r"/accounts/me/$"))
    expect(page.locator("#otp")).to_contain_text("未绑定")
    page.locator("#otp").get_by_role("link", name="绑定动态口令").click()
    expect(page).to_have_url(re.compile(r"/accounts/otp/$"))
    expect(page.locator("#otp-qr svg")).to_be_visible()

    key = scan(page)
    page.fill("#id_code", code_for(key))
    page.click("button:has-text('绑定')")
    expect(page.locator("#recovery-codes ol.codes li")).to_have_count(10)
    page.click("text=我已保存，继续")
    expect(page).to_have_url(re.compile(r"/accounts/me/$"))
    expect(page.locator("#otp")).to_contain_text("已绑定")
    expect(page.locator("#otp")).to_contain_text("剩余恢复码 10 个")

    sign_out(page)
    login("reporter", PASSWORD)
    expect(page).to_have_url(VERIFY_PAGE)
    expect(page.locator("h1")).to_have_text("输入动态口令")
    page.fill("#id_code", code_for(key, drift=1))
    page.click("button:has-text('验证并登录')")
    expect(page).to_have_url(LANDED)
    expect(page.locator("header")).to_contain_text("填报员小李")


def test_the_code_that_enrolled_cannot_be_used_again_to_sign_in(page, login, reporter):
    login("reporter", PASSWORD)
    page.goto("/accounts/otp/")
    code = code_for(scan(page))
    page.fill("#id_code", code)
    page.click("button:has-text('绑定')")
    expect(page.locator("#recovery-codes ol.codes li")).to_have_count(10)

    sign_out(page)
    login("reporter", PASSWORD)
    expect(page).to_have_url(VERIFY_PAGE)
    page.fill("#id_code", code)  # within the same 30 seconds: the code already used once
    page.click("button:has-text('验证并登录')")
    expect(page.locator("#id_code_errors")).to_contain_text(WRONG_CODE, timeout=3_000)


def test_a_password_reset_by_the_security_administrator_must_be_changed_before_anything_else(
    page, login, security_admin
):
    # Made the way the application makes accounts, so its password is in the account's password history.
    reporter = services.create_user(
        username="reporter", password=PASSWORD, full_name="填报员小李", roles=["unit_reporter"]
    )
    Person.objects.create(user=reporter, unit=UnitFactory(name="住建局"), name="填报员小李")

    login("secadmin", PASSWORD)
    page.goto("/accounts/security/")
    expect(page.locator("#security-users")).to_contain_text("填报员小李")
    page.locator("#security-users").get_by_role("link", name="reporter").click()
    expect(page).to_have_url(re.compile(rf"/accounts/security/users/{reporter.pk}/$"))
    page.click("button:has-text('重置密码')")
    expect(page.locator(".messages")).to_contain_text("密码已重置")
    temporary = page.locator("#temporary-password code").inner_text()
    assert len(temporary) == 12
    expect(page.locator("main")).to_contain_text("下次登录须修改")
    page.goto(page.url)  # shown once: opening the page again does not show it
    expect(page.locator("#temporary-password")).to_have_count(0)
    assert temporary not in page.content()
    sign_out(page)

    login("reporter", PASSWORD)
    expect(page.locator(".errors-summary")).to_contain_text("账号或密码错误")
    login("reporter", temporary)
    expect(page).to_have_url(re.compile(r"/accounts/password/"))
    expect(page.locator("main")).to_contain_text("你的密码已被重置或已到期，修改后才能继续使用系统。")
    page.goto("/projects/")
    expect(page).to_have_url(re.compile(r"/accounts/password/\?next=/projects/$"))
    expect(page.locator(".messages")).to_contain_text("密码已被重置或已过期，请先修改密码。")

    page.fill("#id_old_password", temporary)
    page.fill("#id_new_password", PASSWORD)
    page.fill("#id_new_password_again", PASSWORD)
    page.click("button:has-text('修改密码')")
    expect(page.locator("#id_new_password_errors")).to_contain_text("不能使用最近 5 次用过的密码。")
    expect(page).to_have_url(re.compile(r"/accounts/password/"))

    page.fill("#id_old_password", temporary)
    page.fill("#id_new_password", "Xin-Mima#2025")
    page.fill("#id_new_password_again", "Xin-Mima#2025")
    page.click("button:has-text('修改密码')")
    expect(page).to_have_url(re.compile(r"/projects/$"))  # back where it was asked for
    expect(page.locator(".messages")).to_contain_text("密码已修改。")
    expect(page.locator("h1")).to_contain_text("重点项目库")
    assert not User.objects.get(pk=reporter.pk).must_change_password


def test_the_administrators_land_on_their_own_page_after_signing_in(page, login, security_admin, make_user):
    make_user("audit_admin", username="auditor", full_name="审计员老王")
    login("secadmin", PASSWORD)
    expect(page.locator("h1")).to_have_text("账号安全", timeout=3_000)
    sign_out(page)
    login("auditor", PASSWORD)
    expect(page.locator("h1")).to_contain_text("审计记录", timeout=3_000)


def test_the_security_administrator_requires_the_second_factor_of_unit_reporters(page, login, security_admin):
    login("secadmin", PASSWORD)
    page.goto("/accounts/security/policy/")
    checkbox = page.locator("#otp-unit_reporter")
    expect(page.locator("label[for=otp-unit_reporter]")).to_have_text("单位填报员")
    expect(checkbox).not_to_be_checked()
    checkbox.check()
    page.click("#role-policy button:has-text('保存')")
    expect(page.locator(".messages")).to_contain_text("安全策略已保存。")

    page.reload()
    expect(page.locator("#otp-unit_reporter")).to_be_checked()
    expect(page.locator("#otp-project_office")).not_to_be_checked()  # the others stay as they were
    assert RolePolicy.objects.get(role="unit_reporter").require_otp


def test_the_auditor_sees_a_red_banner_once_an_audit_record_is_edited_behind_the_applications_back(
    page, login, make_user
):
    make_user("audit_admin", username="auditor", full_name="审计员老王")
    login("auditor", PASSWORD)
    page.goto("/system/audit/")
    expect(page.locator("#chain-ok")).to_contain_text("审计链完整")
    expect(page.locator("#chain-broken")).to_have_count(0)

    event = AuditEvent.objects.get(action="login.success", object_repr__contains="auditor")
    assert event.seq is not None  # sealed into the chain when the sign-in was committed
    AuditEvent.objects.filter(pk=event.pk).update(object_repr="篡改")

    page.reload()
    banner = page.locator("#chain-broken")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("审计链校验未通过：审计记录可能被篡改。")
    expect(banner).to_contain_text(f"第一处断裂：记录 {event.pk}。内容与封存时的摘要不一致")
    expect(page.locator("#chain-ok")).to_have_count(0)
    red, green, blue = map(
        int, re.findall(r"\d+", banner.evaluate("e => getComputedStyle(e).borderTopColor"))[:3]
    )
    assert red > 150 and green < 100 and blue < 100


def test_a_new_api_token_shows_its_secret_once_and_the_table_shows_its_expiry(page, login, office):
    login("office", PASSWORD)
    page.goto("/accounts/tokens/")
    expect(page.locator("#tokens")).to_contain_text("还没有令牌。")
    expect(page.locator("#id_days")).to_have_value("180")
    page.fill("#id_name", "数据对接")
    page.click("button:has-text('创建令牌')")

    expect(page.locator("#new-token")).to_contain_text("只显示这一次")
    secret = page.locator("#new-token code").inner_text()
    assert secret.startswith("gj_")
    token = ApiToken.objects.get()
    expiry = timezone.localtime(token.expires_at).date()
    assert expiry == timezone.localdate() + timedelta(days=180)
    row = page.locator("#tokens tbody tr", has_text="数据对接")
    expect(row).to_contain_text(f"{expiry:%Y-%m-%d}")
    expect(row).to_contain_text("有效")
    expect(row).to_contain_text(f"gj_{token.prefix}_…")
    expect(row.locator("td").nth(4)).to_have_text("—")  # not used yet: no time, no address
    expect(row.locator("td").nth(5)).to_have_text("—")

    page.goto("/accounts/tokens/")
    expect(page.locator("#new-token")).to_have_count(0)
    assert secret not in page.content()


def test_the_second_factor_and_the_enrolment_qr_are_usable_on_a_phone(phone, office):
    require_otp_for_office()
    page = phone("office", PASSWORD)
    expect(page).to_have_url(VERIFY_PAGE)
    qr = page.locator("#otp-qr svg")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390 and box["width"] >= 150
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    code_input = page.locator("#id_code")
    expect(code_input).to_be_visible()
    expect(code_input).to_have_attribute("inputmode", "numeric")  # the phone offers the digit keypad
    key = scan(page)
    code_input.tap()
    code_input.fill(code_for(key))
    button = page.get_by_role("button", name="绑定并登录")
    button.scroll_into_view_if_needed()
    expect(button).to_be_in_viewport()
    button.tap()
    expect(page.locator("#recovery-codes ol.codes li")).to_have_count(10)
    page.get_by_role("link", name="我已保存，继续").tap()
    expect(page).to_have_url(LANDED)

    page = phone("office", PASSWORD)  # another phone session: now the code step without enrolment
    expect(page).to_have_url(VERIFY_PAGE)
    expect(page.locator("#otp-qr")).to_have_count(0)
    code_input = page.locator("#id_code")
    expect(code_input).to_be_in_viewport()
    code_input.fill(code_for(key, drift=1))
    button = page.get_by_role("button", name="验证并登录")
    expect(button).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    button.tap()
    expect(page).to_have_url(LANDED)
