"""Attacks on the audit trail by someone with write access to the database,
each checked through `flask audit verify` as an operator runs it. On SQLite and PostgreSQL.

- Rewriting an event and recomputing the whole chain after it, with plain SHA-256 (what the
  chain used to be) or a guessed key: the chain is an HMAC with AUDIT_KEY, which is not in the
  database.
- Changing a decision beside the trail (`UPDATE application_lot SET outcome = 'admitted'`), an
  agreement's end date or state, or a published tariff: the facts are replayed from the trail.
- Deleting the newest events and setting the head back: `flask audit anchor` keeps the head
  outside the database (the file store), and verify holds the chain to every anchor.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, cast

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.engine import Connection

from portal.extensions import db
from portal.infra.storage import S3Storage, get_storage
from portal.models import (
    AgreementState,
    Application,
    AuditEvent,
    Das,
    FrameworkAgreement,
    LotOutcome,
    Role,
    TariffSheet,
    User,
)
from portal.models.audit import AuditChainHead
from portal.services import applications, audit, calendar, review, tariffs
from portal.services.agreements import agreement_of
from tests import factories
from tests.support.audit import triggers_bypassed
from tests.support.backups import create_archive, make_target, restore

DAY = date(2027, 3, 15)
# Declarative classes' tables are Tables: written to past the ORM, as an attacker would.
events_table = cast(sa.Table, AuditEvent.__table__)
head_table = cast(sa.Table, AuditChainHead.__table__)


def at(hour: int) -> datetime:
    return datetime(DAY.year, DAY.month, DAY.day, hour, tzinfo=UTC)


@dataclass(frozen=True)
class History:
    """Ids only: the commands and the attacks below start sessions of their own."""

    das_id: int
    admitted_id: int
    rejected_id: int
    pending_id: int
    agreement_id: int
    sheet_id: int

    def das(self) -> Das:
        return db.session.get_one(Das, self.das_id)

    def lot_ids(self, application_id: int) -> list[int]:
        return [al.lot_id for al in db.session.get_one(Application, application_id).lots]


def _apply(das: Das, reviewer: User, outcome: LotOutcome | None) -> Application:
    provider = factories.ProviderUserFactory()
    application = factories.complete_draft(das, provider, DAY)
    applications.submit(application, provider, at(9))
    if outcome is not None:
        reason = "" if outcome is LotOutcome.ADMITTED else "Het certificaat dekt de zorg niet."
        factories.decide(
            application,
            {al.lot_id: review.LotDecision(outcome, reason) for al in application.lots},
            reviewer,
            at(15),
        )
    return application


@pytest.fixture()
def history(app: Flask) -> History:
    """Through the services: one provider admitted (an agreement drawn up), one rejected, one
    still in review; the base tariffs published; then three events that set no fact."""
    calendar.ensure_statutory_holidays(range(2026, 2030))
    db.session.commit()
    das = factories.DasFactory()
    admin = factories.UserFactory(role=Role.ADMINISTRATOR)
    reviewer = factories.UserFactory(role=Role.REVIEWER)
    factories.assign(reviewer, das)
    admitted = _apply(das, reviewer, LotOutcome.ADMITTED)
    rejected = _apply(das, reviewer, LotOutcome.REJECTED)
    pending = _apply(das, reviewer, None)
    agreement = agreement_of(das.id, admitted.organisation_id)
    assert agreement is not None
    amounts = {p.id: 68_40 + n for n, p in enumerate(tariffs.products_of(das, 2027))}
    sheet = tariffs.publish_base(admin, das, 2027, amounts, at(16))
    for n in range(3):
        audit.record("test.note", das, admin, das_id=das.id, n=n)
    db.session.commit()
    return History(das.id, admitted.id, rejected.id, pending.id, agreement.id, sheet.id)


def verify(app: Flask) -> Any:
    db.session.remove()
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def anchor(app: Flask) -> Any:
    db.session.remove()
    result = app.test_cli_runner().invoke(args=["audit", "anchor"])
    db.session.remove()
    return result


def sql(statement: str, **parameters: Any) -> None:
    """What someone with write access to the database types."""
    db.session.execute(sa.text(statement), parameters)
    db.session.commit()


def assert_found(app: Flask, *messages: str) -> str:
    result = verify(app)
    assert result.exit_code == 1, result.output
    for message in messages:
        assert message in result.output
    assert "Audittrail NIET intact" in result.output
    return str(result.output)


# --- a clean history --------------------------------------------------------------------------


def test_a_clean_history_verifies_intact_and_anchors(app: Flask, history: History) -> None:
    first = anchor(app)
    assert first.exit_code == 0, first.output
    assert "Anker geschreven: audit-anchors/" in first.output
    # Nothing new: no second object.
    again = anchor(app)
    assert again.exit_code == 0 and "Geen nieuw anker nodig" in again.output
    audit.record("test.note", history.das(), None, n=99)
    db.session.commit()
    second = anchor(app)
    assert second.exit_code == 0 and "Anker geschreven" in second.output

    # Append-only: a new object per anchor, keys in the order they were written.
    names = [info.key for info in get_storage().list(audit.ANCHOR_PREFIX)]
    assert len(names) == 2
    assert sorted(names) == [first.output.split()[2], second.output.split()[2]]
    document = json.loads(get_storage().read_bytes(sorted(names)[1]))
    assert set(document) == {"format", "sequence", "hash", "anchored_at", "hmac_sha256"}

    result = verify(app)
    assert result.exit_code == 0, result.output
    assert "Audittrail intact" in result.output and "Getoetst aan 2 ankers" in result.output


def test_every_change_made_through_the_services_verifies_intact(
    app: Flask, history: History
) -> None:
    """Signing, an extension option (the end date moves), suspending, resuming and ending (the
    end date moves again), a second admission and a corrected tariff sheet: the replay follows
    each, so none is reported."""
    from portal.services import agreements

    das = history.das()
    agreement = db.session.get_one(FrameworkAgreement, history.agreement_id)
    provider = agreement.organisation.users[0]
    admin = factories.UserFactory(role=Role.ADMINISTRATOR)
    agreements.sign(agreement, provider, factories.PASSWORD, "10.0.0.1", at(16))
    agreements.countersign(agreement, admin, factories.PASSWORD, "10.0.0.2", at(17))
    assert agreements.exercise_option(admin, das, date(2029, 6, 1), at(9)) == date(2032, 12, 31)
    agreements.change_state(admin, agreement, AgreementState.SUSPENDED, "Klacht", date(2030, 1, 6))
    agreements.change_state(admin, agreement, AgreementState.LIVE, "Opgelost", date(2030, 2, 3))
    reviewer = factories.UserFactory(role=Role.REVIEWER)
    factories.assign(reviewer, das)
    second = _apply(das, reviewer, LotOutcome.ADMITTED)
    agreements.change_state(admin, agreement, AgreementState.ENDED, "Gestopt", date(2031, 3, 1))
    sheet = db.session.get_one(TariffSheet, history.sheet_id)
    amounts = {t.product_id: t.amount_cents + 100 for t in sheet.tariffs}
    tariffs.publish_base(admin, das, 2027, amounts, at(18), corrects=sheet, note="Typfout")

    assert db.session.get_one(FrameworkAgreement, history.agreement_id).end_date == date(2031, 3, 1)
    assert agreement_of(das.id, second.organisation_id) is not None
    result = verify(app)
    assert result.exit_code == 0, result.output


# --- the chain recomputed -----------------------------------------------------------------------


def _serialised(previous_hash: str, row: dict[str, Any]) -> bytes:
    """The chain's canonical form, as anyone can read it in the source."""
    moment = row["occurred_at"]
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    content = {
        "previous_hash": previous_hash,
        "sequence": row["sequence"],
        "occurred_at": moment.astimezone(UTC).isoformat(timespec="microseconds"),
        **{
            name: row[name]
            for name in (
                "actor_id",
                "action",
                "object_type",
                "object_id",
                "organisation_id",
                "das_id",
                "details",
            )
        },
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


LINKS: dict[str, Callable[[str, dict[str, Any]], str]] = {
    "plain sha256": lambda previous, row: hashlib.sha256(_serialised(previous, row)).hexdigest(),
    "a guessed key": lambda previous, row: hmac.new(
        b"dev-only-change-me", _serialised(previous, row), hashlib.sha256
    ).hexdigest(),
}


def _recompute_chain(connection: Connection, link: Callable[[str, dict[str, Any]], str]) -> None:
    previous = "0" * 64
    rows = connection.execute(sa.select(events_table).order_by(events_table.c.sequence)).mappings()
    for row in list(rows):
        digest = link(previous, dict(row))
        connection.execute(
            events_table.update()
            .where(events_table.c.id == row["id"])
            .values(previous_hash=previous, hash=digest)
        )
        previous = digest
        last_sequence = row["sequence"]
    connection.execute(head_table.update().values(last_sequence=last_sequence, last_hash=previous))


@pytest.mark.parametrize("link", list(LINKS))
def test_a_rewritten_decision_with_the_chain_recomputed_is_found(
    app: Flask, history: History, link: str
) -> None:
    """The rejection becomes an admission, in the event and in the row, and every hash is
    recomputed: the trail and the facts agree, the chain does not."""
    rejected_id = history.rejected_id
    assert verify(app).exit_code == 0
    with triggers_bypassed() as connection:
        connection.execute(
            events_table.update()
            .where(
                events_table.c.object_type == "application",
                events_table.c.object_id == rejected_id,
                events_table.c.action == "lot.rejected",
            )
            .values(action="lot.admitted")
        )
        connection.execute(
            sa.text("UPDATE application_lot SET outcome = 'admitted' WHERE application_id = :id"),
            {"id": rejected_id},
        )
        _recompute_chain(connection, LINKS[link])

    assert_found(
        app,
        "Gewijzigd: de inhoud van gebeurtenis #1 (id 1) past niet meer bij de hash.",
        "Geen enkele gebeurtenis past bij zijn hash: de keten is herberekend",
    )


# --- decisions changed beside the trail ----------------------------------------------------------


@pytest.mark.parametrize("which", ["rejected", "pending"])
def test_a_lot_admitted_by_sql_is_found(app: Flask, history: History, which: str) -> None:
    application_id = getattr(history, f"{which}_id")
    lot_id = history.lot_ids(application_id)[0]
    recorded = {"rejected": "'afgewezen'", "pending": "'nog niet besloten'"}[which]
    assert verify(app).exit_code == 0

    sql(
        "UPDATE application_lot SET outcome = 'admitted' WHERE application_id = :id",
        id=application_id,
    )

    assert_found(
        app,
        f"Aanmelding {application_id}, perceel {lot_id}: de database zegt 'toegelaten', "
        f"de audittrail {recorded}",
    )


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        (
            "UPDATE framework_agreement SET end_date = '2035-12-31' WHERE id = :id",
            "einddatum '2035-12-31' in de database, '2029-12-31' volgens de audittrail",
        ),
        (
            "UPDATE framework_agreement SET state = 'live' WHERE id = :id",
            "de database zegt 'lopend', de audittrail 'wacht op ondertekening'",
        ),
    ],
    ids=["end date", "state"],
)
def test_an_agreement_changed_by_sql_is_found(
    app: Flask, history: History, statement: str, message: str
) -> None:
    agreement_id = history.agreement_id
    assert verify(app).exit_code == 0

    sql(statement, id=agreement_id)

    assert_found(app, f"Raamovereenkomst {agreement_id}: ", message)


