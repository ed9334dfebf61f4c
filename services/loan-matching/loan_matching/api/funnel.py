"""The financing funnel for the office: requests → matched → offered → accepted → disbursed → repaid / defaulted."""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query

from loan_matching.api.deps import PrincipalDep, SessionDep
from loan_matching.api.funnel_schemas import FunnelRead, csv_response
from loan_matching.domain import funnel
from loan_matching.domain.funnel import FunnelBy

router = APIRouter(prefix="/api/v1/funnel", tags=["funnel"])

CSV_RESPONSE: dict[int | str, dict[str, Any]] = {200: {"content": {"text/csv": {}}}}


@router.get("", response_model=FunnelRead, responses=CSV_RESPONSE, summary="The financing funnel (融资漏斗)")
async def get_funnel(
    session: SessionDep,
    who: PrincipalDep,
    from_date: Annotated[date, Query(description="requests submitted on or after this day")],
    to_date: Annotated[date, Query(description="… and on or before this day")],
    by: FunnelBy = FunnelBy.NONE,
    league_code: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
) -> Any:
    """Counts, conversion rates and median days per stage, per league, month, bank, product kind or
    size class, and the eligibility rules that left requests without a match."""
    body = await funnel.funnel(
        session=session, principal=who, from_date=from_date, to_date=to_date, by=by, league_code=league_code
    )
    if format == "csv":
        return csv_response(body["groups"], f"funnel-{by.value}-{from_date}-{to_date}.csv")
    return body
