"""Self-check for tests/support/pgserver.py (not collected by pytest).

    python -m tests.support.selfcheck_pgserver

Starts a TemporaryPostgres, connects with psycopg 3 (and, if installed,
SQLAlchemy through pg.url), writes and reads a table, stops the server and
checks that its directory is gone.  Exits non-zero on any failure.
"""

from __future__ import annotations

import sys
import time

import psycopg

from tests.support.pgserver import TemporaryPostgres


def main() -> int:
    t0 = time.monotonic()
    with TemporaryPostgres() as pg:
        t_started = time.monotonic()
        base_dir = pg.base_dir
        print(f"url:      {pg.url}")
        print(f"conninfo: {pg.conninfo}")
        print(f"dir:      {base_dir}")
        with psycopg.connect(pg.conninfo, autocommit=True) as conn:
            version = conn.execute("select version()").fetchone()[0]
            print(f"version:  {version}")
            conn.execute("create table selfcheck (id serial primary key, name text not null)")
            conn.execute("insert into selfcheck (name) values (%s), (%s)", ("ä-ö", "€uro"))
            rows = conn.execute("select id, name from selfcheck order by id").fetchall()
            print(f"rows:     {rows}")
            assert rows == [(1, "ä-ö"), (2, "€uro")], rows
            for name in ("fsync", "synchronous_commit", "full_page_writes", "server_encoding"):
                print(f"  {name} = {conn.execute(f'show {name}').fetchone()[0]}")
            assert conn.execute("show fsync").fetchone()[0] == "off"
            assert conn.execute("show server_encoding").fetchone()[0] == "UTF8"

        extra_url = pg.create_database("other")
        print(f"extra db: {extra_url}")

        try:
            import sqlalchemy as sa
        except ImportError:
            print("sqlalchemy: not installed, URL check skipped")
        else:
            engine = sa.create_engine(pg.url)
            with engine.connect() as c:
                n = c.execute(sa.text("select count(*) from selfcheck")).scalar_one()
            engine.dispose()
            print(f"sqlalchemy via pg.url: count = {n}")
            assert n == 2
        t_stopping = time.monotonic()
    t_end = time.monotonic()

    assert base_dir is not None
    if base_dir.exists():
        print(f"FAIL: {base_dir} still exists")
        return 1
    print(f"removed:  {base_dir} is gone")
    print(
        f"timing:   start {t_started - t0:.2f}s, stop {t_end - t_stopping:.2f}s, "
        f"total {t_end - t0:.2f}s"
    )
    print("selfcheck_pgserver: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
