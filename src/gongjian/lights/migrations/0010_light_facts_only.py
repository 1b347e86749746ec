# The lights keep their facts only: written apart from 0009, whose filling of the rows leaves PostgreSQL with
# deferred checks that forbid altering the table in the same transaction.

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
    ]
