"""Backup and restore (备份与恢复, 等保 2.0 §8.1.4.9): one file holding the database, the uploaded files and a
manifest, and its restore into an empty database, checked row by row and link by link.

A backup is a tar file (gzip-compressed when its name ends in ``.gz`` or ``.tgz``) of:

- ``manifest.json``: the Gongjian version, the database vendor, the time, the row count of every table, the
  audit chain's head and the SHA-256 and size of every other part;
- ``SHA256SUMS``: the same checksums plus the manifest's, in ``sha256sum -c`` format, so the file can be
  checked without Gongjian;
- ``database.sqlite3`` (SQLite's online backup API, safe while the server runs) or ``database.pgdump``
  (``pg_dump --format=custom``, taken in the very snapshot the manifest's counts were read in);
- ``media/…``: the uploaded files (site photos, evidence, attachments).

No password is written into the file, onto a command line or into the output: pg_dump and pg_restore get it in
``PGPASSWORD``.
"""

from __future__ import annotations

import datetime as dt
import getpass
import gzip
import hashlib
import importlib.metadata
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.db.backends.postgresql.client import DatabaseClient
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from gongjian.core import audit, chain
from gongjian.core.models import AuditChain

FORMAT = 1
MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
MEDIA = "media"
DATABASE_PARTS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
VENDOR_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
# Rows `gongjian migrate` writes by itself: a database holding only these (and Django's list of migrations) is
# still empty, so a restore may replace them.
SEEDED_MODELS = {
    "contenttypes.contenttype",
    "auth.permission",
    "auth.group",
    "auth.group_permissions",
    "accounts.rolepolicy",
    "lights.lightrule",
}
_CHUNK = 1024 * 1024

Say = Callable[[str], None]


