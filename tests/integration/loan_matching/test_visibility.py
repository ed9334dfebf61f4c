"""Who may read which row, generated from the one place that says so (`loan_matching.db.access`):
for every readable resource, another bank and another SME get nothing, over SQL and over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlmodel import SQLModel, not_

from loan_matching.db import access
from loan_matching.db.tables import (
    AssignmentRound,
    BankQuota,
    CreditLine,
    CreditLineDraw,
    FinancingRequest,
    InterestSubsidy,
    LendingReport,
    Loan,
    Match,
    Offer,
    Product,
)
from loan_matching.domain.statuses import MatchStatus, ProductStatus
from loan_matching.main import MIGRATIONS, create_app
from loan_matching.settings import Settings
from smefin.auth import Principal, Role
from tests.integration.loan_matching.test_flow import SME_A, SME_B
from tests.support.infra import Infra
from tests.support.services import bearer, run_service

OWNER_BANK, OWNER_SME = "bank-own", SME_A
# Each resource's single-row route; LendingReport is list-only (a bank's months).
ROUTES: dict[type[SQLModel], str | None] = {
    FinancingRequest: "financing-requests",
    Match: "matches",
    Offer: "offers",
    Loan: "loans",
    InterestSubsidy: "interest-subsidies",
    Product: "products",
    AssignmentRound: "assignment-rounds",
    LendingReport: None,
    BankQuota: "bank-quotas",
    CreditLine: "credit-lines",
    CreditLineDraw: None,  # read through its line: /credit-lines/{id}/draws
}
STRANGERS = [
    Principal(subject="b2", role=Role.BANK, org_id="bank-other"),
    Principal(subject="s2", role=Role.SME, org_id="ent-other", uscc=SME_B),
]


def _rows() -> list[SQLModel]:
    """One row of every resource, all belonging to OWNER_BANK and OWNER_SME (the product a draft)."""
    p = Product(
        bank_org_id=OWNER_BANK,
        name="信用贷",
        kind="credit_only",
        min_amount=Decimal("1000.00"),
        max_amount=Decimal("9000.00"),
        min_term_months=1,
        max_term_months=12,
        base_rate=Decimal("3.4500"),
        status=ProductStatus.DRAFT,
    )
    r = FinancingRequest(uscc=OWNER_SME, amount=Decimal("5000.00"), term_months=6, purpose="流动资金")
    m = Match(
        request_id=r.id,
        product_id=p.id,
        product_version=1,
        bank_org_id=OWNER_BANK,
        rank=1,
        probability=Decimal("0.5"),
        indicative_rate=Decimal("4.0"),
        expected_value=Decimal("10.00"),
        model_version="t",
        status=MatchStatus.PROPOSED,
    )
    o = Offer(
        match_id=m.id,
        request_id=r.id,
        product_id=p.id,
        bank_org_id=OWNER_BANK,
        uscc=OWNER_SME,
        amount=r.amount,
        rate=Decimal("4.0"),
        term_months=6,
    )
    loan = Loan(
        offer_id=o.id,
        product_id=p.id,
        uscc=OWNER_SME,
        bank_org_id=OWNER_BANK,
        amount=r.amount,
        rate=o.rate,
        term_months=6,
        outstanding=r.amount,
    )
    rnd = AssignmentRound(
        requested_by="office",
        requests=1,
        products=1,
        assigned=0,
        objective=Decimal(0),
        bound=Decimal(0),
        gap=0.0,
        solver="t",
        seconds=0.0,
    )
    rep = LendingReport(
        bank_org_id=OWNER_BANK,
        month="2026-10",
        sme_loan_balance=Decimal("1.00"),
        total_loan_balance=Decimal("2.00"),
    )
    subsidy = InterestSubsidy(
        loan_id=loan.id,
        programme="tech_progress",
        uscc=OWNER_SME,
        bank_org_id=OWNER_BANK,
        principal=loan.amount,
        loan_rate=loan.rate,
        months=6,
        amount=Decimal("100.00"),
    )
    quota = BankQuota(bank_org_id=OWNER_BANK, period="month", quota_count=5)
    line = CreditLine(
        bank_org_id=OWNER_BANK,
        uscc=OWNER_SME,
        credit_limit=Decimal("9000.00"),
        outstanding=Decimal("1000.00"),
        term_months=12,
        expires_at=datetime(2030, 1, 1, tzinfo=UTC),
        base_rate=Decimal("3.9"),
    )
    draw = CreditLineDraw(
        line_id=line.id,
        bank_org_id=OWNER_BANK,
        uscc=OWNER_SME,
        amount=Decimal("1000.00"),
        rate=Decimal("4.6"),
        outstanding=Decimal("1000.00"),
    )
    return [p, r, m, o, loan, rnd, rep, subsidy, quota, line, draw]


def test_every_readable_resource_has_a_route_entry() -> None:
    """A new resource in the access table must say how it is read, so the HTTP check covers it."""
    assert set(ROUTES) == set(access.READABLE)


async def test_another_organisation_reads_nothing(infra: Infra, topic_prefix: str) -> None:
    async with run_service(
        create_app, Settings, MIGRATIONS, infra, topic_prefix=topic_prefix, consumers_enabled=False
    ) as svc:
        rows = _rows()
        async with svc.app.state.db.unit_of_work() as session:
            for row in rows:
                session.add(row)
                await session.flush()
        ids = {type(row): row.id for row in rows}  # type: ignore[attr-defined]
        owners = [
            Principal(subject="b1", role=Role.BANK, org_id=OWNER_BANK),
            Principal(subject="s1", role=Role.SME, org_id="ent-own", uscc=OWNER_SME),
            Principal(subject="o", role=Role.OFFICE, org_id="office"),
        ]
        async with svc.app.state.db.unit_of_work() as session:
            for model in access.READABLE:
                # The check can fail: someone entitled does read the row.
                seen = [len(list(await session.exec(access.readable(model, who)))) for who in owners]
                assert max(seen) >= 1, model.__name__
                for who in STRANGERS:
                    q = access.readable(model, who)
                    if model in access.PUBLIC:
                        q = q.where(not_(access.PUBLIC[model]))
                    got = list(await session.exec(q))
                    assert got == [], (model.__name__, who.role)
        for model, path in ROUTES.items():
            if path is None:
                continue
            for who in STRANGERS:
                headers = bearer(who.role, who.org_id, who.uscc)
                r = await svc.client.get(f"/api/v1/{path}/{ids[model]}", headers=headers)
                assert r.status_code in (403, 404), (path, who.role, r.status_code)
                listed = await svc.client.get(f"/api/v1/{path}", headers=headers)
                if listed.status_code == 200:
                    assert str(ids[model]) not in listed.text, (path, who.role)
        # A line's draws: read through the line, which strangers cannot find.
        for who in STRANGERS:
            headers = bearer(who.role, who.org_id, who.uscc)
            r = await svc.client.get(f"/api/v1/credit-lines/{ids[CreditLine]}/draws", headers=headers)
            assert r.status_code in (403, 404), (who.role, r.status_code)
