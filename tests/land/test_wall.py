"""The wall list (公开上墙, issue 17 item 4): published versions numbered per task, rows frozen and masked,
cadres' households marked and in full detail, a correction a new version with its reason, the paper lists (.docx
and .pdf, A3 landscape, with the QR code of the public page) and the public pages without login."""

import datetime as dt
import io
import threading
import zipfile

import docx
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections

from gongjian.core.models import AuditEvent
from gongjian.land import services, walldocs
from gongjian.land.models import WallList
from tests.land.conftest import household_data, id_number

pytestmark = pytest.mark.django_db


def village(task, name="金星村"):
    return task.villages.get(name=name)


@pytest.fixture
def campaign(task, people):
    """Three households of 金星村: a cadre signed at the standard, one signed with an approved deviation, one
    not signed; one of 石林村."""
    v = village(task)
    cadre = services.save_household(
        task,
        household_data(v, 1, head_name="王建国", cadre_relation="cadre", cadre_note="村支书"),
        actor=people["member"],
    )
    deviating = services.save_household(
        task, household_data(v, 2, head_name="李秀英"), actor=people["member"]
    )
    services.save_household(task, household_data(v, 3, head_name="赵大山"), actor=people["member"])
    services.save_household(task, household_data(village(task, "石林村"), 4), actor=people["member"])
    day = dt.date(2026, 9, 20)
    agreement = services.draft_agreement(cadre, actor=people["member"], signed_on=day)
    services.sign_agreement(agreement, actor=people["member"], signed_on=day, version=agreement.version)
    agreement = services.draft_agreement(
        deviating,
        actor=people["member"],
        signed_on=day,
        agreed_total=999_990,
        deviation_reason="祖屋有文物价值",
    )
    agreement = services.decide_deviation(
        agreement, actor=people["commander"], approve=True, note="同意", version=agreement.version
    )
    services.sign_agreement(agreement, actor=people["member"], signed_on=day, version=agreement.version)
    return {"cadre": cadre, "deviating": deviating}


def test_a_published_list_is_masked_and_shows_the_facts_amounts_and_approved_deviation(
    task, people, campaign
):
    published = services.publish_wall_list(village(task), actor=people["member"])
    assert published.number == 1
    rows = {r["number"]: r for r in published.rows}
    assert list(rows) == ["H0001", "H0002", "H0003"]  # the cadre's household first
    cadre, deviating, unsigned = rows["H0001"], rows["H0002"], rows["H0003"]
    assert (
        cadre["name"] == "王*国" and cadre["id_number"] == id_number(1)[:6] + "********" + id_number(1)[-4:]
    )
    assert cadre["cadre"] == "干部" and cadre["detail"]  # every computed line in full
    assert any(line.startswith("房屋补偿·砖混：砖混 120.00㎡") for line in cadre["detail"])
    assert cadre["land"] == "耕地 2.00亩" and cadre["buildings"] == "砖混 120.00㎡"
    assert sum(cadre["items"].values()) == cadre["total"] > 0
    assert deviating["total"] == 999_990 and deviating["deviation"] == 999_990 - sum(
        deviating["items"].values()
    )
    assert deviating["deviation_reason"] == "祖屋有文物价值" and not deviating["detail"]
    assert unsigned["total"] is None and unsigned["state"] == "未签约"
    text = str(published.rows)
    for secret in ("王建国", "李秀英", id_number(1), id_number(2)):
        assert secret not in text
    assert published.totals["households"] == 3 and published.totals["deviations"] == 1
    assert AuditEvent.objects.filter(action="land.wall.publish", object_id=str(published.pk)).exists()


def test_a_correction_needs_its_reason_and_the_old_version_stays_as_published(task, people, campaign):
    first = services.publish_wall_list(village(task), actor=people["member"])
    other = services.publish_wall_list(village(task, "石林村"), actor=people["office"])
    with pytest.raises(ValidationError) as caught:
        services.publish_wall_list(village(task), actor=people["member"])
    assert "reason" in caught.value.message_dict
    data = household_data(
        village(task), 3, head_name="赵大山", buildings=[{"grade": "frame", "area": "90.00"}]
    )
    household = task.households.get(number="H0003")
    services.save_household(
        task, data, actor=people["member"], household=household, version=household.version
    )
    corrected = services.publish_wall_list(
        village(task), actor=people["member"], reason="H0003 房屋面积复核更正"
    )
    assert (first.number, other.number, corrected.number) == (1, 2, 3)
    first.refresh_from_db()
    assert [r["buildings"] for r in first.rows if r["number"] == "H0003"] == ["砖混 120.00㎡"]
    assert [r["buildings"] for r in corrected.rows if r["number"] == "H0003"] == ["框架 90.00㎡"]
    assert corrected.reason == "H0003 房屋面积复核更正"


