from django.core.management.base import BaseCommand

from gongjian.reports.services import tick


class Command(BaseCommand):
    help = ("Run the scheduled checks, meant for cron (e.g. every hour): open the current ten-day period and "
            "month for reporting when they are not open yet, remind reporters once a day of reports due within a "
            "day or missing after the deadline, light every project for this year (opening cases for new reds), "
            "climb or remind the cases that are overdue or silent, draft the assessment of periods past their "
            "deadline, tell the project office of interview commitments past their deadline, and remind units of "
            "assignment steps due or overdue.")

    def handle(self, *args, **options):
        from gongjian.lights import cases
        from gongjian.lights.services import recompute

        result = tick()
        self.stdout.write(f"opened: {', '.join(result['opened']) or '-'}; "
                          f"reminded: {', '.join(result['reminded']) or '-'}")
        lights = recompute()
        self.stdout.write(f"lights: {lights.lights} computed, {lights.changed} changed, "
                          f"{lights.cases_opened} cases opened ({lights.seconds.get('total', 0):.2f} s)")
        handled = cases.tick()
        self.stdout.write(f"cases: {handled['climbed']} climbed, {handled['reminded']} reminded")
        from gongjian.assess.followup import remind_overdue
        from gongjian.assess.services import run_due

        assessed = run_due()
        self.stdout.write(f"assessed (drafts): {', '.join(assessed) or '-'}")
        self.stdout.write(f"rectification commitments past their deadline, office told: {remind_overdue()}")
        from gongjian.dispatch.assignments import remind

        self.stdout.write(f"assignment hand-ins reminded: {remind()}")
        from datetime import timedelta

        from django.utils import timezone

        from gongjian.accounts.services import record_token_expiries
        from gongjian.core import audit

        self.stdout.write(f"API tokens expired (audited): {record_token_expiries()}")
        verdict = audit.check_and_remember(since=timezone.now() - timedelta(days=1))
        scope = "last day's"
        if verdict.ok and audit.full_check_due():
            verdict, scope = audit.check_and_remember(), "whole chain's"
        if verdict.ok:
            self.stdout.write(f"audit chain: the {scope} {verdict.checked} event(s) intact")
        else:
            self.stderr.write(f"audit chain BROKEN: {verdict.broken}")
