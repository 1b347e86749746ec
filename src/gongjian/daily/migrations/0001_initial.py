"""Dispatch's daily reports and tasks of the service teams become this app's, with every row."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("dispatch", "0002_edited_objects_version"),
        ("org", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The tables dispatch's migrations made (on this database or an earlier one) become this app's as they
        # are: nothing is done to the database here...
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="DailyTask",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("day", models.DateField(verbose_name="日期")),
                        ("text", models.CharField(max_length=300, verbose_name="任务")),
                        ("deployed_at", models.DateTimeField(auto_now_add=True, verbose_name="部署时间")),
                        (
                            "deployed_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="部署人",
                            ),
                        ),
                        (
                            "team",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="daily_tasks",
                                to="org.unit",
                                verbose_name="工作队",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "dispatch_dailytask",
                        "verbose_name": "每日部署",
                        "verbose_name_plural": "每日部署",
                        "ordering": ["day", "team", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="DailyReport",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("day", models.DateField(verbose_name="日期")),
                        ("done", models.TextField(verbose_name="今日完成")),
                        (
                            "households_signed",
                            models.PositiveIntegerField(default=0, verbose_name="签约户数"),
                        ),
                        (
                            "buildings_demolished",
                            models.PositiveIntegerField(default=0, verbose_name="拆除房屋（处）"),
                        ),
                        (
                            "problems_solved",
                            models.PositiveIntegerField(default=0, verbose_name="解决问题（个）"),
                        ),
                        ("plan", models.TextField(blank=True, verbose_name="明日计划")),
                        ("needs", models.TextField(blank=True, verbose_name="需指挥部协调")),
                        ("filed_at", models.DateTimeField(verbose_name="填报时间")),
                        ("version", models.PositiveIntegerField(default=1, verbose_name="版本")),
                        (
                            "filed_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="填报人",
                            ),
                        ),
                        (
                            "team",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="daily_reports",
                                to="org.unit",
                                verbose_name="工作队",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "dispatch_dailyreport",
                        "verbose_name": "工作队日报",
                        "verbose_name_plural": "工作队日报",
                        "ordering": ["-day", "team"],
                        "constraints": [
                            models.UniqueConstraint(fields=("team", "day"), name="one_daily_report")
                        ],
                    },
                ),
            ]
        ),
        # ...then they take this app's names, rows and all (the many-to-many tables with them).
        migrations.AlterModelTable(name="dailyreport", table=None),
        migrations.AlterModelTable(name="dailytask", table=None),
    ]
