"""The ``gongjian`` command: Django's management commands under friendlier names.

    gongjian demo [--no-serve]     load the demo district (and serve it)
    gongjian serve                 run the web server
    gongjian migrate               create or upgrade the database
    gongjian createuser            create an account with roles
    gongjian import projects F     import projects from .xlsx or .csv
    gongjian export projects F     export projects to .xlsx
    gongjian tick                  scheduled checks (cron): open periods, send reminders
    gongjian account OP USER       reset-password, set-roles, remove-otp, unlock, sign-out (console only)
    gongjian audit verify          walk the audit trail's hash chain
    gongjian backup FILE           back up the database and uploaded files into one .tar(.gz) file
    gongjian restore FILE          restore a backup into an empty database, then check it

Any other Django management command works too (``gongjian check``, ``gongjian shell``).
"""

import os
import sys

COMMANDS = {
    "demo": "load the demo district (36 projects, every role's account) and serve it on 127.0.0.1:8000",
    "serve": "run the web server (gunicorn when GONGJIAN_ENV=production, otherwise Django's server)",
    "migrate": "create or upgrade the database schema",
    "createuser": "create an account and give it roles",
    "import": "import data from Excel or CSV: gongjian import projects FILE.xlsx",
    "export": "export data to Excel: gongjian export projects FILE.xlsx",
    "tick": "scheduled checks for cron: open due reporting periods, remind reporters of reports due",
    "account": "administrators' credentials on the console: gongjian account reset-password NAME --operator 张三",
    "audit": "the audit trail: gongjian audit verify | seal | export FILE.xlsx --since DATE --until DATE",
    "backup": "database and uploaded files into one file, while serving: gongjian backup FILE.tar.gz",
    "restore": "restore a backup into an empty database and check it: gongjian restore FILE.tar.gz [--check]",
}
ALIASES = {"import": "import_data", "export": "export_data"}


def usage() -> str:
    lines = ["usage: gongjian COMMAND [options]", "", "Commands:"]
    lines += [f"  {name:<12}{text}" for name, text in COMMANDS.items()]
    lines += [
        "",
        "Run 'gongjian COMMAND --help' for a command's options; any Django management command works too.",
        "Configuration comes from GONGJIAN_* environment variables (see .env.example).",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(usage())
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongjian.settings")
    from django.core.management import execute_from_command_line  # noqa: PLC0415  (the settings module is chosen above, before Django loads)

    command = ALIASES.get(argv[0], argv[0])
    execute_from_command_line(["gongjian", command, *argv[1:]])


if __name__ == "__main__":
    main()
