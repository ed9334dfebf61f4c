"""Bank lending reports: monthly SME-loan and total-loan balances; growth and rewards for the office."""

import csv
import io
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Query, Request
from pydantic import ValidationError
from sqlalchemy.dialects.postgresql import insert

from loan_matching.api.deps import PrincipalDep, SessionDep, SettingsDep
from loan_matching.api.schemas import LendingReportCreate, LendingReportRead, Month, RewardRuleUpdate
from loan_matching.db import repositories as repo
from loan_matching.db.tables import LendingReport, RewardRule
from loan_matching.domain.workflow import lending_growth
from smefin.auth import Role
from smefin.db import utcnow
from smefin.errors import Unprocessable
from smefin.openapi import text_body

router = APIRouter(prefix="/api/v1/lending-reports", tags=["lending-reports"])


async def _upsert(session: SessionDep, bank: str, body: LendingReportCreate) -> None:
    t = LendingReport.__table__  # type: ignore[attr-defined]
    values = {"bank_org_id": bank, **body.model_dump(), "reported_at": utcnow()}
    stmt = insert(t).values(**values)
    await session.execute(stmt.on_conflict_do_update(index_elements=["bank_org_id", "month"], set_=values))


@router.post("", status_code=201, response_model=LendingReportRead, summary="Report a month's balances")
async def report(body: LendingReportCreate, session: SessionDep, who: PrincipalDep) -> dict[str, Any]:
    """A bank reports (or corrects) one month."""
    who.require(Role.BANK)
    await _upsert(session, who.org_id, body)
    return {"bank_org_id": who.org_id, **body.model_dump(), "reported_at": utcnow()}


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
    text = (await request.body()).decode("utf-8-sig", errors="replace")
    reader = csv.DictReader(io.StringIO(text))
    need = {"month", "sme_loan_balance", "total_loan_balance"}
    if not reader.fieldnames or not need <= set(reader.fieldnames):
        raise Unprocessable(f"CSV header must contain {', '.join(sorted(need))}")
    rows = []
    for line, raw in enumerate(reader, start=2):
        try:
            rows.append(
                LendingReportCreate(
                    month=raw["month"].strip(),
                    sme_loan_balance=Decimal(raw["sme_loan_balance"].strip()),
                    total_loan_balance=Decimal(raw["total_loan_balance"].strip()),
                )
            )
        except ValidationError as exc:
            msgs = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'row'}: {e['msg']}" for e in exc.errors())
            raise Unprocessable(f"line {line}: {msgs}") from None
        except (InvalidOperation, AttributeError):
            raise Unprocessable(f"line {line}: balances must be decimal numbers") from None
    if not rows:
        raise Unprocessable("the CSV has no data rows")
    for r in rows:
        await _upsert(session, who.org_id, r)
    return {"rows": len(rows)}


@router.get("", response_model=list[LendingReportRead])
async def list_reports(session: SessionDep, who: PrincipalDep) -> list[LendingReport]:
    """A bank's own reports; the office sees all."""
    who.require(Role.BANK, Role.OFFICE)
    return await repo.reports(session, who.org_id if who.role == Role.BANK else None)


async def _rule(session: SessionDep, settings: SettingsDep) -> RewardRule:
    rule = await session.get(RewardRule, 1)
    return rule or RewardRule(rate_percent=Decimal(str(settings.reward_rate_percent)))


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
    who.require(Role.BANK, Role.OFFICE)
    if from_month >= to_month:
        raise Unprocessable("from_month must be before to_month")
    bank = who.org_id if who.role == Role.BANK else None
    return lending_growth(
        await repo.reports(session, bank), from_month, to_month, await _rule(session, settings)
    )


@router.put("/reward-rule", summary="Set the loan-increment reward rule")
async def set_rule(body: RewardRuleUpdate, session: SessionDep, who: PrincipalDep) -> dict[str, Any]:
    """The office configures the reward: rate_percent of the SME-loan increment, capped."""
    who.require(Role.OFFICE)
    rule = await session.get(RewardRule, 1)
    if rule is None:
        rule = RewardRule(**body.model_dump())
        session.add(rule)
    else:
        for k, v in body.model_dump().items():
            setattr(rule, k, v)
        rule.updated_at = utcnow()
    return body.model_dump()
