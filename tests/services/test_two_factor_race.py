"""One code, posted several times at once, lets in exactly one request.

The attack: four parallel posts of one valid code, two succeeded; the service read the last
step used and wrote the new one afterwards. Each thread here has its own app context, so its own
database session and connection, and they all call the service at the same moment (a barrier).
Runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pyotp
from flask import Flask

from portal.extensions import db
from portal.models import RecoveryCode, Role, User
from portal.services import ServiceError, two_factor
from tests import factories

ATTEMPTS = 6
MOMENT = datetime(2026, 11, 28, 12, 0, 10, tzinfo=UTC)


def race(app: Flask, user_id: int, code: str) -> list[str]:
    barrier = threading.Barrier(ATTEMPTS)
    results: list[str] = []

    def attempt() -> None:
        with app.app_context():
            user = db.session.get(User, user_id)
            try:
                barrier.wait()
                two_factor.verify(user, code, MOMENT)
                results.append("ok")
            except ServiceError as error:
                results.append(error.code)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt) for _ in range(ATTEMPTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_one_code_posted_at_once_is_accepted_once(app: Flask) -> None:
    reviewer = factories.UserFactory(role=Role.REVIEWER)
    db.session.commit()
    code = pyotp.TOTP(factories.TOTP_SECRET).at(MOMENT)
    results = race(app, reviewer.id, code)
    assert sorted(results) == ["ok"] + ["totp_code_used"] * (ATTEMPTS - 1), results
    db.session.expire_all()
    assert db.session.get(User, reviewer.id).totp_last_step == int(MOMENT.timestamp()) // 30


def test_one_recovery_code_posted_at_once_is_accepted_once(app: Flask) -> None:
    reviewer = factories.UserFactory(role=Role.REVIEWER)
    db.session.commit()
    codes = two_factor._new_recovery_codes(reviewer)
    db.session.commit()
    results = race(app, reviewer.id, codes[0])
    assert sorted(results) == ["ok"] + ["totp_wrong_code"] * (ATTEMPTS - 1), results
    db.session.expire_all()
    used = db.session.scalar(
        db.select(db.func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.used_at.is_not(None))
    )
    assert used == 1