class BackupError(Exception):
    """Why a backup or a restore was refused or failed, in words for the person at the console."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    manifest: dict[str, Any]


@dataclass
class RestoreResult:
    path: Path
    manifest: dict[str, Any]
    media_files: int = 0
    mismatches: list[str] = field(default_factory=list)
    verdict: chain.Verdict | None = None
    head_matches: bool = False

    @property
    def ok(self) -> bool:
        return not self.mismatches and self.verdict is not None and self.verdict.ok and self.head_matches


def _quiet(_line: str) -> None:
    pass


def version() -> str:
    try:
        return importlib.metadata.version("gongjian")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def size_text(n: int) -> str:
    if n < 1024:
        return f"{n:,} bytes"
    size, units = n / 1024, ["KB", "MB", "GB"]
    while size >= 1024 and len(units) > 1:
        size /= 1024
        units.pop(0)
    return f"{size:,.1f} {units[0]}"


def _vendor_name(vendor: str) -> str:
    return VENDOR_NAMES.get(vendor, vendor)


def _console_note() -> str:
    try:
        return f"服务器控制台；系统用户 {getpass.getuser()}"
    except (KeyError, OSError):
        return "服务器控制台"


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class _HashingReader:
    """A file that hashes what tarfile reads from it: a media file changed between its checksum and its copy
    into the archive fails the backup instead of leaving a backup that its own checksums refuse."""

    def __init__(self, f: BinaryIO) -> None:
        self.f = f
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.f.read(size)
        self.digest.update(data)
        return data


# The database's tables


def _count_rows(cursor, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def _head(cursor) -> dict[str, Any]:
    cursor.execute(
        f"SELECT last_seq, last_hash FROM {connection.ops.quote_name(AuditChain._meta.db_table)} WHERE id = 1"
    )
    row = cursor.fetchone()
    return {"last_seq": row[0], "last_hash": row[1]} if row else {"last_seq": 0, "last_hash": chain.GENESIS}


def _seeded_tables() -> set[str]:
    return {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.label_lower in SEEDED_MODELS
    } | {"django_migrations"}


def _sqlite_target() -> Path | None:
    """The SQLite file this installation uses (settings DATABASES default NAME); None when in memory."""
    return None if connection.is_in_memory_db() else Path(connection.settings_dict["NAME"])


def rows_in_the_way() -> dict[str, int]:
    """The tables of the configured database that hold rows a restore would destroy: everything but what
    ``migrate`` writes by itself. Empty when the database is empty (or its SQLite file does not exist yet,
    which is then left uncreated)."""
    if connection.vendor == "sqlite":
        target = _sqlite_target()
        if target is not None and (not target.exists() or target.stat().st_size == 0):
            return {}
    seeded = _seeded_tables()
    with connection.cursor() as cursor:
        tables = [t for t in connection.introspection.table_names(cursor) if t not in seeded]
        return {table: n for table, n in _count_rows(cursor, tables).items() if n}


# Backup


def pg_client(settings_dict: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """The connection options of pg_dump and pg_restore (user, host, port; the database name last) and their
    environment: the password goes in PGPASSWORD, never on a command line where ``ps`` would show it."""
    if not settings_dict.get("NAME"):
        raise BackupError(
            "GONGJIAN_DATABASE_URL must name the database, e.g. postgres://user@host:5432/gongjian."
        )
    args, env = DatabaseClient.settings_to_cmd_args_env(settings_dict, [])
    return ["--no-password", *args[1:]], {**os.environ, **(env or {})}


def _run_client(command: list[str], env: dict[str, str], what: str) -> None:
    tool = command[0]
    if shutil.which(tool) is None:
        raise BackupError(
            f"{tool} is not installed (it comes with the PostgreSQL client package, e.g. "
            f"apt-get install postgresql-client); it is needed to {what}."
        )
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        message = done.stderr.strip() or f"exit status {done.returncode}"
        if password := env.get("PGPASSWORD"):
            message = message.replace(password, "***")
        raise BackupError(f"{tool} failed to {what}: {message}")


def _client_version(tool: str) -> str:
    try:
        return subprocess.run([tool, "--version"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return ""


def _dump_sqlite(out: Path) -> tuple[dict[str, int], dict[str, Any], str]:
    """Copy the live database page by page with SQLite's online backup API, from this process's own connection
    (so an in-memory database works too), then read the counts and the audit head from the copy itself."""
    connection.ensure_connection()
    copy = sqlite3.connect(out)
    try:
        connection.connection.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        if (check := copy.execute("PRAGMA integrity_check").fetchone()[0]) != "ok":
            raise BackupError(
                f"The copy of the database fails SQLite's integrity check ({check}); the "
                "database itself may be damaged. Nothing was written."
            )
        cursor = copy.cursor()
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' "
            "ESCAPE '\\' ORDER BY name"
        )
        tables = [row[0] for row in cursor.fetchall()]
        counts = _count_rows(cursor, tables)
        head = _head(cursor)
        server = sqlite3.sqlite_version
    finally:
        copy.close()
    return counts, head, f"SQLite {server}"


def _dump_postgresql(out: Path) -> tuple[dict[str, int], dict[str, Any], str]:
    """pg_dump in the snapshot of a repeatable-read transaction that reads the counts and the audit head, so
    the manifest describes exactly the rows in the dump even while the server keeps writing."""
    if connection.in_atomic_block:
        raise BackupError("A PostgreSQL backup is taken outside a transaction (it exports its snapshot).")
    options, env = pg_client(connection.settings_dict)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
        snapshot, server = cursor.fetchone()
        counts = _count_rows(cursor, sorted(connection.introspection.table_names(cursor)))
        head = _head(cursor)
        _run_client(
            ["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={out}", *options],
            env,
            "dump the database",
        )
    return counts, head, f"PostgreSQL {server}; {_client_version('pg_dump')}"


def _media_files() -> Iterator[tuple[str, Path]]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield f"{MEDIA}/{path.relative_to(root).as_posix()}", path


def _tar_mode(path: Path) -> str:
    if path.name.endswith((".tar.gz", ".tgz")):
        return "w:gz"
    if path.name.endswith(".tar"):
        return "w"
    raise BackupError(
        f"Name the backup file .tar or .tar.gz (not '{path.name}'), e.g. gongjian-2026-11-30.tar.gz."
    )


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(dt.datetime.now().timestamp()), 0o600
    tar.addfile(info, io.BytesIO(data))


def make_backup(path: str | Path, *, say: Say = _quiet) -> BackupResult:
    """Write a backup of the database and the media folder to ``path`` (a new file) and audit it."""
    path = Path(path).absolute()
    mode = _tar_mode(path)
    if path.exists():
        raise BackupError(f"{path} already exists; a backup never overwrites a file. Choose another name.")
    if not path.parent.is_dir():
        raise BackupError(f"The folder {path.parent} does not exist.")
    vendor = connection.vendor
    if vendor not in DATABASE_PARTS:
        raise BackupError(f"Backups of a {vendor} database are not supported: use SQLite or PostgreSQL.")
    sealed = audit.seal()  # every committed event chained, so the head in the manifest covers them
    if sealed:
        say(f"Sealed {sealed} audit event(s) into the chain first.")
    db_part = DATABASE_PARTS[vendor]
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".gongjian-backup-") as scratch:
        dump = Path(scratch) / db_part
        say(
            f"Copying the {_vendor_name(vendor)} database "
            + ("with SQLite's online backup API…" if vendor == "sqlite" else "with pg_dump --format=custom…")
        )
        counts, head, server = (_dump_sqlite if vendor == "sqlite" else _dump_postgresql)(dump)
        parts = {db_part: {"sha256": _sha256_file(dump), "bytes": dump.stat().st_size}}
        say(
            f"Database: {len(counts)} tables, {sum(counts.values()):,} rows, "
            f"{size_text(parts[db_part]['bytes'])}; audit chain head at event {head['last_seq']}."
        )
        media = list(_media_files())
        for name, file in media:
            parts[name] = {"sha256": _sha256_file(file), "bytes": file.stat().st_size}
        media_bytes = sum(parts[name]["bytes"] for name, _file in media)
        manifest = {
            "format": FORMAT,
            "gongjian_version": version(),
            "vendor": vendor,
            "server": server,
            "created_at": timezone.localtime().isoformat(timespec="seconds"),
            "tables": counts,
            "rows": sum(counts.values()),
            "audit_chain": head,
            "audit_hash": settings.GONGJIAN_AUDIT_HASH,
            "media": {"files": len(media), "bytes": media_bytes},
            "parts": parts,
        }
        manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
        sums = {
            **{name: part["sha256"] for name, part in parts.items()},
            MANIFEST: hashlib.sha256(manifest_bytes).hexdigest(),
        }
        staged = Path(scratch) / "backup"
        # The manifest first, so that a restore can refuse a wrong vendor or a full database at once.
        with tarfile.open(staged, mode, format=tarfile.PAX_FORMAT) as tar:
            _add_bytes(tar, MANIFEST, manifest_bytes)
            _add_bytes(
                tar, SUMS, "".join(f"{digest}  {name}\n" for name, digest in sorted(sums.items())).encode()
            )
            tar.add(dump, arcname=db_part)
            for name, file in media:
                info = tar.gettarinfo(file, arcname=name)
                info.size = parts[name]["bytes"]
                try:
                    with file.open("rb") as f:
                        reader = _HashingReader(f)
                        tar.addfile(info, reader)
                except OSError as exc:
                    raise BackupError(
                        f"Could not copy the media file {file}: {exc}. Run the backup again."
                    ) from None
                if reader.digest.hexdigest() != parts[name]["sha256"]:
                    raise BackupError(
                        f"The media file {file} changed while it was being backed up. Run the backup again."
                    )
        say(f"Media: {len(media)} file(s), {size_text(media_bytes)} from {settings.MEDIA_ROOT}.")
        with staged.open("rb") as f:
            os.fsync(f.fileno())
        staged.chmod(0o600)  # it holds every account's password hash: keep it like the database itself
        os.replace(staged, path)
    size = path.stat().st_size
    say(
        f"Wrote {path} ({size_text(size)}); the SHA-256 of every part is in its manifest.json and SHA256SUMS."
    )
    audit.record(
        "system.backup",
        object_type="core.auditchain",
        object_repr=path.name,
        only_changes=False,
        after={
            "file": str(path),
            "bytes": size,
            "vendor": vendor,
            "tables": len(counts),
            "rows": manifest["rows"],
            "media_files": len(media),
            "media_bytes": media_bytes,
            "audit_last_seq": head["last_seq"],
        },
        note=_console_note(),
    )
    say("Recorded the backup in the audit trail (system.backup).")
    return BackupResult(path, size, manifest)


# Reading and checking a backup


def _safe_name(name: str) -> bool:
    if name in (MANIFEST, SUMS) or name in DATABASE_PARTS.values():
        return True
    parts = PurePosixPath(name).parts
    return len(parts) > 1 and parts[0] == MEDIA and not name.startswith("/") and ".." not in parts


def _damaged(path: Path, why: str) -> BackupError:
    return BackupError(f"{path} is damaged or is not a Gongjian backup ({why}). Nothing was restored.")


def read_backup(
    path: str | Path, into: Path, *, early: Callable[[dict[str, Any]], None] | None = None
) -> dict[str, Any]:
    """Unpack the backup at ``path`` into the folder ``into`` and check every part's SHA-256 against
    SHA256SUMS and the manifest; returns the manifest. ``early`` sees the (not yet verified) manifest as soon
    as it is read, to refuse a wrong vendor before a large file is read through."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"No backup file at {path}.")
    computed: dict[str, tuple[str, int]] = {}
    manifest: dict[str, Any] | None = None
    try:
        with tarfile.open(path, "r:*") as tar:
            for member in tar:
                if not member.isfile() or not _safe_name(member.name) or member.name in computed:
                    raise _damaged(path, f"unexpected entry '{member.name}'")
                target = into / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                source = tar.extractfile(member)
                assert source is not None  # a regular file
                with target.open("wb") as out:
                    while chunk := source.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                computed[member.name] = (digest.hexdigest(), member.size)
                if member.name == MANIFEST:
                    try:
                        manifest = json.loads(target.read_bytes())
                    except (ValueError, UnicodeDecodeError):
                        raise _damaged(path, "its manifest.json is not readable") from None
                    if not isinstance(manifest, dict):
                        raise _damaged(path, "its manifest.json is not readable")
                    if isinstance(manifest.get("format"), int) and manifest["format"] > FORMAT:
                        newer = manifest.get("gongjian_version")
                        raise BackupError(
                            f"{path} was made by a newer Gongjian ({newer}), whose backups "
                            f"this one ({version()}) does not read. Nothing was restored."
                        )
                    if early is not None:
                        early(manifest)
            # Past the last entry there are only zeros (and, compressed, gzip's CRC, checked on reaching the
            # end): a byte changed there is damage too, if harmless.
            while chunk := tar.fileobj.read(_CHUNK):
                if chunk.count(0) != len(chunk):
                    raise _damaged(path, "bytes after its last entry were changed")
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise _damaged(path, str(exc) or type(exc).__name__) from None
    except OSError as exc:
        raise BackupError(f"Could not read {path}: {exc}. Nothing was restored.") from None
    if manifest is None or SUMS not in computed:
        raise _damaged(path, "manifest.json or SHA256SUMS is missing")
    recorded: dict[str, str] = {}
    for line in (into / SUMS).read_text(errors="replace").splitlines():
        digest, _, name = line.partition("  ")
        recorded[name] = digest
    actual = {name: digest for name, (digest, _size) in computed.items() if name != SUMS}
    for name in sorted(actual.keys() | recorded.keys()):
        if name not in actual:
            raise _damaged(path, f"{name} is listed in SHA256SUMS but missing")
        if recorded.get(name) != actual[name]:
            raise BackupError(
                f"{path} is damaged or was altered: the SHA-256 checksum of {name} is "
                f"{actual[name]}, but {recorded.get(name) or 'nothing'} was recorded. "
                "Nothing was restored."
            )
    parts = manifest.get("parts") or {}
    expected = {name: (part.get("sha256"), part.get("bytes")) for name, part in parts.items()}
    if expected != {name: value for name, value in computed.items() if name not in (MANIFEST, SUMS)}:
        raise _damaged(path, "its parts do not match the checksums in manifest.json")
    if manifest.get("format") != FORMAT:
        raise _damaged(path, f"unknown backup format {manifest.get('format')!r}")
    if manifest.get("vendor") not in DATABASE_PARTS or DATABASE_PARTS[manifest["vendor"]] not in computed:
        raise _damaged(path, "it holds no database")
    return manifest


