"""The land pages: the ledger per village with cadres first and masked for a leader, the household page's
agreement forms, the standard and audit pages, the masked export, and the import's row errors."""

import datetime as dt
import io

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from gongjian.core.models import AuditEvent
from gongjian.land import services
from tests.land.conftest import household_data, id_number

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger(task, people):
    village = task.villages.get(name="金星村")
    services.save_household(task, household_data(village, 1), actor=people["member"])
    cadre = services.save_household(
        task, household_data(village, 2, cadre_relation="cadre"), actor=people["member"]
    )
    agreement = services.draft_agreement(cadre, actor=people["member"], signed_on=dt.date(2026, 9, 5))
    services.sign_agreement(
        agreement, actor=people["member"], signed_on=dt.date(2026, 9, 5), version=agreement.version
    )
    return task


def test_the_ledger_page_lists_cadre_households_first_and_masks_for_a_leader(client, ledger, people):
    client.force_login(people["principal"])
    page = client.get(f"/land/tasks/{ledger.pk}/ledger/").content.decode()
    assert page.index("H0002") < page.index("H0001")  # the cadre household first
    assert "★" in page and "9月5日" in page
    assert id_number(1) not in page and "张*1" in page
    unsigned = client.get(f"/land/tasks/{ledger.pk}/ledger/?signed=0").content.decode()
    assert "H0001" in unsigned and "H0002" not in unsigned


def test_the_team_sees_the_ledger_in_full_and_the_read_is_audited(client, ledger, people):
    client.force_login(people["member"])
    before = AuditEvent.objects.filter(action="land.ledger.read").count()
    page = client.get(f"/land/tasks/{ledger.pk}/ledger/").content.decode()
    assert id_number(1) in page
    assert AuditEvent.objects.filter(action="land.ledger.read").count() == before + 1


