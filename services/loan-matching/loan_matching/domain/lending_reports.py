"""Bank lending reports: monthly SME-loan and total-loan balances; growth and rewards for the office
(小企业信贷投放增速高于全部贷款增速)."""

from decimal import Decimal
from typing import Any

from pydantic import BaseModel
from sqlmodel.ext.asyncio.session import AsyncSession

from loan_matching.db import access
from loan_matching.db import repositories as repo
from loan_matching.db.tables import LendingReport, RewardRule
from loan_matching.settings import Settings
from smefin.auth import Principal, Role
from smefin.db import utcnow
from smefin.errors import Unprocessable
from smefin.imports import read_rows, validated_or_raise

MAX_CSV_ROWS = 1000  # a bank reports months: a thousand is eighty years
CSV_COLUMNS = ("month", "sme_loan_balance", "total_loan_balance")


async def report(*, session: AsyncSession, principal: Principal, month: dict[str, Any]) -> dict[str, Any]:
    """A bank reports (or corrects) one month's balances."""
    principal.require(Role.BANK)
    values = {"bank_org_id": principal.org_id, **month, "reported_at": utcnow()}
    await repo.upsert_lending_report(session, values)
    return values


async def upload_csv(
    *, session: AsyncSession, principal: Principal, body: bytes, schema: type[BaseModel]
) -> int:
    """Months as CSV: every row is validated; one bad row rejects the upload, naming its line."""
    principal.require(Role.BANK)
    rows = validated_or_raise(
        read_rows(body, required=CSV_COLUMNS, max_rows=MAX_CSV_ROWS), schema, what="CSV"
    )
    for r in rows:
        await report(session=session, principal=principal, month=r.model_dump())
    return len(rows)


async def reports(*, session: AsyncSession, principal: Principal) -> list[LendingReport]:
    """A bank's own reports; the office sees all."""
    principal.require(Role.BANK, Role.OFFICE)
    q = access.readable(LendingReport, principal).order_by(LendingReport.bank_org_id, LendingReport.month)
    return list(await session.exec(q))


async def reward_rule(session: AsyncSession, settings: Settings) -> RewardRule:
    """The office's reward rule, or the configured default before it set one."""
    rule = await session.get(RewardRule, 1)
    return rule or RewardRule(rate_percent=Decimal(str(settings.reward_rate_percent)))


async def set_reward_rule(*, session: AsyncSession, principal: Principal, rule: dict[str, Any]) -> None:
    """The office configures the reward: rate_percent of the SME-loan increment, capped."""
    principal.require(Role.OFFICE)
    current = await session.get(RewardRule, 1)
    if current is None:
        session.add(RewardRule(**rule))
        return
    for k, v in rule.items():
        setattr(current, k, v)
    current.updated_at = utcnow()


async def growth(
    *, session: AsyncSession, principal: Principal, settings: Settings, from_month: str, to_month: str
) -> dict[str, Any]:
    """Per bank and in total; a bank sees only its own line."""
    principal.require(Role.BANK, Role.OFFICE)
    if from_month >= to_month:
        raise Unprocessable("from_month must be before to_month")
    rows = await reports(session=session, principal=principal)
    return lending_growth(rows, from_month, to_month, await reward_rule(session, settings))


def _growth(start: Decimal, end: Decimal) -> float | None:
    return None if start == 0 else round(float((end - start) / start * 100), 4)


def lending_growth(reports: list[LendingReport], start: str, end: str, rule: RewardRule) -> dict[str, Any]:
    """Per bank and in total: SME-loan growth vs total-loan growth (小企业信贷投放增速高于全部贷款增速), and rewards."""
    by_bank: dict[str, dict[str, LendingReport]] = {}
    for r in reports:
        by_bank.setdefault(r.bank_org_id, {})[r.month] = r
    banks = []
    tot = [Decimal(0)] * 4
    for bank, months in sorted(by_bank.items()):
        a, b = months.get(start), months.get(end)
        if a is None or b is None:
            banks.append(
                {
                    "bank_org_id": bank,
                    "complete": False,
                    "missing_months": [m for m in (start, end) if m not in months],
                }
            )
            continue
        vals = (a.sme_loan_balance, b.sme_loan_balance, a.total_loan_balance, b.total_loan_balance)
        tot = [t + v for t, v in zip(tot, vals, strict=True)]
        sme_g, all_g = _growth(vals[0], vals[1]), _growth(vals[2], vals[3])
        faster = sme_g is not None and all_g is not None and sme_g > all_g
        increment = vals[1] - vals[0]
        reward = Decimal(0)
        if increment > 0 and (faster or not rule.requires_sme_growth_above_total):
            reward = (increment * rule.rate_percent / 100).quantize(Decimal("0.01"))
            if rule.cap is not None:
                reward = min(reward, rule.cap)
        banks.append(
            {
                "bank_org_id": bank,
                "complete": True,
                "sme_loan_start": vals[0],
                "sme_loan_end": vals[1],
                "total_loan_start": vals[2],
                "total_loan_end": vals[3],
                "sme_growth_percent": sme_g,
                "total_growth_percent": all_g,
                "sme_growth_above_total": faster,
                "sme_increment": increment,
                "reward": reward,
            }
        )
    sme_g, all_g = _growth(tot[0], tot[1]), _growth(tot[2], tot[3])
    return {
        "from_month": start,
        "to_month": end,
        "rule": {
            "rate_percent": rule.rate_percent,
            "cap": rule.cap,
            "requires_sme_growth_above_total": rule.requires_sme_growth_above_total,
        },
        "banks": banks,
        "total": {
            "sme_growth_percent": sme_g,
            "total_growth_percent": all_g,
            "sme_growth_above_total": sme_g is not None and all_g is not None and sme_g > all_g,
            "sme_increment": tot[1] - tot[0],
            "rewards": sum((Decimal(str(b.get("reward", 0))) for b in banks), Decimal(0)),
        },
    }