def describe(manifest: dict[str, Any]) -> str:
    media = manifest.get("media") or {}
    return (
        f"made {manifest.get('created_at')} by Gongjian {manifest.get('gongjian_version')} from "
        f"{_vendor_name(manifest['vendor'])} ({manifest.get('server', '')}): "
        f"{len(manifest['tables'])} tables, {manifest.get('rows', 0):,} rows, {media.get('files', 0)} "
        f"media file(s), audit chain head at event {manifest['audit_chain']['last_seq']}"
    )


def check_backup(path: str | Path, *, say: Say = _quiet) -> dict[str, Any]:
    """Check a backup file's checksums without restoring anything."""
    with tempfile.TemporaryDirectory(dir=settings.DATA_DIR, prefix=".gongjian-check-") as scratch:
        manifest = read_backup(path, Path(scratch))
    say(f"{path}: every SHA-256 checksum matches; {describe(manifest)}.")
    return manifest


# Restore


def _refuse_wrong_vendor(manifest: dict[str, Any]) -> None:
    theirs, ours = _vendor_name(str(manifest.get("vendor"))), _vendor_name(connection.vendor)
    if theirs != ours:
        fix = (
            "nothing (the embedded SQLite database)" if theirs == "SQLite" else "an empty PostgreSQL database"
        )
        raise BackupError(
            f"This is a {theirs} backup, and the database configured here is {ours}: a {theirs} backup "
            f"cannot be restored into {ours}. Set GONGJIAN_DATABASE_URL to {fix} and run the restore again. "
            "Nothing was restored."
        )


