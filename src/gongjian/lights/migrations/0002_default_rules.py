"""The default light rules of the design (002) as editable rows."""

from django.db import migrations

DEFAULTS = [
    (
        "investment",
        {"green_from_percent": 90, "yellow_from_percent": 70},
        "序时进度 90% 以上绿灯，70%–90% 黄灯",
    ),
    ("milestone", {"yellow_after_days": 0, "red_after_days": 30}, "节点逾期黄灯，逾期 30 天以上红灯"),
    ("missing", {"yellow_from": 1, "red_from": 2}, "未报一期黄灯，连续两期红灯"),
    ("problem", {"yellow_from_workdays": 0, "red_from_workdays": 10}, "问题逾期黄灯，逾期 10 个工作日红灯"),
    ("start", {"red_from_months_after": 1}, "计划开工次月仍未开工红灯"),
]


def add_defaults(apps, schema_editor):
    LightRule = apps.get_model("lights", "LightRule")
    if not LightRule.objects.exists():
        LightRule.objects.bulk_create(LightRule(dimension=d, params=p, note=n) for d, p, n in DEFAULTS)


class Migration(migrations.Migration):
    dependencies = [("lights", "0001_initial")]
    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
