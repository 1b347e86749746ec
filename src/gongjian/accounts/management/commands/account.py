"""``gongjian account``: the administrators' own credentials, on the server console only (三员分立: no
administrator changes another's through the web). Every operation names its operator and is audited.

    gongjian account reset-password secadmin --operator 张三        # prints a temporary password
    gongjian account set-roles wang --role audit_admin --operator 张三
    gongjian account remove-otp auditor --operator 张三             # a lost phone
    gongjian account unlock sysadmin --operator 张三
    gongjian account sign-out sysadmin --operator 张三
"""

import sys

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from gongjian.accounts import services
from gongjian.accounts.models import User
from gongjian.accounts.roles import Role


class Command(BaseCommand):
    help = (
        "Reset a password, set roles, remove the second factor, unlock or sign out an account from the server "
        "console — the only way for the three administrators' accounts. --operator names who does it; it goes "
        "into the audit trail with the operating-system user."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "operation", choices=["reset-password", "set-roles", "remove-otp", "unlock", "sign-out"]
        )
        parser.add_argument("username")
        parser.add_argument(
            "--operator", required=True, help="the name of the person at the console, e.g. 张三"
        )
        parser.add_argument(
            "--role",
            dest="roles",
            action="append",
            default=[],
            choices=Role.values,
            metavar="ROLE",
            help="for set-roles: a role code; repeat for several",
        )
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="for reset-password: read the new password from standard input instead of "
            "generating a temporary one (it must still be changed at the next sign-in)",
        )

    def handle(self, *args, operation, username, operator, roles, password_stdin, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account is called '{username}'.")
        if not operator.strip():
            raise CommandError("--operator must name the person at the console.")
        try:
            if operation == "reset-password":
                password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
                raw = services.reset_password_from_console(user, operator=operator, password=password or None)
                self.stdout.write(f"Password of {username} reset; it must be changed at the next sign-in.")
                if not password:
                    self.stdout.write(f"Temporary password: {raw}")
            elif operation == "set-roles":
                if not roles:
                    raise CommandError("set-roles needs at least one --role.")
                services.assign_roles(user, roles, actor=None, operator=operator)
                self.stdout.write(f"Roles of {username}: {', '.join(sorted(set(roles)))}.")
            elif operation == "remove-otp":
                services.remove_otp(user, actor=None, operator=operator)
                self.stdout.write(f"Second factor of {username} removed; the next sign-in enrols a new one.")
            elif operation == "unlock":
                services.unlock_user(user, actor=None, operator=operator)
                self.stdout.write(f"{username} unlocked.")
            else:
                services.sign_out_everywhere(user, actor=None, operator=operator)
                self.stdout.write(f"Every session of {username} ended.")
        except (ValidationError, PermissionDenied) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            raise CommandError(" ".join(messages)) from exc