def _refuse_if_not_empty() -> None:
    rows = rows_in_the_way()
    if rows:
        biggest = sorted(rows.items(), key=lambda kv: -kv[1])[:5]
        listed = ", ".join(f"{table} ({n:,} rows)" for table, n in biggest)
        more = f" and {len(rows) - 5} more tables" if len(rows) > 5 else ""
        raise BackupError(
            f"The target database is not empty: {listed}{more}. A backup is restored only into an empty "
            "database, so nothing is overwritten; create a new database (or move the SQLite file away) and "
            "run the restore again. Nothing was restored."
        )


def _media_conflicts(manifest: dict[str, Any]) -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    conflicts = []
    for name, part in manifest["parts"].items():
        if name.startswith(f"{MEDIA}/"):
            target = root / name.removeprefix(f"{MEDIA}/")
            if target.exists() and (not target.is_file() or _sha256_file(target) != part["sha256"]):
                conflicts.append(str(target))
    return conflicts


def _restore_sqlite(dump: Path) -> str:
    target = _sqlite_target()
    if target is None:
        raise BackupError("The configured SQLite database is in memory; there is nowhere to restore it to.")
    target.parent.mkdir(parents=True, exist_ok=True)
    connection.close()
    # Through SQLite's backup API rather than a file copy: a copy would sit beside a stale -wal file of the
    # database it replaces, which SQLite would then replay into it.
    source = sqlite3.connect(f"{dump.as_uri()}?mode=ro", uri=True)
    destination = sqlite3.connect(target)
    try:
        source.backup(destination)
    finally:
        destination.close()
        source.close()
    return f"Restored the database into {target}."


