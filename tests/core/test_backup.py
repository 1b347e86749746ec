"""Backup and restore (issue 12, item 9): the demo district backed up here, restored by another process into a
fresh database and compared table by table and link by link, on SQLite and on PostgreSQL."""

import datetime as dt
import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from gongjian.core import audit
from gongjian.core.backup import DATABASE_PARTS, MANIFEST, SUMS, VENDOR_NAMES, pg_client
from gongjian.core.models import AuditChain, AuditEvent
from gongjian.demo.loader import load_demo

PHOTO = "reports/2026/05/现场照片.jpg"
PHOTO_BYTES = b"\xff\xd8\xff\xe0 a site photo \xff\xd9"
EVENTS = AuditEvent._meta.db_table
HEAD = AuditChain._meta.db_table


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    # The demo creates ten accounts; the production hasher's deliberate slowness tests nothing here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def photo(settings):
    path = Path(settings.MEDIA_ROOT) / PHOTO
    path.parent.mkdir(parents=True)
    path.write_bytes(PHOTO_BYTES)
    return path


class FreshInstallation:
    """A second installation: its own data folder and an empty database of the test's vendor (a scratch
    PostgreSQL database, or a SQLite file not created yet), driven through ``python -m gongjian``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.env = {
            **os.environ,
            "GONGJIAN_DATA_DIR": str(folder),
            "DJANGO_SETTINGS_MODULE": "gongjian.settings",
        }
        self.env.pop("GONGJIAN_DATABASE_URL", None)
        self.vendor = connection.vendor
        if self.vendor == "postgresql":
            self.name = f"gj_restore_test_{uuid.uuid4().hex[:12]}"
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{self.name}"')
            s = connection.settings_dict
            password = f":{quote(s['PASSWORD'], safe='')}" if s["PASSWORD"] else ""
            user, host, port = quote(s["USER"] or "", safe=""), s["HOST"] or "127.0.0.1", s["PORT"] or 5432
            self.env["GONGJIAN_DATABASE_URL"] = f"postgres://{user}{password}@{host}:{port}/{self.name}"
            self.conninfo = {
                "host": s["HOST"] or "127.0.0.1",
                "port": s["PORT"] or 5432,
                "user": s["USER"],
                "password": s["PASSWORD"] or None,
                "dbname": self.name,
            }

    def drop(self) -> None:
        if self.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def gongjian(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "gongjian", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
        )

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        if self.vendor == "postgresql":
            import psycopg

            with psycopg.connect(**self.conninfo) as db:
                return db.execute(sql.replace("?", "%s"), params).fetchall()
        db = sqlite3.connect(f"{(self.folder / 'gongjian.sqlite3').as_uri()}?mode=ro", uri=True)
        try:
            return db.execute(sql, params).fetchall()
        finally:
            db.close()

    def tables(self) -> list[str]:
        if self.vendor == "postgresql":
            return [r[0] for r in self.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        if not (self.folder / "gongjian.sqlite3").exists():
            return []
        return [
            r[0]
            for r in self.query(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]

    def counts(self) -> dict[str, int]:
        return {table: self.query(f'SELECT COUNT(*) FROM "{table}"')[0][0] for table in self.tables()}

    def media(self) -> list[Path]:
        return [p for p in (self.folder / "media").rglob("*") if p.is_file()]


@pytest.fixture
def fresh(tmp_path):
    installation = FreshInstallation(tmp_path / "restored")
    yield installation
    installation.drop()


def counts_here() -> dict[str, int]:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        result = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            result[table] = cursor.fetchone()[0]
        return result


def manifest_of(file: Path) -> dict:
    with tarfile.open(file) as tar:
        return json.load(tar.extractfile(MANIFEST))


def back_up(file: Path) -> str:
    out = io.StringIO()
    call_command("backup", str(file), stdout=out)
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_the_demo_district_restored_into_a_fresh_database_has_every_row_its_photo_and_its_audit_chain(
    photo, fresh, tmp_path
):
    # Given the demo district with a site photo, its audit trail sealed
    load_demo(year=2026, as_of=dt.date(2026, 5, 20))
    audit.seal()
    rows = counts_here()
    head = AuditChain.objects.values("last_seq", "last_hash").get(pk=1)
    assert rows["projects_project"] == 36 and head["last_seq"] > 0
    file = tmp_path / "gongjian-2026-05-20.tar.gz"

    # When it is backed up here and restored into a fresh database by another process
    said = back_up(file)
    restored = fresh.gongjian("restore", str(file))

    # Then the manifest describes what was backed up, and the backup is in this trail
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert f"Wrote {file}" in said
    manifest = manifest_of(file)
    assert manifest["vendor"] == connection.vendor and manifest["gongjian_version"]
    assert manifest["tables"] == rows and manifest["audit_chain"] == head
    from gongjian.land.models import Household
    from gongjian.targets.models import Contract

    # the demo's files: the signed contract's scan and the appraisal reports kept with the households
    scans = {f"media/{c.scan.name}" for c in Contract.objects.exclude(scan="")}
    scans |= {f"media/{h.appraisal_report.name}" for h in Household.objects.exclude(appraisal_report="")}
    assert len(scans) > 2
    assert set(manifest["parts"]) == {DATABASE_PARTS[connection.vendor], f"media/{PHOTO}", *scans}
    assert AuditEvent.objects.filter(action="system.backup", object_repr=file.name, actor=None).count() == 1
    # every table holds the same rows, but for the restore's own audit event
    assert f"Row counts match the backup in all {len(rows)} tables" in restored.stdout
    assert "Audit chain intact" in restored.stdout and "The chain's head is the backup's." in restored.stdout
    assert fresh.counts() == {**rows, EVENTS: rows[EVENTS] + 1}
    # the chain goes on from the same head: the restore is the next link after the backed-up last one
    assert fresh.query(f'SELECT last_seq FROM "{HEAD}"') == [(head["last_seq"] + 1,)]
    assert fresh.query(f'SELECT hash FROM "{EVENTS}" WHERE seq = ?', (head["last_seq"],)) == [
        (head["last_hash"],)
    ]
    assert fresh.query(
        f'SELECT action, prev_hash, actor_id FROM "{EVENTS}" WHERE seq = ?', (head["last_seq"] + 1,)
    ) == [("system.restore", head["last_hash"], None)]
    verified = fresh.gongjian("audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "audit chain intact" in verified.stdout
    # and the photo is back
    assert (fresh.folder / "media" / PHOTO).read_bytes() == PHOTO_BYTES


def change_one_byte(file: Path, part: str) -> None:
    """Flip one bit of one byte: in the middle of the database, or in the manifest's record of a checksum."""
    with tarfile.open(file) as tar:
        member = tar.getmember(part)
        offset = member.offset_data + member.size // 2
        if part == MANIFEST:
            text = tar.extractfile(member).read()
            offset = member.offset_data + text.index(b'"sha256": "') + len(b'"sha256": "')
    with file.open("r+b") as f:
        f.seek(offset)
        byte = f.read(1)[0]
        f.seek(offset)
        f.write(bytes([byte ^ 1]))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("part", ["database", MANIFEST])
