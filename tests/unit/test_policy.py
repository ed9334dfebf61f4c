"""The capacity rule both services share (smefin.policy)."""

from __future__ import annotations

from decimal import Decimal

from smefin.policy import kept, liability, loan_room


def test_liability_is_the_guarantor_s_share_of_the_loan() -> None:
    assert liability(Decimal("1000000"), Decimal("80")) == Decimal("800000.00")
    assert liability(Decimal("333.33"), Decimal("80")) == Decimal("266.66")


def test_a_cession_leaves_the_guarantor_the_rest() -> None:
    assert kept(Decimal("800000"), Decimal("50")) == Decimal("400000.00")
    assert kept(Decimal("800000"), Decimal("0")) == Decimal("800000")


def test_loan_room_is_the_largest_loan_whose_kept_liability_fits() -> None:
    assert loan_room(Decimal("800000"), Decimal("80")) == Decimal("1000000.00")
    assert loan_room(Decimal("800000"), Decimal("80"), Decimal("50")) == Decimal("2000000.00")
    # Rounded down, so the loan it names always fits.
    room = loan_room(Decimal("1000"), Decimal("70"))
    assert liability(room, Decimal("70")) <= Decimal("1000")
    assert liability(room + Decimal("0.02"), Decimal("70")) > Decimal("1000")


def test_no_room_no_loan() -> None:
    assert loan_room(Decimal("0"), Decimal("80")) == 0
    assert loan_room(Decimal("-5"), Decimal("80")) == 0
