"""The board, light and case pages and the API through the HTTP client: counts, scope, export, actions."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gongjian.accounts import services as accounts
from gongjian.core.periods import Period
from gongjian.lights import services
from gongjian.lights.models import Case, Judgement
from tests.factories import ProjectFactory, UnitFactory, current_version
from tests.workbooks import contents, export_in_background

pytestmark = pytest.mark.django_db


def current_code() -> str:
    return Period.dekad_of(timezone.localdate()).code


@pytest.fixture
def district(make_user):
    industry, commerce = UnitFactory(name="工信局"), UnitFactory(name="商务局")
    red = ProjectFactory(name="滞后项目", responsible_unit=industry, plan=True)  # nothing done: red
    green = ProjectFactory(name="顺利项目", responsible_unit=industry, plan=[0] * 36, planned_start=None)
    other = ProjectFactory(name="商贸项目", responsible_unit=commerce, plan=True, category="commerce")
    services.recompute()
    return {
        "industry": industry,
        "red": red,
        "green": green,
        "other": other,
        "reporter": make_user("unit_reporter", unit=industry, username="rep"),
    }


def test_the_board_counts_groups_and_lists_with_reasons(office_client, district):
    html = office_client.get("/lights/?group=unit").content.decode()
    assert 'data-colour="0">1<' in html and 'data-colour="2">2<' in html
    assert "工信局" in html and "商务局" in html
    reds = office_client.get("/lights/?colour=2").content.decode()
    assert "滞后项目" in reds and "商贸项目" in reds and "顺利项目" not in reds
    assert "低于序时进度 100 个百分点" in reds


def test_a_reporter_sees_only_the_lights_of_their_scope(client, district):
    client.force_login(district["reporter"])
    html = client.get("/lights/").content.decode()
    assert "滞后项目" in html and "商贸项目" not in html
    assert client.get(f"/lights/projects/{district['other'].pk}/{current_code()}/").status_code == 404
    assert client.get(f"/lights/projects/{district['red'].pk}/{current_code()}/").status_code == 200


def test_the_export_holds_the_listed_lights(office_client, district):
    response = office_client.get("/lights/export/?colour=2")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:4] == ("项目编号", "项目名称", "责任单位", "灯色")
    assert sorted(r[1] for r in rows[1:]) == ["商贸项目", "滞后项目"] and {r[3] for r in rows[1:]} == {"红灯"}


def test_a_long_board_export_is_written_by_a_job_with_the_lights_its_owner_sees(client, district, settings):
    client.force_login(district["reporter"])  # 工信局: the red and the green project, not the commerce one
    url = "/lights/export/?group=unit"
    settings.GONGJIAN_EXPORT_BACKGROUND_ROWS = 10
    at_once = b"".join(client.get(url).streaming_content)

    settings.GONGJIAN_EXPORT_BACKGROUND_ROWS = 1
    job, file = export_in_background(client, url)

    assert job.kind == "lights.export_board" and (job.done, job.total) == (2, 2)
    assert job.file_name == f"红绿灯_{Period.parse(current_code())}.xlsx"
    assert contents(file) == contents(at_once)
    assert sorted(row[1] for row in contents(file)["红绿灯"][1:]) == ["滞后项目", "顺利项目"]


def test_a_leader_records_a_judgement_on_the_light_page_and_the_board_counts_the_gap(
    client, district, make_user
):
    leader = make_user("principal_leader", username="boss")
    client.force_login(leader)
    url = f"/lights/projects/{district['green'].pk}/{current_code()}/"
    assert client.post(url, {"colour": "2", "reason": "现场无人施工"}).status_code == 302
    assert Judgement.objects.get().colour == 2
    assert "研判结果与计算结果不一致" in client.get(url).content.decode()
    assert 'id="disagreements">1<' in client.get("/lights/").content.decode()


def test_case_pages_show_the_owner_its_actions_and_refuse_strangers(client, district, make_user):
    case = Case.objects.get(project=district["red"])
    client.force_login(district["reporter"])
    assert "签收" in client.get(f"/lights/cases/{case.pk}/").content.decode()
    client.post(f"/lights/cases/{case.pk}/accept/", {"version": case.version})
    refused = client.post(
        f"/lights/cases/{case.pk}/resolve/", {"text": "已完成", "version": case.version + 1}
    )
    assert (
        refused.status_code == 400 and "佐证材料" in refused.content.decode()
    )  # no evidence: refused, text kept
    assert '<textarea readonly rows="3" id="kept-text">已完成</textarea>' in refused.content.decode()
    case.refresh_from_db()
    assert case.state == "accepted"
    client.post(
        f"/lights/cases/{case.pk}/resolve/",
        {"text": "已完成", "evidence": SimpleUploadedFile("证明.pdf", b"%PDF"), "version": case.version},
    )
    case.refresh_from_db()
    assert case.state == "resolved"
    client.force_login(make_user("unit_reporter", unit=UnitFactory(name="住建局")))
    assert client.get(f"/lights/cases/{case.pk}/").status_code == 404
    assert client.post(f"/lights/cases/{case.pk}/accept/", {"version": case.version}).status_code == 404


def test_the_api_gives_the_board_a_light_and_handles_a_case(client, district, office_user):
    _token, secret = accounts.create_api_token(district["reporter"], "脚本", actor=district["reporter"])
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    board = client.get("/api/v1/lights?colour=2", **auth).json()
    assert [item["project"] for item in board["items"]] == ["滞后项目"] and board["totals"]["2"] == 1
    item = board["items"][0]
    detail = client.get(f"/api/v1/lights/{item['project_id']}/{item['period_code']}", **auth).json()
    assert detail["figures"]["investment"]["percent"] == 0
    case = client.get("/api/v1/cases", **auth).json()["items"][0]
    accepted = client.post(
        f"/api/v1/cases/{case['id']}/accept",
        {"version": case["version"]},
        content_type="application/json",
        **auth,
    ).json()
    assert accepted["state"] == "accepted"
    refused = client.post(
        f"/api/v1/cases/{case['id']}/resolve", {"text": "完成", "version": accepted["version"]}, **auth
    )
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "evidence"
    resolved = client.post(
        f"/api/v1/cases/{case['id']}/resolve",
        {"text": "完成", "evidence": SimpleUploadedFile("a.jpg", b"x"), "version": accepted["version"]},
        **auth,
    )
    assert resolved.status_code == 200, resolved.content.decode()
    resolved = resolved.json()
    assert resolved["state"] == "resolved" and resolved["events"][-1]["evidence"] == "a.jpg"
    assert (
        client.post(
            f"/api/v1/cases/{case['id']}/close",
            {"version": resolved["version"]},
            content_type="application/json",
            **auth,
        ).status_code
        == 403
    )
    assert client.post("/api/v1/lights/recompute", **auth).status_code == 403


def test_the_case_ledger_exports_the_listed_cases(office_client, district):
    response = office_client.get("/lights/cases/export/?state=open")
    rows = list(
        openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(
            values_only=True
        )
    )
    assert rows[0][:4] == ("督办编号", "类型", "项目", "事项")
    assert sorted(r[2] for r in rows[1:]) == ["商贸项目", "滞后项目"]
    assert {r[8] for r in rows[1:]} == {"待签收"}


def test_the_project_page_shows_its_light_and_the_report_page_its_problem_cases(
    office_client, district, office_user, make_user
):
    html = office_client.get(f"/projects/{district['red'].pk}/").content.decode()
    assert 'id="project-light"' in html and "红灯" in html

    from gongjian.reports import services as reports

    unit = district["industry"]
    reviewer = make_user("unit_reviewer", unit=unit, username="rev")
    opens = timezone.now() - dt.timedelta(days=1)
    period = reports.open_period(
        "2026-01-1", opens_at=opens, deadline=opens + dt.timedelta(days=9), actor=office_user
    )
    report = reports.save_draft(
        district["green"],
        period,
        {"amount": 0},
        actor=district["reporter"],
        problems=[
            {
                "category": "land",
                "description": "用地指标未落实",
                "unit_asked": UnitFactory(name="自然资源局"),
            }
        ],
    )
    reports.submit_report(report, actor=district["reporter"], expected_version=current_version(report))
    reports.approve_report(report, actor=reviewer, expected_version=current_version(report))
    case = Case.objects.get(kind="problem")
    html = office_client.get(f"/reports/{district['green'].pk}/{period.pk}/").content.decode()
    assert f"{case.number} 待签收" in html
