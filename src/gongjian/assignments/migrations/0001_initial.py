"""Dispatch's assignments, their steps, hand-ins, files and reminders become this app's, with every row."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("dispatch", "0002_edited_objects_version"),
        ("meetings", "0001_initial"),
        ("org", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The tables dispatch's migrations made (on this database or an earlier one) become this app's as they
        # are: nothing is done to the database here...
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AssignmentStep",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("name", models.CharField(max_length=100, verbose_name="环节")),
                        ("deadline", models.DateField(verbose_name="时限")),
                    ],
                    options={
                        "db_table": "dispatch_assignmentstep",
                        "verbose_name": "交办环节",
                        "verbose_name_plural": "交办环节",
                        "ordering": ["deadline", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="Reminder",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("day", models.DateField()),
                    ],
                    options={
                        "db_table": "dispatch_reminder",
                    },
                ),
                migrations.CreateModel(
                    name="Submission",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("text", models.TextField(blank=True, verbose_name="报送内容")),
                        ("submitted_at", models.DateTimeField(verbose_name="报送时间")),
                        ("version", models.PositiveIntegerField(default=1, verbose_name="版本")),
                    ],
                    options={
                        "db_table": "dispatch_submission",
                        "verbose_name": "报送",
                        "verbose_name_plural": "报送",
                    },
                ),
                migrations.CreateModel(
                    name="SubmissionFile",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("file", models.FileField(upload_to="assignments/%Y/%m/", verbose_name="附件")),
                        ("name", models.CharField(max_length=200, verbose_name="文件名")),
                        ("size", models.PositiveIntegerField(verbose_name="大小")),
                    ],
                    options={
                        "db_table": "dispatch_submissionfile",
                    },
                ),
                migrations.CreateModel(
                    name="Assignment",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("title", models.CharField(max_length=200, verbose_name="标题")),
                        ("instructions", models.TextField(verbose_name="要求")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="下发时间")),
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
                    ],
                    options={
                        "db_table": "dispatch_assignment",
                        "verbose_name": "任务交办",
                        "verbose_name_plural": "任务交办",
                        "ordering": ["-created_at", "-id"],
                    },
                ),
                migrations.AddField(
                    model_name="assignment",
                    name="meeting",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="assignments",
                        to="meetings.meeting",
                        verbose_name="来源会议",
                    ),
                ),
                migrations.AddField(
                    model_name="assignment",
                    name="units",
                    field=models.ManyToManyField(
                        related_name="assignments", to="org.unit", verbose_name="承办单位"
                    ),
                ),
                migrations.AddField(
                    model_name="assignmentstep",
                    name="assignment",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="steps",
                        to="assignments.assignment",
                    ),
                ),
                migrations.AddField(
                    model_name="reminder",
                    name="step",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reminders",
                        to="assignments.assignmentstep",
                    ),
                ),
                migrations.AddField(
                    model_name="reminder",
                    name="unit",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="org.unit"
                    ),
                ),
                migrations.AddField(
                    model_name="submission",
                    name="step",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="submissions",
                        to="assignments.assignmentstep",
                    ),
                ),
                migrations.AddField(
                    model_name="submission",
                    name="submitted_by",
                    field=models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AddField(
                    model_name="submission",
                    name="unit",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="submissions",
                        to="org.unit",
                        verbose_name="单位",
                    ),
                ),
                migrations.AddField(
                    model_name="submissionfile",
                    name="submission",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="files",
                        to="assignments.submission",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="reminder",
                    constraint=models.UniqueConstraint(
                        fields=("step", "unit", "day"), name="one_reminder_a_day"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="submission",
                    constraint=models.UniqueConstraint(fields=("step", "unit"), name="one_submission"),
                ),
            ]
        ),
        # ...then they take this app's names, rows and all (the many-to-many tables with them).
        migrations.AlterModelTable(name="assignment", table=None),
        migrations.AlterModelTable(name="assignmentstep", table=None),
        migrations.AlterModelTable(name="submission", table=None),
        migrations.AlterModelTable(name="submissionfile", table=None),
        migrations.AlterModelTable(name="reminder", table=None),
    ]
