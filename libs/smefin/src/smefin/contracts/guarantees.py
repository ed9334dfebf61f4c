"""Contracts published by guarantee-registry: companies, capital, guarantees and capacity."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from smefin.contracts.envelope import EventPayload, Topic, event


@event("guarantee_company.registered", topic=Topic.GUARANTEES)
class GuaranteeCompanyRegistered(EventPayload):
    """A credit-guarantee company (担保公司) joined the registry."""

    company_id: UUID
    uscc: str
    name: str
    league_code: str
    registered_capital: Decimal
    paid_in_capital: Decimal
    net_assets: Decimal


@event("capital.injected", topic=Topic.GUARANTEES)
class CapitalInjected(EventPayload):
    """Capital was injected into a guarantee company."""

    company_id: UUID
    amount: Decimal
    source: str
    injected_on: date


class GuaranteeFacts(EventPayload):
    """Common guarantee facts."""

    guarantee_id: UUID
    company_id: UUID
    offer_id: UUID
    uscc: str
    amount: Decimal


@event("guarantee.issued", topic=Topic.GUARANTEES)
class GuaranteeIssued(GuaranteeFacts):
    """A guarantee was issued within the company's capacity."""

    guarantor_share: Decimal  # percent of the loan the guarantor carries, e.g. 80
    bank_share: Decimal | None = None
    # Re-guarantee (再担保): the part of the guarantor's liability a re-guarantor took over, and who.
    ceded_liability: Decimal = Decimal("0")
    reguarantor_id: UUID | None = None


@event("guarantee.refused", topic=Topic.GUARANTEES)
class GuaranteeRefused(EventPayload):
    """A guarantee request could not be met (capacity or single-client limit)."""

    company_id: UUID | None = None
    offer_id: UUID
    uscc: str
    reason: str
    reason_code: str | None = None


@event("guarantee.released", topic=Topic.GUARANTEES)
class GuaranteeReleased(GuaranteeFacts):
    """The guaranteed loan was repaid; the exposure is released."""


@event("guarantee.claimed", topic=Topic.GUARANTEES)
class GuaranteeClaimed(GuaranteeFacts):
    """The guaranteed loan defaulted and the guarantor paid."""

    risk_compensation: Decimal = Decimal("0")
    guarantor_paid: Decimal | None = None
    startup_micro_loan: bool = False
    # Which compensation fund paid (startup_micro / small_micro_guaranteed), and the re-guarantor's part.
    compensation_fund: str | None = None
    reguarantor_paid: Decimal = Decimal("0")


@event("guarantee.cancelled", topic=Topic.GUARANTEES)
class GuaranteeCancelled(GuaranteeFacts):
    """A guarantee issued in error was cancelled by its guarantor or the office; its liability is gone."""

    reason: str
    cancelled_by: str  # the organisation that cancelled it


@event("capacity.changed", topic=Topic.GUARANTEES)
class CapacityChanged(EventPayload):
    """A guarantee company's remaining capacity changed."""

    company_id: UUID
    net_assets: Decimal
    outstanding: Decimal
    capacity_limit: Decimal
    remaining: Decimal
    single_client_limit: Decimal
    league_code: str | None = None
    leverage_multiple: Decimal | None = None
    # The largest loan one new client could have guaranteed now, by `smefin.policy.loan_room`: the room
    # in liability terms through the default guarantor share and any re-guarantee cession.
    loan_room: Decimal | None = None


@event("coverage.changed", topic=Topic.GUARANTEES)
class CoverageChanged(EventPayload):
    """A league, county or development zone fell out of or came back into the policy's coverage target.

    担保体系覆盖: each league ≥1 guarantee company with registered capital ≥ 100M yuan; each county with
    fiscal revenue > 5bn and each development zone with annual sales > 10bn, one each.
    """

    scope: str  # "league" | "county" | "zone"
    code: str
    name: str
    league_code: str
    compliant: bool
    previous_compliant: bool
    shortfall: Decimal
    counting_company_ids: list[UUID] = []
