"""Where stored files live: evidence uploads, decision letters, agreement PDFs, tariff-sheet files.

One interface, two backends, so the portal runs on one machine or on several:

- `LocalStorage(root)`: a directory (EVIDENCE_DIR), the default. Keys are relative paths, so an
  existing store keeps working as it is.
- `S3Storage(bucket, prefix, ...)`: S3-compatible object storage through boto3 (AWS, MinIO, Ceph,
  moto). Several app instances on different machines, sharing one database and one bucket, serve
  the same files.

Keys name files by their SHA-256, in the layout the local store always had:
`ab/abcdef…` (evidence), `letters/ab/…`, `agreements/ab/…`, `sheets/ab/…`. A stored file never
changes after it is written. A key is `/`-separated segments of letters, digits, `_` and `-`
(no dots, so no `..`, and no name ending in `.tmp`), and never starts with `tmp/`: that is the
local store's scratch space for uploads in progress (UPLOAD_TMP_DIR by default).

The store never has to be created by the app: the operator makes the bucket (or the directory is
made on first write). `flask evidence check` tells whether the configured store is reachable
and writable.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import re
import shutil
import tempfile
import threading
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from stat import S_ISREG
from typing import IO, Any, Literal, get_args

from flask import Flask, current_app, send_file
from werkzeug.wrappers import Response

EXTENSION = "storage"
BACKENDS = ("local", "s3")
# The local store's own scratch directory (for uploads in progress and restores): never a key.
SCRATCH = "tmp"
CHUNK = 1024 * 1024
_KEY = re.compile(r"[A-Za-z0-9_-]+(?:/[A-Za-z0-9_-]+)*")


class ObjectMissing(FileNotFoundError):
    """No stored file under this key. A FileNotFoundError, so code that handled a missing file
    on disk handles a missing object the same way; `filename` is the key."""

    def __init__(self, key: str) -> None:
        super().__init__(errno.ENOENT, "stored file not found", key)


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    modified: datetime  # timezone-aware (UTC); on S3 to the second


def check_key(key: str) -> str:
    if not _KEY.fullmatch(key) or key.split("/", 1)[0] == SCRATCH:
        raise ValueError(f"not a storage key: {key!r}")
    return key


def is_key(name: str) -> bool:
    try:
        check_key(name)
    except ValueError:
        return False
    return True


def content_key(sha256: str, folder: str = "") -> str:
    """The key of content named by its SHA-256: `ab/abcdef…`, or `letters/ab/abcdef…`."""
    key = f"{sha256[:2]}/{sha256}"
    return f"{folder}/{key}" if folder else key


class Storage(ABC):
    """A flat store of immutable files by key. Every read is a stream; nothing here loads a
    whole object into memory except `read_bytes`, meant for small files (letters, sheets)."""

    @abstractmethod
    def put_file(self, key: str, local_path: str) -> None:
        """Publish a fully written local file under `key`; the local file is gone afterwards.
        Readers see either nothing or the whole file, never part of it."""

    @abstractmethod
    def put_bytes(self, key: str, content: bytes) -> None:
        """Store small content under `key` (as atomically as `put_file`)."""

    @abstractmethod
    def exists(self, key: str) -> bool: ...

    @abstractmethod
    def info(self, key: str) -> ObjectInfo:
        """Size and modification time; ObjectMissing when there is none."""

    @abstractmethod
    def open(self, key: str) -> IO[bytes]:
        """A binary stream to read in chunks (close it); ObjectMissing when there is none."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove the file; a key that is not there is no error."""

    @abstractmethod
    def touch(self, key: str) -> None:
        """Make the file's modification time now (so the orphan sweep leaves it alone);
        ObjectMissing when there is none."""

    @abstractmethod
    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        """Every stored file whose key starts with `prefix`, in no promised order."""

    @abstractmethod
    def location(self, key: str) -> str:
        """Where the file is, for messages to the operator (a path, an s3:// URL)."""

    def size(self, key: str) -> int:
        return self.info(key).size

    def read_bytes(self, key: str) -> bytes:
        with self.open(key) as stream:
            return stream.read()

    def check(self) -> None:
        """Write, read back and delete a probe file: raises when the store is not usable."""
        key = f"_check/{uuid.uuid4().hex}"
        content = b"DAS-portaal storage check\n"
        self.put_bytes(key, content)
        try:
            if self.read_bytes(key) != content:
                raise OSError(f"{self.location(key)} read back different content")
        finally:
            self.delete(key)


