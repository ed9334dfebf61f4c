"""Guarantees: requests (also arriving as events), their outcome and state."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, status

from guarantee_registry.api.deps import (
    MANAGERS,
    Limit,
    Offset,
    OutboxDep,
    PolicyDep,
    PrincipalDep,
    SessionDep,
)
from guarantee_registry.api.schemas import GuaranteeCreate, GuaranteeDecision, GuaranteePage, GuaranteeRead
from guarantee_registry.db import repositories as repo
from guarantee_registry.domain import guarantees
from guarantee_registry.domain.rules import GuaranteeStatus
from smefin.auth import Role
from smefin.errors import Forbidden, NotFound

router = APIRouter(prefix="/api/v1/guarantees", tags=["guarantees"])


@router.post(
    "", status_code=status.HTTP_201_CREATED, summary="Request a guarantee (issued or refused within capacity)"
)
async def request(
    body: GuaranteeCreate, session: SessionDep, outbox: OutboxDep, policy: PolicyDep, principal: PrincipalDep
) -> GuaranteeRead:
    """The bank of the offer, the company's guarantor or the office asks; the answer is the recorded outcome."""
    principal.require(Role.BANK, Role.GUARANTOR, *MANAGERS)
    if principal.role == Role.BANK and body.bank_org_id != principal.org_id:
        raise Forbidden("a bank requests guarantees for its own offers only")
    if principal.role == Role.GUARANTOR:
        company = await repo.get_company(session, body.company_id)
        if company is None or company.owner_org_id != principal.org_id:
            raise Forbidden("a guarantor records guarantees of its own companies only")
    offer = await guarantees.check_offer(
        session,
        offer_id=body.offer_id,
        company_id=body.company_id,
        uscc=body.uscc,
        bank_org_id=body.bank_org_id,
        amount=body.amount,
    )
    g = await guarantees.request_guarantee(
        session,
        outbox,
        policy,
        guarantees.GuaranteeRequest(
            offer_id=body.offer_id,
            request_id=offer.request_id,
            uscc=body.uscc,
            bank_org_id=body.bank_org_id,
            amount=body.amount,
            company_ids=[str(body.company_id)],
            guarantor_share=body.guarantor_share,
            startup_micro_loan=(
                body.startup_micro_loan if body.startup_micro_loan is not None else offer.startup_micro_loan
            ),
            size_class=offer.size_class,
            origin="api",
        ),
    )
    return GuaranteeRead.model_validate(g)


@router.get("", summary="List guarantees the caller may see")
async def list_guarantees(
    session: SessionDep,
    principal: PrincipalDep,
    company_id: UUID | None = None,
    status: GuaranteeStatus | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> GuaranteePage:
    """Office all; a bank its own; a guarantor its companies'; an SME its own."""
    items, total = await repo.list_guarantees(
        session,
        principal,
        company_id=company_id,
        status=status.value if status else None,
        limit=limit,
        offset=offset,
    )
    return GuaranteePage(
        items=[GuaranteeRead.model_validate(g) for g in items], total=total, limit=limit, offset=offset
    )


@router.get("/{guarantee_id}", summary="One guarantee")
async def get_guarantee(guarantee_id: UUID, session: SessionDep, principal: PrincipalDep) -> GuaranteeRead:
    """404 when it does not exist or is not the caller's to see."""
    g = await repo.get_readable_guarantee(session, principal, guarantee_id)
    if g is None:
        raise NotFound(f"guarantee {guarantee_id} not found")
    return GuaranteeRead.model_validate(g)


@router.post("/{guarantee_id}/approve", summary="The guarantor approves a guarantee its rules held")
async def approve(
    guarantee_id: UUID, session: SessionDep, outbox: OutboxDep, policy: PolicyDep, principal: PrincipalDep
) -> GuaranteeRead:
    """Issued now if the company's capacity still allows, refused with the reason otherwise."""
    g = await guarantees.approve(
        session=session, outbox=outbox, policy=policy, principal=principal, guarantee_id=guarantee_id
    )
    return GuaranteeRead.model_validate(g)


@router.post("/{guarantee_id}/decline", summary="The guarantor declines a guarantee its rules held")
async def decline(
    guarantee_id: UUID,
    body: GuaranteeDecision,
    session: SessionDep,
    outbox: OutboxDep,
    principal: PrincipalDep,
) -> GuaranteeRead:
    """Refused with the guarantor's reason; loan-matching fails the offer and moves on."""
    g = await guarantees.decline(
        session=session, outbox=outbox, principal=principal, guarantee_id=guarantee_id, reason=body.reason
    )
    return GuaranteeRead.model_validate(g)


@router.post("/{guarantee_id}/cancel", summary="Cancel a guarantee issued in error")
async def cancel(
    guarantee_id: UUID,
    body: GuaranteeDecision,
    session: SessionDep,
    outbox: OutboxDep,
    policy: PolicyDep,
    principal: PrincipalDep,
) -> GuaranteeRead:
    """The company's guarantor or the office: the liability is released, the audit trail and the SME's
    credit record are corrected (guarantee.cancelled)."""
    g = await guarantees.cancel(
        session=session,
        outbox=outbox,
        policy=policy,
        principal=principal,
        guarantee_id=guarantee_id,
        reason=body.reason,
    )
    return GuaranteeRead.model_validate(g)
