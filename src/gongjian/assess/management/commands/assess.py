from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from gongjian.assess import services


class Command(BaseCommand):
    help = (
        "Assess a period (e.g. 2026-11-2 for 2026年11月中旬, 2026-11 for November) with the year's scheme and "
        "keep the results as a draft (replacing an earlier draft); --publish publishes them."
    )

    def add_arguments(self, parser):
        parser.add_argument("period")
        parser.add_argument("--publish", action="store_true")

    def handle(self, *args, period, publish, **options):
        try:
            run = services.run_assessment(period, actor=None)
            if publish:
                run = services.publish(run, actor=None)
        except (ValidationError, ValueError) as exc:
            raise CommandError("；".join(getattr(exc, "messages", [str(exc)]))) from exc
        self.stdout.write(
            f"{run.period_code} revision {run.revision} ({run.get_state_display()}): "
            f"{run.scores.count()} scores, {run.consequences.count()} consequences"
        )
