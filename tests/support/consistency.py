"""After a crash: is the database intact, and do its evidence rows and EVIDENCE_DIR agree?"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from flask import Flask

from portal.extensions import db
from portal.models import EvidenceDocument


def evidence_on_disk(app: Flask) -> tuple[set[str], list[str]]:
    """The stored evidence files (by name, which is their SHA-256) and any temporary files left
    in EVIDENCE_DIR/tmp. Agreements, letters and sheets live in their own sub-folders."""
    root = Path(app.config["EVIDENCE_DIR"])
    stored = {p.name for p in root.glob("??/*") if p.is_file()}
    temporary = sorted(str(p) for p in (root / "tmp").glob("*")) if (root / "tmp").exists() else []
    return stored, temporary


def assert_consistent(app: Flask) -> None:
    """A fresh connection finds an intact database whose evidence rows and files match."""
    db.session.remove()
    db.engine.dispose()  # nothing pooled from before the crash
    url = app.config["DATABASE_URL"]
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
    assert db.session.scalar(db.select(db.literal(1))) == 1
    rows = set(db.session.scalars(db.select(EvidenceDocument.sha256)))
    stored, temporary = evidence_on_disk(app)
    assert rows - stored == set(), "evidence rows without their file"
    assert stored - rows == set(), "evidence files without their row"
    assert temporary == [], "temporary upload files left behind"
