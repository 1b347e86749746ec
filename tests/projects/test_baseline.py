"""The yardstick belongs to the office (issue 12 item 2, first part): a unit's reporter edits a project's
description and progress but cannot move its plan, total investment, responsible unit, headquarters, leaders or
milestone plan dates."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongjian.core.locking import Stale
from gongjian.projects import services
from gongjian.projects.models import AnnualPlan
from tests.factories import PersonFactory, ProjectFactory, UnitFactory, current_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(make_user):
    unit = UnitFactory(name="工信局")
    reporter = make_user("unit_reporter", unit=unit, username="rep")
    project = ProjectFactory(responsible_unit=unit, total_investment=500_000_000, plan=True)
    project.milestones.create(kind="start", planned_date=dt.date(2026, 11, 1))
    return project, reporter


def test_a_reporter_edits_the_description_but_not_the_yardstick(setting, office_user):
    project, reporter = setting
    services.update_project(
        project,
        {"content": "新建厂房 12 万平方米"},
        actor=reporter,
        expected_version=current_version(project),
    )
    plan = project.plan_for(project.year).dekads
    attempts = [
        ({"total_investment": 1}, services.ProjectChildren()),
        ({"responsible_unit": UnitFactory(name="商务局")}, services.ProjectChildren()),
        ({}, services.ProjectChildren(plan_dekads=[1] * 36)),
        ({}, services.ProjectChildren(leaders=[(PersonFactory(name="某领导"), "lead")])),
        (
            {},
            services.ProjectChildren(
                milestones=[
                    {"id": m.pk, "kind": m.kind, "name": m.name, "planned_date": dt.date(2027, 6, 1)}
                    for m in project.milestones.all()
                ]
            ),
        ),
    ]
    for fields, children in attempts:
        with pytest.raises(PermissionDenied, match="基准"):
            services.update_project(
                project, fields, children, actor=reporter, expected_version=current_version(project)
            )
    project.refresh_from_db()
    assert project.total_investment == 500_000_000 and project.responsible_unit.name == "工信局"
    assert AnnualPlan.objects.get(project=project).dekads == plan
    # The office moves it.
    services.update_project(
        project,
        {"total_investment": 600_000_000},
        actor=office_user,
        expected_version=current_version(project),
    )


def test_a_reporter_saving_the_page_with_the_plan_as_it_is_is_not_refused(setting, client):
    from tests.projects.test_pages import post_data

    project, reporter = setting
    client.force_login(reporter)
    initial = client.get(f"/projects/{project.pk}/edit/").context["form"].initial
    start = project.milestones.get()
    data = post_data(
        name=project.name,
        total_investment=str(project.total_investment / 10_000),
        version=str(initial["version"]),
        responsible_unit=str(project.responsible_unit_id),
        year=str(project.year),
        region=str(project.region_id),
        **{f"plan_{i}": str(initial[f"plan_{i}"] or "") for i in range(36)},
    )
    data.update(
        {
            "milestones-INITIAL_FORMS": "1",
            "milestones-0-id": str(start.pk),
            "milestones-0-planned_date": "2026-11-01",
            "content": "描述改了",
        }
    )
    for name in (
        "planned_start",
        "planned_completion",
        "land_area_mu",
        "land_status",
        "expected_jobs",
        "category",
        "nature",
        "level",
        "funding",
    ):
        value = initial.get(name)
        data[name] = "" if value is None else str(value)
    response = client.post(f"/projects/{project.pk}/edit/", data)
    assert response.status_code == 302, (
        response.context["form"].errors,
        [f.errors for f in response.context["milestones"]],
    )
    project.refresh_from_db()
    assert project.content == "描述改了"


# -- re-baselining: a unit proposes, the office approves a new version effective from a period ------------------

ONE_MILLION = 1_000_000


@pytest.fixture
def moving(make_user):
    """A project planning 100 万元 every ten-day period of 2026, its start planned for 1 October; a unit's
    reporter and the office."""
    unit = UnitFactory(name="住建局")
    reporter = make_user("unit_reporter", unit=unit, username="rep2")
    office = make_user("project_office", username="office2")
    project = ProjectFactory(responsible_unit=unit, total_investment=100_000_000, plan=[ONE_MILLION] * 36)
    start = project.milestones.create(kind="start", planned_date=dt.date(2026, 10, 1))
    return project, start, reporter, office


def propose_half(project, start, reporter, **kwargs):
    return services.propose_baseline_change(
        project,
        {"plans": {"2026": [ONE_MILLION // 2] * 36}, "milestones": {str(start.pk): "2026-12-20"}},
        reason=kwargs.pop("reason", "征迁延后，年度计划减半"),
        effective_from=kwargs.pop("effective_from", "2026-11-2"),
        actor=reporter,
    )


def test_periods_before_a_rebaselining_keep_the_yardstick_then_in_force(moving):
    from gongjian.assess import services as assess
    from gongjian.core.periods import Period
    from gongjian.lights import services as lights
    from gongjian.lights.models import Light
    from gongjian.projects.models import BaselineVersion

    project, start, reporter, office = moving
    change = propose_half(project, start, reporter)
    assert change.state == "proposed" and set(change.proposed) == {"plans", "milestones"}
    project.refresh_from_db()
    assert project.baseline == 1 and project.plan_for(2026).dekads == [ONE_MILLION] * 36  # nothing moves yet

    with pytest.raises(PermissionDenied):
        services.approve_baseline_change(change, actor=reporter, expected_version=1)
    services.approve_baseline_change(change, actor=office, expected_version=1, note="同意")
    project.refresh_from_db()
    assert (project.baseline, project.baseline_from) == (2, "2026-11-2")
    assert project.plan_for(2026).dekads == [ONE_MILLION // 2] * 36
    assert project.milestones.get().pk == start.pk and project.milestones.get().planned_date == dt.date(
        2026, 12, 20
    )
    old = BaselineVersion.objects.get(project=project)
    assert (old.number, old.valid_from, old.valid_until) == (1, "", "2026-11-2")
    assert old.content["plans"]["2026"] == [ONE_MILLION] * 36
    assert old.content["milestones"] == {str(start.pk): "2026-10-01"}

    lights.recompute([project.pk], year=2026, today=dt.date(2026, 11, 30))
    before, after = (
        Light.objects.get(project=project, period_code=code) for code in ("2026-11-1", "2026-11-2")
    )
    # 上旬 of November: 31 periods of 100 万元 planned, and the start (planned 1 October) 40 days overdue
    assert before.baseline == 1 and before.figures["investment"]["plan_to_date"] == 31 * ONE_MILLION
    assert before.dimensions["milestone"] == 2
    # 中旬 on: the new plan (50 万元 a period, all year) and the start planned for 20 December
    assert after.baseline == 2 and after.figures["investment"]["plan_to_date"] == 32 * ONE_MILLION // 2
    assert after.dimensions["milestone"] == 0

    frames = assess.load([Period(2026, 11, 1), Period(2026, 11, 2)])
    facts = {
        row["period_code"]: row
        for row in frames["facts"].filter(frames["facts"]["project_id"] == project.pk).to_dicts()
    }
    assert (
        facts["2026-11-1"]["plan_to_date"] == 31 * ONE_MILLION and facts["2026-11-1"]["milestones_due"] == 1
    )
    assert (
        facts["2026-11-2"]["plan_to_date"] == 16 * ONE_MILLION and facts["2026-11-2"]["milestones_due"] == 0
    )


def test_a_proposal_is_checked_and_decided_once(moving):
    project, start, reporter, office = moving
    with pytest.raises(ValidationError, match="理由"):
        propose_half(project, start, reporter, reason="  ")
    with pytest.raises(ValidationError, match="没有要调整"):
        services.propose_baseline_change(
            project,
            {"total_investment": project.total_investment},
            reason="无",
            effective_from="2026-11-2",
            actor=reporter,
        )
    with pytest.raises(ValidationError, match="生效期别无效"):
        propose_half(project, start, reporter, effective_from="2026-13-5")
    with pytest.raises(ValidationError, match="不能超过总投资"):
        services.propose_baseline_change(
            project,
            {"plans": {"2026": [10 * ONE_MILLION] * 36}},
            reason="加码",
            effective_from="2026-11-2",
            actor=reporter,
        )
    change = propose_half(project, start, reporter)
    with pytest.raises(ValidationError, match="待审批"):
        services.propose_baseline_change(
            project,
            {"total_investment": 90_000_000},
            reason="再提",
            effective_from="2026-12-1",
            actor=reporter,
        )
    with pytest.raises(ValidationError, match="理由"):
        services.refuse_baseline_change(change, actor=office, expected_version=1, note="")
    services.refuse_baseline_change(change, actor=office, expected_version=1, note="依据不足")
    with pytest.raises(Stale) as stale:  # a second office tab, loaded before the refusal
        services.approve_baseline_change(change, actor=office, expected_version=1)
    assert stale.value.current_version == 2
    project.refresh_from_db()
    assert project.baseline == 1 and project.plan_for(2026).dekads == [ONE_MILLION] * 36

    # withdrawn by the unit; then a change from before the current baseline's start is refused
    second = propose_half(project, start, reporter)
    services.withdraw_baseline_change(second, actor=reporter, expected_version=1)
    third = propose_half(project, start, reporter)
    services.approve_baseline_change(third, actor=office, expected_version=1)
    project.refresh_from_db()
    with pytest.raises(ValidationError, match="自其后的期别"):
        services.propose_baseline_change(
            project,
            {"total_investment": 90_000_000},
            reason="再调",
            effective_from="2026-11-1",
            actor=reporter,
        )


def test_a_change_never_reaches_back_into_a_published_assessment(moving):
    from gongjian.core.models import ClosedPeriod

    project, start, reporter, office = moving
    change = propose_half(project, start, reporter)
    ClosedPeriod.close("2026-11", dt.date(2026, 11, 30))  # what publishing November's assessment does
    with pytest.raises(ValidationError, match="2026年11月 的考核结果已发布"):
        services.approve_baseline_change(change, actor=office, expected_version=1)
    change.refresh_from_db()  # the proposal stays open; the office may refuse it or the unit withdraw it
    assert change.state == "proposed"


def test_the_api_proposes_and_the_office_decides_with_the_version(moving, client):
    project, start, reporter, office = moving
    client.force_login(reporter)
    body = {
        "effective_from": "2026-11-2",
        "reason": "规划调整",
        "proposed": {"total_investment": 80_000_000, "milestones": {str(start.pk): "2026-12-01"}},
    }
    response = client.post(
        f"/api/v1/projects/{project.pk}/baseline-changes", body, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    change = response.json()
    assert change["state"] == "proposed" and change["effective_label"] == "2026年11月中旬"
    assert "总投资：10,000.00 万元 → 8,000.00 万元" in change["changes"]
    url = f"/api/v1/projects/baseline-changes/{change['id']}"
    assert client.post(f"{url}/approve", {"version": 1}, content_type="application/json").status_code == 403
    client.force_login(office)
    stale = client.post(f"{url}/approve", {"version": 7}, content_type="application/json")
    assert (
        stale.status_code == 409 and stale.json()["code"] == "stale" and stale.json()["current_version"] == 1
    )
    assert client.post(f"{url}/approve", {}, content_type="application/json").status_code == 422
    done = client.post(f"{url}/approve", {"version": 1}, content_type="application/json")
    assert done.status_code == 200 and done.json()["number"] == 2
    baseline = client.get(f"/api/v1/projects/{project.pk}/baseline").json()
    assert baseline["number"] == 2 and baseline["label"] == "基准第2版（自2026年11月中旬起执行）"
    # out of scope: another unit's reporter sees neither the baseline nor the change
    from tests.factories import UnitFactory as Units

    client.force_login(_other_reporter(Units))
    assert client.get(f"/api/v1/projects/{project.pk}/baseline").status_code == 404
    assert client.post(f"{url}/withdraw", {"version": 2}, content_type="application/json").status_code == 404


def _other_reporter(units):
    from tests.factories import PersonFactory as People
    from tests.factories import UserFactory

    user = UserFactory(roles=["unit_reporter"], username="elsewhere")
    People(user=user, unit=units(name="别的局"), name="别人")
    return user


def test_the_pages_propose_decide_and_show_the_baseline_used(moving, client):
    from gongjian.lights import services as lights

    project, start, reporter, office = moving
    client.force_login(reporter)
    page = client.get(f"/projects/{project.pk}/")
    assert "提出调整申请" in page.content.decode() and "基准第1版（入库基准）" in page.content.decode()
    form = client.get(f"/projects/{project.pk}/baseline/propose/")
    assert form.status_code == 200
    initial = form.context["form"].initial
    data = {
        "effective_from": "2026-11-2",
        "reason": "资金到位延后",
        "total_investment": "10000",
        "responsible_unit": str(project.responsible_unit_id),
        "headquarters": "",
        **{f"plan_{i}": str(initial[f"plan_{i}"] or "") for i in range(36)},
        f"milestone_{start.pk}": "2026-10-01",
    }
    data["plan_33"] = "0"  # 12月上旬 planned 0 instead of 100 万元
    unchanged = client.post(f"/projects/{project.pk}/baseline/propose/", {**data, "plan_33": data["plan_32"]})
    assert unchanged.status_code == 400 and "没有要调整的内容" in unchanged.content.decode()
    response = client.post(f"/projects/{project.pk}/baseline/propose/", data)
    assert response.status_code == 302
    change_url = response["Location"]
    shown = client.get(change_url).content.decode()
    assert "2026年计划投资：3,600.00 万元 → 3,500.00 万元（变动月份：12月）" in shown and "撤回申请" in shown
    assert "批准" not in shown.replace("不予批准", "").replace("待审批", "")  # a reporter cannot decide

    client.force_login(office)
    listed = client.get("/projects/baseline-changes/").content.decode()
    assert "资金到位延后" not in listed and "3,500.00" in listed and project.name in listed
    stale = client.post(change_url, {"action": "approve", "version": "9"})
    assert stale.status_code == 409 and "已被他人处理" in stale.content.decode()
    assert client.post(change_url, {"action": "approve", "version": "1", "note": "同意"}).status_code == 302
    detail = client.get(f"/projects/{project.pk}/").content.decode()
    assert (
        "基准第2版（自2026年11月中旬起执行）" in detail and "已批准" in detail and "形成基准第2版" in detail
    )

    lights.recompute([project.pk], year=2026, today=dt.date(2026, 11, 30))
    light_page = client.get(f"/lights/projects/{project.pk}/2026-11-2/").content.decode()
    assert "计划口径：基准第2版（自2026年11月中旬起执行）" in light_page
    older = client.get(f"/lights/projects/{project.pk}/2026-11-1/").content.decode()
    assert "计划口径：基准第1版（入库基准）" in older


def test_a_reporter_editing_the_page_cannot_touch_the_baseline_fields(moving, client):
    project, _start, reporter, office = moving
    client.force_login(reporter)
    form = client.get(f"/projects/{project.pk}/edit/").context["form"]
    assert form.fields["total_investment"].disabled and form.fields["plan_0"].disabled
    client.force_login(office)
    form = client.get(f"/projects/{project.pk}/edit/").context["form"]
    assert not form.fields["total_investment"].disabled
