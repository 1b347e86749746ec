from django.core.management.base import BaseCommand

from gongjian.reports.services import tick


class Command(BaseCommand):
    help = ("Run the scheduled checks, meant for cron (e.g. every hour): open the current ten-day period and "
            "month for reporting when they are not open yet, and remind reporters once a day of reports due "
            "within a day or missing after the deadline.")

    def handle(self, *args, **options):
        result = tick()
        self.stdout.write(f"opened: {', '.join(result['opened']) or '-'}; reminded: {', '.join(result['reminded']) or '-'}")
