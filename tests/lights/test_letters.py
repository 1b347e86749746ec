"""Letters (提醒函/交办函/督办函) are issued in the background (issue 13 item 1): one from a case's page, many from
the case list; the request answers at once with the task, the task keeps the document (several: one .zip) for
the office to download, and letters refused by the time the worker gets to them are none of them issued."""

import io
import zipfile

import docx
import pytest
from django.test import Client

from gongjian.core.models import AuditEvent
from gongjian.jobs.models import Job
from gongjian.lights.models import Case, CaseEvent
from gongjian.lights.services import cases
from tests.factories import ProjectFactory, current_version
from tests.jobs.worker import work_off_the_queue

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def second(people, unit):
    project = ProjectFactory(name="商贸物流园", responsible_unit=unit)
    return cases.open_case(
        project,
        kind="light",
        title="商贸物流园 亮红灯",
        reasons=["连续两期未报"],
        owner=unit,
        period_code="2026-11-3",
    )


def downloaded(client, job: Job) -> bytes:
    return b"".join(client.get(f"/system/jobs/{job.pk}/file/").streaming_content)


def test_a_letter_from_the_case_page_is_issued_by_the_worker_and_downloads_from_its_task(
    queued, case, office_user, office_client
):
    response = office_client.post(f"/lights/cases/{case.pk}/letters/reminder/", {"version": case.version})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/system/jobs/{job.pk}/"
    assert job.label == f"印发提醒函：{case.number}" and not CaseEvent.objects.filter(kind="letter").exists()

    work_off_the_queue()
    job.refresh_from_db()
    letter = CaseEvent.objects.get(kind="letter")
    assert (job.state, job.done, job.total, job.file_name) == ("succeeded", 1, 1, letter.evidence_name)
    assert (
        job.result_url == f"/lights/cases/{case.pk}/"
        and job.result["summary"] == f"已印发 1 件：{letter.text}。"
    )
    page = office_client.get(f"/system/jobs/{job.pk}/").content.decode()
    assert f"下载 {letter.evidence_name}" in page
    # The download is the letter kept on the case, the one the case's history offers.
    content = downloaded(office_client, job)
    assert content == letter.evidence.open("rb").read()
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(content)).paragraphs)
    assert "提醒函" in text and "工信局：" in text


def test_letters_ticked_on_the_case_list_come_as_one_zip_numbered_one_after_another(
    case, second, office_user, office_client, settings
):
    settings.GONGJIAN_DOC_PREFIX = "泉重点办"
    listing = office_client.get("/lights/cases/").content.decode()
    assert 'id="letters-form"' in listing and f'name="version-{case.pk}" value="{case.version}"' in listing
    response = office_client.post(
        "/lights/cases/letters/",
        {
            "kind": "escalation",
            "case": [case.pk, second.pk],
            f"version-{case.pk}": case.version,
            f"version-{second.pk}": second.version,
        },
    )
    job = Job.objects.get()
    assert response["Location"] == f"/system/jobs/{job.pk}/" and job.label == "印发督办函 2 件"
    assert job.state == "succeeded" and job.file_name.startswith("督办函_") and job.file_name.endswith(".zip")
    assert job.result_url == "/lights/cases/"
    archive = zipfile.ZipFile(io.BytesIO(downloaded(office_client, job)))
    year = job.created_at.year
    assert sorted(archive.namelist()) == [
        f"泉重点办〔{year}〕1号督办函.docx",
        f"泉重点办〔{year}〕2号督办函.docx",
    ]
    for event in CaseEvent.objects.filter(kind="letter"):
        assert archive.read(event.evidence_name) == event.evidence.open("rb").read()
    assert AuditEvent.objects.filter(action="case.letter").count() == 2


def test_letters_refused_when_the_worker_gets_to_them_are_none_of_them_issued(
    queued, case, second, office_user, office_client
):
    answer = office_client.post(
        "/api/v1/cases/letters/reminder",
        {"cases": [{"id": case.pk, "version": case.version}, {"id": second.pk, "version": second.version}]},
        content_type=JSON,
    )
    assert answer.status_code == 202
    # The second case is signed for by its owner while the letters wait for the worker.
    Case.objects.filter(pk=second.pk).update(version=second.version + 1)
    work_off_the_queue()

    task = office_client.get(answer.json()["url"]).json()
    assert task["state"] == "failed" and not task["file_url"]
    assert (
        task["error"]
        == f"{second.number}：该督办件已被他人处理（当前版本 {second.version + 1}），请刷新后再操作。"
    )
    assert not CaseEvent.objects.filter(kind="letter").exists()  # the first one's letter rolled back too
    assert not AuditEvent.objects.filter(action="case.letter").exists()


def test_what_issuing_would_refuse_is_refused_at_once(case, people, office_client):
    stale = office_client.post(f"/lights/cases/{case.pk}/letters/reminder/", {"version": case.version + 3})
    assert stale.status_code == 409 and "该督办件已被他人处理" in stale.content.decode()
    unknown = office_client.post(
        f"/api/v1/cases/{case.pk}/letters/praise", {"version": case.version}, content_type=JSON
    )
    assert unknown.status_code == 422 and "未知的函件类型" in unknown.json()["errors"][0]["message"]
    none = office_client.post("/lights/cases/letters/", {"kind": "reminder"})
    assert none["Location"] == "/lights/cases/"
    assert "请选择要印发函件的督办件。" in office_client.get("/lights/cases/").content.decode()
    missing = office_client.post(
        "/api/v1/cases/letters/reminder", {"cases": [{"id": 999999, "version": 1}]}, content_type=JSON
    )
    assert missing.status_code == 422 and "999999" in missing.json()["errors"][0]["message"]

    owner = Client()
    owner.force_login(people["owner"])  # sees the case, may not issue letters
    assert (
        owner.post(
            f"/lights/cases/{case.pk}/letters/reminder/", {"version": current_version(case)}
        ).status_code
        == 403
    )
    assert owner.post("/lights/cases/letters/", {"kind": "reminder", "case": [case.pk]}).status_code == 403
    assert (
        owner.post(
            f"/api/v1/cases/{case.pk}/letters/reminder", {"version": current_version(case)}, content_type=JSON
        ).status_code
        == 403
    )
    assert (
        owner.post(
            "/api/v1/cases/letters/reminder",
            {"cases": [{"id": case.pk, "version": case.version}]},
            content_type=JSON,
        ).status_code
        == 403
    )
    assert 'id="letters-form"' not in owner.get("/lights/cases/").content.decode()
    assert not Job.objects.exists() and not CaseEvent.objects.filter(kind="letter").exists()