def test_a_published_tariff_changed_by_sql_is_found(app: Flask, history: History) -> None:
    tariff = db.session.get_one(TariffSheet, history.sheet_id).tariffs[0]
    sheet_id, product_id, cents = history.sheet_id, tariff.product_id, tariff.amount_cents
    assert verify(app).exit_code == 0

    sql("UPDATE tariff SET amount_cents = 999999 WHERE id = :id", id=tariff.id)

    assert_found(
        app,
        f"Tarievenblad {sheet_id}, product {product_id}: € 9.999,99 in de database, "
        f"€ {cents // 100},{cents % 100:02d} bij publicatie",
    )


# --- events deleted back past an anchor ----------------------------------------------------------


def _truncate(keep: int) -> None:
    """Delete every event after `keep` and set the head back to it: a chain that is whole."""
    with triggers_bypassed() as connection:
        kept = (
            connection.execute(
                sa.select(events_table.c.hash).where(events_table.c.sequence == keep)
            ).scalar()
            or "0" * 64
        )  # nothing kept: the start of the chain
        connection.execute(events_table.delete().where(events_table.c.sequence > keep))
        connection.execute(head_table.update().values(last_sequence=keep, last_hash=kept))


def test_events_deleted_back_past_an_anchor_are_found(app: Flask, history: History) -> None:
    result = anchor(app)
    assert result.exit_code == 0, result.output
    last = audit.verify().last_sequence
    assert last > 3

    # The three newest events set no fact: only the anchor can tell they were there.
    _truncate(last - 3)

    assert_found(
        app,
        f"Verwijderd aan het eind: #{last - 2} t/m #{last} ontbreken; het anker audit-anchors/",
        f"legde de keten tot en met #{last} vast.",
    )
    # The operator's job notices too: no anchor vouches for the shortened chain.
    refused = anchor(app)
    assert refused.exit_code == 1 and "Geen anker geschreven" in refused.output

    # The portal goes on recording over the gap: the anchored event now has another hash.
    for n in range(3):
        audit.record("test.after", history.das(), None, n=n)
    db.session.commit()
    assert_found(app, f"Herschreven: gebeurtenis #{last} heeft niet meer de hash die het anker")