def test_a_backup_with_one_byte_changed_is_refused_before_anything_is_written(part, photo, fresh, tmp_path):
    # Given a backup (an uncompressed one, so that the byte is the database's own) with one byte changed
    audit.record("project.update", object_repr="甲")
    file = tmp_path / "gongjian.tar"
    back_up(file)
    name = DATABASE_PARTS[connection.vendor] if part == "database" else part
    change_one_byte(file, name)

    # When it is restored into a fresh installation
    refused = fresh.gongjian("restore", str(file))

    # Then it is refused, naming the part, and neither the database nor the media folder was touched
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert f"damaged or was altered: the SHA-256 checksum of {name}" in refused.stderr
    assert "Nothing was restored" in refused.stderr
    assert fresh.tables() == [] and fresh.media() == []
    checked = fresh.gongjian("restore", str(file), "--check")
    assert checked.returncode == 1 and "damaged or was altered" in checked.stderr


@pytest.mark.django_db(transaction=True)
def test_a_backup_is_not_restored_into_a_database_that_holds_data(tmp_path):
    audit.record("project.update", object_repr="甲")
    file = tmp_path / "gongjian.tar"
    back_up(file)
    rows = counts_here()

    with pytest.raises(CommandError, match=rf"The target database is not empty: .*{EVENTS} \(2 rows\)"):
        call_command("restore", str(file), stdout=io.StringIO())

    assert counts_here() == rows


