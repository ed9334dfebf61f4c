"""Bank lending reports: monthly SME-loan and total-loan balances; growth and rewards for the office."""

from typing import Any

from fastapi import APIRouter, Query, Request

from loan_matching.api.deps import PrincipalDep, SessionDep, SettingsDep
from loan_matching.api.schemas import LendingReportCreate, LendingReportRead, Month, RewardRuleUpdate
from loan_matching.db.tables import LendingReport
from loan_matching.domain import lending_reports
from smefin.auth import Role
from smefin.openapi import text_body

router = APIRouter(prefix="/api/v1/lending-reports", tags=["lending-reports"])


@router.post("", status_code=201, response_model=LendingReportRead, summary="Report a month's balances")
async def report(body: LendingReportCreate, session: SessionDep, who: PrincipalDep) -> dict[str, Any]:
    """A bank reports (or corrects) one month."""
    return await lending_reports.report(session=session, principal=who, month=body.model_dump())


@router.post(
    "/csv",
    status_code=201,
    summary="Upload months as CSV (month,sme_loan_balance,total_loan_balance)",
    openapi_extra=text_body(
        {"text/csv": "month,sme_loan_balance,total_loan_balance\n2026-10,120000000.00,900000000.00\n"},
        "one row per month, with a header row",
    ),
)
async def upload_csv(request: Request, session: SessionDep, who: PrincipalDep) -> dict[str, Any]:
    """Every row is validated; one bad row rejects the upload with its line number."""
    who.require(Role.BANK)
    n = await lending_reports.upload_csv(
        session=session, principal=who, body=await request.body(), schema=LendingReportCreate
    )
    return {"rows": n}


@router.get("", response_model=list[LendingReportRead])
async def list_reports(session: SessionDep, who: PrincipalDep) -> list[LendingReport]:
    """A bank's own reports; the office sees all."""
    return await lending_reports.reports(session=session, principal=who)


@router.get(
    "/growth",
    summary="SME-loan growth vs total-loan growth, and rewards (小企业信贷投放增速高于全部贷款增速)",
)
async def growth(
    session: SessionDep,
    who: PrincipalDep,
    settings: SettingsDep,
    from_month: Month = Query(...),
    to_month: Month = Query(...),
) -> dict[str, Any]:
    """Per bank and in total; a bank sees only its own line."""
    return await lending_reports.growth(
        session=session, principal=who, settings=settings, from_month=from_month, to_month=to_month
    )


@router.put("/reward-rule", summary="Set the loan-increment reward rule")
async def set_rule(body: RewardRuleUpdate, session: SessionDep, who: PrincipalDep) -> dict[str, Any]:
    """The office configures the reward: rate_percent of the SME-loan increment, capped."""
    await lending_reports.set_reward_rule(session=session, principal=who, rule=body.model_dump())
    return body.model_dump()