def test_only_the_tasks_team_and_the_office_publish(task, people, campaign):
    for who in ("outsider", "principal", "auditor"):
        with pytest.raises(PermissionDenied):
            services.publish_wall_list(village(task), actor=people[who])
    assert not WallList.objects.exists()


def _sheet(published, url="https://gongjian.example.cn/land/public/walls/1/"):
    from gongjian.land import wall

    return wall.sheet_of(published, url)


def test_the_docx_is_a3_landscape_with_the_masked_rows_and_the_qr_code(task, people, campaign):
    published = services.publish_wall_list(village(task), actor=people["member"])
    url = "https://gongjian.example.cn/land/public/walls/7/"
    content = walldocs.render_docx(_sheet(published, url))
    document = docx.Document(io.BytesIO(content))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (420, 297)
    table = document.tables[0]
    cells = [[c.text for c in row.cells] for row in table.rows]
    assert cells[0][0] == "户编号" and len(cells) == 4
    assert cells[1][1] == "王*国" and "房屋补偿·砖混" in cells[1][5]
    assert "祖屋有文物价值" in cells[2][14]
    text = "\n".join(p.text for p in document.paragraphs) + str(cells)
    assert "王建国" not in text and id_number(1) not in text and url in text
    images = [n for n in zipfile.ZipFile(io.BytesIO(content)).namelist() if n.startswith("word/media/")]
    assert len(images) == 1
    assert zipfile.ZipFile(io.BytesIO(content)).read(images[0]) == walldocs.qr_png(url)


def test_the_pdf_opens_on_a3_landscape_with_the_qr_code(task, people, campaign):
    published = services.publish_wall_list(village(task), actor=people["member"])
    content = walldocs.render_pdf(_sheet(published))
    assert content.startswith(b"%PDF-")
    assert b"/MediaBox [ 0 0 1190.551 841.8898 ]" in content  # A3 landscape, points
    assert b"STSong-Light" in content and b"/Subtype /Image" in content