def repack(file: Path, into: Path, change) -> None:
    """The same backup after ``change(manifest, parts)``, its checksums made consistent again: what a backup
    made elsewhere, or a forged one, would look like."""
    with tarfile.open(file) as tar:
        parts = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}
    manifest = json.loads(parts.pop(MANIFEST))
    parts.pop(SUMS)
    change(manifest, parts)
    manifest["parts"] = {
        name: {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)} for name, data in parts.items()
    }
    parts = {MANIFEST: json.dumps(manifest).encode(), **parts}
    sums = "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in parts.items())
    with tarfile.open(into, "w") as tar:
        for name, data in {**parts, SUMS: sums.encode()}.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


@pytest.mark.django_db(transaction=True)
def test_a_backup_from_the_other_database_vendor_is_refused_with_a_clear_message(tmp_path):
    back_up(tmp_path / "gongjian.tar")
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"

    def from_the_other_vendor(manifest, parts):
        manifest["vendor"] = other
        parts[DATABASE_PARTS[other]] = parts.pop(DATABASE_PARTS[connection.vendor])

    repack(tmp_path / "gongjian.tar", tmp_path / "other.tar", from_the_other_vendor)

    with pytest.raises(
        CommandError,
        match=f"a {VENDOR_NAMES[other]} backup cannot be restored into {VENDOR_NAMES[connection.vendor]}",
    ):
        call_command("restore", str(tmp_path / "other.tar"), stdout=io.StringIO())


@pytest.mark.django_db(transaction=True)
def test_a_restore_whose_row_counts_differ_from_the_manifest_says_which_and_fails(fresh, tmp_path):
    # Given a backup whose manifest claims a project the database does not hold
    audit.record("project.update", object_repr="甲")
    back_up(tmp_path / "gongjian.tar")

    def one_project_more(manifest, parts):
        manifest["tables"]["projects_project"] += 1

    repack(tmp_path / "gongjian.tar", tmp_path / "forged.tar", one_project_more)

    # When it is restored
    restored = fresh.gongjian("restore", str(tmp_path / "forged.tar"))

    # Then the difference is printed, the command fails, and the trail records a failed restore
    assert restored.returncode == 1
    assert "projects_project: 0 rows, the backup had 1" in restored.stdout
    assert "does not match the backup" in restored.stderr
    assert fresh.query(f'SELECT success FROM "{EVENTS}" WHERE action = ?', ("system.restore",)) == [(False,)]


def test_a_missing_backup_file_and_a_file_that_is_not_a_backup_are_clear_errors(tmp_path):
    with pytest.raises(CommandError, match="No backup file at"):
        call_command("restore", str(tmp_path / "missing.tar"), "--check")
    (tmp_path / "notes.tar").write_text("not a tar file")
    with pytest.raises(CommandError, match="is damaged or is not a Gongjian backup"):
        call_command("restore", str(tmp_path / "notes.tar"), "--check")


def test_a_backup_never_overwrites_a_file(tmp_path):
    (tmp_path / "gongjian.tar").write_text("yesterday's backup")

    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", str(tmp_path / "gongjian.tar"))

    assert (tmp_path / "gongjian.tar").read_text() == "yesterday's backup"


def test_the_database_password_reaches_pg_dump_in_its_environment_never_on_its_command_line():
    options, env = pg_client(
        {"NAME": "gongjian", "USER": "gj", "PASSWORD": "s3cret!", "HOST": "db", "PORT": 5432, "OPTIONS": {}}
    )

    assert options == ["--no-password", "-U", "gj", "-h", "db", "-p", "5432", "gongjian"]
    assert env["PGPASSWORD"] == "s3cret!"
