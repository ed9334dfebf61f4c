"""Re-guarantee agreements (再担保): who takes which share of a company's new guarantees."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, status

from guarantee_registry.api.deps import PolicyDep, PrincipalDep, SessionDep
from guarantee_registry.api.schemas import ReguaranteeCreate, ReguaranteeRead
from guarantee_registry.db import repositories as repo
from guarantee_registry.db.tables import ReguaranteeAgreement
from guarantee_registry.domain import reguarantees
from smefin.auth import Role

router = APIRouter(prefix="/api/v1/reguarantee-agreements", tags=["re-guarantee"])


@router.post(
    "", status_code=status.HTTP_201_CREATED, response_model=ReguaranteeRead, summary="Sign a re-guarantee"
)
async def agree(
    body: ReguaranteeCreate, session: SessionDep, policy: PolicyDep, principal: PrincipalDep
) -> ReguaranteeAgreement:
    """The office or the re-guarantor: from now on it takes `share` percent of each new guarantee the
    company issues (if its own capacity allows), which frees the company's capacity."""
    return await reguarantees.agree(
        session=session,
        policy=policy,
        principal=principal,
        company_id=body.company_id,
        reguarantor_id=body.reguarantor_id,
        share=body.share,
    )


@router.get("", response_model=list[ReguaranteeRead], summary="Re-guarantee agreements")
async def list_agreements(session: SessionDep, principal: PrincipalDep) -> list[ReguaranteeAgreement]:
    """The office sees every agreement; a guarantor those its companies are party to."""
    principal.require(Role.OFFICE, Role.SERVICE, Role.GUARANTOR)
    return await repo.list_agreements(session, principal)


@router.post("/{agreement_id}/end", response_model=ReguaranteeRead, summary="End a re-guarantee")
async def end(agreement_id: UUID, session: SessionDep, principal: PrincipalDep) -> ReguaranteeAgreement:
    """No new cessions; guarantees already ceded keep their split until they are released or claimed."""
    return await reguarantees.end(session=session, principal=principal, agreement_id=agreement_id)