def test_every_page_of_a_task_opens(client, ledger, people):
    client.force_login(people["office"])
    household = ledger.households.get(number="H0001")
    for url in [
        "/land/",
        f"/land/tasks/{ledger.pk}/",
        f"/land/tasks/{ledger.pk}/standard/",
        f"/land/tasks/{ledger.pk}/audit/",
        f"/land/tasks/{ledger.pk}/import/",
        f"/land/households/{household.pk}/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
    assert "提前签约奖励" in client.get(f"/land/tasks/{ledger.pk}/standard/").content.decode()


def test_the_household_page_drafts_an_agreement_and_shows_a_missing_reason(client, ledger, people):
    client.force_login(people["member"])
    household = ledger.households.get(number="H0001")
    url = f"/land/households/{household.pk}/"
    response = client.post(
        url, {"action": "draft", "option": "money", "signed_on": "2026-10-10", "agreed_total": "1"}
    )
    assert response.status_code == 200 and "须写明偏离理由" in response.content.decode()
    response = client.post(url, {"action": "draft", "option": "money", "signed_on": "2026-10-10"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "房屋补偿·砖混" in page and "登记签约" in page


def test_the_export_is_masked_for_a_leader_and_full_for_the_team(client, ledger, people):
    client.force_login(people["principal"])
    masked = CalamineWorkbook.from_filelike(
        io.BytesIO(b"".join(client.get(f"/land/tasks/{ledger.pk}/ledger.xlsx").streaming_content))
    )
    cells = [str(c) for row in masked.get_sheet_by_index(0).to_python() for c in row]
    assert id_number(1) not in cells and any(c.startswith("320311****") for c in cells)
    client.force_login(people["member"])
    full = CalamineWorkbook.from_filelike(
        io.BytesIO(b"".join(client.get(f"/land/tasks/{ledger.pk}/ledger.xlsx").streaming_content))
    )
    assert id_number(1) in [str(c) for row in full.get_sheet_by_index(0).to_python() for c in row]
    assert AuditEvent.objects.filter(action="land.ledger.export").count() == 2


def _workbook(households, buildings=(), agreements=()):
    from gongjian.land import importing

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = importing.HOUSEHOLDS
    sheet.append(importing.HOUSEHOLD_COLUMNS)
    for row in households:
        sheet.append([row.get(h, "") for h in importing.HOUSEHOLD_COLUMNS])
    other = book.create_sheet(importing.BUILDINGS)
    other.append(importing.BUILDING_COLUMNS)
    for row in buildings:
        other.append(row)
    third = book.create_sheet(importing.AGREEMENTS)
    third.append(importing.AGREEMENT_COLUMNS)
    for row in agreements:
        third.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "台账.xlsx"
    return out


def _row(n, **extra):
    return {
        "户编号": f"X{n:03d}",
        "村居": "金星村",
        "村民小组": "一组",
        "户主姓名": f"王五{n}",
        "户主身份证号": id_number(n),
        "耕地（亩）": 1.5,
        "树木": 3,
        **extra,
    }


def test_the_import_names_each_wrong_row_and_saves_nothing(client, task, people):
    client.force_login(people["member"])
    upload = _workbook(
        [_row(1), _row(2, 户主身份证号="320311198001010020"), _row(3, 村居="月亮村")],
        buildings=[["X001", "砖混", 100, "是", ""], ["X001", "茅草", 20, "否", ""]],
    )
    response = client.post(f"/land/tasks/{task.pk}/import/", {"file": upload})
    page = response.content.decode()
    assert response.status_code == 200
    assert "户主身份证号" in page and "校验位" in page and "月亮村" in page and "结构等级" in page
    assert not task.households.exists()


def test_a_right_workbook_imports_households_buildings_and_agreements(client, task, people):
    client.force_login(people["member"])
    upload = _workbook(
        [_row(1, 家庭成员=f"赵六/{id_number(601)}/配偶"), _row(2)],
        buildings=[["X001", "砖混", 100, "是", ""], ["X001", "简易", 20, "否", "违建"]],
        agreements=[["X001", "货币安置", "", "2026-09-20", "", ""]],
    )
    response = client.post(f"/land/tasks/{task.pk}/import/", {"file": upload})
    assert response.status_code == 302
    first = task.households.get(number="X001")
    assert first.members.count() == 1 and first.buildings.filter(legal=False).count() == 1
    assert first.signed_on == dt.date(2026, 9, 20) and first.agreement.state == "signed"


def test_the_cockpit_shows_the_tasks_progress_and_the_cadre_flags(client, ledger, people):
    client.force_login(people["principal"])
    page = client.get("/cockpit/").content.decode()
    assert "land-panel" in page and "生态科技产业园征地拆迁" in page
    assert f"/land/tasks/{ledger.pk}/ledger/?signed=1" in page  # the signed figure opens the ledger filtered
    assert "逾期未签约" not in page  # the one cadre household (H0002) has signed


def test_the_cockpit_flags_a_cadre_household_not_signed_after_the_set_days(client, task, people):
    village = task.villages.get(name="金星村")
    services.save_household(task, household_data(village, 3, cadre_relation="party"), actor=people["member"])
    client.force_login(people["principal"])
    page = client.get("/cockpit/").content.decode()
    assert "1 户干部、党员及亲属户逾期未签约" in page
    assert f"/land/tasks/{task.pk}/ledger/?overdue=1" in page


@pytest.mark.parametrize("value", ["99999999999999999999", "-1", "abc", "%00", "1e400"])
def test_a_ledger_filter_no_village_has_shows_every_village_never_a_500(client, ledger, people, value):
    client.force_login(people["office"])
    response = client.get(
        f"/land/tasks/{ledger.pk}/ledger/", {"village": value, "page": value, "signed": value}
    )
    assert response.status_code == 200 and "H0001" in response.content.decode()
    assert client.get(f"/land/tasks/{ledger.pk}/standard/", {"version": value}).status_code == 200


def test_a_hostile_workbook_is_refused_unread_and_nothing_saved(client, task, people):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.exchange.test_hostile_files import bomb

    client.force_login(people["member"])
    upload = SimpleUploadedFile("台账.xlsx", bomb(admitted=False))
    response = client.post(f"/land/tasks/{task.pk}/import/", {"file": upload})
    assert response.status_code == 200 and "压缩炸弹" in response.content.decode()
    assert not task.households.exists()
