"""The lawful path (依法征收, issue 17 item 5): a household not signed by the task's deadline gets the
compensation decision, its service with the notice of the rights to review (60 days) and to sue (6 months), the
court application once both have passed unused, and the ruling — in that order, each refused with its reason
before its predecessor; reminders of the legal deadlines."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from gongjian.core import todo
from gongjian.core.locking import Stale
from gongjian.core.models import AuditEvent, Notification
from gongjian.land import services, tasks
from gongjian.land.models import LawfulPath, add_months
from gongjian.org.choices import UnitKind
from tests.factories import UnitFactory
from tests.land.conftest import household_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def late_in_2027(monkeypatch):
    """The dates below lie in 2027: today is the year's end."""
    monkeypatch.setattr(timezone, "localdate", lambda *args: dt.date(2027, 12, 31))


@pytest.fixture
def holdout(task, people):
    return services.save_household(task, household_data(task.villages.first(), 9), actor=people["member"])


def _decide(holdout, people, day=dt.date(2027, 1, 5)):
    return services.start_lawful_path(
        holdout,
        actor=people["member"],
        decision_number="高新征决〔2027〕1号",
        decided_on=day,
        decision_file=SimpleUploadedFile("决定书.pdf", b"%PDF-1.4 decision"),
    )


def test_the_deadlines_run_from_the_day_of_service():
    assert add_months(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2027, 1, 10), 6) == dt.date(2027, 7, 10)


def test_a_decision_only_after_the_tasks_deadline_for_a_household_not_signed(task, people, holdout, settings):
    with pytest.raises(ValidationError) as caught:
        _decide(holdout, people, dt.date(2026, 12, 31))  # the task's deadline itself
    assert "完成时限" in caught.value.message_dict["decided_on"][0]
    with pytest.raises(PermissionDenied):
        services.start_lawful_path(
            holdout, actor=people["outsider"], decision_number="X", decided_on=dt.date(2027, 1, 5)
        )
    path = _decide(holdout, people)
    assert path.decision_file.name.endswith(".pdf") and path.step == "decision"
    with pytest.raises(ValidationError):
        _decide(holdout, people)  # once
    assert AuditEvent.objects.filter(action="land.lawful.decide", object_id=str(path.pk)).exists()


