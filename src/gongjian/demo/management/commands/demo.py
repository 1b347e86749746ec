"""``gongjian demo``: from a fresh install to a district to click through, in one command."""

import unicodedata
from datetime import date

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from gongjian.accounts.roles import role_label
from gongjian.core.models import SystemSetting
from gongjian.core.money import format_money
from gongjian.demo.loader import DEMO_SETTING, DemoAlreadyLoaded, DemoError, DemoSummary, load_demo
from gongjian.jobs.management.commands.serve import DEFAULT_ADDR, site_url


def _width(text: str) -> int:
    # Chinese characters take two columns in a terminal.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)


def _year(value: str) -> int:
    year = int(value)
    if not 2001 <= year <= 2099:
        raise ValueError(value)
    return year


class Command(BaseCommand):
    help = (
        "Create or upgrade the database, load the demo district (泉山区: 36 key projects worth 31.2亿元 with "
        "10.38亿元 planned this year, its departments, streets, parks, headquarters and leaders, and one account "
        "per role), print the accounts and serve it. A database that already holds projects is kept as it is "
        "unless --reset is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-serve",
            action="store_true",
            help="load the demo and exit instead of starting the web server",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="delete the registry and organisation data (projects, units, people) and the demo "
            "accounts, then load the demo again; other accounts, roles and the audit trail stay",
        )
        parser.add_argument(
            "--year",
            type=_year,
            metavar="YYYY",
            help="year of the annual plans (default: this year in Asia/Shanghai)",
        )
        parser.add_argument(
            "--as-of",
            type=date.fromisoformat,
            metavar="YYYY-MM-DD",
            help="day the demo's progress stops: milestones and approvals due before it are done "
            "or late, later ones open (default: today for this year)",
        )
        parser.add_argument(
            "--addr",
            default=DEFAULT_ADDR,
            metavar="HOST:PORT",
            help=f"address to serve on (default: {DEFAULT_ADDR})",
        )

    def handle(self, *args, no_serve, reset, year, as_of, addr, **options):
        url = site_url(addr)
        call_command("migrate", interactive=False, verbosity=0)
        try:
            summary = load_demo(year=year or (as_of.year if as_of else None), as_of=as_of, reset=reset)
        except DemoAlreadyLoaded as exc:
            self.stdout.write(self.style.WARNING(str(exc)))
            self.stdout.write("Keeping the data that is there.")
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        else:
            self.print_summary(summary)
        self.print_accounts()
        self.stdout.write(f"\nOpen {url} and sign in with one of these accounts.")
        if not no_serve:
            call_command("serve", addr=addr)

    def print_summary(self, s: DemoSummary) -> None:
        self.stdout.write(
            self.style.SUCCESS(f"Loaded the demo district 泉山区 for {s.year} (as of {s.as_of}):")
        )
        self.stdout.write(
            f"  {s.projects} key projects: {s.new} new, {s.continuing} continuing; "
            f"{s.industry} industrial, {s.commerce} commercial\n"
            f"  total investment {format_money(s.total_investment)}, planned for {s.year} "
            f"{format_money(s.annual_plan)}\n"
            f"  {s.regions} regions, {s.units} units ({s.enterprises} enterprises), {s.people} people"
        )

    def print_accounts(self) -> None:
        demo = SystemSetting.get(DEMO_SETTING) or {}
        accounts = demo.get("accounts", [])
        if not accounts:
            self.stdout.write("No demo accounts are recorded in this database.")
            return
        rows = [("username", "role", "name")]
        rows += [(a["username"], role_label(a["role"]), a["name"]) for a in accounts]
        widths = [max(_width(row[i]) for row in rows) + 2 for i in range(2)]
        self.stdout.write(
            f"\nDemo accounts (password for all: {demo.get('password', '')}; no second factor is "
            "required in the demo — the security administrator switches it on per role at "
            "/accounts/security/policy/):"
        )
        for i, (username, label, name) in enumerate(rows):
            line = f"  {_pad(username, widths[0])}{_pad(label, widths[1])}{name}"
            self.stdout.write(self.style.MIGRATE_HEADING(line) if i == 0 else line)