# --- the local file system -------------------------------------------------------------------


class LocalStorage(Storage):
    """Files under a directory, one per key (`ab/abcdef…` is `<root>/ab/abcdef…`)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = os.path.abspath(os.fspath(root))

    def path(self, key: str) -> str:
        """The file's path (this backend only: for send_file and for tests)."""
        return os.path.join(self.root, *check_key(key).split("/"))

    def _partial(self, target: str) -> tuple[int, str]:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        # A dotted name is never a key: a half-written file is neither listed nor backed up.
        return tempfile.mkstemp(dir=os.path.dirname(target), suffix=".tmp")

    def put_file(self, key: str, local_path: str) -> None:
        target = self.path(key)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        try:
            os.replace(local_path, target)
        except OSError as error:
            if error.errno != errno.EXDEV:
                raise
            # The scratch directory is on another file system: copy next to the target first.
            handle, partial = self._partial(target)
            try:
                with os.fdopen(handle, "wb") as out, open(local_path, "rb") as source:
                    shutil.copyfileobj(source, out, CHUNK)
                os.replace(partial, target)
            except BaseException:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(partial)
                raise
            os.unlink(local_path)

    def put_bytes(self, key: str, content: bytes) -> None:
        target = self.path(key)
        handle, partial = self._partial(target)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(content)
            os.replace(partial, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(partial)
            raise

    def exists(self, key: str) -> bool:
        return os.path.isfile(self.path(key))

    def info(self, key: str) -> ObjectInfo:
        try:
            stat = os.stat(self.path(key))
        except FileNotFoundError:
            raise ObjectMissing(key) from None
        if not S_ISREG(stat.st_mode):
            raise ObjectMissing(key)
        return ObjectInfo(key, stat.st_size, datetime.fromtimestamp(stat.st_mtime, UTC))

    def open(self, key: str) -> IO[bytes]:
        try:
            return open(self.path(key), "rb")
        except (FileNotFoundError, IsADirectoryError):
            raise ObjectMissing(key) from None

    def delete(self, key: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path(key))

    def touch(self, key: str) -> None:
        if not self.exists(key):
            raise ObjectMissing(key)
        try:
            os.utime(self.path(key))
        except FileNotFoundError:
            raise ObjectMissing(key) from None

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        folder = prefix.rsplit("/", 1)[0] if "/" in prefix else ""
        start = os.path.join(self.root, *folder.split("/")) if folder else self.root
        for directory, dirs, files in os.walk(start):
            relative = os.path.relpath(directory, self.root)
            base = "" if relative == "." else relative.replace(os.sep, "/") + "/"
            if not base:
                dirs[:] = [d for d in dirs if d != SCRATCH]
            dirs.sort()
            for name in sorted(files):
                key = base + name
                if not key.startswith(prefix) or not is_key(key):
                    continue
                try:
                    stat = os.stat(os.path.join(directory, name))
                except FileNotFoundError:  # removed while we looked
                    continue
                yield ObjectInfo(key, stat.st_size, datetime.fromtimestamp(stat.st_mtime, UTC))

    def location(self, key: str) -> str:
        return self.path(key)


# --- S3-compatible object storage --------------------------------------------------------------


class S3Reader(io.RawIOBase):
    """An object's body as a read-only stream, with its size and modification time."""

    def __init__(self, body: Any, size: int, modified: datetime) -> None:
        self._body = body
        self.size = size
        self.modified = modified

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        return bytes(self._body.read(None if size is None or size < 0 else size))

    def readall(self) -> bytes:
        return self.read()

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._body.close()
        super().close()


_SESSION_LOCK = threading.Lock()
AddressingStyle = Literal["auto", "virtual", "path"]
ADDRESSING_STYLES: tuple[AddressingStyle, ...] = get_args(AddressingStyle)
_SESSION: Any = None


def _boto3_session() -> Any:
    """One boto3 session per process, so clients share its parsed service descriptions (a new
    session reads them again: a noticeable pause). Called under _SESSION_LOCK: a session is not
    safe to make clients from in several threads at once; the clients themselves are."""
    global _SESSION
    if _SESSION is None:
        import boto3

        _SESSION = boto3.session.Session()
    return _SESSION


class S3Storage(Storage):
    """Objects in a bucket, under an optional key prefix (several portals may share a bucket).

    The client is made on first use (after a server forks its workers), with checksums only where
    S3 requires them: recent boto3 adds checksum trailers that some S3-compatible stores refuse.
    Credentials: the given key pair, or else boto3's own chain (environment, instance role).
    """

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        addressing_style: str | None = None,
    ) -> None:
        if not bucket:
            raise ValueError("S3Storage needs a bucket")
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self._settings = {
            "endpoint_url": endpoint_url or None,
            "region_name": region or None,
            "aws_access_key_id": access_key_id or None,
            "aws_secret_access_key": secret_access_key or None,
        }
        style = addressing_style or "auto"
        if style not in ADDRESSING_STYLES:
            raise ValueError(f"S3 addressing style {style!r}: use one of {ADDRESSING_STYLES}")
        self._addressing_style: AddressingStyle = style
        self._client: Any = None

    @property
    def client(self) -> Any:
        if self._client is None:
            with _SESSION_LOCK:
                if self._client is None:
                    from botocore.config import Config

                    config = Config(
                        s3={"addressing_style": self._addressing_style},
                        retries={"mode": "standard"},
                        request_checksum_calculation="when_required",
                        response_checksum_validation="when_required",
                    )
                    self._client = _boto3_session().client("s3", config=config, **self._settings)
        return self._client

    def _name(self, key: str) -> str:
        return self.prefix + check_key(key)

    @staticmethod
    def _missing(error: Exception) -> bool:
        from botocore.exceptions import ClientError

        if not isinstance(error, ClientError):
            return False
        code = str(error.response.get("Error", {}).get("Code", ""))
        return code in {"404", "NoSuchKey", "NotFound"}

    def put_file(self, key: str, local_path: str) -> None:
        # upload_file sends big files in parts; the object appears only when the upload is
        # complete. One part at a time, so a worker holds one 8 MB part, not a whole 20 MB file
        # spread over parallel parts (so an upload grows a worker by less than 30 MB).
        from boto3.s3.transfer import TransferConfig

        self.client.upload_file(
            local_path,
            self.bucket,
            self._name(key),
            Config=TransferConfig(use_threads=False, multipart_chunksize=8 * 1024 * 1024),
        )
        os.unlink(local_path)

    def put_bytes(self, key: str, content: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._name(key), Body=content)

    def exists(self, key: str) -> bool:
        try:
            self.info(key)
        except ObjectMissing:
            return False
        return True

    def info(self, key: str) -> ObjectInfo:
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=self._name(key))
        except Exception as error:
            if self._missing(error):
                raise ObjectMissing(key) from None
            raise
        return ObjectInfo(key, int(head["ContentLength"]), head["LastModified"])

    def open(self, key: str) -> IO[bytes]:
        try:
            got = self.client.get_object(Bucket=self.bucket, Key=self._name(key))
        except Exception as error:
            if self._missing(error):
                raise ObjectMissing(key) from None
            raise
        # Buffered, as open() is for a file: the raw stream keeps the size and modification time.
        return io.BufferedReader(
            S3Reader(got["Body"], int(got["ContentLength"]), got["LastModified"])
        )

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._name(key))

    def touch(self, key: str) -> None:
        name = self._name(key)
        try:
            # An object copied onto itself with new metadata gets a new modification time.
            self.client.copy_object(
                Bucket=self.bucket,
                Key=name,
                CopySource={"Bucket": self.bucket, "Key": name},
                MetadataDirective="REPLACE",
                Metadata={"touched-at": datetime.now(UTC).isoformat()},
            )
        except Exception as error:
            if self._missing(error):
                raise ObjectMissing(key) from None
            raise

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix + prefix
        )
        for page in pages:
            for entry in page.get("Contents", []):
                key = str(entry["Key"])[len(self.prefix) :]
                if is_key(key):
                    yield ObjectInfo(key, int(entry["Size"]), entry["LastModified"])

    def location(self, key: str) -> str:
        return f"s3://{self.bucket}/{self._name(key)}"


