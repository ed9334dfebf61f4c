"""Re-guarantee agreements (再担保): a re-guarantor takes a share of every guarantee a company issues.

While an agreement is active, each new guarantee of the company cedes `share` percent of its liability to
the re-guarantor, if the re-guarantor's own capacity allows; the company carries only the rest, which frees
its capacity. Ending an agreement stops new cessions; guarantees already ceded keep their split.
"""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from sqlmodel.ext.asyncio.session import AsyncSession

from guarantee_registry.db import repositories as repo
from guarantee_registry.db.tables import GuaranteeCompany, ReguaranteeAgreement
from guarantee_registry.domain.rules import MANAGERS, AgreementStatus, Policy
from smefin.auth import Principal, Role
from smefin.db import utcnow
from smefin.errors import Conflict, Forbidden, NotFound, Unprocessable


def _may_manage(principal: Principal, reguarantor: GuaranteeCompany) -> None:
    """The office, or the re-guarantor itself: it is the one taking on liability."""
    if principal.role in MANAGERS:
        return
    if principal.role == Role.GUARANTOR and reguarantor.owner_org_id == principal.org_id:
        return
    raise Forbidden("only the financial office or the re-guarantor itself may sign or end a re-guarantee")


async def agree(
    *,
    session: AsyncSession,
    policy: Policy,
    principal: Principal,
    company_id: UUID,
    reguarantor_id: UUID,
    share: Decimal,
) -> ReguaranteeAgreement:
    """Sign a re-guarantee: `reguarantor_id` takes `share` percent of `company_id`'s new guarantees."""
    if company_id == reguarantor_id:
        raise Unprocessable(
            "a company cannot re-guarantee itself",
            details=[{"field": "reguarantor_id", "message": "must differ"}],
        )
    if share > policy.max_reguarantee_share:
        message = f"at most {policy.max_reguarantee_share} percent may be ceded; the guarantor keeps the rest"
        raise Unprocessable(f"share: {message}", details=[{"field": "share", "message": message}])
    # The company row is locked while its agreements are checked: two signings cannot both pass.
    company = await repo.get_company(session, company_id, for_update=True)
    reguarantor = await repo.get_company(session, reguarantor_id)
    if company is None:
        raise NotFound(f"guarantee company {company_id} not found")
    if reguarantor is None:
        raise NotFound(f"re-guarantor {reguarantor_id} is not a registered company")
    _may_manage(principal, reguarantor)
    if await repo.active_agreements(session, [company_id]):
        raise Conflict(f"{company.name} already has an active re-guarantee agreement; end it first")
    agreement = ReguaranteeAgreement(
        company_id=company_id,
        reguarantor_id=reguarantor_id,
        share=share,
        status=AgreementStatus.ACTIVE.value,
        created_by=principal.subject,
    )
    session.add(agreement)
    await session.flush()
    return agreement


async def end(*, session: AsyncSession, principal: Principal, agreement_id: UUID) -> ReguaranteeAgreement:
    """End an agreement: no new cessions; ceded guarantees keep their split until they settle."""
    agreement = await repo.get_agreement(session, agreement_id, for_update=True)
    if agreement is None:
        raise NotFound(f"no re-guarantee agreement {agreement_id}")
    reguarantor = await repo.get_company(session, agreement.reguarantor_id)
    assert reguarantor is not None  # foreign key
    _may_manage(principal, reguarantor)
    if agreement.status != AgreementStatus.ACTIVE:
        raise Conflict(f"agreement {agreement_id} has already ended")
    agreement.status, agreement.ended_at = AgreementStatus.ENDED.value, utcnow()
    session.add(agreement)
    await session.flush()
    return agreement