def test_the_public_pages_need_no_login_and_show_masked_data_only(client, task, people, campaign):
    assert client.get(f"/land/public/{task.pk}/").status_code == 404  # nothing published yet
    first = services.publish_wall_list(village(task), actor=people["member"])
    corrected = services.publish_wall_list(village(task), actor=people["member"], reason="更正户主姓名")
    page = client.get(f"/land/public/{task.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "金星村" in body and "第1号" in body and "第2号" in body and "更正户主姓名" in body
    old = client.get(f"/land/public/walls/{first.pk}/").content.decode()
    assert "王*国" in old and "本清单已被更正" in old
    assert "王建国" not in old and id_number(1) not in old and "李秀英" not in old
    current = client.get(f"/land/public/walls/{corrected.pk}/").content.decode()
    assert "本清单已被更正" not in current and "祖屋有文物价值" in current
    pdf = client.get(f"/land/public/walls/{first.pk}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    word = client.get(f"/land/public/walls/{first.pk}.docx")
    qr = walldocs.qr_png(f"http://testserver/land/public/walls/{first.pk}/")
    assert qr in [zipfile.ZipFile(io.BytesIO(word.content)).read(n) for n in ("word/media/image1.png",)]


def test_publishing_from_the_task_page(client, task, people, campaign, django_capture_on_commit_callbacks):
    client.force_login(people["member"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/land/tasks/{task.pk}/wall/publish/", {"village": village(task).pk})
    assert response.status_code == 302
    page = client.get(f"/land/tasks/{task.pk}/").content.decode()
    assert "第1号" in page and f"/land/public/{task.pk}/" in page
    published = WallList.objects.get()  # its paper lists made by the background job, kept on the version
    assert published.docx_file.name.endswith(".docx") and published.pdf_file.name.endswith(".pdf")
    client.logout()
    word = client.get(f"/land/public/walls/{published.pk}.docx")
    assert word.status_code == 200 and word.content == published.docx_file.open("rb").read()
    qr = walldocs.qr_png(f"http://testserver/land/public/walls/{published.pk}/")
    assert zipfile.ZipFile(io.BytesIO(word.content)).read("word/media/image1.png") == qr
    client.force_login(people["member"])
    client.post(f"/land/tasks/{task.pk}/wall/publish/", {"village": village(task).pk})
    assert WallList.objects.count() == 1  # a second one without its reason is refused
    assert client.get(f"/land/tasks/{task.pk}/wall/publish/").status_code == 405
    client.force_login(people["outsider"])
    assert (
        client.post(f"/land/tasks/{task.pk}/wall/publish/", {"village": village(task).pk}).status_code == 404
    )


def test_the_api_lists_each_tasks_public_urls_of_its_latest_lists(client, task, people, campaign):
    client.force_login(people["principal"])
    item = client.get("/api/v1/land/tasks").json()["items"][0]
    assert item["public_url"] is None and item["wall_lists"] == []
    services.publish_wall_list(village(task), actor=people["member"])
    latest = services.publish_wall_list(village(task), actor=people["member"], reason="更正")
    item = client.get("/api/v1/land/tasks").json()["items"][0]
    assert item["public_url"] == f"http://testserver/land/public/{task.pk}/"
    (only,) = item["wall_lists"]
    assert only["number"] == latest.number and only["village"] == "金星村"
    assert only["url"] == f"http://testserver/land/public/walls/{latest.pk}/"
    assert client.get(only["pdf_url"]).status_code == 200


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL run)")
def test_publishing_at_once_numbers_every_version_once(task, people, campaign):
    villages = [village(task), village(task, "石林村")]
    barrier, errors = threading.Barrier(6), []

    def publisher(n):
        try:
            barrier.wait()
            for i in range(4):
                try:
                    services.publish_wall_list(villages[n % 2], actor=people["member"], reason=f"更正{n}-{i}")
                except Exception as exc:
                    errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=publisher, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(WallList.objects.values_list("number", flat=True)) == list(range(1, 25))


def test_a_long_list_not_yet_made_on_paper_says_so_instead_of_rendering_in_the_request(
    client, task, people, campaign, monkeypatch
):
    from gongjian.land import views

    published = services.publish_wall_list(
        village(task), actor=people["member"]
    )  # no job without its address
    monkeypatch.setattr(views, "SYNC_ROWS", 2)
    response = client.get(f"/land/public/walls/{published.pk}.pdf")
    assert response.status_code == 202 and "正在后台生成" in response.content.decode()


def test_a_large_village_is_published_by_a_job_whose_page_shows_its_progress(
    client, task, people, campaign, settings, django_capture_on_commit_callbacks
):
    from gongjian.jobs.choices import JobState
    from gongjian.jobs.models import Job

    here = village(task)
    settings.GONGJIAN_LAND_WALL_JOB_HOUSEHOLDS = here.households.count() - 1  # "large" from this village on
    client.force_login(people["member"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/land/tasks/{task.pk}/wall/publish/", {"village": here.pk})
    job = Job.objects.get(kind="land.wall_publish")
    assert response.status_code == 302 and response.url == f"/system/jobs/{job.pk}/"
    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED and (job.done, job.total) == (3, 3)
    published = WallList.objects.get()
    assert (published.number, published.published_by, len(published.rows)) == (
        1,
        people["member"],
        here.households.count(),
    )
    assert job.result["number"] == 1 and job.result_url == f"/land/tasks/{task.pk}/"
    assert published.docx_file.name.endswith(".docx")  # the paper lists followed as their own job
    assert AuditEvent.objects.filter(action="land.wall.publish").count() == 1
    page = client.get(f"/system/jobs/{job.pk}/")
    assert page.status_code == 200 and "发布金星村公示清单" in page.content.decode()

    # the checks come before the job: a second publishing without its reason is refused at once, no job queued
    response = client.post(f"/land/tasks/{task.pk}/wall/publish/", {"village": here.pk}, follow=True)
    assert "更正须写明理由" in response.content.decode()
    assert Job.objects.filter(kind="land.wall_publish").count() == 1
    # a smaller village stays immediate
    settings.GONGJIAN_LAND_WALL_JOB_HOUSEHOLDS = 100_000
    response = client.post(f"/land/tasks/{task.pk}/wall/publish/", {"village": here.pk, "reason": "更正面积"})
    assert response.url == f"/land/tasks/{task.pk}/" and WallList.objects.count() == 2
