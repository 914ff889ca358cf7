"""A throwaway Redis server on loopback (Debian's redis-server, installed by
scripts/system-deps.sh), for the rate-limit state that several portal instances share.

    with RedisServer() as redis_server:
        settings["RATELIMIT_STORAGE_URI"] = redis_server.url    # redis://127.0.0.1:PORT

Nothing is written to disk (no RDB snapshots, no append-only file); the server stops with the
block.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

REDIS_SERVER = "/usr/bin/redis-server"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RedisServer:
    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}"
        self.directory = Path(tempfile.mkdtemp(prefix="portal-redis-"))
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> RedisServer:
        if not Path(REDIS_SERVER).exists():
            raise RuntimeError(f"{REDIS_SERVER} not found: run scripts/system-deps.sh")
        log = open(self.directory / "redis.log", "wb")  # noqa: SIM115 (closed in __exit__)
        self._log = log
        self.process = subprocess.Popen(  # noqa: S603 (a fixed binary and our own arguments)
            [
                REDIS_SERVER,
                "--bind", "127.0.0.1",
                "--port", str(self.port),
                "--save", "",
                "--appendonly", "no",
                "--dir", str(self.directory),
                "--protected-mode", "yes",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        self._wait()
        return self

    def _wait(self, timeout: float = 15) -> None:
        import redis

        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                break
            try:
                if client.ping():
                    client.close()
                    return
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
        self.__exit__(None, None, None)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
        shutil.rmtree(self.directory, ignore_errors=True)
