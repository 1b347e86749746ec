"""Two people writing the same object at the same moment, from the same version (PostgreSQL: real row locks and
concurrent connections): one write goes through, the other is told the object is stale; nothing is lost silently
and nothing is done twice."""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gongjian.core.locking import Stale
from gongjian.daily import services as daily
from gongjian.daily.models import DailyReport
from gongjian.lights import services as lights
from gongjian.lights.models import Case, CaseEvent, Judgement
from gongjian.lights.services import cases
from gongjian.meetings import services as dispatch
from gongjian.meetings.models import Meeting
from gongjian.org.choices import UnitKind
from tests.concurrency import ON_POSTGRESQL, one_wins, run_together
from tests.factories import ProjectFactory, UnitFactory, current_version

pytestmark = ON_POSTGRESQL


def test_two_offices_closing_one_case_at_once_close_it_once(make_user, office_user):
    unit = UnitFactory(name="工信局")
    owner = make_user("unit_reporter", unit=unit, username="owner")
    case = cases.open_case(
        ProjectFactory(responsible_unit=unit),
        kind="light",
        title="亮红灯",
        reasons=[],
        owner=unit,
        period_code="2026-11-3",
    )
    cases.accept(case, actor=owner, expected_version=1)
    cases.resolve(
        case, "已完成", actor=owner, evidence=SimpleUploadedFile("a.jpg", b"\xff\xd8"), expected_version=2
    )
    read = current_version(case)
    one_wins(
        run_together(
            *[
                lambda note=note: cases.close(case, actor=office_user, note=note, expected_version=read)
                for note in ("甲同意", "乙同意")
            ]
        )
    )
    assert Case.objects.get().state == "closed" and CaseEvent.objects.filter(kind="closed").count() == 1


def test_two_edits_of_one_agenda_at_once_keep_one_and_refuse_the_other(office_user):
    meeting = dispatch.create_meeting(
        kind="monthly", title="调度会", held_at=timezone.now(), actor=office_user, projects=[]
    )
    [winner] = one_wins(
        run_together(
            *[
                lambda text=text: dispatch.update_meeting(
                    meeting,
                    actor=office_user,
                    expected_version=1,
                    agenda=[{"section": "other", "text": text}],
                )
                for text in ("甲的议程", "乙的议程")
            ]
        )
    )
    assert Meeting.objects.get().agenda == winner.agenda and current_version(meeting) == 2


def test_two_first_reports_of_one_team_and_day_at_once_create_one(make_user):
    team = UnitFactory(name="杏山子工作队", kind=UnitKind.SERVICE_TEAM)
    member = make_user("service_team", unit=team, username="duiyuan")
    today = timezone.localdate()
    [winner] = one_wins(
        run_together(
            *[
                lambda done=done: daily.file_report(team, today, {"done": done}, actor=member)
                for done in ("手机上报的", "电脑上报的")
            ]
        )
    )
    assert DailyReport.objects.get().done == winner.done


def test_two_first_judgements_of_one_light_at_once_keep_one(make_user):
    project = ProjectFactory()
    leaders = [make_user("principal_leader", username=name) for name in ("boss", "deputy")]
    [winner] = one_wins(
        run_together(
            *[
                lambda leader=leader: lights.record_judgement(
                    project, "2026-11-3", 2, f"{leader.username} 的研判", actor=leader
                )
                for leader in leaders
            ]
        )
    )
    assert Judgement.objects.get().reason == winner.reason


def test_a_case_climbing_while_its_owner_acts_on_the_old_page_refuses_the_action(make_user):
    unit = UnitFactory(name="工信局")
    owner = make_user("unit_reporter", unit=unit, username="owner")
    case = cases.open_case(
        ProjectFactory(responsible_unit=unit),
        kind="light",
        title="亮红灯",
        reasons=[],
        owner=unit,
        period_code="2026-11-3",
    )
    Case.objects.filter(pk=case.pk).update(deadline=timezone.localdate() - dt.timedelta(days=1))
    climbed, acted = run_together(
        lambda: cases.tick(), lambda: cases.act(case, "已约谈", actor=owner, expected_version=1)
    )
    # The scheduled climb takes no version and always happens; the owner's action from version 1 goes through
    # only if it came first — never on a case changed under it.
    assert climbed == {"climbed": 1, "reminded": 0} and Case.objects.get().level == "leader"
    if isinstance(acted, Stale):
        assert acted.current_version == 2 and not CaseEvent.objects.filter(kind="action").exists()
    else:
        assert acted.state == "in_hand" and acted.version == 2 and current_version(case) == 3
