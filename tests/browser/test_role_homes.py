"""Each role lands on its work, on the demo district: signing in as each demo account opens the page of its role
(read by its heading), the header's 待办 count is the to-do page's total, and each line of the to-do page counts
what its list shows — on a desktop and on a 390 × 844 phone. Text is read with inner_text (the machine running
these has no Chinese font)."""

import re

import pytest

from gongjian.core.todo import reverse_or_none
from gongjian.demo.loader import DEMO_PASSWORD, load_demo

pytestmark = pytest.mark.browser

# username → the heading of the page the account lands on (None: the cockpit, when it is installed)
HOMES = {
    "reporter": "我的填报",
    "reviewer": "待审核报告",
    "leader": "红绿灯看板",
    "evaluator": "综合评价打分",
    "team": "今日日报",
    "office": None,
    "principal": None,
    "auditor": "审计记录",
    "secadmin": "账号安全",
}


def _number(text: str) -> int:
    return int(re.search(r"\d+", text).group(0))


def shown(page, kind: str) -> int:
    """What the list behind a to-do line shows, as a user counts it."""
    if kind in ("reports.file", "reports.review"):
        return page.locator("#due-table tbody tr[data-status]").count()
    if kind in ("lights.cases", "lights.close"):
        return _number(re.search(r"共\s*\d+\s*件", page.locator("h1").inner_text()).group(0))
    if kind == "meetings.decisions":
        return page.locator("#decision-table tbody tr").filter(has=page.locator("td a")).count()
    if kind == "assignments.pending":
        return page.locator("#assignment-table tbody tr[data-assignment]").count()
    if kind == "assess.scores":
        return page.locator("#evaluation-form input[name^='score-']").count()
    if kind == "daily.today":
        return int("未报" in page.locator("#daily-status").inner_text())
    if kind == "attraction.stalled":
        return _number(re.search(r"共\s*\d+\s*个", page.locator("h1").inner_text()).group(0))
    if kind == "targets.review":
        return _number(re.search(r"共\s*\d+\s*条", page.locator("h1").inner_text()).group(0))
    if kind == "land.lawful":
        return page.locator("#lawful-paths tbody tr[data-path]").count()
    raise AssertionError(f"no list reader for {kind}")


def check_role(page, username: str) -> int:
    """On the page the account landed on: its heading, then the header's count against the to-do page and each
    line of it against its list. Returns the total."""
    expected = HOMES[username]
    cockpit = reverse_or_none("cockpit:home")
    if expected is None and cockpit:
        assert page.url.endswith(cockpit), username
    else:
        assert (expected or "重点项目库") in page.locator("h1").first.inner_text(), username
    badge = page.locator("#todo-badge")
    in_header = int(badge.inner_text()) if badge.count() else 0
    page.click("#todo-link")
    assert page.locator("h1").first.inner_text().startswith("我的待办")
    total = int(page.locator("#todo-total").inner_text())
    assert total == in_header, username
    lines = []
    for row in page.locator("#todo-table tbody tr").all():
        lines.append(
            (
                row.get_attribute("data-kind"),
                row.locator("td").nth(0).inner_text(),
                int(row.locator(".todo-count").inner_text()),
                row.locator("a").get_attribute("href"),
            )
        )
    assert sum(n for _k, _label, n, _u in lines) == total
    for kind, label, count, href in lines:
        assert re.search(r"[\u4e00-\u9fff]", label) and not re.search(r"[A-Za-z_]{3,}", label), label
        page.goto(href)
        assert shown(page, kind) == count, (username, kind, href)
    return total


@pytest.fixture
def demo(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return load_demo()


def test_each_demo_role_lands_on_its_work_and_its_to_do_count_matches_on_the_desktop(demo, page, login):
    totals = {}
    for username in HOMES:
        page.context.clear_cookies()
        login(username, DEMO_PASSWORD)
        totals[username] = check_role(page, username)
    # the demo gives every business role something to do (the service team's member has filed today already)
    assert all(totals[name] > 0 for name in ("reporter", "reviewer", "leader", "evaluator", "office")), totals
    assert totals["auditor"] == totals["secadmin"] == 0
    # the system administrator's desk is the admin site
    page.context.clear_cookies()
    login("sysadmin", DEMO_PASSWORD)
    assert page.url.endswith("/admin/")


def test_each_demo_role_lands_on_its_work_and_its_to_do_count_matches_on_the_phone(demo, phone):
    for username in HOMES:
        page = phone(username, DEMO_PASSWORD)
        assert page.locator("#todo-link").is_visible()
        # the header (with its 待办) fits the phone's width
        box = page.locator("#todo-link").bounding_box()
        assert box["x"] + box["width"] <= 390
        check_role(page, username)
