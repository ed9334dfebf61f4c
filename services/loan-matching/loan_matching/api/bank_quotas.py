"""Banks' dedicated SME credit quotas (专门信贷指标): a bank sets its own; the office reads all."""

import uuid

from fastapi import APIRouter

from loan_matching.api.deps import OutboxDep, PrincipalDep, SessionDep
from loan_matching.api.schemas import BankQuotaRead, BankQuotaSet
from loan_matching.domain import bank_quotas
from smefin.schemas import Limit, Offset

router = APIRouter(prefix="/api/v1/bank-quotas", tags=["bank-quotas"])


@router.put("", response_model=BankQuotaRead, summary="Set my bank's dedicated SME credit quota")
async def set_quota(
    body: BankQuotaSet, session: SessionDep, outbox: OutboxDep, who: PrincipalDep
) -> BankQuotaRead:
    """Count and/or amount per period across all the bank's products; offers beyond it are refused."""
    room = await bank_quotas.set_quota(session=session, outbox=outbox, principal=who, terms=body.model_dump())
    return BankQuotaRead.of(room)


@router.get("", response_model=list[BankQuotaRead], summary="Bank quotas and their room this period")
async def list_quotas(
    session: SessionDep, who: PrincipalDep, limit: Limit = 50, offset: Offset = 0
) -> list[BankQuotaRead]:
    """A bank sees its own; the office every bank's."""
    rooms = await bank_quotas.list_quotas(session=session, principal=who, limit=limit, offset=offset)
    return [BankQuotaRead.of(r) for r in rooms]


@router.get("/{quota_id}", response_model=BankQuotaRead)
async def get(quota_id: uuid.UUID, session: SessionDep, who: PrincipalDep) -> BankQuotaRead:
    """One bank's quota (its bank and the office)."""
    return BankQuotaRead.of(await bank_quotas.get_quota(session=session, principal=who, quota_id=quota_id))
