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
