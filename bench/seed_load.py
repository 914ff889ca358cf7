"""Load-test accounts on top of the demo data: `python -m bench.seed_load --providers N --reviewers M`.

Run after `flask db upgrade` and `flask seed-demo`, against a throwaway database (the driver,
bench/run_load.py, makes one). Every provider gets an organisation of its own with an
application in the state bench/accounts.py gives it (draft, submitted or admitted with a
framework agreement); every reviewer is assigned to both demo DAS instances and has the bench
TOTP key confirmed, so each can log in once with a code from pyotp.

The admitted and submitted applications go through the same services as the demo's
(`portal.devdata.demo._demo_provider`), so what the load test reads was made the way users make it.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from werkzeug.security import generate_password_hash

from bench import accounts

if TYPE_CHECKING:
    from portal.models import Das


def _organisation_and_user(number: int, password_hash: str):
    from portal.extensions import db
    from portal.models import Organisation, OrganisationRole, Role, SizeClass, User

    email = accounts.provider_email(number)
    user = db.session.scalar(db.select(User).where(User.email == email))
    if user is not None:
        return user
    organisation = Organisation(
        legal_name=f"Belastingtest Jeugdhulp {number:04d} B.V.",
        kvk_number=f"9{number:07d}",
        size_class=SizeClass.SMALL,
        city="Roermond",
    )
    user = User(
        email=email,
        name=f"Testgebruiker {number:04d}",
        role=Role.PROVIDER,
        organisation=organisation,
        organisation_role=OrganisationRole.ADMIN,
        is_signatory=True,
        email_verified_at=datetime.now(UTC),
        # One scrypt hash for every bench account: hashing hundreds of passwords would take
        # longer than the load test. Logging in still checks it the normal way.
        password_hash=password_hash,
    )
    db.session.add_all([organisation, user])
    db.session.flush()
    return user


def _reviewer(number: int, password_hash: str, das_list: Sequence[Das]) -> None:
    from portal.extensions import db
    from portal.models import Role, StaffAssignment, User

    email = accounts.reviewer_email(number)
    if db.session.scalar(db.select(User.id).where(User.email == email)) is not None:
        return
    user = User(
        email=email,
        name=f"Testbeoordelaar {number:04d}",
        role=Role.REVIEWER,
        email_verified_at=datetime.now(UTC),
        password_hash=password_hash,
        totp_secret=accounts.TOTP_SECRET,
        totp_confirmed_at=datetime.now(UTC),
    )
    db.session.add(user)
    db.session.flush()
    for das in das_list:
        db.session.add(StaffAssignment(user_id=user.id, das_id=das.id))


def load(providers: int, reviewers: int) -> dict[str, int]:
    from portal.devdata import demo
    from portal.extensions import db
    from portal.infra.timeutil import local_date, now
    from portal.models import Das, User
    from portal.services import applications

    today = local_date(now())
    password_hash = generate_password_hash(accounts.PASSWORD)
    das_list = db.session.scalars(db.select(Das).order_by(Das.id)).all()
    ml = next(d for d in das_list if d.reference == "ML-AJW")
    first_reviewer = db.session.scalar(
        db.select(User).where(User.email == "beoordelaar@demo.das-portaal.nl")
    )
    second_reviewer = db.session.scalar(
        db.select(User).where(User.email == "beoordelaar2@demo.das-portaal.nl")
    )
    if first_reviewer is None or second_reviewer is None:
        raise SystemExit("Eerst de demodata laden: flask --app portal seed-demo")

    counts = {accounts.DRAFT: 0, accounts.SUBMITTED: 0, accounts.ADMITTED: 0}
    for number in range(1, providers + 1):
        kind = accounts.provider_kind(number)
        user = _organisation_and_user(number, password_hash)
        db.session.commit()
        counts[kind] += 1
        if kind == accounts.DRAFT:
            if applications.open_application(ml, user.organisation_id) is None:
                application = applications.start_application(ml, user)
                lot_products = [p.id for lot in ml.lots[:2] for p in lot.products]
                applications.save_products(application, lot_products, user)
            continue
        # The demo's own path: answers, evidence, submission and (for admitted) the review
        # by two reviewers, which makes the framework agreement.
        demo._demo_provider(
            demo.DemoProvider(
                user.organisation.legal_name,
                user.organisation.kvk_number,
                user.organisation.size_class,
                user.email,
                kind,
            ),
            ml,
            today,
            first_reviewer,
            second_reviewer,
        )
        db.session.commit()
    for number in range(1, reviewers + 1):
        _reviewer(number, password_hash, das_list)
    db.session.commit()
    # Quarterly KPI figures for the new agreements, as the demo has for its own.
    demo._demo_figures(ml, today)
    db.session.commit()
    counts["reviewers"] = reviewers
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.seed_load", description=__doc__)
    parser.add_argument("--providers", type=int, default=200)
    parser.add_argument("--reviewers", type=int, default=50)
    args = parser.parse_args(argv)

    from portal import create_app

    started = time.monotonic()
    app = create_app()
    with app.app_context():
        counts = load(args.providers, args.reviewers)
    print(
        f"Belastingtestaccounts: {args.providers} aanbieders ({counts[accounts.DRAFT]} concept, "
        f"{counts[accounts.SUBMITTED]} ingediend, {counts[accounts.ADMITTED]} toegelaten), "
        f"{args.reviewers} beoordelaars ({time.monotonic() - started:.1f} s)."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
