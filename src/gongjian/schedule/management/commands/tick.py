"""``gongjian tick``: the scheduled checks (cron, e.g. hourly), as :mod:`gongjian.schedule` lists them."""

from django.core.management.base import BaseCommand

from gongjian.schedule import steps as schedule


class Command(BaseCommand):
    help = (
        "Run the scheduled checks, meant for cron (e.g. every hour): open the current ten-day period and "
        "month for reporting, remind reporters of reports due or missing, light every project for this year "
        "(opening cases for new reds), climb or remind overdue or silent cases, draft the assessment of "
        "periods past their deadline, tell the office of overdue rectification commitments, remind units of "
        "assignment steps due, remind units of stalled attraction leads, record expired API tokens and check "
        "the audit chain. Each step is recorded; a failing one does not stop the others (the exit status is 1 "
        "when any failed)."
    )

    def handle(self, *args, **options):
        record = schedule.run()
        for step in record.steps:
            if step["ok"]:
                self.stdout.write(f"{step['label']}：{step['summary']}（{step['seconds']:.2f} 秒）")
            else:
                self.stderr.write(f"{step['label']} 失败：{step['error']}")
        if not record.ok:
            raise SystemExit(1)
