from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from gongjian.assess import services
from gongjian.core.locking import ANY_VERSION
from gongjian.core.periods import Period


def _expand(texts: list[str]) -> list[str]:
    """Period codes, with FIRST..LAST ranges (of one kind) expanded: 2026-01-1..2026-12-3, 2026-01..2026-06."""
    codes = []
    for text in texts:
        first, _dots, last = text.partition("..")
        start = Period.parse(first)
        end = Period.parse(last) if last else start
        if last and start.kind != end.kind:
            raise ValueError(f"{text}: both ends of a range must be ten-day periods or both months")
        codes.extend(p.code for p in Period.range(start, end))
    return codes


class Command(BaseCommand):
    help = (
        "Assess periods (e.g. 2026-11-2 for 2026年11月中旬, 2026-11 for November, 2026-01-1..2026-12-3 for every "
        "ten-day period of the year) with the year's scheme and keep the results as drafts (replacing earlier "
        "drafts); several periods are assessed in one pass, leaving published ones as they are. A period still "
        "open for filing is assessed only as an early draft (提前试算) with --early REASON, and never published. "
        "--publish publishes them."
    )

    def add_arguments(self, parser):
        parser.add_argument("period", nargs="+")
        parser.add_argument("--publish", action="store_true")
        parser.add_argument(
            "--early",
            metavar="REASON",
            default="",
            help="why periods still open for filing are assessed now, as early drafts (提前试算)",
        )

    def handle(self, *args, period, publish, early, **options):
        try:
            codes = _expand(period)
            if len(codes) == 1:
                # The command line recomputes and publishes whatever drafts there are, on purpose.
                runs = [
                    services.run_assessment(
                        codes[0], actor=None, early_reason=early, expected_version=ANY_VERSION
                    )
                ]
            else:
                runs = services.run_assessments(codes, actor=None, early_reason=early, versions=ANY_VERSION)
            if publish:
                runs = [services.publish(run, actor=None, expected_version=run.version) for run in runs]
        except (ValidationError, ValueError) as exc:
            raise CommandError("；".join(getattr(exc, "messages", [str(exc)]))) from exc
        for run in runs:
            self.stdout.write(
                f"{run.period_code} revision {run.revision} ({run.get_state_display()}"
                f"{'，提前试算' if run.is_early() else ''}): "
                f"{run.scores.count()} scores, {run.consequences.count()} consequences"
            )
        skipped = sorted(set(codes) - {run.period_code for run in runs})
        if skipped:
            self.stdout.write(f"already published, left as they are: {', '.join(skipped)}")
