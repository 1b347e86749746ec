"""Issue 14: a run keeps the figures its scores were computed from (RunFigures) and writes each explanation from
them when it is read. The explanations kept with the scores of earlier runs stay where they are, shown as kept:
the field is renamed in the models only (``stored_explanation``), its column keeps its name and its rows."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("assess", "0005_closed_periods")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RenameField("score", "explanation", "stored_explanation"),
                migrations.AlterField(
                    model_name="score",
                    name="stored_explanation",
                    field=models.JSONField(
                        blank=True, db_column="explanation", default=list, verbose_name="计分说明"
                    ),
                ),
            ]
        ),
        migrations.CreateModel(
            name="RunFigures",
            fields=[
                (
                    "run",
                    models.OneToOneField(
                        on_delete=models.deletion.CASCADE,
                        primary_key=True,
                        related_name="figures",
                        serialize=False,
                        to="assess.run",
                    ),
                ),
                ("layout", models.PositiveSmallIntegerField(verbose_name="格式")),
                ("data", models.BinaryField(verbose_name="数据")),
            ],
            options={"verbose_name": "计分依据", "verbose_name_plural": "计分依据"},
        ),
    ]
