"""The page forms of a task and a household (征收任务、被征收户): through the client, on land's services
(permission, version check, audit), errors at the field."""

import pytest

from gongjian.core.models import AuditEvent
from gongjian.land.models import Household, Task
from tests.land.conftest import id_number

pytestmark = pytest.mark.django_db


def management(prefix, total):
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": "0"}


def household_post(task, **overrides):
    village = task.villages.get(name="金星村")
    data = {
        "village": village.pk,
        "group": "一组",
        "number": "H0101",
        "head_name": "王五",
        "head_id_number": id_number(101),
        "cadre_relation": "",
        "note": "",
        **management("members", 2),
        "members-0-name": "赵六",
        "members-0-id_number": id_number(102, "19850505"),
        "members-0-relation": "spouse",
        **management("parcels", 2),
        "parcels-0-category": "arable",
        "parcels-0-area_mu": "1.50",
        "parcels-1-category": "homestead",
        "parcels-1-area_mu": "0.30",
        **management("buildings", 1),
        "buildings-0-grade": "brick_concrete",
        "buildings-0-area": "96.00",
        "buildings-0-legal": "1",
        **management("attachments", 1),
        "attachments-0-kind": "well",
        "attachments-0-count": "1",
    }
    data.update(overrides)
    return data


def test_the_office_creates_a_task_with_its_villages_and_errors_show_at_the_field(client, people, units):
    client.force_login(people["office"])
    page = client.get("/land/tasks/new/").content.decode()
    assert "新建征收任务" in page and "请选择" in page and "---------" not in page
    response = client.post(
        "/land/tasks/new/",
        {
            "name": "",
            "team": units["team"].pk,
            "area_mu": "-1",
            "cadre_first_days": "30",
            "state": "preparing",
        },
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["name"] and form.errors["area_mu"] and not Task.objects.exists()
    # neither a project nor a park: the service says so, at the project
    response = client.post(
        "/land/tasks/new/",
        {
            "name": "西区征收",
            "team": units["team"].pk,
            "area_mu": "80",
            "cadre_first_days": "30",
            "state": "preparing",
        },
    )
    assert response.status_code == 400 and "请选择项目或园区" in str(
        response.context["form"].errors["project"]
    )
    response = client.post(
        "/land/tasks/new/",
        {
            "name": "西区征收",
            "park": units["park"].pk,
            "team": units["team"].pk,
            "area_mu": "80.5",
            "cadre_first_days": "30",
            "state": "preparing",
            "villages": "金星村：一组、二组\n石林村",
        },
    )
    task = Task.objects.get()
    assert response.status_code == 302 and response.url == f"/land/tasks/{task.pk}/"
    assert [(v.name, v.groups) for v in task.villages.order_by("order")] == [
        ("金星村", ["一组", "二组"]),
        ("石林村", []),
    ]
    assert AuditEvent.objects.filter(action="land.task.create").count() == 1
    client.force_login(people["member"])  # the team does not create tasks
    assert client.get("/land/tasks/new/").status_code == 403


def test_a_task_is_edited_with_its_version_and_a_stale_form_is_refused(client, people, task):
    client.force_login(people["office"])
    page = client.get(f"/land/tasks/{task.pk}/edit/")
    assert page.status_code == 200 and page.context["form"].initial["version"] == task.version
    fields = {
        "name": "生态科技产业园征地拆迁（一期）",
        "park": task.park_id,
        "team": task.team_id,
        "area_mu": "1300",
        "cadre_first_days": "20",
        "state": "preparing",
        "version": task.version,
    }
    assert client.post(f"/land/tasks/{task.pk}/edit/", fields).status_code == 302
    task.refresh_from_db()
    assert (task.name, str(task.area_mu), task.cadre_first_days) == (
        "生态科技产业园征地拆迁（一期）",
        "1300.00",
        20,
    )
    assert AuditEvent.objects.filter(action="land.task.update").count() == 1
    stale = client.post(f"/land/tasks/{task.pk}/edit/", {**fields, "name": "旧页面"})  # the old version
    assert stale.status_code == 409 and Task.objects.get().name == "生态科技产业园征地拆迁（一期）"


def test_the_team_adds_a_household_with_members_and_areas_and_edits_it(client, people, task):
    client.force_login(people["member"])
    page = client.get(f"/land/tasks/{task.pk}/households/new/").content.decode()
    assert "户主姓名" in page and "地类" in page and "请选择" in page
    response = client.post(f"/land/tasks/{task.pk}/households/new/", household_post(task))
    household = Household.objects.get()
    assert response.status_code == 302 and response.url == f"/land/households/{household.pk}/"
    assert (household.head_name, household.group, household.village.name) == ("王五", "一组", "金星村")
    assert [(m.name, m.relation) for m in household.members.all()] == [("赵六", "spouse")]
    assert sorted((p.category, str(p.area_mu)) for p in household.parcels.all()) == [
        ("arable", "1.50"),
        ("homestead", "0.30"),
    ]
    assert [(b.grade, str(b.area), b.legal) for b in household.buildings.all()] == [
        ("brick_concrete", "96.00", True)
    ]
    assert AuditEvent.objects.filter(action="land.household.create").count() == 1

    # editing: the form shows the ledger; an illegal building is recorded as such; the version guards it
    page = client.get(f"/land/households/{household.pk}/edit/")
    assert page.status_code == 200 and "赵六" in page.content.decode()
    edited = household_post(
        task, version=household.version, **{"buildings-0-legal": "0", "members-0-name": "赵六六"}
    )
    assert client.post(f"/land/households/{household.pk}/edit/", edited).status_code == 302
    household.refresh_from_db()
    assert household.buildings.get().legal is False and household.members.get().name == "赵六六"
    assert client.post(f"/land/households/{household.pk}/edit/", edited).status_code == 409


def test_household_errors_are_shown_at_the_field_and_row_and_outsiders_are_refused(client, people, task):
    client.force_login(people["member"])
    bad = household_post(task, head_id_number="123", **{"members-0-id_number": "320311198505051234"})
    response = client.post(f"/land/tasks/{task.pk}/households/new/", bad)
    assert response.status_code == 400 and not Household.objects.exists()
    assert response.context["form"].errors["head_id_number"]
    members = response.context["sets"][0][0]
    assert members.forms[0].errors["id_number"]
    bad = household_post(task, group="九组")
    response = client.post(f"/land/tasks/{task.pk}/households/new/", bad)
    assert "没有这个村民小组" in str(response.context["form"].errors["group"])
    client.force_login(people["outsider"])
    assert client.get(f"/land/tasks/{task.pk}/households/new/").status_code == 404
    client.force_login(people["auditor"])  # reads, does not keep the ledger
    assert client.post(f"/land/tasks/{task.pk}/households/new/", household_post(task)).status_code == 403


def test_the_appraisal_with_its_report_the_cadre_and_the_business_are_kept_and_the_report_read_only_in_full(
    client, people, task, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    cadre = people["commander"].person
    client.force_login(people["member"])
    report = SimpleUploadedFile("评估报告.pdf", b"%PDF-1.4 appraisal", content_type="application/pdf")
    data = household_post(
        task,
        cadre_relation="relative",
        cadre=cadre.pk,
        cadre_note="兄弟",
        business_name="农家乐",
        business_area="120.50",
        appraiser="某房地产估价有限公司",
        appraiser_registration="苏估备〔2026〕18号",
        appraised_on="2026-09-10",
        appraised_amount="386000",
        appraisal_report=report,
    )
    assert client.post(f"/land/tasks/{task.pk}/households/new/", data).status_code == 302
    household = Household.objects.get()
    assert (household.cadre, household.cadre_note, household.business_name) == (cadre, "兄弟", "农家乐")
    assert (household.appraised_amount, str(household.business_area)) == (386000, "120.50")
    assert household.appraisal_report.name.startswith("land/appraisals/")

    # the page links the report through Gongjian, never to the media folder; the download is audited
    page = client.get(f"/land/households/{household.pk}/").content.decode()
    link = f"/land/households/{household.pk}/files/appraisal/"
    assert link in page and "/media/" not in page and "38.60" in page
    download = client.get(link)
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 appraisal"
    assert AuditEvent.objects.filter(action="land.household.file", object_id=str(household.pk)).count() == 1

    # an edit that sends no file keeps the report; a file of another kind is refused at its field
    edited = household_post(task, version=household.version, cadre=cadre.pk, cadre_relation="relative")
    assert client.post(f"/land/households/{household.pk}/edit/", edited).status_code == 302
    household.refresh_from_db()
    assert household.appraisal_report.name.startswith("land/appraisals/")
    bad = household_post(
        task,
        version=household.version,
        appraisal_report=SimpleUploadedFile("报告.exe", b"MZ", content_type="application/octet-stream"),
    )
    response = client.post(f"/land/households/{household.pk}/edit/", bad)
    assert response.status_code == 400 and response.context["form"].errors["appraisal_report"]

    # the commander reads the ledger masked: not the household's documents; another team not even the household
    client.force_login(people["commander"])
    assert client.get(link).status_code == 403
    assert link not in client.get(f"/land/households/{household.pk}/").content.decode()  # nor offered to them
    client.force_login(people["outsider"])
    assert client.get(link).status_code == 404
    client.force_login(people["auditor"])
    assert client.get(link).status_code == 200
    assert client.get(f"/land/households/{household.pk}/files/ruling/").status_code == 404  # none kept
