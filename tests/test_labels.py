"""Interface labels for enum values (portal/models/labels.py): one per member, never shared.

Members of different str enums with the same value compare equal ("medium" is a SizeClass and
a ProductVariant); keyed by the members themselves, one label overwrote the other and the size
class "Middelgroot (50 tot 249 medewerkers)" read "midden"."""

from __future__ import annotations

from flask import Flask

from portal.models import ProductVariant, SizeClass
from portal.models.labels import _PAIRS, LABELS, label


def test_no_two_enum_members_share_a_labels_key() -> None:
    keys = [(type(member), member.value) for member, _text in _PAIRS]
    assert len(keys) == len(set(keys))
    assert len(LABELS) == len(_PAIRS)


def test_members_with_the_same_value_keep_their_own_label(app: Flask) -> None:
    assert SizeClass.MEDIUM == ProductVariant.MEDIUM  # the trap: equal, and equal hashes
    with app.test_request_context():
        assert label(SizeClass.MEDIUM) == "Middelgroot (50 tot 249 medewerkers)"
        assert label(ProductVariant.MEDIUM) == "midden"
        assert label(SizeClass.SMALL) == "Klein (10 tot 49 medewerkers)"
        assert label(None) == ""
