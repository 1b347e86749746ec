"""Progress from the ledger (issue 17 item 6): demolition and handover recorded in order, payments in tranches
never above the agreed amount and reconciled, the counts per village and day, the 调度 page's gap to the deadline
and the task's state until the project lands."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from gongjian.core.locking import Stale
from gongjian.core.models import AuditEvent
from gongjian.land import queries, services
from tests.land.conftest import household_data

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 9, 20)


@pytest.fixture
def signed(task, people):
    household = services.save_household(
        task, household_data(task.villages.first(), 1), actor=people["member"]
    )
    agreement = services.draft_agreement(household, actor=people["member"], signed_on=DAY)
    return services.sign_agreement(
        agreement, actor=people["member"], signed_on=DAY, version=agreement.version
    )


def test_moved_demolished_handed_over_in_order_versioned_and_audited(task, people, signed):
    household = signed.household
    household.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        services.record_handed_over(
            household, actor=people["member"], handed_over_on=DAY, version=household.version
        )
    assert "尚未拆除" in caught.value.message_dict["handed_over_on"][0]
    with pytest.raises(ValidationError):
        services.record_demolished(
            household, actor=people["member"], demolished_on=DAY, version=household.version
        )
    household = services.record_moved(
        household, actor=people["member"], moved_on=DAY + dt.timedelta(days=3), version=household.version
    )
    with pytest.raises(Stale):
        services.record_demolished(
            household, actor=people["member"], demolished_on=DAY + dt.timedelta(days=5), version=1
        )
    with pytest.raises(ValidationError):  # before the move
        services.record_demolished(
            household, actor=people["member"], demolished_on=DAY, version=household.version
        )
    household = services.record_demolished(
        household, actor=people["member"], demolished_on=DAY + dt.timedelta(days=5), version=household.version
    )
    with pytest.raises(PermissionDenied):
        services.record_handed_over(
            household,
            actor=people["outsider"],
            handed_over_on=DAY + dt.timedelta(days=6),
            version=household.version,
        )
    household = services.record_handed_over(
        household,
        actor=people["member"],
        handed_over_on=DAY + dt.timedelta(days=6),
        version=household.version,
    )
    assert household.handed_over_on == DAY + dt.timedelta(days=6)
    assert AuditEvent.objects.filter(action="land.household.hand_over", object_id=str(household.pk)).exists()
    counts = queries.counts_on(task, DAY + dt.timedelta(days=5))
    assert counts["demolished"] == 1 and counts["handed_over"] == 0 and counts["signed"] == 0


def test_payments_never_exceed_the_agreement_and_the_reconciliation_lists_the_balance(task, people, signed):
    total = signed.agreed_total
    first = services.record_payment(
        signed,
        actor=people["member"],
        amount=total // 2,
        paid_on=DAY + dt.timedelta(days=1),
        voucher_number="记-0901",
        voucher=SimpleUploadedFile("凭证.pdf", b"%PDF-1.4"),
    )
    assert first.tranche == 1 and first.voucher.name.endswith(".pdf")
    with pytest.raises(ValidationError) as caught:
        services.record_payment(
            signed, actor=people["member"], amount=total, paid_on=DAY + dt.timedelta(days=2)
        )
    assert f"最多还可支付 {total - total // 2} 元" in caught.value.message_dict["amount"][0]
    with pytest.raises(ValidationError):
        services.record_payment(signed, actor=people["member"], amount=10, paid_on=DAY - dt.timedelta(days=1))
    with pytest.raises(PermissionDenied):
        services.record_payment(signed, actor=people["principal"], amount=10, paid_on=DAY)
    result = queries.reconciliation(task, full=False)
    (row,) = result["differences"]
    assert (
        row["paid"] == total // 2
        and row["balance"] == total - total // 2
        and "*" in row["household__head_name"]
    )
    assert queries.counts_on(task, DAY + dt.timedelta(days=1))["paid"] == total // 2
    second = services.record_payment(
        signed, actor=people["member"], amount=total - total // 2, paid_on=DAY + dt.timedelta(days=2)
    )
    assert second.tranche == 2
    assert queries.reconciliation(task, full=True)["differences"] == []


def test_an_unsigned_agreement_is_not_paid(task, people):
    household = services.save_household(
        task, household_data(task.villages.first(), 2), actor=people["member"]
    )
    agreement = services.draft_agreement(household, actor=people["member"], signed_on=DAY)
    with pytest.raises(ValidationError):
        services.record_payment(agreement, actor=people["member"], amount=100, paid_on=DAY)


def test_the_dispatch_page_shows_yesterdays_change_and_the_gap_to_the_deadline(
    client, task, people, signed, monkeypatch
):
    from django.utils import timezone

    services.save_household(task, household_data(task.villages.first(), 2), actor=people["member"])
    services.save_household(task, household_data(task.villages.last(), 3), actor=people["member"])
    monkeypatch.setattr(timezone, "localdate", lambda *args: DAY + dt.timedelta(days=1))
    d = queries.dispatch(task, DAY + dt.timedelta(days=1))
    first = d["villages"][0]
    assert (first["total"], first["signed"], first["signed_yesterday"]) == (2, 1, 1)
    assert d["remaining"] == 2 and d["days_left"] == (task.deadline - DAY).days
    assert d["per_day_needed"] == round(2 / d["days_left"], 1) and d["stays"]
    client.force_login(people["commander"])
    page = client.get(f"/land/tasks/{task.pk}/dispatch/").content.decode()
    assert "工作队驻守至项目落地" in page and "尚余 2 户" in page and "（+1）" in page
    payments = client.get(f"/land/tasks/{task.pk}/payments/").content.decode()
    assert "1 户未足额支付" in payments


def test_a_task_stays_until_every_parcel_is_handed_over_and_the_project_started(task):
    assert queries.stays_until_landed(task, handed_all=False)
    assert not queries.stays_until_landed(task, handed_all=True)  # a park's task ends at the handover


def test_the_api_gives_the_reconciliation_masked_for_a_reader(client, task, people, signed):
    services.record_payment(signed, actor=people["member"], amount=1000, paid_on=DAY)
    client.force_login(people["principal"])
    body = client.get(f"/api/v1/land/tasks/{task.pk}/reconciliation").json()
    assert body["totals"]["paid"] == 1000 and body["totals"]["differences"] == 1
    (row,) = body["differences"]
    assert row["balance"] == signed.agreed_total - 1000 and row["head_name"] == "张*1"
    client.force_login(people["outsider"])
    assert client.get(f"/api/v1/land/tasks/{task.pk}/reconciliation").status_code == 404


def test_the_last_handover_reaches_the_projects_land_handover_milestone(task, people, signed):
    from gongjian.projects.models import Milestone
    from tests.factories import ProjectFactory

    project = ProjectFactory(name="科技园二期")
    milestone = Milestone.objects.create(
        project=project, kind="land_handover", planned_date=dt.date(2026, 10, 31)
    )
    task.project = project
    task.save(update_fields=["project"])
    household = signed.household
    household.refresh_from_db()
    household = services.record_moved(
        household, actor=people["member"], moved_on=DAY, version=household.version
    )
    household = services.record_demolished(
        household, actor=people["member"], demolished_on=DAY, version=household.version
    )
    services.record_handed_over(
        household,
        actor=people["member"],
        handed_over_on=DAY + dt.timedelta(days=2),
        version=household.version,
    )
    milestone.refresh_from_db()
    assert milestone.actual_date == DAY + dt.timedelta(days=2) and milestone.get_kind_display() == "土地交付"
    assert queries.stays_until_landed(task, handed_all=True)  # the project has not started yet


def test_the_assessment_scores_each_team_on_the_households_agreed(task, people, signed, units):
    from gongjian.assess import sources
    from gongjian.assess.scheme import Scheme  # noqa: F401  (the registry is filled in land's ready)
    from gongjian.core.periods import Period

    services.save_household(task, household_data(task.villages.first(), 2), actor=people["member"])
    assert sources._PROVIDERS["land"] is queries.team_completions
    before, after = Period(2026, 9, 1), Period(2026, 9, 2)  # 9月上旬, 9月中旬 (signed on 9月20日 → 下旬)
    frame = queries.team_completions([before, Period(2026, 9, 3)], ())
    rows = {r["period_code"]: r for r in frame.to_dicts()}
    assert rows[before.code]["rate"] == 0 and rows[before.code]["detail"] == "已签约 0/2 户"
    late = rows[Period(2026, 9, 3).code]
    assert (late["subject_kind"], late["subject_id"], late["rate"], late["detail"]) == (
        "unit",
        units["team"].pk,
        0.5,
        "已签约 1/2 户",
    )
    assert queries.team_completions([after], ("another.indicator",)).is_empty()


def test_the_teams_daily_report_takes_its_counts_from_the_ledger(task, people, signed, units, monkeypatch):
    from django.utils import timezone

    from gongjian.daily import services as daily

    monkeypatch.setattr(timezone, "localdate", lambda *args: DAY)
    monkeypatch.setattr(daily, "today", lambda: DAY)
    report = daily.file_report(
        units["team"],
        DAY,
        {
            "done": "入户签约",
            "households_signed": "9",
            "buildings_demolished": "4",
            "problems_solved": "2",
            "plan": "拆除",
        },
        actor=people["member"],
    )
    # the typed 9 and 4 replaced by the ledger's 1 signed and 0 demolished; the rest as typed
    assert (report.households_signed, report.buildings_demolished, report.problems_solved) == (1, 0, 2)
    assert report.done == "入户签约" and report.plan == "拆除"
    assert queries.team_day_figures(units["other"], DAY) is None  # a team without a task types its counts


def test_the_daily_form_shows_the_ledgers_counts_and_does_not_ask_to_type_them(
    client, task, people, signed, units, monkeypatch
):
    from django.utils import timezone

    from gongjian.daily import services as daily

    monkeypatch.setattr(timezone, "localdate", lambda *args: DAY)
    monkeypatch.setattr(daily, "today", lambda: DAY)
    client.force_login(people["member"])
    html = client.get("/dispatch/daily/").content.decode()

    signed_input = (
        html.split('name="households_signed"')[0].rsplit("<input", 1)[1]
        + html.split('name="households_signed"')[1].split(">", 1)[0]
    )
    assert "disabled" in signed_input and 'value="1"' in signed_input
    assert "由征迁台账自动统计" in html
    problems = html.split('name="problems_solved"')[1].split(">", 1)[0]
    assert "disabled" not in problems
