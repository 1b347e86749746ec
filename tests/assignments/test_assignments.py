"""Assignments (任务交办) on a real database: giving one to many units in steps, handing in (replacing, late,
who may), the hand-in table, who sees what, the daily reminders; the pages through the test client; the JSON API
on a throwaway NinjaAPI with the real authentication and error handlers."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import include, path
from django.utils import timezone
from ninja import NinjaAPI
from ninja.security import django_auth

from gongjian.api.core import TokenAuth
from gongjian.api.core import api as site_api
from gongjian.assignments import services as assignments
from gongjian.assignments.api import router
from gongjian.assignments.models import Assignment, AssignmentStep, Reminder, Submission, SubmissionFile
from gongjian.core.models import AuditEvent, Notification
from gongjian.meetings.models import Meeting, MeetingKind
from gongjian.org.choices import UnitKind
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def docx(name="讨论情况.docx", extra=b""):
    return SimpleUploadedFile(name, b"PK\x03\x04 a word document" + extra)


def pdf(name="汇报材料.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.7 a report")


@pytest.fixture
def unit_client():
    """A second browser for the unit users: ``client`` is the one ``office_client`` signs in as the office."""
    return Client()


@pytest.fixture
def units():
    return {
        "industry": UnitFactory(name="工信局"),
        "housing": UnitFactory(name="住建局"),
        "street": UnitFactory(name="向阳街道", kind=UnitKind.STREET),
    }


@pytest.fixture
def people(make_user, units):
    return {key: make_user("unit_reporter", unit=unit, username=key) for key, unit in units.items()}


@pytest.fixture
def assignment(office_user, units, people):
    return assignments.create_assignment(
        title="现场会后讨论和报告",
        instructions="围绕“怎么看、做了什么、怎么办”三个题目组织讨论，两周内报送汇报材料。",
        units=units.values(),
        steps=[("组织讨论", TODAY + dt.timedelta(days=7)), ("报送报告", TODAY + dt.timedelta(days=14))],
        actor=office_user,
    )


def steps(assignment):
    return list(assignment.steps.all())


def move_deadline(step, days_from_today):
    AssignmentStep.objects.filter(pk=step.pk).update(deadline=TODAY + dt.timedelta(days=days_from_today))
    step.refresh_from_db()
    return step


def backdate(submission, days):
    Submission.objects.filter(pk=submission.pk).update(submitted_at=timezone.now() - dt.timedelta(days=days))


def titles(user):
    return list(Notification.objects.filter(user=user).values_list("title", flat=True))


# -- giving an assignment ------------------------------------------------------------------------------------------


def test_the_office_gives_a_task_to_three_units_in_two_steps_and_their_people_are_told(
    assignment, people, units
):
    assert [(s.name, s.deadline) for s in steps(assignment)] == [
        ("组织讨论", TODAY + dt.timedelta(days=7)),
        ("报送报告", TODAY + dt.timedelta(days=14)),
    ]
    assert set(assignment.units.all()) == set(units.values())
    for user in people.values():
        assert titles(user) == ["新任务：现场会后讨论和报告"]
    event = AuditEvent.objects.get(action="assignment.create")
    assert event.after["steps"] == [
        f"组织讨论（{TODAY + dt.timedelta(days=7)}）",
        f"报送报告（{TODAY + dt.timedelta(days=14)}）",
    ]


def test_the_usual_steps_are_a_discussion_within_a_week_and_a_report_within_two():
    assert assignments.default_steps(dt.date(2026, 11, 10)) == [
        ("组织讨论", dt.date(2026, 11, 17)),
        ("报送报告", dt.date(2026, 11, 24)),
    ]


def test_an_assignment_needs_a_title_a_unit_and_a_step_and_no_deadline_in_the_past(office_user):
    with pytest.raises(ValidationError) as empty:
        assignments.create_assignment(title=" ", instructions="要求", units=[], steps=[], actor=office_user)
    assert set(empty.value.message_dict) == {"title", "units", "steps"}
    with pytest.raises(ValidationError) as past:
        assignments.create_assignment(
            title="讨论",
            instructions="要求",
            units=[UnitFactory()],
            actor=office_user,
            steps=[("组织讨论", TODAY - dt.timedelta(days=1)), ("报送报告", None)],
        )
    assert past.value.message_dict == {
        "step-1": [f"第 1 个环节「组织讨论」的时限 {TODAY - dt.timedelta(days=1)} 早于今天。"],
        "step-2": ["第 2 个环节「报送报告」缺少时限。"],
    }
    assert not Assignment.objects.exists()


def test_only_the_project_office_gives_assignments(people, units):
    with pytest.raises(PermissionDenied):
        assignments.create_assignment(
            title="讨论",
            instructions="要求",
            units=[units["industry"]],
            steps=[("组织讨论", TODAY)],
            actor=people["industry"],
        )


# -- handing in ----------------------------------------------------------------------------------------------------


def test_a_second_hand_in_before_the_deadline_replaces_the_first_and_is_audited(
    assignment, people, units, office_user, django_capture_on_commit_callbacks
):
    discussion, _report = steps(assignment)
    first = assignments.submit(
        discussion, units["industry"], text="11月12日召开班子会", files=[docx()], actor=people["industry"]
    )
    old_file = first.files.get().file.name
    assert default_storage.exists(old_file)
    assert titles(office_user) == ["工信局已报送「组织讨论」"]

    with django_capture_on_commit_callbacks(execute=True):
        again = assignments.submit(
            discussion,
            units["industry"],
            text="11月12日、15日两次召开讨论会",
            files=[pdf(), docx("补充.docx")],
            actor=people["industry"],
            expected_version=first.version,
        )
    assert again.pk == first.pk and Submission.objects.count() == 1
    assert sorted(again.files.values_list("name", flat=True)) == ["汇报材料.pdf", "补充.docx"]
    assert not default_storage.exists(old_file)  # the replaced file is gone once the replacement committed
    event = AuditEvent.objects.get(action="assignment.resubmit")
    assert event.before["text"] == "11月12日召开班子会" and event.before["files"] == [
        f"讨论情况.docx（{docx().size} B）"
    ]
    assert event.after["text"] == "11月12日、15日两次召开讨论会" and len(event.after["files"]) == 2
    assert event.after["late"] is False


def test_after_the_deadline_a_hand_in_is_still_accepted_but_marked_late(
    assignment, people, units, office_user
):
    discussion = move_deadline(steps(assignment)[0], -2)
    submission = assignments.submit(
        discussion, units["housing"], text="讨论已开展", files=[], actor=people["housing"]
    )
    assert assignments.is_late(submission)
    assert titles(office_user) == ["住建局已逾期报送「组织讨论」"]
    # a late hand-in may still be corrected, and stays late
    corrected = assignments.submit(
        discussion,
        units["housing"],
        text="讨论已开展（补充材料）",
        files=[docx()],
        actor=people["housing"],
        expected_version=submission.version,
    )
    assert assignments.is_late(corrected) and corrected.files.count() == 1


def test_a_hand_in_made_on_time_is_final_once_the_deadline_has_passed(assignment, people, units):
    discussion = steps(assignment)[0]
    on_time = assignments.submit(discussion, units["street"], text="已讨论", files=[], actor=people["street"])
    backdate(on_time, 3)
    move_deadline(discussion, -1)
    with pytest.raises(ValidationError) as closed:
        assignments.submit(
            discussion,
            units["street"],
            text="改一下",
            files=[],
            actor=people["street"],
            expected_version=on_time.version,
        )
    assert closed.value.message_dict["text"][0].startswith("「组织讨论」的时限")
    assert Submission.objects.get().text == "已讨论"


def test_only_the_unit_s_people_and_the_office_hand_in_and_only_for_units_given_the_task(
    assignment, people, units, make_user, office_user
):
    discussion = steps(assignment)[0]
    with pytest.raises(PermissionDenied):
        assignments.submit(discussion, units["industry"], text="代报", files=[], actor=people["housing"])
    section = UnitFactory(name="工信局综合科", parent=units["industry"])
    clerk = make_user("unit_reporter", unit=section, username="clerk")
    assignments.submit(discussion, units["industry"], text="科室代本局报送", files=[], actor=clerk)
    assignments.submit(discussion, units["housing"], text="纸质材料，项目办代录", files=[], actor=office_user)
    with pytest.raises(ValidationError) as not_given:
        assignments.submit(discussion, UnitFactory(name="商务局"), text="x", files=[], actor=office_user)
    assert not_given.value.message_dict["unit"] == ["「现场会后讨论和报告」未交办给商务局。"]
    with pytest.raises(ValidationError) as nothing:
        assignments.submit(discussion, units["street"], text="  ", files=[], actor=people["street"])
    assert nothing.value.message_dict["text"] == ["请填写向阳街道「组织讨论」的报送内容或上传附件。"]


def test_files_not_allowed_are_refused_with_their_names_and_reasons(assignment, people, units, settings):
    settings.GONGJIAN_SUBMISSION_FILE_MAX_BYTES = 1024 * 1024
    discussion = steps(assignment)[0]
    uploads = [
        SimpleUploadedFile("setup.exe", b"MZ\x90\x00"),
        SimpleUploadedFile("汇报.pdf", b"MZ\x90\x00 a program renamed"),
        SimpleUploadedFile("大文件.docx", b"PK\x03\x04" + b"0" * (1024 * 1024)),
        SimpleUploadedFile("空.txt", b""),
        SimpleUploadedFile("说明.txt", b"\x00\x01\x02binary"),
        docx(),
    ]
    with pytest.raises(ValidationError) as refused:
        assignments.submit(
            discussion, units["industry"], text="材料", files=uploads, actor=people["industry"]
        )
    assert refused.value.message_dict["files"] == [
        "setup.exe：不支持该文件类型，请上传 Word、Excel、WPS、PDF、JPG、PNG 或 TXT 文件。",
        "汇报.pdf：文件内容与扩展名 .pdf 不符。",
        "大文件.docx：文件超过 1 MB。",
        "空.txt：文件是空的。",
        "说明.txt：文件内容与扩展名 .txt 不符。",
    ]
    assert not Submission.objects.exists() and not SubmissionFile.objects.exists()
    # WPS documents, GBK text and images go in
    ok = [
        SimpleUploadedFile("讨论记录.wps", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 wps"),
        SimpleUploadedFile("名单.et", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 et"),
        SimpleUploadedFile("纪要.txt", "会议纪要".encode("gb18030")),
        SimpleUploadedFile("照片.JPG", b"\xff\xd8\xff\xe0 jpeg"),
    ]
    submission = assignments.submit(
        discussion, units["industry"], text="", files=ok, actor=people["industry"]
    )
    assert submission.files.count() == 4


# -- the table, visibility, reminders -------------------------------------------------------------------------------


def test_the_table_shows_for_each_unit_and_step_handed_in_late_overdue_or_missing_with_counts(
    assignment, people, units
):
    discussion, report = steps(assignment)
    on_time = assignments.submit(
        discussion, units["industry"], text="已讨论", files=[docx()], actor=people["industry"]
    )
    backdate(on_time, 3)
    move_deadline(discussion, -1)
    assignments.submit(discussion, units["housing"], text="补报", files=[], actor=people["housing"])
    with CaptureQueriesContext(connection) as queries:
        table = assignments.table(assignment)
    assert len(queries) == 4
    states = {row.unit.name: [c.state for c in row.cells] for row in table.rows}
    assert states == {
        "工信局": ["submitted", "missing"],
        "住建局": ["late", "missing"],
        "向阳街道": ["overdue", "missing"],
    }
    industry = next(r for r in table.rows if r.unit.name == "工信局").cells[0]
    assert (industry.label, industry.submitted_by) == ("已报", people["industry"].display_name)
    counts = {c.step.name: (c.submitted, c.late, c.overdue, c.missing) for c in table.counts}
    assert counts == {"组织讨论": (1, 1, 1, 0), "报送报告": (0, 0, 0, 3)}
    assert (table.handed_in, table.expected, table.overdue) == (2, 6, 1)
    assert report.deadline > TODAY


def test_a_unit_user_sees_the_assignments_given_to_their_unit_or_a_unit_above_it(
    assignment, office_user, units, make_user, people
):
    section = UnitFactory(name="住建局城建科", parent=units["housing"])
    clerk = make_user("unit_reporter", unit=section, username="clerk")
    other = assignments.create_assignment(
        title="只给工信局",
        instructions="要求",
        units=[units["industry"]],
        steps=[("报送", TODAY)],
        actor=office_user,
    )
    assert set(assignments.visible_assignments(office_user)) == {assignment, other}
    assert set(assignments.visible_assignments(people["industry"])) == {assignment, other}
    assert set(assignments.visible_assignments(clerk)) == {assignment}
    assert set(assignments.visible_assignments(make_user("principal_leader"))) == {assignment, other}
    assert not assignments.visible_assignments(make_user("unit_reporter", unit=UnitFactory(name="商务局")))
    assert not assignments.visible_assignments(make_user("evaluator", unit=units["industry"]))


def test_remind_tells_each_unit_without_a_hand_in_once_a_day_from_the_day_before_to_a_week_after(
    assignment, people, units
):
    discussion, report = steps(assignment)
    assignments.submit(discussion, units["industry"], text="已讨论", files=[], actor=people["industry"])
    deadline = discussion.deadline
    assert assignments.remind(deadline - dt.timedelta(days=2)) == 0  # not due yet
    assert assignments.remind(deadline - dt.timedelta(days=1)) == 2  # housing and the street, not industry
    assert assignments.remind(deadline - dt.timedelta(days=1)) == 0  # once a day
    assert titles(people["housing"]).count("催报：现场会后讨论和报告") == 1
    assert not [t for t in titles(people["industry"]) if t.startswith("催报")]
    body = Notification.objects.filter(user=people["street"], title__startswith="催报").get().body
    assert body == f"「组织讨论」明天（{deadline}）到期，向阳街道尚未报送。"
    assert assignments.remind(deadline) == 2
    # a week after: the discussion's two and the report's three (due that day)
    assert assignments.remind(deadline + dt.timedelta(days=7)) == 5
    assert (
        assignments.remind(deadline + dt.timedelta(days=8)) == 3
    )  # the discussion is past a week: report only
    assert Reminder.objects.filter(step=discussion).count() == 6
    assert report.deadline == deadline + dt.timedelta(days=7)


def test_the_list_s_progress_takes_the_same_queries_for_one_assignment_or_many(
    assignment, office_user, units
):
    def count(n):
        with CaptureQueriesContext(connection) as queries:
            assignments.progress(list(Assignment.objects.all()[:n]), office_user)
        return len(queries)

    one = count(1)
    for i in range(4):
        assignments.create_assignment(
            title=f"任务{i}",
            instructions="要求",
            units=units.values(),
            steps=[("报送", TODAY)],
            actor=office_user,
        )
    assert count(5) == one


# -- pages ---------------------------------------------------------------------------------------------------------


def test_the_new_assignment_form_offers_units_by_kind_and_two_usual_steps(office_client, units):
    page = office_client.get("/dispatch/assignments/new/").content.decode()
    assert "全部部门" in page and "全部街道" in page
    assert 'value="组织讨论"' in page and f'value="{(TODAY + dt.timedelta(days=7)).isoformat()}"' in page
    assert 'value="报送报告"' in page and f'value="{(TODAY + dt.timedelta(days=14)).isoformat()}"' in page


def test_the_office_gives_an_assignment_through_the_form(office_client, units, people):
    meeting = Meeting.objects.create(kind=MeetingKind.ONSITE, title="项目建设现场会", held_at=timezone.now())
    response = office_client.post(
        "/dispatch/assignments/new/",
        {
            "title": "现场会后讨论和报告",
            "instructions": "组织讨论并报送",
            "meeting": meeting.pk,
            "units": [units["industry"].pk, units["street"].pk],
            "step_name": ["组织讨论", "报送报告", "", ""],
            "step_deadline": [str(TODAY + dt.timedelta(days=7)), str(TODAY + dt.timedelta(days=14)), "", ""],
        },
    )
    assignment = Assignment.objects.get()
    assert response.status_code == 302 and response.url == f"/dispatch/assignments/{assignment.pk}/"
    assert assignment.steps.count() == 2 and assignment.units.count() == 2 and assignment.meeting == meeting
    assert titles(people["street"]) and not titles(people["housing"])


def test_the_form_shows_what_is_wrong_and_keeps_what_was_typed(office_client, units):
    response = office_client.post(
        "/dispatch/assignments/new/",
        {
            "title": "讨论",
            "instructions": "要求",
            "units": [],
            "step_name": ["组织讨论"],
            "step_deadline": [str(TODAY - dt.timedelta(days=3))],
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "请至少选择一个承办单位。" in page and "早于今天" in page and 'value="讨论"' in page
    assert not Assignment.objects.exists()


def test_unit_users_cannot_open_the_form(client, people):
    client.force_login(people["industry"])
    assert client.get("/dispatch/assignments/new/").status_code == 403


def test_the_list_shows_progress_and_overdue_and_only_the_office_can_give_tasks(
    unit_client, office_client, assignment, people, units
):
    discussion = steps(assignment)[0]
    assignments.submit(discussion, units["industry"], text="已讨论", files=[], actor=people["industry"])
    move_deadline(discussion, -1)
    page = office_client.get("/dispatch/assignments/").content.decode()
    assert "已报 1/6" in page and "下发任务" in page
    assert 'class="overdue-count num overdue">2<' in page
    unit_client.force_login(people["industry"])
    page = unit_client.get("/dispatch/assignments/").content.decode()
    assert "已报 1/6" in page and "下发任务" not in page and "已报 1/2" in page


def test_the_list_takes_the_same_queries_for_one_assignment_or_many(
    office_client, assignment, office_user, units, django_assert_max_num_queries
):
    with CaptureQueriesContext(connection) as queries:
        office_client.get("/dispatch/assignments/")
    for i in range(5):
        assignments.create_assignment(
            title=f"任务{i}",
            instructions="要求",
            units=units.values(),
            steps=[("报送", TODAY)],
            actor=office_user,
        )
    with django_assert_max_num_queries(len(queries)):
        assert office_client.get("/dispatch/assignments/").status_code == 200


def test_a_unit_user_hands_in_text_and_files_on_the_page_and_only_the_office_and_the_unit_get_the_files(
    unit_client, office_client, assignment, people, units, make_user
):
    discussion = steps(assignment)[0]
    unit_client.force_login(people["industry"])
    page = unit_client.get(f"/dispatch/assignments/{assignment.pk}/").content.decode()
    assert page.count('class="form-grid hand-in-form"') == 2  # one per step, for the user's own unit
    response = unit_client.post(
        f"/dispatch/assignments/{assignment.pk}/",
        {
            "step": discussion.pk,
            "unit": units["industry"].pk,
            "text": "局党组11月12日专题讨论",
            "files": [docx(), pdf()],
        },
    )
    assert response.status_code == 302
    submission = Submission.objects.get()
    files = list(submission.files.order_by("name"))
    assert [f.name for f in files] == ["汇报材料.pdf", "讨论情况.docx"]
    download = unit_client.get(f"/dispatch/assignments/files/{files[1].pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"PK\x03\x04")
    assert "attachment" in download["Content-Disposition"]

    page = office_client.get(f"/dispatch/assignments/{assignment.pk}/").content.decode()
    assert "讨论情况.docx" in page and "局党组11月12日专题讨论" in page
    assert office_client.get(f"/dispatch/assignments/files/{files[1].pk}/").status_code == 200

    unit_client.force_login(
        people["housing"]
    )  # another unit given the same task: sees that it is in, not what
    page = unit_client.get(f"/dispatch/assignments/{assignment.pk}/").content.decode()
    assert "已报" in page and "讨论情况.docx" not in page and "局党组" not in page
    assert unit_client.get(f"/dispatch/assignments/files/{files[1].pk}/").status_code == 403
    unit_client.force_login(make_user("unit_reporter", unit=UnitFactory(name="商务局")))
    assert unit_client.get(f"/dispatch/assignments/files/{files[1].pk}/").status_code == 404
    assert unit_client.get(f"/dispatch/assignments/{assignment.pk}/").status_code == 404


def test_a_refused_file_is_named_on_the_page_and_nothing_is_saved(client, assignment, people, units):
    client.force_login(people["industry"])
    response = client.post(
        f"/dispatch/assignments/{assignment.pk}/",
        {
            "step": steps(assignment)[0].pk,
            "unit": units["industry"].pk,
            "text": "材料",
            "files": [SimpleUploadedFile("病毒.exe", b"MZ")],
        },
    )
    assert response.status_code == 400
    assert "病毒.exe：不支持该文件类型" in response.content.decode()
    assert not Submission.objects.exists()


def test_the_excel_export_has_a_row_per_unit_and_the_counts(office_client, assignment, people, units):
    discussion = steps(assignment)[0]
    assignments.submit(discussion, units["industry"], text="已讨论", files=[], actor=people["industry"])
    response = office_client.get(f"/dispatch/assignments/{assignment.pk}/export.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:5] == [
        "承办单位",
        "单位类型",
        f"组织讨论（{discussion.deadline:%Y-%m-%d}）",
        "报送时间",
        "报送人",
    ]
    by_unit = {r[0]: r for r in rows[1:4]}
    assert by_unit["工信局"][2] == "已报" and by_unit["工信局"][4] == people["industry"].display_name
    assert by_unit["住建局"][2] == "未报" and by_unit["向阳街道"][5] == "未报"
    assert rows[5][0] == "合计" and rows[5][2] == "已报 1/3，逾期未报 0"


# -- the JSON API on a throwaway NinjaAPI ------------------------------------------------------------------------


def _throwaway_api() -> NinjaAPI:
    api = NinjaAPI(
        title="assignments (test)",
        urls_namespace="assignments_test_api",
        auth=[TokenAuth(), django_auth],
        docs_url=None,
    )
    for exc, handler in site_api._exception_handlers.items():  # the site's JSON errors (code, field, message)
        api.add_exception_handler(exc, handler)
    api.add_router("/dispatch", router)
    return api


def _open_to_token_clients(patterns):
    # As /api/v1/ does: the API answers 401 itself instead of the site's redirect to the login page.
    for item in patterns:
        if hasattr(item, "url_patterns"):
            _open_to_token_clients(item.url_patterns)
        else:
            item.callback.login_required = False
    return patterns


urlpatterns = [
    path("api/test/", include(_open_to_token_clients(_throwaway_api().urls[0]))),
    path("", include("gongjian.urls")),
]
API = "/api/test/dispatch"


@pytest.mark.urls(__name__)
def test_the_api_lists_gives_shows_and_takes_hand_ins(unit_client, office_client, office_user, units, people):
    body = {
        "title": "现场会后讨论和报告",
        "instructions": "组织讨论并报送",
        "unit_ids": [units["industry"].pk, units["housing"].pk],
        "steps": [
            {"name": "组织讨论", "deadline": str(TODAY + dt.timedelta(days=7))},
            {"name": "报送报告", "deadline": str(TODAY + dt.timedelta(days=14))},
        ],
    }
    created = office_client.post(f"{API}/assignments", body, content_type="application/json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert [s["name"] for s in data["steps"]] == ["组织讨论", "报送报告"]
    assert [c["state"] for row in data["rows"] for c in row["cells"]] == ["missing"] * 4

    unit_client.force_login(people["industry"])
    step_id = data["steps"][0]["id"]
    handed = unit_client.post(
        f"{API}/assignments/{data['id']}/steps/{step_id}/submissions",
        {"text": "已组织讨论", "files": [docx(), pdf()]},
    )
    assert handed.status_code == 201, handed.content
    assert handed.json()["late"] is False and len(handed.json()["files"]) == 2
    assert unit_client.get(handed.json()["files"][0]["url"]).status_code == 200

    listed = unit_client.get(f"{API}/assignments").json()["items"]
    assert [
        (a["title"], a["progress"]["handed_in"], a["progress"]["expected"], a["progress"]["mine_handed_in"])
        for a in listed
    ] == [("现场会后讨论和报告", 1, 4, 1)]
    detail = unit_client.get(f"{API}/assignments/{data['id']}").json()
    industry = next(r for r in detail["rows"] if r["unit"] == "工信局")
    assert industry["cells"][0]["state"] == "submitted" and industry["cells"][0]["text"] == "已组织讨论"

    unit_client.force_login(people["housing"])
    housing_view = unit_client.get(f"{API}/assignments/{data['id']}").json()
    industry = next(r for r in housing_view["rows"] if r["unit"] == "工信局")
    assert industry["cells"][0]["text"] is None and industry["cells"][0]["files"] == []


@pytest.mark.urls(__name__)
def test_the_api_answers_errors_as_json_with_the_field(unit_client, office_client, assignment, units, people):
    step = steps(assignment)[0]
    unit_client.force_login(people["industry"])
    forbidden = unit_client.post(
        f"{API}/assignments",
        {"title": "x", "instructions": "y", "unit_ids": [], "steps": []},
        content_type="application/json",
    )
    assert forbidden.status_code == 403 and forbidden.json()["code"] == "forbidden"
    refused = unit_client.post(
        f"{API}/assignments/{assignment.pk}/steps/{step.pk}/submissions",
        {"text": "材料", "files": [SimpleUploadedFile("a.bat", b"@echo off")]},
    )
    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {
            "field": "files",
            "message": "a.bat：不支持该文件类型，请上传 Word、Excel、WPS、PDF、JPG、PNG 或 TXT 文件。",
        }
    ]
    past = office_client.post(
        f"{API}/assignments",
        {
            "title": "x",
            "instructions": "y",
            "unit_ids": [units["industry"].pk],
            "steps": [{"name": "报送", "deadline": str(TODAY - dt.timedelta(days=1))}],
        },
        content_type="application/json",
    )
    assert past.status_code == 422 and past.json()["errors"][0]["field"] == "step-1"
    assert unit_client.get(f"{API}/assignments/999999").status_code == 404
    unit_client.logout()
    assert unit_client.get(f"{API}/assignments").status_code == 401
