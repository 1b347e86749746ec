"""Cases (督办件) on a real database: the workflow, who may do what, the ladder, reminders, notifications."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gongjian.core.models import AuditEvent, CalendarDay, Notification
from gongjian.lights import queries
from gongjian.lights.models import Case
from gongjian.lights.services import cases
from tests.factories import UnitFactory, current_version

pytestmark = pytest.mark.django_db


def evidence():
    return SimpleUploadedFile("现场照片.jpg", b"\xff\xd8 photo")


def notified(user):
    return list(Notification.objects.filter(user=user).values_list("title", flat=True))


def test_opening_a_case_sets_owner_supervisor_deadline_and_notifies_the_owner_unit(case, people, unit):
    assert (case.owner, case.supervisor, case.level, case.state) == (
        unit,
        people["leader"].person,
        "unit",
        "new",
    )
    assert case.number == f"督{timezone.localdate().year}-0001"
    assert case.deadline > timezone.localdate()
    assert any("新督办件" in t for t in notified(people["owner"]))
    assert not notified(people["leader"])  # the leader hears of it when it climbs to them
    assert list(case.events.values_list("kind", flat=True)) == ["opened"]


def test_the_owner_signs_acts_and_resolves_with_evidence_and_the_office_closes_it(case, people, office_user):
    owner = people["owner"]
    cases.accept(case, actor=owner, expected_version=current_version(case))
    cases.act(case, "已约谈施工单位，增加两个班组", actor=owner, expected_version=current_version(case))
    with pytest.raises(ValidationError) as missing:
        cases.resolve(case, "进度已追回", actor=owner, expected_version=current_version(case))
    assert "evidence" in missing.value.message_dict
    cases.resolve(
        case, "进度已追回", actor=owner, evidence=evidence(), expected_version=current_version(case)
    )
    with pytest.raises(PermissionDenied):
        cases.close(
            case, actor=owner, expected_version=current_version(case)
        )  # an owner cannot accept its own result
    closed = cases.close(case, actor=office_user, note="核实无误", expected_version=current_version(case))
    assert (closed.state, closed.resolution) == ("closed", "进度已追回")
    assert list(closed.events.values_list("kind", flat=True)) == [
        "opened",
        "accepted",
        "action",
        "resolved",
        "closed",
    ]
    assert closed.events.get(kind="resolved").evidence_name == "现场照片.jpg"
    assert AuditEvent.objects.filter(action__startswith="case.").count() == 5


def test_a_resolved_case_sent_back_is_in_hand_again_with_the_reason(case, people, office_user):
    cases.resolve(
        case, "已完成", actor=people["owner"], evidence=evidence(), expected_version=current_version(case)
    )
    with pytest.raises(ValidationError):
        cases.reopen(case, " ", actor=office_user, expected_version=current_version(case))
    reopened = cases.reopen(
        case, "佐证照片看不出施工进展", actor=office_user, expected_version=current_version(case)
    )
    assert (reopened.state, reopened.resolved_at) == ("in_hand", None)
    assert any("退回重办" in t for t in notified(people["owner"]))


def test_strangers_cannot_handle_and_do_not_see_the_case(case, people):
    with pytest.raises(PermissionDenied):
        cases.act(case, "试图处置", actor=people["stranger"], expected_version=current_version(case))
    assert not queries.visible_cases(people["stranger"]).exists()
    assert queries.visible_cases(people["owner"]).get() == case


def test_passing_up_needs_a_reason_that_everyone_on_the_case_sees(case, people):
    with pytest.raises(ValidationError):
        cases.pass_up(case, "", actor=people["owner"], expected_version=current_version(case))
    passed = cases.pass_up(
        case, "涉及规划调整，超出本单位权限", actor=people["owner"], expected_version=current_version(case)
    )
    assert passed.level == "leader"
    event = passed.events.get(kind="passed_up")
    assert (event.text, event.level) == ("涉及规划调整，超出本单位权限", "leader")
    for user in (people["owner"], people["leader"]):
        assert any("上交至包挂领导" in t for t in notified(user))
    assert cases.can_handle(people["leader"], passed)


def test_an_unhandled_case_climbs_the_ladder_each_time_its_deadline_passes(case, people):
    levels = []
    day = case.deadline
    for _ in range(4):
        day += dt.timedelta(days=1)
        cases.tick(day)
        case.refresh_from_db()
        levels.append(case.level)
        day = case.deadline if case.deadline > day else day
    assert levels == ["leader", "headquarters", "principal", "principal"]
    assert list(case.events.filter(kind="climbed").values_list("level", flat=True)) == [
        "leader",
        "headquarters",
        "principal",
    ]
    assert any("升级至主要领导督办" in t for t in notified(people["principal"]))
    assert any("升级至指挥部督办" in t for t in notified(people["hq"]))


def test_a_silent_owner_is_reminded_after_five_working_days_counted_with_the_calendar(case, people):
    Case.objects.filter(pk=case.pk).update(
        deadline=dt.date(2026, 12, 31), last_action_at=timezone.make_aware(dt.datetime(2026, 9, 28, 9))
    )
    CalendarDay.objects.create(day=dt.date(2026, 10, 1), is_workday=False, name="国庆节")
    CalendarDay.objects.create(day=dt.date(2026, 10, 2), is_workday=False, name="国庆节")
    # 29, 30 September and 5, 6 October are four working days after the 28th: not yet
    assert cases.tick(dt.date(2026, 10, 6)) == {"climbed": 0, "reminded": 0}
    assert cases.tick(dt.date(2026, 10, 7)) == {"climbed": 0, "reminded": 1}
    assert cases.tick(dt.date(2026, 10, 8)) == {"climbed": 0, "reminded": 0}  # once, not every day
    assert any("催办" in t for t in notified(people["owner"]))


def test_a_problem_case_is_confirmed_by_the_unit_that_raised_it(people, unit, make_user):
    power = UnitFactory(name="供电公司")
    power_user = make_user("unit_reporter", unit=power, username="power")
    case = cases.open_case(
        people["project"],
        kind="problem",
        title="临时用电增容",
        reasons=["水电气：临时用电增容"],
        owner=power,
        period_code="2026-11-3",
    )
    assert case.number.startswith("协")
    cases.resolve(
        case, "增容已批复并送电", actor=power_user, expected_version=current_version(case)
    )  # a problem needs no file
    with pytest.raises(PermissionDenied):
        cases.close(case, actor=power_user, expected_version=current_version(case))
    assert cases.close(case, actor=people["owner"], expected_version=current_version(case)).state == "closed"


def test_the_tick_command_lights_every_project_and_climbs_overdue_cases(case, people, capsys):
    from django.core.management import call_command

    from gongjian.lights.models import Light

    Case.objects.filter(pk=case.pk).update(deadline=timezone.localdate() - dt.timedelta(days=1))
    call_command("tick")
    out = capsys.readouterr().out
    assert "重算本年度红绿灯：计算" in out and "督办件升级与提醒：升级 1 件" in out
    assert Light.objects.filter(project=people["project"]).exists()
    case.refresh_from_db()
    assert case.level == "leader"


def test_letters_are_numbered_from_a_counter_kept_on_the_case_and_say_what_the_case_says(
    case, people, office_user, settings
):
    import io

    import docx

    from gongjian.lights.services import letters

    settings.GONGJIAN_DOC_PREFIX = "泉重点办"
    with pytest.raises(PermissionDenied):
        letters.issue(case, "assignment", actor=people["owner"], expected_version=current_version(case))
    first = letters.issue(case, "assignment", actor=office_user, expected_version=current_version(case))
    second = letters.issue(case, "escalation", actor=office_user, expected_version=current_version(case))
    year = timezone.localdate().year
    assert first.evidence_name == f"泉重点办〔{year}〕1号交办函.docx"
    assert second.text == f"督办函 泉重点办〔{year}〕2号"
    document = docx.Document(io.BytesIO(first.evidence.open("rb").read()))
    text = "\n".join(p.text for p in document.paragraphs)
    assert f"泉重点办〔{year}〕1号" in text and "关于智能装备产业园项目亮红灯事项的交办函" in text
    assert "工信局：" in text
    cells = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows[1:]}
    assert cells["督办编号"] == case.number and cells["承办单位"] == "工信局"
    assert cells["原因"] == "投资完成率 38%，低于序时进度 62 个百分点"
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.top_margin.mm), round(section.left_margin.mm)) == (
        210,
        37,
        28,
    )
    assert AuditEvent.objects.filter(action="case.letter").count() == 2
