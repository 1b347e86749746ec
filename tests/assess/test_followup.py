"""After publication: interviews on yellow cards with their commitments tracked to the deadline, the red-flag
board, the cadre archive and its Excel and Word copies; and assessing many periods in one go (on the district of
conftest.py, where 商贸城指挥部 lags at half its plan)."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongjian.assess import queries, services
from gongjian.assess.models import Commitment, Consequence, Interview, Run
from gongjian.assess.services import followup
from gongjian.core.locking import Stale
from gongjian.core.models import AuditEvent, Notification
from gongjian.projects.choices import LeaderRole
from gongjian.projects.models import ProjectLeader
from tests.assess.conftest import publish_period
from tests.factories import PersonFactory, UnitFactory, current_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(district, office_user):
    """The November month and its 中旬 published: a reward and a red flag for the fast headquarters, a yellow
    card and an interview for the slow one."""
    month = publish_period("2026-11", actor=office_user)
    dekad = publish_period("2026-11-2", actor=office_user)
    return {"month": month, "dekad": dekad}


def _due(published):
    return Consequence.objects.get(run=published["month"], kind="interview")


def test_a_yellow_card_calls_for_an_interview_whose_commitments_are_tracked(published, office_user):
    [item] = followup.interview_queue(2026)
    assert item["interview"] is None and item["consequence"].subject_name == "商贸城指挥部"
    today = timezone.localdate()
    interview = followup.record_interview(
        actor=office_user,
        consequence=_due(published),
        held_on=today - dt.timedelta(days=5),
        interviewer="区长 王某",
        interviewee="商贸城指挥部指挥长 李某",
        content="进度滞后，要求倒排工期。",
        commitments=[
            ("12 月底前完成主体封顶", today + dt.timedelta(days=30)),
            ("每旬报送赶工计划", today - dt.timedelta(days=1)),
            ("", None),
        ],
    )
    assert [c.text for c in interview.commitments.all()] == ["每旬报送赶工计划", "12 月底前完成主体封顶"]
    assert followup.interview_queue(2026)[0]["interview"] == interview
    overdue, later = interview.commitments.all()
    assert followup.commitment_state(overdue) == "overdue" and followup.commitment_state(later) == "open"

    # the tick tells the office once
    assert followup.remind_overdue() == 1 and followup.remind_overdue() == 0
    assert Notification.objects.filter(user=office_user, title__contains="整改承诺逾期").count() == 1

    followup.complete_commitment(
        overdue,
        done_on=today,
        result="已报送三期",
        actor=office_user,
        expected_version=current_version(overdue),
    )
    overdue.refresh_from_db()
    assert followup.commitment_state(overdue) == "late" and overdue.result == "已报送三期"
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"assess.interview.create", "assess.commitment.complete"} <= actions


def test_an_interview_is_recorded_once_with_what_it_needs(published, office_user, make_user):
    today = timezone.localdate()
    good = {"held_on": today, "interviewer": "区长", "interviewee": "指挥长", "content": "约谈"}
    with pytest.raises(ValidationError) as error:
        followup.record_interview(
            actor=office_user,
            consequence=_due(published),
            **good | {"held_on": today + dt.timedelta(days=1), "content": " "},
        )
    assert set(error.value.message_dict) == {"held_on", "content"}
    with pytest.raises(ValidationError, match="第 1 项整改承诺的时限早于约谈日期"):
        followup.record_interview(
            actor=office_user,
            consequence=_due(published),
            **good,
            commitments=[("整改", today - dt.timedelta(days=3))],
        )
    assert not Interview.objects.exists()  # nothing half-saved
    reward = Consequence.objects.get(run=published["month"], kind="reward")
    with pytest.raises(ValidationError, match="约谈事项"):
        followup.record_interview(actor=office_user, consequence=reward, **good)
    recorded = followup.record_interview(actor=office_user, consequence=_due(published), **good)
    with pytest.raises(
        Stale, match="已由他人登记"
    ) as again:  # a second record of it is stale: 409 with its version
        followup.record_interview(actor=office_user, consequence=_due(published), **good)
    assert again.value.current_version == recorded.version == 1 and Interview.objects.count() == 1
    with pytest.raises(PermissionDenied):
        followup.record_interview(
            actor=make_user("unit_reporter", unit=UnitFactory()), consequence=_due(published), **good
        )


def test_the_interview_pages_record_and_close_commitments(published, office_client):
    page = office_client.get("/assess/interviews/?year=2026").content.decode()
    assert "商贸城指挥部" in page and "待约谈" in page
    due = _due(published)
    form = office_client.get(f"/assess/interviews/new/{due.pk}/").content.decode()
    assert "约谈指挥长" in form
    today = timezone.localdate()
    data = {
        "held_on": today.isoformat(),
        "interviewer": "区长 王某",
        "interviewee": "李某",
        "content": "约谈记录",
        "c-TOTAL_FORMS": "3",
        "c-INITIAL_FORMS": "0",
        "c-0-text": "倒排工期",
        "c-0-deadline": (today + dt.timedelta(days=10)).isoformat(),
    }
    bad = office_client.post(f"/assess/interviews/new/{due.pk}/", data | {"c-0-deadline": "2020-01-01"})
    assert (
        bad.status_code == 200
        and "早于约谈日期" in bad.content.decode()
        and "倒排工期" in bad.content.decode()
    )
    response = office_client.post(f"/assess/interviews/new/{due.pk}/", data)
    interview = Interview.objects.get()
    assert response.url == f"/assess/interviews/{interview.pk}/"
    commitment = Commitment.objects.get()
    refused = office_client.post(
        response.url,
        {
            "commitment": commitment.pk,
            "done_on": today.isoformat(),
            "result": "",
            "version": commitment.version,
        },
        follow=True,
    )
    assert "请填写完成情况" in refused.content.decode()
    office_client.post(
        response.url,
        {
            "commitment": commitment.pk,
            "done_on": today.isoformat(),
            "result": "已完成",
            "version": commitment.version,
        },
    )
    commitment.refresh_from_db()
    assert commitment.done_on == today and commitment.result == "已完成"
    office_client.post(
        response.url,
        {
            "text": "补充承诺",
            "deadline": (today + dt.timedelta(days=3)).isoformat(),
            "version": interview.version,
        },
    )
    assert interview.commitments.count() == 2
    assert "已约谈" in office_client.get("/assess/interviews/?year=2026").content.decode()


def test_the_red_flag_board_counts_the_published_flags_and_cards(published, office_client, office_user):
    services.run_assessment("2026-11-1", actor=office_user)  # a draft counts for nothing
    periods, tallies = followup.flag_board(2026)
    assert [p.code for p in periods] == ["2026-11", "2026-11-2"]
    fast, slow = tallies
    assert (fast.name, fast.flags, fast.rewards, fast.yellow) == ("智能装备产业园指挥部", 1, 1, 0)
    assert (slow.name, slow.flags, slow.yellow) == ("商贸城指挥部", 0, 1)
    assert fast.reward_amount == Consequence.objects.get(kind="reward").amount > 0
    page = office_client.get("/assess/flags/2026/").content.decode()
    assert page.index("智能装备产业园指挥部") < page.index("商贸城指挥部") and "🚩" not in page
    by_period = followup.flags_by_period(2026)
    assert [str(row.period) for row in by_period] == ["2026年11月中旬", "2026年11月"]  # the latest first
    assert by_period[0].names == {"red_flag": ["智能装备产业园指挥部"]}
    amount = Consequence.objects.get(kind="reward").amount
    assert by_period[1].names["reward"] == [f"智能装备产业园指挥部 {amount:,}元"]
    assert f"智能装备产业园指挥部 {amount:,}元" in page


def test_the_cadre_archive_collects_each_leaders_and_commanders_year(
    published, district, office_user, office_client
):
    import openpyxl
    from docx import Document

    leader = PersonFactory(name="张副区长", post="副区长")
    commander = PersonFactory(name="李指挥长", post="指挥长")
    ProjectLeader.objects.create(project=district["slow"], person=leader, role=LeaderRole.LEAD)
    district["slow"].commander = commander
    district["slow"].save()
    publish_period("2026-10", actor=office_user)
    today = timezone.localdate()
    followup.record_interview(
        actor=office_user,
        consequence=_due(published),
        held_on=today,
        interviewer="区长",
        interviewee="李指挥长",
        content="约谈",
        commitments=[("倒排工期", today + dt.timedelta(days=9))],
    )
    entries = {e.person.name: e for e in followup.archive(2026)}
    hq = entries["李指挥长"].subjects[0]
    assert (hq.name, hq.role, hq.yellow) == ("商贸城指挥部", "指挥长", ["2026年11月"])
    assert hq.grade and len(hq.interviews) == 1 and entries["李指挥长"].commitments == (1, 0, 0)
    assert entries["张副区长"].subjects[0].subject_kind == "leader"

    page = office_client.get(f"/assess/archive/2026/{commander.pk}/").content.decode()
    assert "商贸城指挥部" in page and hq.grade in page
    book = openpyxl.load_workbook(
        io.BytesIO(office_client.get("/assess/archive/2026/export.xlsx").getvalue())
    )
    rows = {r[0]: r for r in book.active.iter_rows(min_row=2, values_only=True)}
    assert (
        rows["李指挥长"][3] == "商贸城指挥部"
        and rows["李指挥长"][5] == hq.grade
        and rows["李指挥长"][14] == 1
    )
    text = "\n".join(
        p.text
        for p in Document(
            io.BytesIO(office_client.get(f"/assess/archive/2026/{commander.pk}.docx").getvalue())
        ).paragraphs
    )
    assert "李指挥长" in text and "约谈李指挥长" in text and "全年整改承诺 1 项" in text


def test_many_periods_are_assessed_at_once_as_each_would_be_alone(district, office_user):
    alone = {code: services.run_assessment(code, actor=office_user) for code in ("2026-11-1", "2026-11-2")}
    expected = {
        code: sorted(run.scores.values_list("subject_kind", "subject_id", "score", "rank"))
        for code, run in alone.items()
    }
    services.publish(
        alone["2026-11-1"], actor=office_user, expected_version=current_version(alone["2026-11-1"])
    )
    runs = services.run_assessments(
        ["2026-11-2", "2026-11-1", "2026-11-3"],
        actor=office_user,
        versions={"2026-11-2": alone["2026-11-2"].version},
    )
    assert [r.period_code for r in runs] == ["2026-11-2", "2026-11-3"]  # the published one is left alone
    assert runs[0].pk == alone["2026-11-2"].pk and Run.objects.count() == 3
    assert (
        sorted(runs[0].scores.values_list("subject_kind", "subject_id", "score", "rank"))
        == expected["2026-11-2"]
    )
    assert queries.explanation(runs[0].scores.get(subject_name="快项目")) == queries.explanation(
        alone["2026-11-2"].scores.get(subject_name="快项目")
    )
    with pytest.raises(ValidationError, match="同一年度"):
        services.run_assessments(["2026-12-3", "2027-01-1"], actor=office_user)


def test_the_consequences_ledger_and_a_scheme_go_to_excel(published, office_user, office_client):
    import openpyxl

    today = timezone.localdate()
    followup.record_interview(
        actor=office_user,
        consequence=_due(published),
        held_on=today,
        interviewer="区长",
        interviewee="指挥长",
        content="约谈",
        commitments=[("倒排工期", today + dt.timedelta(days=9))],
    )
    book = openpyxl.load_workbook(
        io.BytesIO(office_client.get("/assess/flags/2026/consequences.xlsx").getvalue())
    )
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:5] == ("考核期", "通报文号", "考核对象类型", "考核对象", "奖惩")
    kinds = {(r[0], r[3], r[4]) for r in rows[1:]}
    assert ("2026年11月中旬", "智能装备产业园指挥部", "红旗") in kinds
    assert ("2026年11月", "商贸城指挥部", "黄牌") in kinds
    [interview] = [r for r in rows[1:] if r[4] == "约谈"]
    assert interview[7] == today.isoformat() and interview[8:] == (1, 0, 0)
    reward = next(r for r in rows[1:] if r[4] == "经济奖励")
    assert reward[5] == Consequence.objects.get(kind="reward").amount

    scheme = published["month"].scheme
    response = office_client.post(
        "/admin/assess/scheme/", {"action": "export_excel", "_selected_action": [scheme.pk]}
    )
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["方案", "考核对象", "考核指标", "奖惩规则", "年终等次"]
    indicators = list(book["考核指标"].iter_rows(values_only=True))
    assert indicators[0][:2] == ("类型", "分值") and indicators[1][:2] == ("投资完成", 40)
    no_plan = indicators[0].index("本期无计划投资时")
    assert indicators[1][no_plan] == "不计该指标，其余指标按权重折算"
    rules = {r[0]: r for r in book["奖惩规则"].iter_rows(min_row=2, values_only=True)}
    assert rules["经济奖励"][1:3] == ("月", "指挥部") and rules["经济奖励"][6] == "30000、20000、10000"
    assert rules["黄牌"][7:10] == ("是", 3, "是")