def _restore_postgresql(dump: Path, *, replace_schema: bool) -> str:
    options, env = pg_client(connection.settings_dict)
    *connect, name = options
    # --no-owner and --no-acl: the roles of the backed-up server need not exist here; the restoring user owns
    # everything. One transaction, stopping at the first error: a failed restore leaves the database as it
    # was.
    # --clean --if-exists replaces the empty tables of a database that was migrated before the restore.
    command = [
        "pg_restore",
        "--no-owner",
        "--no-acl",
        "--single-transaction",
        "--exit-on-error",
        *(["--clean", "--if-exists"] if replace_schema else []),
        *connect,
        f"--dbname={name}",
        str(dump),
    ]
    connection.close()
    _run_client(command, env, "restore the database")
    return f"Restored the database into PostgreSQL database {name} with pg_restore."


def restore_backup(path: str | Path, *, say: Say = _quiet) -> RestoreResult:
    """Restore the backup at ``path`` into the configured database, which must be empty, and its media files
    into the media folder; then compare every table's row count with the manifest, check the audit chain and
    audit the restore. Nothing is written before every checksum has matched."""
    path = Path(path).absolute()
    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=settings.DATA_DIR, prefix=".gongjian-restore-") as scratch_dir:
        scratch = Path(scratch_dir)

        def before_reading_it_all(manifest: dict[str, Any]) -> None:
            if manifest.get("vendor") in DATABASE_PARTS:  # else damaged: the checksums will say so
                _refuse_wrong_vendor(manifest)
            _refuse_if_not_empty()

        manifest = read_backup(path, scratch, early=before_reading_it_all)
        say(f"Checked {path}: every SHA-256 checksum matches; {describe(manifest)}.")
        _refuse_wrong_vendor(manifest)  # now that the manifest is verified
        _refuse_if_not_empty()
        if conflicts := _media_conflicts(manifest):
            raise BackupError(
                f"{len(conflicts)} file(s) in the media folder differ from the backup's, e.g. "
                f"{conflicts[0]}; move them away and run the restore again. Nothing was "
                "restored."
            )
        say("The target database is empty.")
        dump = scratch / DATABASE_PARTS[manifest["vendor"]]
        if connection.vendor == "sqlite":
            say(_restore_sqlite(dump))
        else:
            with connection.cursor() as cursor:
                has_schema = bool(connection.introspection.table_names(cursor))
            say(_restore_postgresql(dump, replace_schema=has_schema))
        result = RestoreResult(path, manifest)
        root = Path(settings.MEDIA_ROOT)
        for name in manifest["parts"]:
            if name.startswith(f"{MEDIA}/"):
                target = root / name.removeprefix(f"{MEDIA}/")
                if not target.exists():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.move(scratch / name, target)
                result.media_files += 1
        say(f"Restored {result.media_files} media file(s) into {root}.")
    _check_restored(result, say)
    _say_migrations(say)
    return result


