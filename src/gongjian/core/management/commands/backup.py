"""``gongjian backup FILE``: the database, the uploaded files and a manifest with checksums, in one file.

    gongjian backup /backup/gongjian-2026-11-30.tar.gz     # safe while the server runs

SQLite is copied with its online backup API, PostgreSQL with ``pg_dump --format=custom``; see core/backup.py.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError

from gongjian.core.backup import BackupError, make_backup


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite's online backup API, or pg_dump for PostgreSQL) and the media "
        "folder into one new .tar or .tar.gz file, with a manifest of the version, the time, every "
        "table's row count, the audit chain's head and the SHA-256 of every part. Safe while the server "
        "runs."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the new backup file to write, ending in .tar or .tar.gz")

    def handle(self, *args, file, **options):
        try:
            make_backup(file, say=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        except OperationalError as exc:
            raise CommandError(f"Could not reach the database ({exc}).") from exc
