"""Upgrading a database from before dispatch was split into meetings, daily, assignments and documents: one
``migrate`` keeps every row, every foreign key and many-to-many link between them and to the other apps, the
permissions (by id) and what the roles' groups and the accounts were granted, and the audit trail as it was sealed;
the new apps' models read the old rows and take new ones after them."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from gongjian.assignments.models import Assignment, AssignmentStep, Reminder, Submission, SubmissionFile
from gongjian.core import audit
from gongjian.core.models import AuditEvent
from gongjian.daily.models import DailyReport, DailyTask
from gongjian.documents.models import Document
from gongjian.lights.services.cases import open_case
from gongjian.meetings import services as meetings
from gongjian.meetings.models import Decision, Meeting
from gongjian.reports.models import Problem, Report, ReportingPeriod
from tests.factories import PersonFactory, ProjectFactory, UnitFactory, UserFactory

NEW_APPS = ("meetings", "daily", "assignments", "documents")
MOVED = {
    "meeting": "meetings",
    "decision": "meetings",
    "dailyreport": "daily",
    "dailytask": "daily",
    "assignment": "assignments",
    "assignmentstep": "assignments",
    "submission": "assignments",
    "submissionfile": "assignments",
    "reminder": "assignments",
    "document": "documents",
}


def _before(executor: MigrationExecutor) -> list[tuple[str, str | None]]:
    """The schema before the split: dispatch at its last migration then, the new apps absent, and every other app
    as it is (none of them names the new apps yet; one that comes to must be pinned here)."""
    leaves = [node for node in executor.loader.graph.leaf_nodes() if node[0] not in (*NEW_APPS, "dispatch")]
    return [*leaves, ("dispatch", "0002_edited_objects_version"), *((app, None) for app in NEW_APPS)]


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor


def _old_district(old, office, reporter) -> dict:
    """Rows of every model dispatch had, written with its models as they were, linked to each other and to units,
    people, projects, a case, a problem and accounts of the apps below."""
    unit, team = UnitFactory(name="住建局"), UnitFactory(name="第一征迁工作队", kind="service_team")
    chair, member = PersonFactory(name="王区长"), PersonFactory(name="李工", unit=unit)
    project = ProjectFactory(name="棚户区改造安置房", responsible_unit=unit)
    now = timezone.now()
    period = ReportingPeriod.objects.create(
        kind="dekad",
        code="2026-11-2",
        opens_at=now - dt.timedelta(days=1),
        deadline=now + dt.timedelta(days=9),
    )
    report = Report.objects.create(project=project, period=period, state="approved")
    problem = Problem.objects.create(
        report=report, project=project, category="land", unit_asked=unit, description="安置用地指标未落实"
    )
    case = open_case(
        project,
        kind="decision",
        title="协调安置用地",
        reasons=["调度会交办"],
        owner=unit,
        period_code="2026-11-2",
    )
    M = {
        name: old.get_model("dispatch", name)
        for name in (
            "Meeting",
            "Decision",
            "DailyReport",
            "DailyTask",
            "Assignment",
            "AssignmentStep",
            "Submission",
            "SubmissionFile",
            "Reminder",
            "Document",
        )
    }
    meeting = M["Meeting"].objects.create(
        kind="monthly",
        title="11月重点项目调度会",
        held_at=now,
        chair_id=chair.pk,
        agenda=[{"section": "red", "text": "棚户区改造安置房亮红灯", "project_id": project.pk}],
        created_by_id=office.pk,
        version=3,
    )
    meeting.attendees.set([chair.pk, member.pk])
    meeting.projects.set([project.pk])
    decision = M["Decision"].objects.create(
        meeting=meeting,
        number=1,
        text="协调安置用地",
        owner_id=unit.pk,
        assignee_id=member.pk,
        deadline=dt.date(2026, 12, 10),
        problem_id=problem.pk,
        case_id=case.pk,
    )
    decision.projects.set([project.pk])
    daily = M["DailyReport"].objects.create(
        team_id=team.pk,
        day=dt.date(2026, 11, 20),
        done="入户 12 户",
        households_signed=3,
        filed_by_id=reporter.pk,
        filed_at=now,
        version=2,
    )
    task = M["DailyTask"].objects.create(
        team_id=team.pk, day=dt.date(2026, 11, 21), text="完成东片区丈量", deployed_by_id=office.pk
    )
    assignment = M["Assignment"].objects.create(
        title="现场会后报送推进措施",
        instructions="一周内讨论，两周内报送",
        meeting=meeting,
        created_by_id=office.pk,
    )
    assignment.units.set([unit.pk])
    step = M["AssignmentStep"].objects.create(
        assignment=assignment, name="组织讨论", deadline=dt.date(2026, 11, 27)
    )
    submission = M["Submission"].objects.create(
        step=step, unit_id=unit.pk, text="已专题讨论", submitted_at=now, submitted_by_id=reporter.pk
    )
    file = M["SubmissionFile"].objects.create(
        submission=submission, file="dispatch/2026/11/措施.pdf", name="措施.pdf", size=1024
    )
    reminder = M["Reminder"].objects.create(step=step, unit_id=unit.pk, day=dt.date(2026, 11, 26))
    document = M["Document"].objects.create(
        kind="minutes",
        meeting=meeting,
        title="11月重点项目调度会纪要",
        sections=[{"key": "facts", "heading": "会议基本情况", "text": "……"}],
        state="issued",
        number="区发改纪〔2026〕1号",
        content=b"PK\x03\x04docx",
        created_by_id=office.pk,
        issued_by_id=office.pk,
        issued_at=now,
    )
    return {
        "unit": unit,
        "team": team,
        "chair": chair,
        "member": member,
        "project": project,
        "problem": problem,
        "case": case,
        "meeting": meeting.pk,
        "decision": decision.pk,
        "daily": daily.pk,
        "task": task.pk,
        "assignment": assignment.pk,
        "step": step.pk,
        "submission": submission.pk,
        "file": file.pk,
        "reminder": reminder.pk,
        "document": document.pk,
    }


def _permissions_as_before(old) -> dict:
    """What ``migrate`` had made of dispatch before: its content types and their permissions (the roles' groups
    were given them by the sync after it), as the old models name them."""
    OldContentType = old.get_model("contenttypes", "ContentType")
    OldPermission = old.get_model("auth", "Permission")
    assert not OldContentType.objects.filter(app_label__in=NEW_APPS).exists()
    ids = {}
    for model in MOVED:
        content_type, _new = OldContentType.objects.get_or_create(app_label="dispatch", model=model)
        codenames = [f"{verb}_{model}" for verb in ("add", "change", "delete", "view")]
        codenames += ["run_dispatch"] if model == "meeting" else []
        for codename in codenames:
            permission, _new = OldPermission.objects.get_or_create(
                content_type=content_type, codename=codename, defaults={"name": codename}
            )
            ids[(model, codename)] = permission.pk
    return ids


@pytest.mark.django_db(transaction=True)
def test_one_migrate_from_before_the_split_keeps_every_row_link_permission_and_audit_event():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    before = _before(executor)
    try:
        # given a database at the schema before the split, with dispatch's rows and grants in it
        old = _migrate(before).loader.project_state([node for node in before if node[1]]).apps
        office, reporter = UserFactory(username="office"), UserFactory(username="reporter")
        rows = _old_district(old, office, reporter)
        permission_ids = _permissions_as_before(old)
        clerks = Group.objects.create(name="调度文员")
        clerks.permissions.set(
            [
                permission_ids[("meeting", "run_dispatch")],
                permission_ids[("document", "view_document")],
                permission_ids[("dailyreport", "add_dailyreport")],
            ]
        )
        reporter.user_permissions.set([permission_ids[("submission", "add_submission")]])
        audit.record(
            "dispatch.meeting.create",
            actor=office,
            object_type="dispatch.meeting",
            object_id=str(rows["meeting"]),
            object_repr="11月重点项目调度会",
            only_changes=False,
            after={"title": "11月重点项目调度会"},
        )
        audit.seal()
        sealed = AuditEvent.objects.values_list("seq", "hash").get(action="dispatch.meeting.create")
        tables = set(connection.introspection.table_names())
        assert {"dispatch_meeting", "dispatch_decision_projects", "dispatch_assignment_units"} <= tables
        assert not any(t.startswith(("meetings_", "daily_", "assignments_", "documents_")) for t in tables)

        # when it is migrated in one go
        _migrate(latest)
    finally:
        _migrate(latest)

    # then the new apps' models read every row, with its links
    tables = set(connection.introspection.table_names())
    assert not any(t.startswith("dispatch_") for t in tables)
    assert {
        "meetings_meeting_attendees",
        "meetings_decision_projects",
        "assignments_assignment_units",
    } <= tables
    meeting = Meeting.objects.get(pk=rows["meeting"])
    assert (meeting.title, meeting.version, meeting.chair, meeting.created_by) == (
        "11月重点项目调度会",
        3,
        rows["chair"],
        office,
    )
    assert meeting.agenda[0]["project_id"] == rows["project"].pk
    assert set(meeting.attendees.all()) == {rows["chair"], rows["member"]}
    assert list(meeting.projects.all()) == [rows["project"]]
    decision = Decision.objects.get(pk=rows["decision"])
    assert (decision.meeting, decision.owner, decision.assignee, decision.problem, decision.case) == (
        meeting,
        rows["unit"],
        rows["member"],
        rows["problem"],
        rows["case"],
    )
    assert list(decision.projects.all()) == [rows["project"]] and rows["case"].decision == decision
    daily = DailyReport.objects.get(pk=rows["daily"])
    assert (daily.team, daily.households_signed, daily.filed_by, daily.version) == (
        rows["team"],
        3,
        reporter,
        2,
    )
    assert DailyTask.objects.get(pk=rows["task"]).deployed_by == office
    assignment = Assignment.objects.get(pk=rows["assignment"])
    assert assignment.meeting == meeting and list(assignment.units.all()) == [rows["unit"]]
    step = AssignmentStep.objects.get(pk=rows["step"])
    assert step.assignment == assignment
    submission = Submission.objects.get(pk=rows["submission"])
    assert (submission.step, submission.unit, submission.submitted_by) == (step, rows["unit"], reporter)
    file = SubmissionFile.objects.get(pk=rows["file"])
    assert (
        file.submission == submission and file.file.name == "dispatch/2026/11/措施.pdf"
    )  # stored where it was
    assert Reminder.objects.get(pk=rows["reminder"]).step == step
    document = Document.objects.get(pk=rows["document"])
    assert document.meeting == meeting and bytes(document.content) == b"PK\x03\x04docx"
    assert list(meeting.documents.all()) == [document] and list(meeting.assignments.all()) == [assignment]

    # the permissions are the same rows, now of the new apps, still granted to the group and the account
    assert not ContentType.objects.filter(app_label="dispatch").exists()
    for (model, codename), pk in permission_ids.items():
        permission = Permission.objects.select_related("content_type").get(pk=pk)
        assert (permission.content_type.app_label, permission.content_type.model, permission.codename) == (
            MOVED[model],
            model,
            codename,
        )
    assert set(
        Group.objects.get(name="调度文员").permissions.values_list("content_type__app_label", "codename")
    ) == {("meetings", "run_dispatch"), ("documents", "view_document"), ("daily", "add_dailyreport")}
    reporter.refresh_from_db()
    assert reporter.has_perm("assignments.add_submission") and not reporter.has_perm("meetings.run_dispatch")
    assert Permission.objects.get(
        pk=permission_ids[("meeting", "view_meeting")]
    ).content_type == ContentType.objects.get_for_model(Meeting)

    # the audit trail is as it was sealed, and its page still reads the old event in words
    assert AuditEvent.objects.values_list("seq", "hash").get(action="dispatch.meeting.create") == sealed
    assert audit.verify_chain().ok
    assert audit.action_label("dispatch.meeting.create", "dispatch.meeting") == "新建调度会"
    assert (
        audit.action_label("dispatch.meeting.delete", "dispatch.meeting") == "删除（dispatch.meeting.delete）"
    )

    # and the new models take new rows after the old ones (the tables' id sequences came with them)
    added = meetings.create_meeting(kind="special", title="专题调度会", held_at=timezone.now(), actor=None)
    assert added.pk > rows["meeting"]
    assert Document.objects.create(kind="briefing", title="通报", period_code="2026-11").pk > rows["document"]


@pytest.mark.django_db
def test_the_audit_page_reads_events_recorded_under_dispatch_in_words(client, make_user):
    auditor = make_user("audit_admin", username="auditor")
    audit.record(
        "dispatch.document.issue",
        object_type="dispatch.document",
        object_id="7",
        object_repr="11月重点项目调度会纪要",
        only_changes=False,
        after={"number": "1号"},
    )
    audit.record(
        "dispatch.submission.delete",
        object_type="dispatch.submission",
        object_id="3",
        object_repr="住建局 组织讨论",
        only_changes=False,
    )
    client.force_login(auditor)
    page = client.get("/system/audit/").content.decode()
    assert "印发公文" in page and "11月重点项目调度会纪要" in page
    assert "删除（dispatch.submission.delete）" in page and "住建局 组织讨论" in page


def test_a_new_database_takes_dispatchs_tables_over_after_dispatch_made_them_and_before_it_lets_them_go():
    plan = [
        f"{app}.{name}"
        for app, name in MigrationLoader(None, ignore_no_migrations=True).graph.forwards_plan(
            ("dispatch", "0003_split_into_apps")
        )
    ]
    for app in NEW_APPS:
        assert (
            plan.index("dispatch.0002_edited_objects_version")
            < plan.index(f"{app}.0001_initial")
            < plan.index("dispatch.0003_split_into_apps")
        )
