# The lights keep their facts only, and their project is no longer checked by a foreign key in the database (the
# recompute holds the projects it lights instead: lights.services._hold_projects). Apart from 0009, whose filling
# of the rows leaves PostgreSQL with deferred checks that forbid altering the table in the same transaction.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("lights", "0009_light_facts"),
    ]

    operations = [
        migrations.AlterField(
            model_name="light",
            name="as_of",
            field=models.DateField(verbose_name="判定日期"),
        ),
        migrations.RemoveField(
            model_name="light",
            name="dimensions",
        ),
        migrations.RemoveField(
            model_name="light",
            name="figures",
        ),
        migrations.AlterField(
            model_name="light",
            name="project",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="lights",
                to="projects.project",
                verbose_name="项目",
            ),
        ),
    ]
