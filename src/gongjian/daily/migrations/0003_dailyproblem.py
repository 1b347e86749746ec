"""The problems a team's day asks the headquarters to coordinate (日报协调问题), each with the case it opened.
Unapplied, the model takes its content type and permissions with it (as 0002 does for the photos)."""

import django.db.models.deletion
from django.db import migrations, models


def _forget_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    ContentType.objects.using(db).filter(app_label="daily", model="dailyproblem").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("daily", "0002_daily_photos"),
        ("lights", "0007_light_investment_columns"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.CreateModel(
            name="DailyProblem",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("text", models.CharField(max_length=300, verbose_name="问题")),
                ("raised_at", models.DateTimeField(auto_now_add=True, verbose_name="提出时间")),
                (
                    "case",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="daily_problem",
                        to="lights.case",
                        verbose_name="督办件",
                    ),
                ),
                (
                    "report",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="problems",
                        to="daily.dailyreport",
                    ),
                ),
            ],
            options={
                "verbose_name": "日报协调问题",
                "verbose_name_plural": "日报协调问题",
                "ordering": ["report", "id"],
                "constraints": [
                    models.UniqueConstraint(fields=("report", "text"), name="daily_problem_once")
                ],
            },
        ),
        migrations.RunPython(migrations.RunPython.noop, _forget_content_type),
    ]
