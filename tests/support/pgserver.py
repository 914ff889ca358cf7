"""A throwaway PostgreSQL server for tests.

    from tests.support.pgserver import TemporaryPostgres

    with TemporaryPostgres() as pg:
        engine = sqlalchemy.create_engine(pg.url)
        # pg.url == "postgresql+psycopg://postgres@127.0.0.1:PORT/test"

It runs ``initdb`` into a fresh directory under /tmp, starts the server with
``pg_ctl -w`` on a free TCP port of 127.0.0.1 (unix socket inside the same
directory, fsync/full_page_writes/synchronous_commit off: data is thrown
away), creates a database, and on exit stops the server and deletes the
directory.

initdb and postgres refuse to run as root.  When this process is root, they
run as the ``postgres`` system user (which Debian's postgresql package
creates); if that user does not exist a system user ``pgtest`` is created.

Binaries: ``$PGSERVER_BINDIR`` if set, else ``initdb``/``pg_ctl`` on PATH,
else the newest ``/usr/lib/postgresql/*/bin`` (Debian's layout).  On a fresh
machine, ``scripts/system-deps.sh`` installs them.

For developers: ``python -m tests.support.pgserver`` starts a server, prints
its URL and waits for Ctrl-C.
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import re
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

__all__ = ["TemporaryPostgres", "PostgresError", "find_bindir"]

# Settings for a server whose data nobody will ever need again.
_SERVER_CONF = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    # Every test empties every table: autovacuum would chase those deletes all run long, and
    # JIT-compiling a query costs more than running it on a test's few rows.
    "autovacuum": "off",
    "jit": "off",
    "max_connections": "100",
    "logging_collector": "off",
    "log_min_messages": "warning",
    "log_line_prefix": "'%m [%p] '",
    "timezone": "'UTC'",
}

_DEBIAN_BINDIRS = "/usr/lib/postgresql/*/bin"
_OTHER_BINDIRS = ("/usr/pgsql-*/bin", "/usr/local/pgsql/bin", "/opt/homebrew/opt/postgresql@*/bin")
_FALLBACK_RUN_AS = "pgtest"


class PostgresError(RuntimeError):
    """The server could not be set up, started or stopped."""


def _version_key(path: str) -> tuple:
    return tuple(int(n) for n in re.findall(r"\d+", path))


def find_bindir() -> Path:
    """Directory holding initdb and pg_ctl.

    Order: $PGSERVER_BINDIR, then PATH (symlinks resolved), then the newest
    /usr/lib/postgresql/*/bin.
    """
    env = os.environ.get("PGSERVER_BINDIR")
    if env:
        d = Path(env)
        if (d / "initdb").is_file() and (d / "pg_ctl").is_file():
            return d
        raise PostgresError(f"PGSERVER_BINDIR={env} has no initdb/pg_ctl")

    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl:
        d = Path(os.path.realpath(initdb)).parent
        if (d / "pg_ctl").is_file():
            return d

    candidates = sorted(glob.glob(_DEBIAN_BINDIRS), key=_version_key, reverse=True)
    for pattern in _OTHER_BINDIRS:
        candidates += sorted(glob.glob(pattern), key=_version_key, reverse=True)
    for c in candidates:
        d = Path(c)
        if (d / "initdb").is_file() and (d / "pg_ctl").is_file():
            return d
    raise PostgresError(
        "PostgreSQL server binaries (initdb, pg_ctl) not found on PATH or in "
        f"{_DEBIAN_BINDIRS}; run scripts/system-deps.sh (Debian package 'postgresql')"
    )


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _ensure_system_user() -> pwd.struct_passwd:
    """The account to run postgres as when we are root."""
    wanted = os.environ.get("PGSERVER_RUN_AS")
    names = [wanted] if wanted else ["postgres", _FALLBACK_RUN_AS]
    for name in names:
        try:
            return pwd.getpwnam(name)
        except KeyError:
            pass
    name = wanted or _FALLBACK_RUN_AS
    useradd = shutil.which("useradd") or "/usr/sbin/useradd"
    proc = subprocess.run(
        [
            useradd,
            "--system",
            "--user-group",
            "--no-create-home",
            "--home-dir",
            "/nonexistent",
            "--shell",
            "/usr/sbin/nologin",
            "--comment",
            "throwaway PostgreSQL for tests",
            name,
        ],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
    )
    try:  # another process may have created it at the same moment
        return pwd.getpwnam(name)
    except KeyError:
        raise PostgresError(
            f"running as root and no 'postgres' user; useradd {name} failed: "
            f"{proc.stderr.strip() or proc.stdout.strip()}"
        ) from None


def _check_traversable(path: Path, uid: int, gids: Iterable[int]) -> None:
    gids = set(gids)
    for parent in path.parents:
        st = parent.stat()
        if st.st_uid == uid:
            ok = st.st_mode & stat.S_IXUSR
        elif st.st_gid in gids:
            ok = st.st_mode & stat.S_IXGRP
        else:
            ok = st.st_mode & stat.S_IXOTH
        if not ok:
            raise PostgresError(
                f"{parent} is not traversable by uid {uid}; set PGSERVER_TMPDIR "
                "to a directory it can reach (default /tmp)"
            )


def _tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:]) or "(log empty)"


class TemporaryPostgres:
    """A PostgreSQL server in a temporary directory, for one test session.

    Use as a context manager, or call start()/stop().  After start():

    url       SQLAlchemy URL, postgresql+psycopg://USER@127.0.0.1:PORT/DBNAME
    conninfo  libpq string for psycopg.connect(), "host=... port=... ..."
    host, port, user, dbname, base_dir, data_dir, socket_dir, log_path, bindir
    """

    def __init__(
        self,
        dbname: str = "test",
        user: str = "postgres",
        *,
        port: int | None = None,
        host: str = "127.0.0.1",
        settings: dict[str, str] | None = None,
        startup_timeout: int = 60,
        keep: bool | None = None,
    ) -> None:
        """
        dbname           database created after start (also: create_database()).
        user             superuser name given to initdb -U; no password (trust).
        port             fixed TCP port; default: a free one (retried if taken).
        settings         extra postgresql.conf settings, values as written in
                         the file (strings need their own quotes: "'UTC'").
        startup_timeout  seconds for pg_ctl -w start.
        keep             keep the directory after stop (default: $PGSERVER_KEEP=1).
        """
        self.dbname = dbname
        self.user = user
        self.host = host
        self.port: int | None = port
        self._fixed_port = port is not None
        self.settings = {**_SERVER_CONF, **(settings or {})}
        self.startup_timeout = startup_timeout
        self.keep = os.environ.get("PGSERVER_KEEP") == "1" if keep is None else keep
        self.bindir: Path | None = None
        self.base_dir: Path | None = None
        self._run_as: pwd.struct_passwd | None = None
        self._owner_pid: int | None = None
        self._started = False

    # ---------------------------------------------------------------- paths
    @property
    def data_dir(self) -> Path:
        return self._base() / "data"

    @property
    def socket_dir(self) -> Path:
        return self._base() / "sock"

    @property
    def log_path(self) -> Path:
        return self._base() / "postgresql.log"

    def _base(self) -> Path:
        if self.base_dir is None:
            raise PostgresError("server not started")
        return self.base_dir

    # ----------------------------------------------------------------- URLs
    def url_for(self, dbname: str) -> str:
        """SQLAlchemy URL (psycopg 3 driver) of a database on this server."""
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{dbname}"

    @property
    def url(self) -> str:
        return self.url_for(self.dbname)

    @property
    def conninfo(self) -> str:
        return f"host={self.host} port={self.port} user={self.user} dbname={self.dbname}"

    @property
    def running(self) -> bool:
        return self._started

    # ------------------------------------------------------------ processes
    def _env(self) -> dict[str, str]:
        # Drop PG* variables (PGHOST, PGDATA, PGOPTIONS...) that would steer
        # the tools elsewhere.
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["LC_ALL"] = "C"
        env["TZ"] = env.get("TZ", "UTC")
        if self._run_as is not None:
            env.update(
                HOME=str(self._base()), USER=self._run_as.pw_name, LOGNAME=self._run_as.pw_name
            )
        return env

    def _run(
        self, argv: list[str], *, as_server_user: bool = True, timeout: float | None = None
    ) -> subprocess.CompletedProcess:
        kwargs: dict = {}
        if as_server_user and self._run_as is not None:
            kwargs.update(user=self._run_as.pw_uid, group=self._run_as.pw_gid, extra_groups=[])
        return subprocess.run(
            argv,
            cwd=self._base(),
            env=self._env(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            # Own session: a Ctrl-C in the terminal reaches only us, and we
            # stop the server ourselves.
            start_new_session=True,
            **kwargs,
        )

    def _tool(self, name: str) -> str:
        assert self.bindir is not None
        p = self.bindir / name
        if p.is_file():
            return str(p)
        found = shutil.which(name)
        if not found:
            raise PostgresError(f"{name} not found in {self.bindir} or on PATH")
        return found

    # ------------------------------------------------------------ lifecycle
    def start(self) -> TemporaryPostgres:
        if self._started:
            return self
        self.bindir = find_bindir()
        root = os.geteuid() == 0
        if root:
            self._run_as = _ensure_system_user()
            parent = Path(os.environ.get("PGSERVER_TMPDIR", "/tmp"))
        else:
            parent = Path(os.environ.get("PGSERVER_TMPDIR", tempfile.gettempdir()))
        self.base_dir = Path(tempfile.mkdtemp(prefix="pgserver-", dir=parent))
        self._owner_pid = os.getpid()
        atexit.register(self.stop)
        try:
            self.socket_dir.mkdir(mode=0o700)
            if self._run_as is not None:
                _check_traversable(self.base_dir, self._run_as.pw_uid, [self._run_as.pw_gid])
                for p in (self.base_dir, self.socket_dir):
                    os.chown(p, self._run_as.pw_uid, self._run_as.pw_gid)
            self._initdb()
            self._start_server()
            self._started = True
            if self.dbname != "postgres":
                self.create_database(self.dbname)
        except BaseException:
            self.stop()
            raise
        return self

    def _initdb(self) -> None:
        proc = self._run(
            [
                self._tool("initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                self.user,
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
            ],
            timeout=300,
        )
        if proc.returncode != 0:
            raise PostgresError(
                f"initdb failed (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
            )
        conf = dict(self.settings, unix_socket_directories=f"'{self.socket_dir}'")
        with open(self.data_dir / "postgresql.conf", "a") as f:
            f.write("\n# tests/support/pgserver.py\n")
            for k, v in conf.items():
                f.write(f"{k} = {v}\n")

    def _start_server(self) -> None:
        attempts = 1 if self._fixed_port else 5
        for attempt in range(attempts):
            if not self._fixed_port:
                self.port = _free_port(self.host)
            log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
            try:
                proc = self._run(
                    [
                        self._tool("pg_ctl"),
                        "start",
                        "-w",
                        "-t",
                        str(self.startup_timeout),
                        "-D",
                        str(self.data_dir),
                        "-l",
                        str(self.log_path),
                        "-o",
                        f"-p {int(self.port)}",
                    ],
                    timeout=self.startup_timeout + 30,
                )
            except subprocess.TimeoutExpired:
                raise PostgresError(
                    f"pg_ctl start hung; log {self.log_path}:\n{_tail(self.log_path)}"
                ) from None
            if proc.returncode == 0:
                return
            with open(self.log_path, errors="replace") as f:
                f.seek(log_offset)
                new_log = f.read()
            port_taken = "could not bind" in new_log or "already in use" in new_log
            if port_taken and attempt + 1 < attempts:
                self._kill_postmaster()  # in case it half-started
                continue
            raise PostgresError(
                f"PostgreSQL failed to start (pg_ctl exit {proc.returncode}, port "
                f"{self.port}):\n{proc.stdout}{proc.stderr}\n--- {self.log_path} "
                f"(last lines) ---\n{_tail(self.log_path)}"
            )

    def create_database(self, dbname: str) -> str:
        """Create another database on this server; returns its URL."""
        proc = self._run(
            [
                self._tool("createdb"),
                "-h",
                self.host,
                "-p",
                str(self.port),
                "-U",
                self.user,
                dbname,
            ],
            as_server_user=False,
            timeout=60,
        )
        if proc.returncode != 0:
            raise PostgresError(f"createdb {dbname} failed: {proc.stderr.strip()}")
        return self.url_for(dbname)

    def _postmaster_pid(self) -> int | None:
        try:
            first = (self.data_dir / "postmaster.pid").read_text().split("\n", 1)[0]
            return int(first)
        except (OSError, ValueError):
            return None

    def _kill_postmaster(self) -> None:
        pid = self._postmaster_pid()
        if pid is None:
            return
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        except PermissionError:
            return
        for _ in range(100):  # its children exit once the postmaster is gone
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop the server and delete its directory.  Safe to call twice."""
        if self.base_dir is None:
            return
        if self._owner_pid is not None and os.getpid() != self._owner_pid:
            return  # a forked child must not tear down its parent's server
        atexit.unregister(self.stop)
        try:
            if self.data_dir.exists() and self._postmaster_pid() is not None:
                try:
                    proc = self._run(
                        [
                            self._tool("pg_ctl"),
                            "stop",
                            "-w",
                            "-t",
                            "30",
                            "-m",
                            "immediate",
                            "-D",
                            str(self.data_dir),
                        ],
                        timeout=60,
                    )
                    ok = proc.returncode == 0
                except (subprocess.TimeoutExpired, PostgresError, OSError):
                    ok = False
                if not ok:
                    self._kill_postmaster()
        finally:
            self._started = False
            if self.keep:
                print(f"pgserver: kept {self.base_dir}")
            else:
                shutil.rmtree(self.base_dir, ignore_errors=True)
            self.base_dir = None

    def __enter__(self) -> TemporaryPostgres:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = f"url={self.url!r}" if self._started else "stopped"
        return f"<TemporaryPostgres {state}>"


def main(argv: list[str] | None = None) -> int:
    """python -m tests.support.pgserver [--dbname D] [--user U] [--port P]"""
    import argparse

    ap = argparse.ArgumentParser(
        prog="python -m tests.support.pgserver",
        description="Start a throwaway PostgreSQL, print its URL, wait for Ctrl-C.",
    )
    ap.add_argument("--dbname", default="test")
    ap.add_argument("--user", default="postgres")
    ap.add_argument("--port", type=int, default=None, help="default: a free port")
    args = ap.parse_args(argv)

    def _term(signum, frame):  # make SIGTERM clean up like Ctrl-C
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _term)
    try:
        # A Ctrl-C at any point (even during start-up) leaves through the
        # with block, which stops the server and removes its directory.
        with TemporaryPostgres(args.dbname, args.user, port=args.port) as pg:
            print(pg.url)
            print(f"  psql: {pg._tool('psql')} -h {pg.host} -p {pg.port} -U {pg.user} {pg.dbname}")
            print(f"  data: {pg.data_dir}   log: {pg.log_path}")
            print("Ctrl-C to stop.", flush=True)
            while True:
                signal.pause()
    except KeyboardInterrupt:
        print("\nstopped", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
