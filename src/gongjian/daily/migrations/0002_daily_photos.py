"""Photos of a team's day (日报照片). Unapplied, the model takes its content type and permissions with it, so a
database taken back to before it (as the upgrade test takes one to before the dispatch split) holds none."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import gongjian.daily.models


def _forget_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    ContentType.objects.using(db).filter(app_label="daily", model="dailyphoto").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("daily", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="DailyPhoto",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "image",
                    models.FileField(
                        max_length=200, upload_to=gongjian.daily.models._photo_path, verbose_name="照片"
                    ),
                ),
                (
                    "thumbnail",
                    models.FileField(
                        max_length=200, upload_to=gongjian.daily.models._thumbnail_path, verbose_name="缩略图"
                    ),
                ),
                ("original_name", models.CharField(max_length=200, verbose_name="文件名")),
                ("content_type", models.CharField(max_length=20, verbose_name="类型")),
                ("size", models.PositiveIntegerField(verbose_name="大小（字节）")),
                ("sha256", models.CharField(max_length=64, verbose_name="SHA-256")),
                ("width", models.PositiveIntegerField(verbose_name="宽")),
                ("height", models.PositiveIntegerField(verbose_name="高")),
                ("taken_at", models.DateTimeField(blank=True, null=True, verbose_name="拍摄时间")),
                (
                    "latitude",
                    models.DecimalField(
                        blank=True, decimal_places=6, max_digits=8, null=True, verbose_name="拍摄纬度"
                    ),
                ),
                (
                    "longitude",
                    models.DecimalField(
                        blank=True, decimal_places=6, max_digits=9, null=True, verbose_name="拍摄经度"
                    ),
                ),
                ("flags", models.JSONField(blank=True, default=list, verbose_name="提示")),
                ("uploaded_at", models.DateTimeField(auto_now_add=True, verbose_name="上传时间")),
                (
                    "report",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="photos",
                        to="daily.dailyreport",
                    ),
                ),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="上传人",
                    ),
                ),
            ],
            options={
                "verbose_name": "日报照片",
                "verbose_name_plural": "日报照片",
                "ordering": ["report", "uploaded_at", "id"],
                "constraints": [
                    models.UniqueConstraint(fields=("report", "sha256"), name="daily_photo_once")
                ],
            },
        ),
        migrations.RunPython(migrations.RunPython.noop, _forget_content_type),
    ]
