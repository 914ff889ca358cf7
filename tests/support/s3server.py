"""An S3-compatible server for tests: moto's server mode as a subprocess on a free loopback port.

    from tests.support.s3server import MotoServer

    with MotoServer() as server:             # started, and answering
        server.endpoint_url                  # "http://127.0.0.1:PORT"
        server.create_bucket("portaal")      # the operator's job; tests do it here
        create_app({..., **server.settings("portaal")})

Nothing is sent anywhere but 127.0.0.1, the credentials are fake and given explicitly (never read
from or written to ~/.aws), and the server keeps everything in memory: stopping it forgets all.

Pytest fixtures (tests/conftest.py loads this module as a plugin):

- `s3_server` (session): the running MotoServer, started on first use.
- `s3_endpoint` (session): its endpoint URL.
- `s3_bucket` (function): a new, empty bucket; emptied and removed afterwards.
- `s3_settings` (function): create_app settings for the S3 store on that bucket
  (STORAGE_BACKEND="s3", S3_BUCKET, S3_ENDPOINT_URL, S3_REGION, S3_ACCESS_KEY_ID, ...).
- `s3_app` (function): a second app on the test database (`app`'s settings) that stores its
  files in that bucket; its test client is the same IsolatedClient. Use `with s3_app.app_context()`
  for service calls and factories.

Several app instances sharing one store: create more apps with the same `s3_settings`.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ACCESS_KEY_ID = "testing"
SECRET_ACCESS_KEY = "testing"  # noqa: S105 (moto accepts anything)
REGION = "us-east-1"
START_TIMEOUT = 30.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class MotoServer:
    """`python -m moto.server` on 127.0.0.1; a context manager that waits until it answers and
    stops it afterwards."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or _free_port()
        self.endpoint_url = f"http://127.0.0.1:{self.port}"
        self._process: subprocess.Popen[bytes] | None = None
        self._log: Any = None
        self._client: Any = None

    def start(self) -> MotoServer:
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 (closed in stop)
        env = {
            **os.environ,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY_ID,
            "AWS_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY,
            "AWS_DEFAULT_REGION": REGION,
        }
        self._process = subprocess.Popen(  # noqa: S603 (our own interpreter, fixed arguments)
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"moto server stopped at start:\n{self.output()}")
            try:
                with urllib.request.urlopen(f"{self.endpoint_url}/", timeout=2):  # noqa: S310
                    return self
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"moto server did not answer within {START_TIMEOUT} s")

    def output(self) -> str:
        if self._log is None:
            return ""
        self._log.seek(0)
        return str(self._log.read().decode(errors="replace"))

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> MotoServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def client(self) -> Any:
        """A boto3 S3 client for this server (fake credentials, no ~/.aws)."""
        if self._client is None:
            import boto3

            self._client = boto3.session.Session().client(
                "s3",
                endpoint_url=self.endpoint_url,
                region_name=REGION,
                aws_access_key_id=ACCESS_KEY_ID,
                aws_secret_access_key=SECRET_ACCESS_KEY,
            )
        return self._client

    def create_bucket(self, name: str | None = None) -> str:
        name = name or f"portaal-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name)
        return name

    def remove_bucket(self, name: str) -> None:
        client = self.client()
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=name):
            for entry in page.get("Contents", []):
                client.delete_object(Bucket=name, Key=entry["Key"])
        client.delete_bucket(Bucket=name)

    def settings(self, bucket: str, prefix: str = "") -> dict[str, str]:
        """create_app settings (or PORTAL_* variables without the prefix) for a store there."""
        return {
            "STORAGE_BACKEND": "s3",
            "S3_BUCKET": bucket,
            "S3_PREFIX": prefix,
            "S3_ENDPOINT_URL": self.endpoint_url,
            "S3_REGION": REGION,
            "S3_ADDRESSING_STYLE": "path",
            "S3_ACCESS_KEY_ID": ACCESS_KEY_ID,
            "S3_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY,
        }


# --- pytest fixtures -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def s3_server() -> Iterator[MotoServer]:
    with MotoServer() as server:
        yield server


@pytest.fixture(scope="session")
def s3_endpoint(s3_server: MotoServer) -> str:
    return s3_server.endpoint_url


@pytest.fixture()
def s3_bucket(s3_server: MotoServer) -> Iterator[str]:
    name = s3_server.create_bucket()
    yield name
    s3_server.remove_bucket(name)


@pytest.fixture()
def s3_settings(s3_server: MotoServer, s3_bucket: str) -> dict[str, str]:
    return s3_server.settings(s3_bucket)


# The settings of the test app (tests/support/app.py) a second instance copies.
SHARED_SETTINGS = (
    "TESTING",
    "SECRET_KEY",
    "DATABASE_URL",
    "WTF_CSRF_ENABLED",
    "SERVER_NAME",
    "EXTERNAL_URL",
    "SESSION_COOKIE_SECURE",
    "PASSWORD_HASH_METHOD",
    "LOGIN_LIMIT_PER_ADDRESS",
    "SECOND_STEP_FAILURES_PER_ACCOUNT",
    "LOCKOUT_FAILURES_PER_ACCOUNT",
    "LOCKOUT_FAILURES_PER_ADDRESS",
    "LOCKOUT_FAILURES_PER_DEVICE",
    "ACCOUNT_LIMIT_PER_ADDRESS",
    "INVITATION_LIMIT_PER_ORGANISATION",
    "INVITATION_LIMIT_PER_ADDRESS",
    "MAIL_BACKEND",
    "MAIL_SERVER",
    "MAIL_PORT",
)


@pytest.fixture()
def s3_app(app: Any, s3_settings: dict[str, str], tmp_path: Path) -> Iterator[Any]:
    from portal import create_app
    from portal.extensions import db
    from tests.support.app import IsolatedClient

    instance = create_app(
        {
            **{key: app.config[key] for key in SHARED_SETTINGS},
            **s3_settings,
            "EVIDENCE_DIR": str(tmp_path / "unused-evidence-dir"),
            "UPLOAD_TMP_DIR": str(tmp_path / "upload-scratch"),
        }
    )
    instance.test_client_class = IsolatedClient
    yield instance
    with instance.app_context():
        db.session.remove()
        db.engine.dispose()
