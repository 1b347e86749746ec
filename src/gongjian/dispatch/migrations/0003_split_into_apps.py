"""Dispatch became four apps — meetings, daily, assignments and documents — whose first migrations took over its
tables. Here its models' content types move to those apps, so that every permission granted on them (to a role's
group or to an account) and anything else keyed by content type stays as it was; then the models leave dispatch's
state. The database's tables are not touched here. The audit trail is left as written: its events keep the names
they were recorded under."""

from django.conf import settings
from django.db import migrations

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


def _move(apps, schema_editor, *, forwards: bool) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    LogEntry = apps.get_model("admin", "LogEntry")
    db = schema_editor.connection.alias
    for model, app in MOVED.items():
        source, target = ("dispatch", app) if forwards else (app, "dispatch")
        old = ContentType.objects.using(db).filter(app_label=source, model=model).first()
        if old is None:  # a new database: the content types are made after the migrations
            continue
        new = ContentType.objects.using(db).filter(app_label=target, model=model).first()
        if new is None:
            old.app_label = target
            old.save(update_fields=["app_label"])
            continue
        # Both exist when a partial migrate already made the new app's: keep those and carry the old ones'
        # grants and admin log over to them.
        for permission in Permission.objects.using(db).filter(content_type=old):
            twin = Permission.objects.using(db).filter(content_type=new, codename=permission.codename).first()
            if twin is None:
                permission.content_type = new
                permission.save(update_fields=["content_type"])
                continue
            twin.group_set.add(*permission.group_set.all())
            twin.user_set.add(*permission.user_set.all())
            permission.delete()
        LogEntry.objects.using(db).filter(content_type=old).update(content_type=new)
        old.delete()


def forwards(apps, schema_editor):
    _move(apps, schema_editor, forwards=True)


def backwards(apps, schema_editor):
    _move(apps, schema_editor, forwards=False)


class Migration(migrations.Migration):
    dependencies = [
        ("dispatch", "0002_edited_objects_version"),
        ("meetings", "0001_initial"),
        ("daily", "0001_initial"),
        ("assignments", "0001_initial"),
        ("documents", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Decision"),
                migrations.DeleteModel(name="Document"),
                migrations.DeleteModel(name="Reminder"),
                migrations.DeleteModel(name="SubmissionFile"),
                migrations.DeleteModel(name="Submission"),
                migrations.DeleteModel(name="AssignmentStep"),
                migrations.DeleteModel(name="Assignment"),
                migrations.DeleteModel(name="Meeting"),
                migrations.DeleteModel(name="DailyReport"),
                migrations.DeleteModel(name="DailyTask"),
            ]
        ),
    ]