def test_a_forged_anchor_is_found(app: Flask, history: History) -> None:
    assert anchor(app).exit_code == 0
    storage = get_storage()
    (name,) = [info.key for info in storage.list(audit.ANCHOR_PREFIX)]
    document = json.loads(storage.read_bytes(name))
    document["sequence"] += 5  # claims a longer chain, without the key to seal it
    path = Path(app.config["EVIDENCE_DIR"], *name.split("/"))
    path.write_text(json.dumps(document))

    assert_found(app, f"Ongeldig anker {name}: onleesbaar, of het zegel (HMAC) past niet")


def test_the_demo_data_verifies_intact(app: Flask) -> None:
    """Everything the demo does goes through the services, so its trail agrees with its facts
    (`make run` keeps verifying)."""
    from portal.devdata.demo import load_demo

    load_demo(date(2026, 11, 22))
    assert anchor(app).exit_code == 0
    result = verify(app)
    assert result.exit_code == 0, result.output
    assert "Audittrail intact" in result.output


def test_a_restored_backup_keeps_verifying(
    app: Flask,
    history: History,
    target_url: str,
    tmp_path: Path,
) -> None:
    """The anchors are files in the store, so a backup carries them; the restored instance (with
    the same AUDIT_KEY) verifies as the original did."""
    assert anchor(app).exit_code == 0
    archive = tmp_path / "backup.tar.gz"
    create_archive(app, archive)
    target = make_target(target_url, tmp_path / "target-evidence", migrated=True)
    try:
        assert restore(target, archive).exit_code == 0
        with target.app_context():
            result = target.test_cli_runner().invoke(args=["audit", "verify"])
        assert result.exit_code == 0, result.output
        assert "Getoetst aan 1 anker;" in result.output
    finally:
        with target.app_context():
            db.session.remove()
            db.engine.dispose()


def test_anchors_go_to_the_s3_store(s3_app: Flask) -> None:
    with s3_app.app_context():
        das = factories.DasFactory(with_requirements=False)
        audit.record("test.note", das, None, n=1)
        db.session.commit()
        runner = s3_app.test_cli_runner()
        written = runner.invoke(args=["audit", "anchor"])
        assert written.exit_code == 0, written.output
        storage = get_storage()
        assert isinstance(storage, S3Storage)
        (name,) = [info.key for info in storage.list(audit.ANCHOR_PREFIX)]
        assert json.loads(storage.read_bytes(name))["sequence"] == 1
        _truncate(0)
        result = runner.invoke(args=["audit", "verify"])
        assert result.exit_code == 1
        assert f"Verwijderd aan het eind: #1 ontbreekt; het anker {name}" in result.output
        db.session.remove()
