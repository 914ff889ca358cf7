"""The portal served over real sockets, for tests that interrupt requests or kill the server in
the middle of one (tests/reliability/).

    python -m tests.support.live_server      # prints "listening on PORT", then serves

The process is configured only by PORTAL_* environment variables (portal/config.py). With
PAUSE_AT=<audit action> and PAUSE_MARKER=<path> it stops inside the transaction that records
that action (its rows written but not committed), creates the marker file and waits there for
ever, so a test can kill it at exactly that point.

The client side: `Browser` logs in and posts forms and files; `raw_request` sends bytes over a
plain socket and gives back whatever the server answered, for requests a well-behaved client
never sends (half a body, a Content-Length it does not keep to).
"""

from __future__ import annotations

import http.cookiejar
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


# --- the server process ------------------------------------------------------------------------


def pause_inside(action: str, marker: Path) -> None:
    from portal.services import agreements, applications, audit, evidence, review

    original = audit.record

    def record(name, *args, **kwargs):
        event = original(name, *args, **kwargs)
        if name == action:
            marker.touch()
            while True:
                time.sleep(60)
        return event

    for module in (agreements, applications, evidence, review):
        vars(module)["record"] = record  # each service's own name for audit.record


def main() -> None:
    from werkzeug.serving import make_server

    from portal import create_app

    app = create_app()
    if os.environ.get("PAUSE_AT"):
        pause_inside(os.environ["PAUSE_AT"], Path(os.environ["PAUSE_MARKER"]))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    print(f"listening on {server.server_port}", flush=True)
    server.serve_forever()


class ServerProcess:
    """`python -m tests.support.live_server` in a subprocess; `kill()` is SIGKILL, no clean-up."""

    def __init__(self, settings: dict[str, str], workdir: Path, pause_at: str | None = None):
        self.workdir = workdir
        self.marker = workdir / "paused"
        self.marker.unlink(missing_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
        env.update({f"PORTAL_{k}": v for k, v in settings.items()})
        if pause_at:
            env.update(PAUSE_AT=pause_at, PAUSE_MARKER=str(self.marker))
        self.log = workdir / f"server-{time.monotonic_ns()}.log"
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
                [sys.executable, "-m", "tests.support.live_server"],
                cwd=PROJECT_ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.url = f"http://127.0.0.1:{self._wait_for_port()}"

    def _wait_for_port(self, timeout: float = 30) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.log.read_text(errors="replace").splitlines():
                if line.startswith("listening on "):
                    return int(line.split()[-1])
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"the server did not start:\n{self.log.read_text(errors='replace')}")

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def wait_until_paused(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not self.marker.exists():
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError(f"never paused:\n{self.log.read_text(errors='replace')}")
            time.sleep(0.02)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)


# --- the client side ---------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect
        )

    def request(
        self, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        request = urllib.request.Request(f"{self.base}{path}", body, headers or {})  # noqa: S310
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:  # 302 (not followed) and errors
            return error.code, dict(error.headers), error.read()

    def post(self, path: str, data: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        return self.request(path, urllib.parse.urlencode(data).encode())

    def log_in(self, email: str, password: str) -> None:
        status, headers, _ = self.post("/inloggen", {"email": email, "password": password})
        assert status == 302 and not headers["Location"].startswith("/inloggen"), status

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)

    def upload(self, fields: dict[str, str], filename: str, content: bytes):
        body, content_type = multipart(fields, filename, content)
        return self.request("/aanbieder/documenten", body, {"Content-Type": content_type})


BOUNDARY = "----reliability-boundary-7MA4YWxkTrZu0gW"


def multipart(fields: dict[str, str], filename: str, content: bytes) -> tuple[bytes, str]:
    """A multipart/form-data body with the fields first and the file last."""
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    parts.append(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{BOUNDARY}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={BOUNDARY}"


def raw_request(
    port: int,
    head: str,
    body: bytes,
    *,
    close_after_send: bool = False,
    timeout: float = 5,
) -> tuple[bytes, float]:
    """Send `head` (request line and headers, without the blank line) and `body` exactly as given,
    then read what comes back until the server closes or `timeout` passes. With
    `close_after_send` the client hangs up at once, as a browser does when its user leaves.
    Returns the answer and how long it took to come."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(head.encode("latin-1") + b"\r\n\r\n" + body)
        if close_after_send:
            sock.shutdown(socket.SHUT_RDWR)
            return b"", 0.0
        started = time.monotonic()
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
                if b"\r\n\r\n" in answer and _complete(answer):
                    break
        except TimeoutError:
            pass
        return answer, time.monotonic() - started


def _complete(answer: bytes) -> bool:
    head, _, body = answer.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value.strip())
    return False


if __name__ == "__main__":
    main()