def _say_migrations(say: Say) -> None:
    """Whether the restored schema is this version's: a backup from an older Gongjian needs ``migrate``, one
    from a newer Gongjian needs that version installed."""
    executor = MigrationExecutor(connection)
    unknown = sorted(set(executor.loader.applied_migrations) - set(executor.loader.disk_migrations))
    pending = set(executor.loader.graph.nodes) - set(executor.loader.applied_migrations)
    if unknown:
        say(
            f"The restored database has {len(unknown)} migration(s) this Gongjian ({version()}) does not "
            f"know, e.g. {'.'.join(unknown[0])}: the backup comes from a newer version; install that version "
            "to run it."
        )
    elif pending:
        say(
            f"The restored database lacks {len(pending)} migration(s) of this Gongjian ({version()}): run "
            "'gongjian migrate' before starting the server."
        )
    else:
        say("The restored database's schema is this version's; no migration is needed.")


def _check_restored(result: RestoreResult, say: Say) -> None:
    manifest = result.manifest
    with connection.cursor() as cursor:
        present = set(connection.introspection.table_names(cursor))
        counts = _count_rows(cursor, [t for t in manifest["tables"] if t in present])
    for table, expected in manifest["tables"].items():
        found = counts.get(table)
        if found != expected:
            result.mismatches.append(
                f"{table}: {'missing' if found is None else f'{found:,} rows'}, the backup had {expected:,}"
            )
    if result.mismatches:
        say(f"Row counts DIFFER from the backup in {len(result.mismatches)} table(s):")
        for line in result.mismatches:
            say(f"  {line}")
    else:
        say(f"Row counts match the backup in all {len(counts)} tables ({sum(counts.values()):,} rows).")
    result.verdict = verdict = audit.verify_chain()
    head = manifest["audit_chain"]
    result.head_matches = (verdict.last_seq or 0, verdict.last_hash or chain.GENESIS) == (
        head["last_seq"],
        head["last_hash"],
    )
    if verdict.ok:
        say(f"Audit chain intact: {verdict.checked} event(s) checked, last seq {verdict.last_seq}.")
    else:
        say(f"Audit chain BROKEN after {verdict.checked} good event(s); first broken link: {verdict.broken}")
    say(
        "The chain's head is the backup's."
        if result.head_matches
        else f"The chain's head is NOT the backup's: it ends at seq {verdict.last_seq} {verdict.last_hash}, the "
        f"backup's at seq {head['last_seq']} {head['last_hash']}."
    )
    audit.record(
        "system.restore",
        object_type="core.auditchain",
        object_repr=result.path.name,
        only_changes=False,
        success=result.ok,
        after={
            "file": str(result.path),
            "bytes": result.path.stat().st_size,
            "vendor": manifest["vendor"],
            "backup_made_at": manifest.get("created_at"),
            "tables": len(manifest["tables"]),
            "rows": manifest.get("rows"),
            "media_files": result.media_files,
            "row_mismatches": result.mismatches,
            "chain_intact": verdict.ok,
            "audit_last_seq": head["last_seq"],
        },
        note=_console_note(),
    )
    say("Recorded the restore in the audit trail (system.restore).")