# --- the app's store ---------------------------------------------------------------------------


def build_storage(config: Mapping[str, Any]) -> Storage:
    """The store the settings describe (STORAGE_BACKEND and EVIDENCE_DIR or the S3_* settings)."""
    backend = str(config.get("STORAGE_BACKEND") or "local").lower()
    if backend == "local":
        return LocalStorage(str(config["EVIDENCE_DIR"]))
    if backend == "s3":
        if not config.get("S3_BUCKET"):
            raise RuntimeError("STORAGE_BACKEND=s3 needs S3_BUCKET (PORTAL_S3_BUCKET)")
        return S3Storage(
            str(config["S3_BUCKET"]),
            str(config.get("S3_PREFIX") or ""),
            endpoint_url=config.get("S3_ENDPOINT_URL") or None,
            region=config.get("S3_REGION") or None,
            access_key_id=config.get("S3_ACCESS_KEY_ID") or None,
            secret_access_key=config.get("S3_SECRET_ACCESS_KEY") or None,
            addressing_style=config.get("S3_ADDRESSING_STYLE") or None,
        )
    raise RuntimeError(f"STORAGE_BACKEND must be one of {', '.join(BACKENDS)}, not {backend!r}")


def init_app(app: Flask) -> None:
    """Choose the store and the scratch directory for uploads in progress: inside EVIDENCE_DIR
    for the local store (so publishing is a rename on one file system), a folder of the system's
    temporary directory otherwise. Nothing is contacted here."""
    if not app.config.get("UPLOAD_TMP_DIR"):
        if str(app.config.get("STORAGE_BACKEND") or "local").lower() == "local":
            app.config["UPLOAD_TMP_DIR"] = os.path.join(str(app.config["EVIDENCE_DIR"]), SCRATCH)
        else:
            app.config["UPLOAD_TMP_DIR"] = os.path.join(tempfile.gettempdir(), "das-portaal-tmp")
    app.extensions[EXTENSION] = build_storage(app.config)


