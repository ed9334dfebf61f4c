"""Policy rules that two services must compute alike, defined once.

guarantee-registry decides whether a guarantee fits a company's capacity; loan-matching decides, before
any bank sees a match, whether a guaranteed product's guarantor could take the loan. Both must measure
the same thing — the guarantor's liability, not the loan amount — or a match passes the rule and the
guarantee is then refused (or a good match is hidden).
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def liability(amount: Decimal, guarantor_share: Decimal) -> Decimal:
    """The guarantor's part of a guaranteed loan (担保责任); the share is in percent (80 = 80 %)."""
    return (amount * guarantor_share / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def kept(liability_: Decimal, ceded_share: Decimal) -> Decimal:
    """What the guarantor keeps of a liability when a re-guarantor takes `ceded_share` percent (再担保)."""
    return liability_ - (liability_ * ceded_share / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def loan_room(room: Decimal, guarantor_share: Decimal, ceded_share: Decimal = Decimal(0)) -> Decimal:
    """The largest loan whose kept liability fits `room` (the smaller of the leverage room and the
    single-client room), rounded down so the loan it names always fits."""
    if room <= 0 or guarantor_share <= 0:
        return Decimal("0.00")
    per_yuan = guarantor_share / 100 * (1 - ceded_share / 100)
    return (room / per_yuan).quantize(CENT, rounding=ROUND_DOWN)