def test_each_step_in_order_with_its_deadlines(task, people, holdout):
    path = _decide(holdout, people)
    with pytest.raises(ValidationError) as caught:
        services.apply_to_court(
            path,
            actor=people["member"],
            applied_on=dt.date(2027, 1, 6),
            court="泉山区人民法院",
            version=path.version,
        )
    assert "尚未送达" in caught.value.messages[0]
    with pytest.raises(ValidationError) as caught:
        services.serve_decision(
            path, actor=people["member"], served_on=dt.date(2027, 1, 4), version=path.version
        )
    assert "不能早于补偿决定日期" in caught.value.message_dict["served_on"][0]
    path = services.serve_decision(
        path, actor=people["member"], served_on=dt.date(2027, 1, 10), version=path.version
    )
    assert path.review_deadline == dt.date(2027, 3, 11) and path.suit_deadline == dt.date(2027, 7, 10)
    assert path.court_from == dt.date(2027, 7, 11) and path.court_until == dt.date(2027, 10, 10)
    with pytest.raises(ValidationError) as caught:
        services.apply_to_court(
            path,
            actor=people["member"],
            applied_on=dt.date(2027, 3, 20),
            court="泉山区人民法院",
            version=path.version,
        )
    assert "2027-07-11" in caught.value.message_dict["applied_on"][0]
    with pytest.raises(ValidationError):
        services.record_ruling(
            path, actor=people["member"], ruled_on=dt.date(2027, 8, 1), result="granted", version=path.version
        )
    with pytest.raises(Stale):
        services.apply_to_court(
            path, actor=people["member"], applied_on=dt.date(2027, 7, 12), court="泉山区人民法院", version=1
        )
    path = services.apply_to_court(
        path,
        actor=people["member"],
        applied_on=dt.date(2027, 7, 12),
        court="泉山区人民法院",
        version=path.version,
    )
    with pytest.raises(ValidationError):
        services.record_ruling(
            path, actor=people["member"], ruled_on=dt.date(2027, 7, 1), result="granted", version=path.version
        )
    path = services.record_ruling(
        path,
        actor=people["member"],
        ruled_on=dt.date(2027, 8, 20),
        result="granted",
        ruling_file=SimpleUploadedFile("裁定书.pdf", b"%PDF-1.4 ruling"),
        version=path.version,
    )
    assert path.step == "ruling" and path.get_ruling_result_display() == "准予强制执行"
    actions = list(
        AuditEvent.objects.filter(object_id=str(path.pk), action__startswith="land.lawful.").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == sorted(
        ["land.lawful.decide", "land.lawful.serve", "land.lawful.apply", "land.lawful.rule"]
    )


def test_a_review_or_suit_stops_the_court_application(task, people, holdout):
    path = _decide(holdout, people)
    path = services.serve_decision(
        path, actor=people["member"], served_on=dt.date(2027, 1, 10), version=path.version
    )
    path = services.record_challenge(
        path,
        actor=people["member"],
        challenged_on=dt.date(2027, 2, 1),
        note="向区政府申请行政复议",
        version=path.version,
    )
    with pytest.raises(ValidationError) as caught:
        services.apply_to_court(
            path,
            actor=people["member"],
            applied_on=dt.date(2027, 7, 12),
            court="泉山区人民法院",
            version=path.version,
        )
    assert "复议" in caught.value.messages[0]


def test_a_signed_household_takes_no_decision(task, people, holdout):
    agreement = services.draft_agreement(holdout, actor=people["member"], signed_on=dt.date(2026, 9, 20))
    services.sign_agreement(
        agreement, actor=people["member"], signed_on=dt.date(2026, 9, 20), version=agreement.version
    )
    with pytest.raises(ValidationError):
        _decide(holdout, people)


def test_the_legal_deadlines_are_reminded_once_a_day_and_counted_as_work_waiting(
    task, people, holdout, make_user
):
    path = _decide(holdout, people)
    kind = next(k for k in todo.kinds() if k.key == "land.lawful")
    assert kind.applies(people["member"]) and not kind.applies(people["principal"])
    # a member of a service team with no land task (a project's team) has no lawful path to keep
    elsewhere = make_user(
        "service_team", unit=UnitFactory(name="项目服务队", kind=UnitKind.SERVICE_TEAM), username="elsewhere"
    )
    assert not kind.applies(elsewhere)
    assert kind.count(people["member"]) == 1  # not yet served
    browser = Client()
    browser.force_login(people["member"])
    due = browser.get(kind.url(people["member"])).content.decode()
    assert due.count('<tr data-path="') == 1 and "尚未送达" in due
    assert tasks.remind_lawful_paths(today=dt.date(2027, 1, 8)) == 1
    assert tasks.remind_lawful_paths(today=dt.date(2027, 1, 8)) == 0  # once a day
    note = Notification.objects.filter(user=people["member"]).latest("id")
    assert "尚未送达" in note.body
    path = services.serve_decision(
        path, actor=people["member"], served_on=dt.date(2027, 1, 10), version=path.version
    )
    assert services.lawful_due(path, dt.date(2027, 6, 1)) == ""
    assert "2027-07-11" in services.lawful_due(path, dt.date(2027, 7, 5))
    assert tasks.remind_lawful_paths(today=dt.date(2027, 7, 5)) == 1
    assert LawfulPath.objects.get().reminded_on == dt.date(2027, 7, 5)


def test_the_household_page_records_the_steps_and_refuses_one_out_of_order_with_its_reason(
    client, task, people, holdout
):
    client.force_login(people["member"])
    url = f"/land/households/{holdout.pk}/lawful/"
    page = client.get(f"/land/households/{holdout.pk}/").content.decode()
    assert 'id="lawful-decision"' in page and 'id="lawful-court"' not in page
    response = client.post(
        url,
        {
            "step": "decision",
            "decision_number": "高新征决〔2027〕2号",
            "decided_on": "2027-01-05",
            "document": SimpleUploadedFile("决定书.pdf", b"%PDF-1.4"),
        },
    )
    assert response.status_code == 302
    path = LawfulPath.objects.get()
    response = client.post(
        url, {"step": "court", "applied_on": "2027-01-06", "court": "泉山区人民法院", "version": path.version}
    )
    assert response.status_code == 200
    assert "尚未送达" in response.content.decode()
    assert LawfulPath.objects.get().applied_on is None
    response = client.post(url, {"step": "serve", "served_on": "2027-01-10", "version": path.version})
    assert response.status_code == 302
    page = client.get(f"/land/households/{holdout.pk}/").content.decode()
    assert "2027年3月11日" in page and "2027年7月10日" in page and 'id="lawful-court"' in page
    listing = client.get("/land/lawful/").content.decode()
    assert "高新征决〔2027〕2号" in listing and "送达并告知复议、诉讼权利" in listing
    client.force_login(people["principal"])  # reads, does not act
    assert 'id="lawful-' not in client.get(f"/land/households/{holdout.pk}/").content.decode()
    assert client.post(
        url, {"step": "court", "applied_on": "2027-07-12", "court": "法院", "version": 2}
    ).status_code in (403, 404)
