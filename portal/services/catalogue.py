"""The catalogue of a DAS: lots and products. Products are retired, never deleted: published
tariff sheets and agreements name them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from portal.extensions import db
from portal.models import Das, IjwUnit, Lot, Product, ProductVariant, User
from portal.services import ServiceError
from portal.services.audit import record
from portal.services.ownership import require_administrator


@dataclass(frozen=True)
class ProductInput:
    lot_id: int
    code: str
    name: str
    ijw_category: str
    unit: IjwUnit
    variant: ProductVariant | None
    description: str
    valid_from: date | None
    valid_to: date | None


def _check(das: Das, given: ProductInput, product_id: int | None) -> Lot:
    lot = next((lot for lot in das.lots if lot.id == given.lot_id), None)
    if lot is None:
        raise ServiceError("unknown_lot")
    code = given.code.strip().upper()
    clash = next(
        (p for lot_ in das.lots for p in lot_.products if p.code == code and p.id != product_id),
        None,
    )
    if clash is not None:
        raise ServiceError("product_code_taken", product_code=code)
    return lot


def create_product(admin: User, das: Das, given: ProductInput) -> Product:
    require_administrator(admin)
    lot = _check(das, given, None)
    product = Product(
        lot_id=lot.id,
        code=given.code.strip().upper(),
        name=given.name.strip(),
        ijw_category=given.ijw_category,
        unit=given.unit,
        variant=given.variant,
        description=given.description,
        valid_from=given.valid_from,
        valid_to=given.valid_to,
    )
    db.session.add(product)
    record("product.created", product, admin, das_id=das.id, code=product.code)
    db.session.commit()
    return product


def update_product(admin: User, das: Das, product: Product, given: ProductInput) -> Product:
    require_administrator(admin)
    lot = _check(das, given, product.id)
    changes = {}
    for field, value in (
        ("lot_id", lot.id),
        ("code", given.code.strip().upper()),
        ("name", given.name.strip()),
        ("ijw_category", given.ijw_category),
        ("unit", given.unit),
        ("variant", given.variant),
        ("description", given.description),
        ("valid_from", given.valid_from),
        ("valid_to", given.valid_to),
    ):
        if getattr(product, field) != value:
            changes[field] = str(value)
            setattr(product, field, value)
    if changes:
        record("product.updated", product, admin, das_id=das.id, changes=changes)
        db.session.commit()
    return product


def retire_product(admin: User, das: Das, product: Product, today: date) -> None:
    """Products in use stay in the catalogue with an end date, so history still names them."""
    require_administrator(admin)
    if product.valid_to is not None and product.valid_to <= today:
        raise ServiceError("product_already_retired")
    product.valid_to = today
    record("product.retired", product, admin, das_id=das.id, valid_to=today.isoformat())
    db.session.commit()


def save_lot(
    admin: User, das: Das, code: str, name: str, description: str, lot: Lot | None = None
) -> Lot:
    require_administrator(admin)
    code = code.strip().upper()
    if any(other.code == code and other is not lot for other in das.lots):
        raise ServiceError("lot_code_taken", lot_code=code)
    if lot is None:
        lot = Lot(das_id=das.id, position=len(das.lots) + 1)
        db.session.add(lot)
    lot.code, lot.name, lot.description = code, name.strip(), description
    record("lot.saved", das, admin, das_id=das.id, lot=code)
    db.session.commit()
    return lot
