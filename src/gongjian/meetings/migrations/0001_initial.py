"""Dispatch's meetings and their decisions become this app's, with every row."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("dispatch", "0002_edited_objects_version"),
        ("lights", "0003_alter_case_kind_alter_case_project"),
        ("org", "0001_initial"),
        ("projects", "0002_project_coordinates"),
        ("reports", "0003_report_photos"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The tables dispatch's migrations made (on this database or an earlier one) become this app's as they
        # are: nothing is done to the database here...
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Meeting",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("daily", "日调度"),
                                    ("dekad", "旬调度"),
                                    ("monthly", "月度调度"),
                                    ("special", "专题调度"),
                                    ("onsite", "现场会"),
                                ],
                                max_length=10,
                                verbose_name="会议类型",
                            ),
                        ),
                        ("title", models.CharField(max_length=200, verbose_name="会议名称")),
                        ("held_at", models.DateTimeField(verbose_name="召开时间")),
                        ("place", models.CharField(blank=True, max_length=200, verbose_name="地点")),
                        (
                            "other_attendees",
                            models.CharField(blank=True, max_length=500, verbose_name="其他参会人员"),
                        ),
                        ("agenda", models.JSONField(default=list, verbose_name="议程")),
                        ("notes", models.TextField(blank=True, verbose_name="会议情况")),
                        (
                            "state",
                            models.CharField(
                                choices=[("planned", "筹备中"), ("held", "已召开")],
                                default="planned",
                                max_length=10,
                                verbose_name="状态",
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="创建时间")),
                        ("version", models.PositiveIntegerField(default=1, verbose_name="版本")),
                        (
                            "attendees",
                            models.ManyToManyField(
                                blank=True, related_name="meetings", to="org.person", verbose_name="参会人员"
                            ),
                        ),
                        (
                            "chair",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="chaired_meetings",
                                to="org.person",
                                verbose_name="主持人",
                            ),
                        ),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "projects",
                            models.ManyToManyField(
                                blank=True,
                                related_name="meetings",
                                to="projects.project",
                                verbose_name="调度项目",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "dispatch_meeting",
                        "verbose_name": "调度会",
                        "verbose_name_plural": "调度会",
                        "ordering": ["-held_at", "-id"],
                        "permissions": [("run_dispatch", "组织调度会、交办事项和通报")],
                    },
                ),
                migrations.CreateModel(
                    name="Decision",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("number", models.PositiveIntegerField(verbose_name="序号")),
                        ("text", models.TextField(verbose_name="事项")),
                        ("deadline", models.DateField(verbose_name="完成时限")),
                        (
                            "assignee",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="decisions",
                                to="org.person",
                                verbose_name="责任人",
                            ),
                        ),
                        (
                            "case",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="decision",
                                to="lights.case",
                                verbose_name="督办件",
                            ),
                        ),
                        (
                            "owner",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="decisions",
                                to="org.unit",
                                verbose_name="责任单位",
                            ),
                        ),
                        (
                            "problem",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="decisions",
                                to="reports.problem",
                                verbose_name="相关问题",
                            ),
                        ),
                        (
                            "projects",
                            models.ManyToManyField(
                                blank=True,
                                related_name="decisions",
                                to="projects.project",
                                verbose_name="相关项目",
                            ),
                        ),
                        (
                            "meeting",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="decisions",
                                to="meetings.meeting",
                                verbose_name="调度会",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "dispatch_decision",
                        "verbose_name": "交办事项",
                        "verbose_name_plural": "交办事项",
                        "ordering": ["meeting", "number"],
                        "constraints": [
                            models.UniqueConstraint(fields=("meeting", "number"), name="one_decision_number")
                        ],
                    },
                ),
            ]
        ),
        # ...then they take this app's names, rows and all (the many-to-many tables with them).
        migrations.AlterModelTable(name="meeting", table=None),
        migrations.AlterModelTable(name="decision", table=None),
    ]
