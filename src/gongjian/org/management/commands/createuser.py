"""``gongjian createuser``: an account with its roles and the person behind it, from the command line.

The first accounts of an installation (the three administrators, the project office) have nobody to create them
in the web interface, so the command line does it, through the same service the admin pages use: passwords are
validated, the three administrators stay separate (三员分立) and the creation is audited.
"""

import getpass
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, DjangoHelpFormatter
from django.db import transaction
from django.db.models import Q

from gongjian.accounts.roles import ADMIN_ROLES, Role
from gongjian.accounts.services import check_role_combination, create_user
from gongjian.core import audit
from gongjian.org.models import Person, Unit


class _HelpFormatter(DjangoHelpFormatter):
    """Wraps paragraphs as usual but keeps text of several lines (the role table) as written."""

    def _fill_text(self, text, width, indent):
        if "\n" in text:
            return "\n".join(indent + line for line in text.splitlines())
        return super()._fill_text(text, width, indent)


def _roles_epilog() -> str:
    width = max(len(code) for code in Role.values) + 2
    lines = ["roles:"] + [f"  {code:<{width}}{label}" for code, label in Role.choices]
    admins = ", ".join(str(role) for role in Role if role in ADMIN_ROLES)
    lines += [
        "",
        f"The three administrators (三员: {admins})",
        "each need an account of their own: none is combined with any other role.",
        "",
        "example:",
        "  gongjian createuser zhangsan --role unit_reporter --name 张三 --unit 工信局",
    ]
    return "\n".join(lines)


def _messages(exc: ValidationError) -> str:
    return " ".join(exc.messages)


class Command(BaseCommand):
    help = (
        "Create an account with one or more roles and link it to a person (人员) in a unit; the unit decides which "
        "projects the account sees. Asks for the password twice in a terminal, or reads it from standard input "
        "with --password-stdin."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.formatter_class = _HelpFormatter
        parser.epilog = _roles_epilog()
        return parser

    def add_arguments(self, parser):
        parser.add_argument("username", help="the login name, e.g. zhangsan")
        parser.add_argument(
            "--role",
            dest="roles",
            action="append",
            required=True,
            choices=Role.values,
            metavar="ROLE",
            help="a role code from the list below; repeat for several roles",
        )
        parser.add_argument("--name", default="", help="the person's name, e.g. 张三 (default: the username)")
        parser.add_argument("--unit", help="the person's unit by name or short name, e.g. 发改局")
        parser.add_argument("--post", default="", help="the person's post, e.g. 科长")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from the first line of standard input (for scripts)",
        )

    def handle(self, *args, username, roles, name, unit, post, password_stdin, **options):
        # Check everything that needs no password first, so nobody types one in twice for nothing.
        try:
            roles = check_role_combination(roles)
        except ValidationError as exc:
            raise CommandError(_messages(exc)) from exc
        unit_obj = self.find_unit(unit) if unit else None
        password = self.read_password(password_stdin)
        try:
            with transaction.atomic():
                user = create_user(username=username, password=password, full_name=name, roles=roles)
                person = self.link_person(user, name or username, unit_obj, post)
        except ValidationError as exc:
            raise CommandError(_messages(exc)) from exc
        where = f" in {person.unit.name}" if person.unit else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"Created account {user.username} ({', '.join(roles)}) for {person.name}{where}."
            )
        )

    def find_unit(self, text: str) -> Unit:
        matches = list(Unit.objects.filter(Q(name=text) | Q(short_name=text)))
        if not matches:
            raise CommandError(
                f"No unit is called '{text}'. Units are added in the admin pages or by import."
            )
        if len(matches) > 1:
            names = ", ".join(u.name for u in matches)
            raise CommandError(f"'{text}' names several units ({names}); give the full name.")
        return matches[0]

    def read_password(self, from_stdin: bool) -> str:
        if from_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        elif sys.stdin.isatty():
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The two passwords differ; nothing was created.")
        else:
            raise CommandError(
                "No password: run the command in a terminal to be asked for one, or pass "
                "--password-stdin and give it on standard input."
            )
        if not password:
            raise CommandError("The password is empty; nothing was created.")
        return password

    def link_person(self, user, name: str, unit: Unit | None, post: str) -> Person:
        """Link the person record the registry already has (same name, same unit, no account yet), or create it."""
        candidates = list(Person.objects.filter(name=name, unit=unit, user__isnull=True)[:2])
        if len(candidates) == 1:
            person = candidates[0]
            person.user = user
            if post and not person.post:
                person.post = post
        else:
            person = Person(name=name, unit=unit, post=post, user=user)
        created = person.pk is None
        person.full_clean()
        person.save()
        audit.record(
            "person.create" if created else "person.link_account",
            obj=person,
            after={"user": user.username, "unit": unit.pk if unit else None},
            only_changes=False,
        )
        return person
