"""``gongjian audit``: the audit trail's hash chain and its export.

gongjian audit verify [--since 2026-12-01]   walk the chain; print the first broken link and exit 1
gongjian audit seal                          chain the events not sealed yet (normally done after each commit)
gongjian audit export 审计.xlsx --since 2026-06-01 --until 2026-12-31
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gongjian.core import audit
from gongjian.core.exports import audit_workbook
from gongjian.core.models import AuditEvent


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"'{text}' is not a date like 2026-12-01") from None


class Command(BaseCommand):
    help = "Verify, seal or export the audit trail (the hash chain of core/chain.py)."

    def add_arguments(self, parser):
        parser.add_argument("operation", choices=["verify", "seal", "export"])
        parser.add_argument("file", nargs="?", help="for export: the .xlsx file to write")
        parser.add_argument("--since", type=_day, help="first day (verify: from the first event of that day)")
        parser.add_argument("--until", type=_day, help="for export: last day")

    def handle(self, *args, operation, file, since, until, **options):
        if operation == "seal":
            self.stdout.write(f"sealed {audit.seal()} event(s)")
            return
        if operation == "export":
            if not file or not file.endswith(".xlsx"):
                raise CommandError("export needs a file name ending in .xlsx")
            events = AuditEvent.objects.all()
            if since:
                events = events.filter(occurred_at__date__gte=since)
            if until:
                events = events.filter(occurred_at__date__lte=until)
            response = audit_workbook(events, file)
            with open(file, "wb") as out:
                out.write(b"".join(response.streaming_content))
            audit.record(
                "audit.export",
                object_type="core.auditevent",
                only_changes=False,
                after={"since": str(since or ""), "until": str(until or ""), "file": file},
                note="服务器控制台",
            )
            self.stdout.write(f"wrote {file}")
            return
        start = timezone.make_aware(dt.datetime.combine(since, dt.time())) if since else None
        verdict = audit.check_and_remember(since=start)
        if verdict.ok:
            self.stdout.write(
                f"audit chain intact: {verdict.checked} event(s) checked, last seq {verdict.last_seq}"
            )
            return
        self.stderr.write(
            f"audit chain BROKEN after {verdict.checked} good event(s)\nfirst broken link: {verdict.broken}"
        )
        raise SystemExit(1)
