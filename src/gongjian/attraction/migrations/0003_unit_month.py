"""Each unit's monthly attraction figures, kept by the services (attraction.UnitMonth), counted here once from
the records already there."""

from collections import defaultdict

import django.db.models.deletion
from django.db import migrations, models

BIG_YUAN = 5_000_000  # 500万元, as gongjian.attraction.rules.BIG_YUAN on the day of this migration
METRICS = (
    "trips",
    "leads",
    "signed_count",
    "signed_amount",
    "funds_amount",
    "starts",
    "big_projects",
    "foreign_usd",
)


def count(apps, schema_editor):
    """Count every unit's months from the records, in Python (a migration may not lean on today's queries)."""
    model = lambda name: apps.get_model("attraction", name)  # noqa: E731
    months = defaultdict(lambda: dict.fromkeys(METRICS, 0))
    for unit_id, day in model("Trip").objects.values_list("unit_id", "start_date").iterator():
        months[unit_id, day.year, day.month]["trips"] += 1
    for unit_id, found, started in (
        model("Lead").objects.values_list("unit_id", "found_on", "started_on").iterator()
    ):
        months[unit_id, found.year, found.month]["leads"] += 1
        if started is not None:
            months[unit_id, started.year, started.month]["starts"] += 1
    for unit_id, day, amount in model("Signing").objects.values_list("unit_id", "date", "amount").iterator():
        row = months[unit_id, day.year, day.month]
        row["signed_count"] += 1
        row["signed_amount"] += amount
        row["big_projects"] += amount >= BIG_YUAN
    tranches = model("Tranche").objects.values_list("unit_id", "date", "currency", "amount", "usd_amount")
    for unit_id, day, currency, amount, usd in tranches.iterator():
        if currency == "CNY":
            months[unit_id, day.year, day.month]["funds_amount"] += amount
        else:
            months[unit_id, day.year, day.month]["foreign_usd"] += usd or 0
    model("UnitMonth").objects.bulk_create(
        (
            model("UnitMonth")(unit_id=unit_id, year=year, month=month, **values)
            for (unit_id, year, month), values in months.items()
            if any(values.values())
        ),
        batch_size=2000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("attraction", "0002_lead_reserve"),
        ("org", "0002_region_boundary"),
    ]

    operations = [
        migrations.CreateModel(
            name="UnitMonth",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("year", models.PositiveSmallIntegerField(verbose_name="年度")),
                ("month", models.PositiveSmallIntegerField(verbose_name="月份")),
                ("trips", models.BigIntegerField(default=0, verbose_name="外出招商（次）")),
                ("leads", models.BigIntegerField(default=0, verbose_name="新增意向项目（个）")),
                ("signed_count", models.BigIntegerField(default=0, verbose_name="签约项目（个）")),
                ("signed_amount", models.BigIntegerField(default=0, verbose_name="签约金额（元）")),
                ("funds_amount", models.BigIntegerField(default=0, verbose_name="到位资金（元）")),
                ("starts", models.BigIntegerField(default=0, verbose_name="开工项目（个）")),
                ("big_projects", models.BigIntegerField(default=0, verbose_name="500万元以上项目（个）")),
                ("foreign_usd", models.BigIntegerField(default=0, verbose_name="实际利用外资（美元）")),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="org.unit",
                        verbose_name="单位",
                    ),
                ),
            ],
            options={
                "verbose_name": "单位月度招商数据",
                "verbose_name_plural": "单位月度招商数据",
                "indexes": [models.Index(fields=["year", "month", "unit"], name="unitmonth_year_month")],
                "constraints": [
                    models.UniqueConstraint(fields=("unit", "year", "month"), name="one_unit_month")
                ],
            },
        ),
        migrations.RunPython(count, migrations.RunPython.noop),
    ]
