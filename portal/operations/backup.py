"""Backup and restore of the database and the evidence store, as one tar.gz archive.

The archive holds `manifest.json` first (what the rest must be), then the database (SQLite: a
consistent copy made with SQLite's online backup API; PostgreSQL: `pg_dump --format=custom`), then
every file of the store (portal/infra/storage.py: local directory or S3 bucket) under `evidence/`, by its
key. Restore checks every checksum before it changes anything, and afterwards counts and hashes
again and compares with the manifest.

Consistency: the database is read first and the files second. Stored files are written before
their row is committed and never change (they are named by their SHA-256), so every file a row in
the copy points at is already in the store when the files are read. On PostgreSQL the row counts
and the dump come from the same snapshot (`pg_export_snapshot` + `pg_dump --snapshot`).

The files are streamed, never held whole in memory: once to hash them for the manifest (which
comes first in the archive), once more into the archive, checked against the first reading.

No Flask here: the command line (portal/cli/backup.py) passes the engine, the store and a local
scratch directory.
"""

from __future__ import annotations

import glob
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import IO, TypedDict

from sqlalchemy import URL, Connection, Engine, column, create_engine, func, inspect, select, table

from portal.infra.storage import ObjectInfo, Storage, is_key

FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
EVIDENCE_PREFIX = "evidence"
DUMP_NAMES = {"sqlite": "database.sqlite3", "postgresql": "database.dump"}
# A portal with data has accounts. (Not "any row": migrations seed rows of their own, such as
# the start of the audit chain, in an instance nobody has used yet.)
USER_TABLE = "user"
PG_TOOLS = ("pg_dump", "pg_restore", "psql")
PG_BINDIRS = "/usr/lib/postgresql/*/bin"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """The backup or restore cannot go on; the message (Dutch) is meant for the operator."""


def _sqlite_copy(
    source_path: str | Path, target_path: str | Path, failure: str, timeout: float = 5
) -> None:
    """Copy one SQLite database into another with SQLite's online backup API (consistent even
    while the source is written to; the target keeps its own locks and journal)."""
    source = sqlite3.connect(source_path)
    target = sqlite3.connect(target_path, timeout=timeout)
    try:
        source.backup(target)
    except sqlite3.Error as error:
        raise BackupError(f"{failure}: {error}") from error
    finally:
        target.close()
        source.close()


class DatabaseEntry(TypedDict):
    file: str
    sha256: str
    size_bytes: int


class Manifest(TypedDict):
    format: int
    created_at: str
    dialect: str
    alembic_revision: str | None
    server_version: str | None
    tables: dict[str, int]
    database: DatabaseEntry
    evidence: dict[str, str]


@dataclass(frozen=True)
class RestoreResult:
    manifest: Manifest
    differences: list[str]

    @property
    def table_count(self) -> int:
        return len(self.manifest["tables"])

    @property
    def row_count(self) -> int:
        return sum(self.manifest["tables"].values())

    @property
    def file_count(self) -> int:
        return len(self.manifest["evidence"])


# ------------------------------------------------------------------------------------ helpers


def default_archive_path(backup_dir: Path, moment: datetime) -> Path:
    return backup_dir / f"das-portaal-{moment:%Y%m%d-%H%M%S}.tar.gz"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def stored_files(storage: Storage) -> dict[str, ObjectInfo]:
    """Every file of the store by its key (scratch space and half-written files are no keys)."""
    return dict(sorted((info.key, info) for info in storage.list()))


