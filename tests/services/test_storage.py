"""The storage contract (portal/infra/storage.py), the same tests for both backends: the local file
system and S3-compatible object storage (moto's server, tests/support/s3server.py)."""

from __future__ import annotations

import hashlib
import os
import time
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from portal.infra.storage import (
    LocalStorage,
    ObjectMissing,
    S3Storage,
    Storage,
    build_storage,
    content_key,
)
from tests.support.s3server import MotoServer

SHA = hashlib.sha256(b"x").hexdigest()
KEY = content_key(SHA)
BIG = 20 * 1024 * 1024


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Storage]:
    if request.param == "local":
        yield LocalStorage(tmp_path / "store")
        return
    server: MotoServer = request.getfixturevalue("s3_server")
    bucket = server.create_bucket()
    settings = server.settings(bucket, prefix="portaal")
    yield build_storage(settings)
    server.remove_bucket(bucket)


def scratch_file(tmp_path: Path, content: bytes) -> str:
    path = tmp_path / f"scratch-{time.monotonic_ns()}"
    path.write_bytes(content)
    return str(path)


def test_put_read_size_delete(store: Storage) -> None:
    assert not store.exists(KEY)
    store.put_bytes(KEY, b"inhoud")
    assert store.exists(KEY)
    assert store.read_bytes(KEY) == b"inhoud"
    assert store.size(KEY) == 6
    info = store.info(KEY)
    assert info.key == KEY and info.size == 6
    assert abs(info.modified - datetime.now(UTC)) < timedelta(minutes=1)
    with store.open(KEY) as stream:
        assert stream.read(3) == b"inh"
        assert stream.read() == b"oud"
    store.delete(KEY)
    assert not store.exists(KEY)
    store.delete(KEY)  # already gone: no error


def test_put_file_publishes_and_consumes_the_local_file(store: Storage, tmp_path: Path) -> None:
    source = scratch_file(tmp_path, b"%PDF-1.4 bewijs")
    store.put_file(f"letters/{KEY}", source)
    assert not os.path.exists(source)
    assert store.read_bytes(f"letters/{KEY}") == b"%PDF-1.4 bewijs"
    # Content-addressed: publishing the same key again is harmless.
    store.put_file(f"letters/{KEY}", scratch_file(tmp_path, b"%PDF-1.4 bewijs"))
    assert [i.key for i in store.list("letters/")] == [f"letters/{KEY}"]


def test_a_missing_key_is_a_file_not_found_error(store: Storage) -> None:
    assert not store.exists(KEY)
    for read in (store.open, store.read_bytes, store.info, store.size, store.touch):
        with pytest.raises(ObjectMissing) as missing:
            read(KEY)
        assert isinstance(missing.value, FileNotFoundError)
        assert missing.value.filename == KEY
    assert list(store.list()) == []


@pytest.mark.parametrize("key", ["", "../etc/passwd", "ab/../cd", "a.b", "/ab", "ab/", "tmp/x"])
def test_keys_are_checked(store: Storage, key: str) -> None:
    with pytest.raises(ValueError, match="not a storage key"):
        store.put_bytes(key, b"x")


def test_list_by_prefix(store: Storage) -> None:
    other = hashlib.sha256(b"y").hexdigest()
    keys = [
        content_key(SHA),
        content_key(SHA, "letters"),
        content_key(other, "letters"),
        content_key(other, "sheets"),
    ]
    for n, key in enumerate(keys):
        store.put_bytes(key, b"z" * (n + 1))
    found = {info.key: info for info in store.list()}
    assert sorted(found) == sorted(keys)
    assert {found[k].size for k in keys} == {1, 2, 3, 4}
    assert all(info.modified.tzinfo is not None for info in found.values())
    assert sorted(i.key for i in store.list("letters/")) == sorted(keys[1:3])
    assert [i.key for i in store.list(f"letters/{SHA[:2]}")] == [keys[1]]
    assert [i.key for i in store.list(SHA[:2])] == [keys[0]]
    assert list(store.list("agreements/")) == []


def test_touch_makes_a_file_fresh(store: Storage) -> None:
    store.put_bytes(KEY, b"oud")
    if isinstance(store, LocalStorage):
        hour_ago = time.time() - 3600
        os.utime(store.path(KEY), (hour_ago, hour_ago))
    else:
        time.sleep(1.1)  # S3 keeps modification times to the second
    before = store.info(KEY).modified
    store.touch(KEY)
    assert store.info(KEY).modified > before
    assert store.read_bytes(KEY) == b"oud"


def test_a_big_file_is_streamed_in_chunks(store: Storage, tmp_path: Path) -> None:
    source = tmp_path / "big"
    digest = hashlib.sha256()
    block = bytes(range(256)) * 4096  # 1 MiB
    with open(source, "wb") as out:
        for n in range(BIG // len(block)):
            chunk = bytes([n]) + block[1:]
            digest.update(chunk)
            out.write(chunk)
    store.put_file(KEY, str(source))
    assert store.size(KEY) == BIG

    read = hashlib.sha256()
    tracemalloc.start()
    try:
        with store.open(KEY) as stream:
            while chunk := stream.read(256 * 1024):
                assert len(chunk) <= 256 * 1024
                read.update(chunk)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert read.hexdigest() == digest.hexdigest()
    assert peak < 8 * 1024 * 1024, f"reading held {peak} bytes"
    store.delete(KEY)


def test_the_check_writes_reads_and_removes_a_probe(store: Storage) -> None:
    store.check()
    assert list(store.list()) == []


# --- one backend ------------------------------------------------------------------------------


def test_the_local_store_lists_no_scratch_or_half_written_files(tmp_path: Path) -> None:
    store = LocalStorage(tmp_path)
    store.put_bytes(KEY, b"x")
    (tmp_path / "tmp").mkdir()
    (tmp_path / "tmp" / "tmpupload").write_bytes(b"upload in progress")
    (tmp_path / SHA[:2] / f"{SHA}.tmp").write_bytes(b"half")
    assert [i.key for i in store.list()] == [KEY]
    assert store.path(KEY) == str(tmp_path / SHA[:2] / SHA)


def test_s3_prefixes_keep_portals_apart(s3_server: MotoServer, s3_bucket: str) -> None:
    first = build_storage(s3_server.settings(s3_bucket, prefix="een"))
    second = build_storage(s3_server.settings(s3_bucket, prefix="twee/"))
    first.put_bytes(KEY, b"1")
    assert not second.exists(KEY)
    assert list(second.list()) == []
    assert first.location(KEY) == f"s3://{s3_bucket}/een/{KEY}"
    keys = [o["Key"] for o in s3_server.client().list_objects_v2(Bucket=s3_bucket)["Contents"]]
    assert keys == [f"een/{KEY}"]


def test_s3_check_fails_without_the_bucket(s3_server: MotoServer) -> None:
    store = build_storage(s3_server.settings("bestaat-niet"))
    assert isinstance(store, S3Storage)
    with pytest.raises(Exception, match="NoSuchBucket|does not exist"):
        store.check()


def test_the_settings_choose_the_backend(tmp_path: Path) -> None:
    assert isinstance(build_storage({"EVIDENCE_DIR": str(tmp_path)}), LocalStorage)
    with pytest.raises(RuntimeError, match="S3_BUCKET"):
        build_storage({"STORAGE_BACKEND": "s3", "EVIDENCE_DIR": str(tmp_path)})
    with pytest.raises(RuntimeError, match="STORAGE_BACKEND"):
        build_storage({"STORAGE_BACKEND": "ftp", "EVIDENCE_DIR": str(tmp_path)})
