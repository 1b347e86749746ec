"""``gongjian worker``: run the queued background work (recomputes, assessment runs, imports, exports,
documents) until stopped. In production run it beside the web server (see the README's systemd unit); in the
embedded mode ``gongjian serve`` runs one in a thread and this command is not needed."""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run queued background tasks until stopped (Ctrl+C or SIGTERM finishes the running task first)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval", type=float, default=1.0, help="seconds to wait when the queue is empty (default: 1)"
        )
        parser.add_argument("--batch", action="store_true", help="stop when the queue is empty")

    def handle(self, *args, interval, batch, **options):
        call_command(
            "db_worker",
            interval=interval,
            batch=batch,
            reload=False,
            startup_delay=False,
            verbosity=options.get("verbosity", 1),
        )
