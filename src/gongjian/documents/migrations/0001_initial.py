"""Dispatch's briefings and minutes become this app's, with every row."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("dispatch", "0002_edited_objects_version"),
        ("meetings", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The tables dispatch's migrations made (on this database or an earlier one) become this app's as they
        # are: nothing is done to the database here...
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Document",
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
                                choices=[("briefing", "调度情况通报"), ("minutes", "会议纪要")],
                                max_length=10,
                                verbose_name="类型",
                            ),
                        ),
                        ("period_code", models.CharField(blank=True, max_length=12, verbose_name="期别")),
                        ("title", models.CharField(max_length=200, verbose_name="标题")),
                        ("sections", models.JSONField(default=list, verbose_name="正文")),
                        (
                            "state",
                            models.CharField(
                                choices=[("draft", "草稿"), ("issued", "已印发")],
                                default="draft",
                                max_length=10,
                                verbose_name="状态",
                            ),
                        ),
                        ("number", models.CharField(blank=True, max_length=40, verbose_name="文号")),
                        ("issue", models.PositiveIntegerField(blank=True, null=True, verbose_name="期数")),
                        ("content", models.BinaryField(blank=True, null=True, verbose_name="印发文件")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="起草时间")),
                        ("issued_at", models.DateTimeField(blank=True, null=True, verbose_name="印发时间")),
                        ("version", models.PositiveIntegerField(default=1, verbose_name="版本")),
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
                            "issued_by",
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
                        "db_table": "dispatch_document",
                        "verbose_name": "通报与纪要",
                        "verbose_name_plural": "通报与纪要",
                        "ordering": ["-created_at", "-id"],
                    },
                ),
                migrations.AddField(
                    model_name="document",
                    name="meeting",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="documents",
                        to="meetings.meeting",
                        verbose_name="会议",
                    ),
                ),
            ]
        ),
        # ...then they take this app's names, rows and all (the many-to-many tables with them).
        migrations.AlterModelTable(name="document", table=None),
    ]
