"""``gongjian restore FILE``: a backup into an empty database, then checked.

    gongjian restore /backup/gongjian-2026-11-30.tar.gz          # stop the server first
    gongjian restore /backup/gongjian-2026-11-30.tar.gz --check  # only check the file's checksums

Every checksum is verified before anything is written; afterwards every table's row count is compared with the
manifest and the audit chain is verified. See core/backup.py.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError

from gongjian.core.backup import BackupError, check_backup, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a backup made by 'gongjian backup' into the configured database, which must be empty (a "
        "new PostgreSQL database, or no SQLite file yet), and its media files into the media folder. The "
        "checksums are verified first; afterwards every table's row count is compared with the backup's "
        "and the audit chain is verified. Exits 1 if anything differs."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the backup file (.tar or .tar.gz)")
        parser.add_argument(
            "--check",
            action="store_true",
            help="only verify the file's checksums and print what it holds; restore nothing",
        )

    def handle(self, *args, file, check, **options):
        try:
            if check:
                check_backup(file, say=self.stdout.write)
                return
            result = restore_backup(file, say=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        except OperationalError as exc:
            raise CommandError(f"Could not reach the database ({exc}).") from exc
        if not result.ok:
            raise CommandError(
                "The restore finished, but it does not match the backup (see above); do not "
                "put this database into service before the differences are explained."
            )
        self.stdout.write(
            self.style.SUCCESS(f"Restored {file}: every row count matches and the audit chain is intact.")
        )
