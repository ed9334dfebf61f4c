"""Capacity, coverage and risk-compensation rules of the guarantee registry (no I/O)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from uuid import UUID, uuid4

import pytest
from pydantic import ValidationError

from guarantee_registry.api.schemas import CompanyCreate, InjectionCreate
from guarantee_registry.domain.rules import (
    DivisionFigure,
    Policy,
    capacity_of,
    check_capacity,
    coverage,
    league_status,
    liability_of,
    risk_compensation,
)
from guarantee_registry.settings import Settings
from smefin.reference import leagues, make_uscc

M = Decimal("1000000")
POLICY = Policy()


@dataclass
class Co:
    name: str
    league_code: str
    registered_capital: Decimal
    county_code: str | None = None
    zone_code: str | None = None
    id: UUID = field(default_factory=uuid4)


def test_leverage_is_ten_times_net_assets_and_fifteen_for_small_micro_agri_guarantors() -> None:
    assert capacity_of(80 * M, 0 * M, False, POLICY).limit == 800 * M
    assert capacity_of(80 * M, 0 * M, True, POLICY).limit == 1200 * M
    cap = capacity_of(80 * M, 200 * M, False, POLICY)
    assert cap.remaining == 600 * M
    assert cap.single_client_limit == 8 * M
    assert cap.leverage == Decimal("2.5000")


def test_a_liability_beyond_leverage_or_single_client_limit_is_refused() -> None:
    cap = capacity_of(10 * M, 95 * M, False, POLICY)
    assert check_capacity(cap, Decimal(0), 1 * M) is None
    refusal = check_capacity(cap, Decimal(0), 6 * M)
    assert refusal is not None
    assert refusal.code == "leverage_limit"
    client = check_capacity(capacity_of(10 * M, 0 * M, False, POLICY), Decimal("600000"), Decimal("500000"))
    assert client is not None
    assert client.code == "single_client_limit"
    broke = check_capacity(capacity_of(Decimal(-1), 0 * M, False, POLICY), Decimal(0), Decimal(1))
    assert broke is not None
    assert broke.code == "no_net_assets"


def test_liability_is_the_guarantors_share() -> None:
    assert liability_of(Decimal("5000000"), Decimal("80")) == Decimal("4000000.00")
    assert liability_of(Decimal("333.33"), Decimal("70")) == Decimal("233.33")


def test_risk_compensation_is_capped_by_what_is_left_in_the_fund() -> None:
    assert risk_compensation(Decimal("120000"), Decimal(0), POLICY) == Decimal("60000.00")
    assert risk_compensation(Decimal("120000"), POLICY.risk_compensation_fund_total - 1000, POLICY) == 1000
    assert risk_compensation(Decimal("120000"), POLICY.risk_compensation_fund_total, POLICY) == 0


def test_coverage_counts_companies_of_100m_and_reports_shortfalls() -> None:
    big = Co("A", "150100", 120 * M, county_code="150102")
    small = Co("B", "150200", 80 * M, county_code="150202", zone_code="BT-HZ")
    counties = [
        DivisionFigure("150102", "新城区", "150100", 2025, Decimal("6000000000")),
        DivisionFigure("150202", "东河区", "150200", 2025, Decimal("5500000000")),
        DivisionFigure("150203", "昆都仑区", "150200", 2025, Decimal("5000000000")),  # not above 5bn
    ]
    zones = [DivisionFigure("BT-HZ", "包头高新区", "150200", 2025, Decimal("12000000000"))]
    report = coverage([big, small], counties, zones, POLICY)
    by = {(o.scope, o.code): o for o in report.all()}
    assert len(report.leagues) == 12 == len(leagues())
    assert by["league", "150100"].compliant
    assert by["league", "150100"].counting_company_names == ["A"]
    assert not by["league", "150200"].compliant
    assert by["league", "150200"].shortfall == 20 * M
    assert by["league", "152900"].shortfall == 100 * M  # no company at all
    assert by["county", "150102"].compliant
    assert not by["county", "150202"].compliant
    assert by["county", "150202"].shortfall == 20 * M
    assert not by["county", "150203"].obligated
    assert by["county", "150203"].compliant
    assert not by["zone", "BT-HZ"].compliant
    status = league_status(report)
    assert status["150100"] == "met"
    assert status["150200"] == "unmet"


def test_a_league_met_with_a_short_county_inside_is_partial() -> None:
    report = coverage(
        [Co("A", "150100", 150 * M, county_code="150102")],
        [DivisionFigure("150105", "赛罕区", "150100", 2025, Decimal("7000000000"))],
        [],
        POLICY,
    )
    assert league_status(report)["150100"] == "partial"


def test_policy_figures_are_configurable() -> None:
    policy = Settings(leverage_multiple=Decimal("8"), regional_fund_total=Decimal("1000")).policy()
    assert policy.leverage_multiple == 8
    assert policy.regional_fund_total == 1000
    assert policy.leverage_multiple_small_micro == 15


def test_schemas_refuse_bad_uscc_future_dates_and_loose_numbers() -> None:
    good = {
        "uscc": make_uscc("150102", "G1"),
        "name": "x",
        "licence_number": "L1",
        "registered_capital": "1.00",
        "paid_in_capital": "1.00",
        "net_assets": "1.00",
        "ownership": "private",
    }
    CompanyCreate.model_validate_json(json.dumps(good))
    for bad in (
        {"uscc": "91150102MA0000001X"},
        {"registered_capital": "-1"},
        {"ownership": "state"},
        {"serves_small_micro_agri": "yes"},
        {"net_assets": "1.001"},
    ):
        with pytest.raises(ValidationError):
            CompanyCreate.model_validate_json(json.dumps(good | bad))
    with pytest.raises(ValidationError):
        InjectionCreate.model_validate_json(
            json.dumps(
                {
                    "company_id": str(uuid4()),
                    "amount": "10",
                    "injected_on": "2999-01-01",
                    "source": "private_capital",
                }
            )
        )
