"""A reporter fills and submits a report, the reviewer returns it, the reporter corrects and resubmits."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from gongjian.reports import services
from gongjian.reports.models import Report
from tests.factories import PASSWORD, ProjectFactory, UnitFactory, photo_bytes

pytestmark = pytest.mark.browser


def test_fill_submit_return_and_resubmit_a_report(page, login, make_user, office_user):
    unit = UnitFactory(name="工信局")
    make_user("unit_reporter", unit=unit, username="rep")
    make_user("unit_reviewer", unit=unit, username="rev")
    ProjectFactory(name="新能源电池材料项目", responsible_unit=unit, latitude=34.261792, longitude=117.184806)
    opens = timezone.now() - dt.timedelta(days=1)
    services.open_period(
        "2026-11-2", opens_at=opens, deadline=opens + dt.timedelta(days=9), actor=office_user
    )

    # The thumbnails are checked one at a time below: two images loading at once through the test server's one
    # shared in-memory SQLite connection can collide on the session save, which a real server does not share.
    page.route("**/reports/photos/**", lambda route: route.abort())
    login("rep", PASSWORD)
    page.click("nav >> text=旬报月报")
    page.click("#due-table a:text-is('填报')")
    page.fill("#id_amount", "300")
    page.fill("#id_progress_percent", "35")
    page.fill("#id_progress_text", "主体结构施工至三层")
    page.set_input_files(
        "#id_photos",
        [
            {"name": "三层.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes()},
            {
                "name": "旧照.jpg",
                "mimeType": "image/jpeg",
                "buffer": photo_bytes(taken="2026:06:01 09:00:00", colour="red"),
            },
        ],
    )
    page.click("button[name=submit]")
    expect(page.locator(".messages")).to_contain_text("报告已提交")
    expect(page.locator("#cumulative")).to_contain_text("300.00")

    page.click("text=退出")
    login("rev", PASSWORD)
    page.click("nav >> text=旬报月报")
    page.click("#due-table a:text-is('审核')")
    expect(page.locator("#photos li")).to_have_count(2)
    expect(page.locator("#photos [data-flag=taken_before_period]")).to_contain_text("拍摄于 2026-06-01")
    thumbnail = page.request.get(page.locator("#photos img").first.get_attribute("src"))
    with Image.open(io.BytesIO(thumbnail.body())) as image:
        assert (thumbnail.headers["content-type"], max(image.size)) == ("image/jpeg", 640)
    page.fill("#id_reason", "本期金额与监理月报不符，旧照片请换")
    page.click("button[value=return]")
    expect(page.locator(".messages")).to_contain_text("已退回")

    page.click("text=退出")
    login("rep", PASSWORD)
    page.click("nav >> text=旬报月报")
    page.click("#due-table a:text-is('填报')")
    expect(page.locator("#return-reason")).to_contain_text("旧照片请换")
    page.fill("#id_amount", "280")
    page.locator("#photos li", has_text="旧照.jpg").locator("input[name=remove]").check()
    page.click("button[name=submit]")
    expect(page.locator(".messages")).to_contain_text("报告已提交")
    expect(page.locator("#revisions tbody tr")).to_have_count(3)
    report = Report.objects.get()
    assert (report.state, report.amount) == ("submitted", 2_800_000)
    assert [p.original_name for p in report.photos.all()] == ["三层.jpg"]