def stored_sha256(storage: Storage, key: str) -> str:
    digest = hashlib.sha256()
    with storage.open(key) as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class _HashingReader:
    """A stream that hashes what is read from it (tarfile reads exactly the size it was told)."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        if size < 0:
            data = self.stream.read()
        else:
            # Never a short read before the end: tarfile takes one for a truncated file.
            parts = []
            while size > 0 and (part := self.stream.read(size)):
                parts.append(part)
                size -= len(part)
            data = b"".join(parts)
        self.digest.update(data)
        return data


def census(connection: Connection) -> tuple[dict[str, int], str | None]:
    """Row count of every table, and the Alembic revision (None before the first migration)."""
    names = sorted(inspect(connection).get_table_names())
    counts = {
        name: int(connection.execute(select(func.count()).select_from(table(name))).scalar_one())
        for name in names
    }
    revision = None
    if "alembic_version" in counts:
        revision = connection.execute(
            select(table("alembic_version", column("version_num")).c.version_num)
        ).scalar()
    return counts, revision


def has_data(engine: Engine, storage: Storage) -> bool:
    """Any account, or any stored file."""
    if next(iter(storage.list()), None) is not None:
        return True
    with engine.connect() as connection:
        if not inspect(connection).has_table(USER_TABLE):
            return False
        return bool(
            connection.execute(select(func.count()).select_from(table(USER_TABLE))).scalar()
        )


# ----------------------------------------------------------------------------- PostgreSQL tools


@dataclass(frozen=True)
class PgTools:
    bindir: Path
    major: int

    def __getitem__(self, name: str) -> str:
        return str(self.bindir / name)


def _version_key(path: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", path))


def _tool_major(pg_dump: Path) -> int | None:
    try:
        out = subprocess.run(
            [str(pg_dump), "--version"], capture_output=True, text=True, timeout=30, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"\)\s*(\d+)", out)
    return int(match.group(1)) if match else None


def find_pg_tools(server_major: int) -> PgTools:
    """pg_dump, pg_restore and psql of at least the server's major version.

    Looked for as tests/support/pgserver.py looks for the server: on PATH (symlinks resolved;
    Debian's pg_wrapper resolves to a directory without the others and is passed over), then the
    newest /usr/lib/postgresql/*/bin. pg_dump refuses a server newer than itself, so an older one
    is skipped here with a clear message instead of failing halfway.
    """
    candidates: list[Path] = []
    on_path = shutil.which("pg_dump")
    if on_path:
        candidates.append(Path(os.path.realpath(on_path)).parent)
    candidates += [Path(d) for d in sorted(glob.glob(PG_BINDIRS), key=_version_key, reverse=True)]
    too_old: list[str] = []
    usable: list[PgTools] = []
    for bindir in dict.fromkeys(candidates):
        if not all((bindir / name).is_file() for name in PG_TOOLS):
            continue
        major = _tool_major(bindir / "pg_dump")
        if major is None:
            continue
        if major >= server_major:
            usable.append(PgTools(bindir, major))
        else:
            too_old.append(f"{bindir} (versie {major})")
    # The server's own version first: the SQL script pg_restore writes for psql may use settings
    # an older server does not know (version 17 writes `SET transaction_timeout`).
    if usable:
        return min(usable, key=lambda t: t.major != server_major)
    if too_old:
        raise BackupError(
            f"De PostgreSQL-server is versie {server_major}, maar de gevonden pg_dump is ouder: "
            f"{', '.join(too_old)}. Installeer de clientprogramma's van versie {server_major} of "
            "nieuwer (Debian: postgresql-client)."
        )
    raise BackupError(
        "pg_dump, pg_restore en psql niet gevonden op PATH of in "
        f"{PG_BINDIRS}. Installeer de PostgreSQL-clientprogramma's (Debian: postgresql-client)."
    )


def libpq_target(engine: Engine) -> tuple[str, dict[str, str]]:
    """The libpq URL of the engine's database ("postgresql+psycopg://" becomes "postgresql://")
    and the environment to run the tools in. The password goes in PGPASSWORD, not on the
    command line, where every user of the machine could read it."""
    source = engine.url
    env = dict(os.environ)
    if source.password is not None:
        env["PGPASSWORD"] = str(source.password)
    url = URL.create(
        "postgresql",
        username=source.username,
        host=source.host,
        port=source.port,
        database=source.database,
        query=source.query,
    )
    return url.render_as_string(hide_password=False), env


def _server_major(connection: Connection) -> int:
    return int(connection.exec_driver_sql("SHOW server_version_num").scalar_one()) // 10000


def _run(argv: list[str], env: dict[str, str], what: str) -> None:
    proc = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if proc.returncode != 0:
        raise BackupError(f"{what} mislukt (exit {proc.returncode}):\n{proc.stderr.strip()}")


# -------------------------------------------------------------------------------------- create


def create_backup(engine: Engine, storage: Storage, output: Path, created_at: datetime) -> Manifest:
    """Write the archive to `output` (via a temporary name: a half-written archive never
    carries the final one) and return its manifest."""
    dialect = engine.dialect.name
    if dialect not in DUMP_NAMES:
        raise BackupError(f"Databasesoort {dialect!r} wordt niet ondersteund.")
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="backup-", dir=output.parent) as scratch:
        dump = Path(scratch) / DUMP_NAMES[dialect]
        if dialect == "sqlite":
            tables, revision, server_version = _dump_sqlite(engine, dump)
        else:
            tables, revision, server_version = _dump_postgresql(engine, dump)
        try:
            manifest = _write_archive(
                dump,
                storage,
                dialect,
                tables,
                revision,
                server_version,
                created_at,
                Path(scratch),
            )
        except FileNotFoundError as error:
            # The privacy purge removes files after its transaction; try again.
            raise BackupError(
                f"Een bestand verdween tijdens de back-up ({error.filename}); er is geen archief "
                "geschreven. Start de back-up opnieuw."
            ) from error
        os.replace(Path(scratch) / "archive.tar.gz", output)
    return manifest


def _write_archive(
    dump: Path,
    storage: Storage,
    dialect: str,
    tables: dict[str, int],
    revision: str | None,
    server_version: str | None,
    created_at: datetime,
    scratch: Path,
) -> Manifest:
    files = stored_files(storage)
    # First reading: the checksums for the manifest, which comes first in the archive.
    checksums = {key: stored_sha256(storage, key) for key in files}
    manifest = Manifest(
        format=FORMAT_VERSION,
        created_at=created_at.isoformat(),
        dialect=dialect,
        alembic_revision=revision,
        server_version=server_version,
        tables=tables,
        database=DatabaseEntry(
            file=dump.name, sha256=sha256_of(dump), size_bytes=dump.stat().st_size
        ),
        evidence=checksums,
    )
    partial = scratch / "archive.tar.gz"
    with tarfile.open(partial, "w:gz") as archive:
        data = json.dumps(manifest, indent=2, sort_keys=True).encode()
        info = tarfile.TarInfo(MANIFEST_NAME)
        info.size = len(data)
        info.mtime = int(created_at.timestamp())
        info.mode = 0o600
        archive.addfile(info, io.BytesIO(data))
        archive.add(dump, arcname=dump.name, recursive=False)
        for key, stored in files.items():
            _add_stored(archive, storage, stored, checksums[key])
    # The archive holds personal data: readable by its owner only.
    os.chmod(partial, 0o600)
    return manifest


def _add_stored(
    archive: tarfile.TarFile, storage: Storage, stored: ObjectInfo, sha256: str
) -> None:
    info = tarfile.TarInfo(f"{EVIDENCE_PREFIX}/{stored.key}")
    info.size = stored.size
    info.mtime = int(stored.modified.timestamp())
    info.mode = 0o600
    with storage.open(stored.key) as stream:
        reader = _HashingReader(stream)
        try:
            archive.addfile(info, reader)
        except OSError as error:  # shorter than it was (tarfile: "unexpected end of data")
            raise BackupError(
                f"Bestand {stored.key} veranderde tijdens de back-up ({error}); er is geen "
                "archief geschreven."
            ) from error
        if reader.digest.hexdigest() != sha256 or stream.read(1):
            raise BackupError(
                f"Bestand {stored.key} veranderde tijdens de back-up; er is geen archief "
                "geschreven."
            )


def _dump_sqlite(engine: Engine, dump: Path) -> tuple[dict[str, int], str | None, str | None]:
    source_path = engine.url.database
    if not source_path or source_path == ":memory:" or not Path(source_path).is_file():
        raise BackupError(f"SQLite-database niet gevonden: {source_path!r}.")
    # The online backup API copies a consistent state even while the portal writes; a plain
    # file copy could catch a half-written transaction.
    _sqlite_copy(source_path, dump, "Kopie van de SQLite-database mislukt")
    copy = create_engine(f"sqlite:///{dump}")
    try:
        with copy.connect() as connection:
            tables, revision = census(connection)
    finally:
        copy.dispose()
    return tables, revision, sqlite3.sqlite_version


def _dump_postgresql(engine: Engine, dump: Path) -> tuple[dict[str, int], str | None, str | None]:
    url, env = libpq_target(engine)
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            # Counts and dump from one snapshot, held open until pg_dump is done.
            snapshot = connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
            server_version = str(connection.exec_driver_sql("SHOW server_version").scalar_one())
            tools = find_pg_tools(_server_major(connection))
            tables, revision = census(connection)
            _run(
                [
                    tools["pg_dump"],
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    f"--file={dump}",
                    f"--dbname={url}",
                ],
                env,
                "pg_dump",
            )
    return tables, revision, server_version


# ------------------------------------------------------------------------------------- restore


def restore_backup(
    engine: Engine, storage: Storage, scratch_dir: Path, archive: Path, *, force: bool = False
) -> RestoreResult:
    """Restore the archive into the engine's database and the store.

    Refuses a target that holds data unless `force`. Unpacks into `scratch_dir` (for a local
    store: inside it, so each file is moved into place by a rename) and checks every checksum
    first: a damaged archive changes nothing. The database is replaced in one transaction, then
    the files are published to the store (and, under `force`, files the backup does not have are
    removed), then everything is counted and hashed again.
    """
    if not archive.is_file():
        raise BackupError(f"Archief niet gevonden: {archive}.")
    if not force and has_data(engine, storage):
        raise BackupError(
            "De doeldatabase of de opslag van bewijsstukken bevat al gegevens; er is niets "
            "hersteld. Gebruik --force om ze te overschrijven."
        )
    scratch_dir.mkdir(parents=True, exist_ok=True)
    with _scratch(scratch_dir) as scratch:
        manifest = unpack_verified(archive, scratch)
        dialect = engine.dialect.name
        if manifest["dialect"] != dialect:
            raise BackupError(
                f"Het archief bevat een {manifest['dialect']}-database; de doeldatabase is "
                f"{dialect}. Er is niets hersteld."
            )
        dump = scratch / manifest["database"]["file"]
        engine.dispose()  # no pooled connection may hold a lock or an old view of the data
        if dialect == "sqlite":
            _restore_sqlite(engine, dump)
        else:
            _restore_postgresql(engine, dump, manifest, scratch)
        engine.dispose()
        _place_evidence(scratch / EVIDENCE_PREFIX, storage, manifest)
    return RestoreResult(manifest, compare(engine, storage, manifest))


@contextmanager
def _scratch(parent: Path) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="restore-", dir=parent))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _member_path(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or not path.parts or any(p in ("", ".", "..") for p in path.parts):
        raise BackupError(f"Het archief bevat een ongeldige naam: {name!r}; er is niets hersteld.")
    return path


def unpack_verified(archive: Path, into: Path) -> Manifest:
    """Unpack the archive's regular files into `into` and check them against the manifest:
    the same set of files, every SHA-256 equal. Raises BackupError otherwise."""
    damaged = "Het archief is beschadigd of onvolledig; er is niets hersteld"
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                path = _member_path(member.name)
                if member.isdir():
                    continue
                if not member.isfile():
                    raise BackupError(
                        f"Het archief bevat iets anders dan een gewoon bestand: {member.name!r}; "
                        "er is niets hersteld."
                    )
                target = into.joinpath(*path.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                source = tar.extractfile(member)
                assert source is not None
                with source, open(target, "wb") as out:
                    shutil.copyfileobj(source, out, CHUNK)
    except (tarfile.TarError, EOFError, OSError, ValueError) as error:
        raise BackupError(f"{damaged} ({error}).") from error

    try:
        manifest: Manifest = json.loads((into / MANIFEST_NAME).read_text())
        if manifest["format"] != FORMAT_VERSION:
            raise BackupError(
                f"Onbekende archiefversie {manifest['format']}; er is niets hersteld."
            )
        expected = {manifest["database"]["file"]: manifest["database"]["sha256"]}
        expected |= {f"{EVIDENCE_PREFIX}/{n}": h for n, h in manifest["evidence"].items()}
        _member_path(manifest["database"]["file"])
        for name in manifest["evidence"]:
            if not is_key(name):
                raise BackupError(
                    f"Het archief bevat een ongeldige naam: {name!r}; er is niets hersteld."
                )
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise BackupError(f"{damaged}: geen leesbaar manifest ({error}).") from error

    present = {p.relative_to(into).as_posix() for p in into.rglob("*") if p.is_file()} - {
        MANIFEST_NAME
    }
    problems = [f"ontbreekt: {name}" for name in sorted(expected.keys() - present)]
    problems += [f"niet in het manifest: {name}" for name in sorted(present - expected.keys())]
    problems += [
        f"checksum klopt niet: {name}"
        for name in sorted(expected.keys() & present)
        if sha256_of(into / name) != expected[name]
    ]
    if problems:
        raise BackupError(f"{damaged}:\n  " + "\n  ".join(problems))
    return manifest


def _restore_sqlite(engine: Engine, dump: Path) -> None:
    target_path = engine.url.database
    if not target_path or target_path == ":memory:":
        raise BackupError(f"Geen SQLite-bestand om in te herstellen: {target_path!r}.")
    # SQLite's backup API writes the whole copy in one transaction on the target, under
    # SQLite's own locks and journal: a crash leaves the old database, and a process that still
    # has the file open sees the new one (a file swap with os.replace would leave such a process
    # writing to the old, unlinked file, and a stale -journal next to the new one).
    _sqlite_copy(dump, target_path, "Herstel van de SQLite-database mislukt", timeout=30)


def _restore_postgresql(engine: Engine, dump: Path, manifest: Manifest, scratch: Path) -> None:
    url, env = libpq_target(engine)
    with engine.connect() as connection:
        tools = find_pg_tools(_server_major(connection))
        present = set(inspect(connection).get_table_names())
    engine.dispose()
    quote = engine.dialect.identifier_preparer.quote
    # Tables the backup does not know (a later migration) would survive pg_restore --clean and
    # break the next `flask db upgrade`; they go in the same transaction.
    extra = sorted(present - manifest["tables"].keys())
    preamble = scratch / "preamble.sql"
    preamble.write_text("".join(f"DROP TABLE IF EXISTS {quote(n)} CASCADE;\n" for n in extra))
    script = scratch / "restore.sql"
    _run(
        [
            tools["pg_restore"],
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            f"--file={script}",
            str(dump),
        ],
        env,
        "pg_restore",
    )
    # psql runs the preamble and the restore script as one transaction: all or nothing.
    _run(
        [
            tools["psql"],
            "--no-psqlrc",
            "--quiet",
            "--set=ON_ERROR_STOP=1",
            "--single-transaction",
            f"--file={preamble}",
            f"--file={script}",
            f"--dbname={url}",
        ],
        env,
        "Herstel van de PostgreSQL-database",
    )


def _place_evidence(staged: Path, storage: Storage, manifest: Manifest) -> None:
    for name in manifest["evidence"]:
        # Local store: a rename within one file system (the scratch space is inside the store).
        storage.put_file(name, str(staged.joinpath(*PurePosixPath(name).parts)))
    for key in stored_files(storage):
        if key not in manifest["evidence"]:
            storage.delete(key)


def compare(engine: Engine, storage: Storage, manifest: Manifest) -> list[str]:
    """What differs between the restored instance and the manifest (empty: all the same)."""
    with engine.connect() as connection:
        tables, revision = census(connection)
    differences: list[str] = []
    if revision != manifest["alembic_revision"]:
        differences.append(f"migratie: {revision!r} in plaats van {manifest['alembic_revision']!r}")
    for name in sorted(manifest["tables"].keys() | tables.keys()):
        want, got = manifest["tables"].get(name), tables.get(name)
        if want is None:
            differences.append(f"tabel {name}: niet in de back-up")
        elif got is None:
            differences.append(f"tabel {name}: ontbreekt")
        elif want != got:
            differences.append(f"tabel {name}: {got} rijen in plaats van {want}")
    files = stored_files(storage)
    for name in sorted(manifest["evidence"].keys() | files.keys()):
        want_hash = manifest["evidence"].get(name)
        if want_hash is None:
            differences.append(f"bestand {name}: niet in de back-up")
        elif name not in files:
            differences.append(f"bestand {name}: ontbreekt")
        elif stored_sha256(storage, name) != want_hash:
            differences.append(f"bestand {name}: checksum klopt niet")
    return differences
