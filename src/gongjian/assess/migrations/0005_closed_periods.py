"""The periods already published are closed (封账): a re-baselining may not take effect from them."""

from django.db import migrations

from gongjian.core.periods import Period


def close_published(apps, schema_editor):
    Run = apps.get_model("assess", "Run")
    ClosedPeriod = apps.get_model("core", "ClosedPeriod")
    for code in Run.objects.filter(state="published").values_list("period_code", flat=True).distinct():
        ClosedPeriod.objects.get_or_create(code=code, defaults={"ends_on": Period.parse(code).end})


class Migration(migrations.Migration):
    dependencies = [
        ("assess", "0004_edited_objects_version"),
        ("core", "0007_closed_period"),
    ]

    operations = [migrations.RunPython(close_published, migrations.RunPython.noop)]
