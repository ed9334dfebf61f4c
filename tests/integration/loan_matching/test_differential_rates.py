"""Differential rates (差别化利率) by credit grade and operating condition: credit-info derives the
operating signals from the credit record and publishes them; loan-matching prices a bank's signal
spreads into the indicative rate and explains each part, over HTTP and Kafka."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from credit_info.main import MIGRATIONS as CREDIT_MIGRATIONS
from credit_info.main import create_app as credit_app
from credit_info.settings import Settings as CreditSettings
from loan_matching.main import MIGRATIONS, create_app
from loan_matching.settings import Settings
from smefin.auth import Role
from smefin.contracts import Topic
from smefin.reference import make_uscc
from tests.integration.loan_matching.observe import of_type, published
from tests.integration.loan_matching.test_flow import PRODUCT
from tests.support.infra import Infra
from tests.support.services import bearer, eventually, run_service

USCC = make_uscc("150102", "DR0001")
SME = bearer("sme", "ent-dr", USCC)
BANK = bearer("bank", "bank-dr")
PROVIDER = bearer(Role.SERVICE, "data-exchange")
SPREADS = [
    {"signal": "tax_grade", "in": ["C", "D"], "spread": "0.8000"},
    {"signal": "revenue_growth_percent", "below": "0", "spread": "0.5000"},
    {"signal": "social_insurance_months", "below": "12", "spread": "0.3000"},
    {"signal": "utilities_on_time_percent", "at_least": "95", "spread": "-0.2000"},
]
RECORDS: list[dict[str, Any]] = [
    {"source": "tax", "occurred_on": "2026-04-30", "ref": "tax-1", "payload": {"year": 2025, "grade": "C"}},
    {
        "source": "social_insurance",
        "occurred_on": "2026-01-15",
        "ref": "si-1",
        "payload": {"year": 2025, "insured_headcount": 80, "months_paid": 9},
    },
    {
        "source": "utilities",
        "occurred_on": "2026-01-10",
        "ref": "u-1",
        "payload": {"utility": "power", "year": 2025, "months_on_time": 10, "months_late": 2},
    },
    *(
        {
            "source": "operating",
            "occurred_on": on,
            "ref": f"op-{period}",
            "payload": {
                "frequency": "monthly",
                "period": period,
                "revenue": revenue,
                "profit": "10",
                "employees": 80,
            },
        }
        for period, on, revenue in (("2025-03", "2025-04-05", "1000"), ("2026-03", "2026-04-05", "800"))
    ),
]


async def test_operating_signals_price_into_the_rate_and_its_explanation(
    infra: Infra, topic_prefix: str
) -> None:
    async with (
        run_service(
            credit_app, CreditSettings, CREDIT_MIGRATIONS, infra, topic_prefix=topic_prefix
        ) as credit,
        run_service(create_app, Settings, MIGRATIONS, infra, topic_prefix=topic_prefix) as lending,
    ):
        c = lending.client
        body = {
            **PRODUCT,
            "name": "差别化利率贷",
            "kind": "credit_only",
            "industries": [],
            "signal_spreads": SPREADS,
        }
        # Refusals first: a rule must name one condition that suits its signal.
        for bad in (
            {"signal": "revenue_growth_percent", "in": ["A"], "spread": "0.1"},
            {"signal": "tax_grade", "in": ["C"], "below": "1", "spread": "0.1"},
            {"signal": "profit_margin", "below": "1", "spread": "0.1"},
            {"signal": "social_insurance_months", "below": "12", "spread": 0.3},
        ):
            r = await c.post("/api/v1/products", headers=BANK, json={**body, "signal_spreads": [bad]})
            assert r.status_code == 422, (bad, r.text)
        p = (await c.post("/api/v1/products", headers=BANK, json=body)).json()
        assert p["signal_spreads"][0] == {
            "signal": "tax_grade",
            "spread": "0.8000",
            "when_unknown": False,
            "in": ["C", "D"],
        }
        assert (await c.post(f"/api/v1/products/{p['id']}/publish", headers=BANK)).status_code == 200

        # credit-info: the enterprise and its tax, social insurance, utilities and operating records.
        ent = {
            "uscc": USCC,
            "name": "包头稀土材料有限公司",
            "county_code": "150102",
            "industry": "C32",
            "employees": 80,
            "revenue": "8500",
            "assets": "5000",
        }
        r = await credit.client.post("/api/v1/enterprises", json=ent, headers=bearer(Role.OFFICE, "office"))
        assert r.status_code == 201, r.text
        for record in RECORDS:
            r = await credit.client.post(
                "/api/v1/credit-records", json={"uscc": USCC, **record}, headers=PROVIDER
            )
            assert r.status_code == 201, r.text

        need = {"amount": "800000.00", "term_months": 12}

        async def priced() -> Any:
            r = await c.post("/api/v1/previews", headers=SME, json=need)
            seen = r.json() if r.status_code == 200 else {}
            ok = seen.get("profile", {}).get("revenue_growth_percent") == "-20.00" and seen["matches"]
            return seen if ok and seen["profile"]["grade"] else None

        preview = await eventually(priced, timeout=30)
        assert preview["profile"] | {"grade": None} == {
            "league_code": "150100",
            "industry": "C32",
            "size_class": "small",
            "grade": None,
            "revenue_growth_percent": "-20.00",
            "tax_grade": "C",
            "social_insurance_months": 9,
            "utilities_on_time_percent": "83.33",
        }
        [match] = preview["matches"]
        parts = match["rate_explanation"]
        signals = {
            x["signal"]: (x["applied"], x["points"]) for x in parts if x["component"] == "operating_signal"
        }
        assert signals == {
            "tax_grade": ("yes", "0.8000"),
            "revenue_growth_percent": ("yes", "0.5000"),
            "social_insurance_months": ("yes", "0.3000"),
            "utilities_on_time_percent": ("no", "0.0000"),  # 83.33 % on time: no discount
        }
        grade = next(x for x in parts if x["component"] == "credit_grade")
        assert grade["grade"] == preview["profile"]["grade"]
        assert Decimal(grade["points"]) == Decimal(PRODUCT["grade_spreads"].get(grade["grade"], "1.4"))
        # The rate is exactly its parts: base + grade spread + the operating signals' spreads.
        assert Decimal(match["indicative_rate"]) == sum(Decimal(x["points"]) for x in parts)
        assert Decimal(match["indicative_rate"]) == Decimal("3.4500") + Decimal(grade["points"]) + Decimal(
            "1.6"
        )

        # A real request is matched at the same rate, with the same explanation the bank sees.
        async def submitted() -> Any:
            r = await c.post("/api/v1/financing-requests", headers=SME, json=need | {"purpose": "设备更新"})
            return r.json()["id"] if r.status_code == 201 else None

        rid = await eventually(submitted)

        async def matched() -> Any:
            return (await c.get("/api/v1/matches", headers=BANK)).json()

        [m] = await eventually(matched)
        assert (m["request_id"], m["indicative_rate"]) == (rid, match["indicative_rate"])
        assert m["rate_explanation"] == parts

        events = await published(
            infra,
            topic_prefix,
            lambda es: bool(of_type(es, "operating_signals.updated", tax_grade="C")),
            topic=Topic.ENTERPRISES,
        )
        last = of_type(events, "operating_signals.updated", uscc=USCC)[-1]
        assert (last["revenue_growth_percent"], last["social_insurance_months"]) == ("-20.00", 9)