def get_storage() -> Storage:
    storage: Storage = current_app.extensions[EXTENSION]
    return storage


def scratch_dir() -> str:
    """The local directory for files being written (made when missing)."""
    path = str(current_app.config["UPLOAD_TMP_DIR"])
    os.makedirs(path, exist_ok=True)
    return path


OCTET_STREAM = "application/octet-stream"
# Types a browser shows as a page or runs; a stored file never goes out as one of them.
RENDERED_TYPES = frozenset(
    {
        "text/html",
        "application/xhtml+xml",
        "image/svg+xml",
        "text/xml",
        "application/xml",
        "text/javascript",
        "application/javascript",
        "application/hta",
    }
)


def send_stored(key: str, *, mimetype: str, download_name: str) -> Response:
    """A stored file as an attachment download, streamed in chunks (never rendered inline;
    nosniff is set for every page). Never a redirect to the store: access is checked here, and
    the store need not be reachable from browsers."""
    if mimetype.partition(";")[0].strip().lower() in RENDERED_TYPES:
        mimetype = OCTET_STREAM
    storage = get_storage()
    if isinstance(storage, LocalStorage):
        return send_file(
            storage.path(key), mimetype=mimetype, as_attachment=True, download_name=download_name
        )
    stream = storage.open(key)
    raw = getattr(stream, "raw", stream)  # an S3Reader knows its size and time
    size, modified = getattr(raw, "size", None), getattr(raw, "modified", None)
    if size is None:
        info = storage.info(key)
        size, modified = info.size, info.modified
    response = send_file(
        stream,
        mimetype=mimetype,
        as_attachment=True,
        download_name=download_name,
        conditional=False,
        last_modified=modified,
    )
    response.content_length = size
    return response


# Evidence shown beside the answer (issue 18): a picture the browser shows and nothing else.
INLINE_TYPES = frozenset({"image/png", "image/jpeg"})
# Opened on its own, the file is a document with no rights at all: no script, no form, no plugin,
# no fetch; only the image itself may load. Never framed elsewhere.
INLINE_POLICY = "sandbox; default-src 'none'; img-src 'self'; frame-ancestors 'none'"


def inline_headers(response: Response) -> Response:
    """The headers of a stored file shown in the browser rather than saved."""
    response.headers["Content-Security-Policy"] = INLINE_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def send_stored_inline(key: str, *, mimetype: str, download_name: str) -> Response:
    """A stored PNG or JPEG to be shown inline (`Content-Disposition: inline`), from the portal's
    own origin, sandboxed and never sniffed. Any other type goes out as `send_stored` sends it:
    an attachment."""
    if mimetype not in INLINE_TYPES:
        return send_stored(key, mimetype=mimetype, download_name=download_name)
    response = send_stored(key, mimetype=mimetype, download_name=download_name)
    response.headers["Content-Disposition"] = response.headers["Content-Disposition"].replace(
        "attachment", "inline", 1
    )
    return inline_headers(response)
