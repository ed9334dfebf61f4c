"""The financing funnel after journeys with known outcomes: counts, conversions, medians (checked against
the stored timestamps), per league, size class, bank and product kind; the no-match rules; refusals."""

from __future__ import annotations

import csv
import io
import statistics
from decimal import Decimal
from typing import Any

import asyncpg
import httpx

from loan_matching.main import MIGRATIONS, create_app
from loan_matching.settings import Settings
from smefin.auth import Principal, Role, issue_internal_token
from smefin.contracts.enterprises import EnterpriseRegistered, RatingChanged
from smefin.db import utcnow
from smefin.reference import make_uscc
from smefin.settings import DEV_SECRET
from tests.integration.loan_matching.test_flow import publish
from tests.support.infra import Infra
from tests.support.services import TEST_TOKEN_TTL, bearer, eventually, run_service

BANK1, BANK2 = bearer(Role.BANK, "bank-1"), bearer(Role.BANK, "bank-2")
OFFICE = bearer(Role.OFFICE, "office-1")
# who: league, size class
SMES = {
    "a": ("150102", "small"),
    "b": ("150202", "micro"),
    "c": ("150103", "small"),
    "d": ("150203", "medium"),
}
USCC = {k: make_uscc(v[0], f"FN{i:07d}") for i, (k, v) in enumerate(SMES.items())}
PRODUCT: dict[str, Any] = {
    "min_amount": "50000.00",
    "max_amount": "3000000.00",
    "min_term_months": 3,
    "max_term_months": 36,
    "industries": ["C"],
    "size_classes": ["micro", "small", "medium"],
    "base_rate": "3.4500",
    "grade_spreads": {"AAA": "0.3", "AA": "0.6", "A": "0.9", "BBB": "1.4"},
}
REQUEST = {
    "amount": "600000.00",
    "term_months": 12,
    "purpose": "流动资金周转",
    "collateral_available": True,
    "collateral_description": "厂房抵押",
}


def league_office(code: str) -> dict[str, str]:
    principal = Principal(
        subject=f"user-{code}", role=Role.LEAGUE_OFFICE, org_id=f"league-{code}", league_code=code
    )
    return {"Authorization": f"Bearer {issue_internal_token(principal, DEV_SECRET, ttl=TEST_TOKEN_TTL)}"}


def sme(who: str) -> dict[str, str]:
    return bearer(Role.SME, f"ent-{who}", USCC[who])


class Driver:
    """Moves one request along the funnel through loan-matching's API."""

    def __init__(self, c: httpx.AsyncClient) -> None:
        self.c = c

    async def ok(self, method: str, path: str, who: dict[str, str], status: int = 200, **kw: Any) -> Any:
        r = await self.c.request(method, path, headers=who, **kw)
        assert r.status_code == status, f"{method} {path}: {r.status_code} {r.text}"
        return r.json()

    async def request(self, who: str, **change: Any) -> str:
        async def submitted() -> Any:
            r = await self.c.post("/api/v1/financing-requests", headers=sme(who), json=REQUEST | change)
            return r.json()["id"] if r.status_code == 201 else None

        rid: str = await eventually(submitted)

        async def decided() -> Any:
            body = await self.ok("GET", f"/api/v1/financing-requests/{rid}", sme(who))
            return body["status"] if body["status"] != "submitted" else None

        await eventually(decided)
        return rid

    async def match_of(self, who: str, rid: str, bank: str) -> str:
        ranked = await self.ok("GET", f"/api/v1/financing-requests/{rid}/matches", sme(who))
        return str(next(m["id"] for m in ranked if m["bank_org_id"] == bank))

    async def offer(self, who: str, rid: str, bank: str, headers: dict[str, str]) -> str:
        mid = await self.match_of(who, rid, bank)
        return str((await self.ok("POST", f"/api/v1/matches/{mid}/offer", headers, 201, json={}))["id"])

    async def accept(self, who: str, oid: str) -> None:
        assert (await self.ok("POST", f"/api/v1/offers/{oid}/accept", sme(who)))["status"] == "accepted"

    async def disburse(self, oid: str, headers: dict[str, str]) -> str:
        return str((await self.ok("POST", "/api/v1/loans", headers, 201, json={"offer_id": oid}))["id"])


async def stored_medians(url: str) -> dict[str, Decimal]:
    """Median days between stages computed straight from the tables (request unit)."""
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            """
            SELECT r.id, r.created_at, r.matched_at, EXISTS (SELECT 1 FROM match m WHERE m.request_id = r.id) AS has_match,
                   (SELECT min(o.created_at) FROM offer o WHERE o.request_id = r.id) AS offered,
                   (SELECT min(o.accepted_at) FROM offer o WHERE o.request_id = r.id) AS accepted,
                   (SELECT min(l.disbursed_at) FROM loan l JOIN offer o ON o.id = l.offer_id WHERE o.request_id = r.id)
                     AS disbursed,
                   (SELECT min(l.closed_at) FROM loan l JOIN offer o ON o.id = l.offer_id WHERE o.request_id = r.id)
                     AS closed
            FROM financing_request r
            """
        )
    finally:
        await conn.close()

    def med(a: str, b: str) -> Decimal:
        gaps = [
            (r[b] - (r[a] if a != "matched_at" else r["matched_at"])).total_seconds() / 86400
            for r in rows
            if r[a] is not None and r[b] is not None and (a != "matched_at" or r["has_match"])
        ]
        return Decimal(f"{statistics.median(gaps):.2f}")

    return {
        "matched_to_offered": med("matched_at", "offered"),
        "offered_to_accepted": med("offered", "accepted"),
        "accepted_to_disbursed": med("accepted", "disbursed"),
        "disbursed_to_closed": med("disbursed", "closed"),
    }


async def test_the_funnel_follows_journeys_with_known_outcomes(infra: Infra, topic_prefix: str) -> None:
    async with run_service(create_app, Settings, MIGRATIONS, infra, topic_prefix=topic_prefix) as svc:
        c, drive = svc.client, Driver(svc.client)
        p1 = await drive.ok(
            "POST", "/api/v1/products", BANK1, 201, json=PRODUCT | {"name": "信用贷", "kind": "credit_only"}
        )
        p2 = await drive.ok(
            "POST",
            "/api/v1/products",
            BANK2,
            201,
            json=PRODUCT | {"name": "抵押贷", "kind": "collateralised", "requires_collateral": True},
        )
        for p, h in ((p1, BANK1), (p2, BANK2)):
            await drive.ok("POST", f"/api/v1/products/{p['id']}/publish", h)
        events: list[tuple[Any, str]] = []
        for who, (county, size) in SMES.items():
            ent = EnterpriseRegistered(
                uscc=USCC[who],
                name=f"漏斗企业{who}",
                league_code=county[:4] + "00",
                county_code=county,
                industry="C1310",
                employees=40,
                revenue=Decimal("3000"),
                assets=Decimal("2500"),
                size_class=size,
            )
            rating = RatingChanged(
                uscc=USCC[who],
                score=700,
                probability_of_default=Decimal("0.02"),
                grade="A",
                model_version="t",
            )
            events += [(ent, USCC[who]), (rating, USCC[who])]
        await publish(infra, topic_prefix, *events)

        # J1 a: disbursed by bank-1 and repaid.   J2 b: disbursed by bank-2 and defaulted.
        # J3 c: accepted from bank-1, not disbursed.   J4 d: bank-1 declines, bank-2 offers, never accepted.
        # J5 a: 9 million, above every product's maximum: no match.   J6 b: matched, nobody offers.
        r1 = await drive.request("a")
        o1 = await drive.offer("a", r1, "bank-1", BANK1)
        await drive.accept("a", o1)
        loan1 = await drive.disburse(o1, BANK1)
        await drive.ok("POST", f"/api/v1/loans/{loan1}/repaid", BANK1)
        r2 = await drive.request("b")
        o2 = await drive.offer("b", r2, "bank-2", BANK2)
        await drive.accept("b", o2)
        loan2 = await drive.disburse(o2, BANK2)
        await drive.ok("POST", f"/api/v1/loans/{loan2}/defaulted", BANK2, json={"outstanding": "420000.00"})
        r3 = await drive.request("c")
        await drive.accept("c", await drive.offer("c", r3, "bank-1", BANK1))
        r4 = await drive.request("d")
        m4 = await drive.match_of("d", r4, "bank-1")
        await drive.ok("POST", f"/api/v1/matches/{m4}/decline", BANK1, json={"reason": "行业集中度已满"})
        await drive.offer("d", r4, "bank-2", BANK2)
        r5 = await drive.request("a", amount="9000000.00")
        assert (await drive.ok("GET", f"/api/v1/financing-requests/{r5}", sme("a")))["status"] == "no_match"
        await drive.request("b")

        today = utcnow().date().isoformat()
        window = {"from_date": today, "to_date": today}
        body = await drive.ok("GET", "/api/v1/funnel", OFFICE, params=window)
        counts = body["total"]["counts"]
        assert counts == {
            "requested": 6,
            "matched": 5,
            "offered": 4,
            "accepted": 3,
            "disbursed": 2,
            "repaid": 1,
            "defaulted": 1,
        }
        assert body["total"]["conversion_percent"] == {
            "matched": "83.33",
            "offered": "80.00",
            "accepted": "75.00",
            "disbursed": "66.67",
            "repaid": "50.00",
            "defaulted": "50.00",
        }
        medians = body["total"]["median_days"]
        for step, want in (await stored_medians(svc.database_url)).items():
            assert Decimal(medians[step]) == want, step
        # No match: both products failed on the amount; the fix says what would change it.
        assert body["no_match"]["requests"] == 1
        (reason,) = body["no_match"]["reasons"]
        assert (reason["rule"], reason["requests"], reason["products_excluded"]) == ("amount_max", 1, 2)
        assert reason["percent_of_no_match"] == "100.00"

        by_league = {
            g["key"]: g["counts"]
            for g in (await drive.ok("GET", "/api/v1/funnel", OFFICE, params=window | {"by": "league"}))[
                "groups"
            ]
        }
        assert by_league == {
            "150100": {
                "requested": 3,
                "matched": 2,
                "offered": 2,
                "accepted": 2,
                "disbursed": 1,
                "repaid": 1,
                "defaulted": 0,
            },
            "150200": {
                "requested": 3,
                "matched": 3,
                "offered": 2,
                "accepted": 1,
                "disbursed": 1,
                "repaid": 0,
                "defaulted": 1,
            },
        }
        by_size = {
            g["key"]: (g["counts"]["requested"], g["counts"]["disbursed"])
            for g in (await drive.ok("GET", "/api/v1/funnel", OFFICE, params=window | {"by": "size_class"}))[
                "groups"
            ]
        }
        assert by_size == {"small": (3, 1), "micro": (2, 1), "medium": (1, 0)}
        # Per bank the unit is the bank's match: five matched requests each.
        by_bank = {
            g["key"]: g["counts"]
            for g in (await drive.ok("GET", "/api/v1/funnel", OFFICE, params=window | {"by": "bank"}))[
                "groups"
            ]
        }
        assert by_bank == {
            "bank-1": {
                "requested": None,
                "matched": 5,
                "offered": 2,
                "accepted": 2,
                "disbursed": 1,
                "repaid": 1,
                "defaulted": 0,
            },
            "bank-2": {
                "requested": None,
                "matched": 5,
                "offered": 2,
                "accepted": 1,
                "disbursed": 1,
                "repaid": 0,
                "defaulted": 1,
            },
        }
        r = await c.get(
            "/api/v1/funnel", params=window | {"by": "product_kind", "format": "csv"}, headers=OFFICE
        )
        assert r.headers["content-type"].startswith("text/csv")
        kinds = {row["key"]: row for row in csv.DictReader(io.StringIO(r.text.lstrip("\ufeff")))}
        assert (kinds["collateralised"]["offered"], kinds["collateralised"]["defaulted"]) == ("2", "1")
        assert kinds["credit_only"]["accepted_percent"] == "100.00"
        months = (await drive.ok("GET", "/api/v1/funnel", OFFICE, params=window | {"by": "month"}))["groups"]
        assert [(g["key"], g["counts"]["requested"]) for g in months] == [(today[:7], 6)]

        # A league office sees its league's funnel; another league, a bank or an SME is refused.
        mine = await drive.ok("GET", "/api/v1/funnel", league_office("150200"), params=window)
        assert mine["total"]["counts"] == by_league["150200"]
        assert mine["no_match"]["requests"] == 0
        r = await c.get(
            "/api/v1/funnel", params=window | {"league_code": "150100"}, headers=league_office("150200")
        )
        assert r.status_code == 403
        for stranger in (BANK1, sme("a")):
            assert (await c.get("/api/v1/funnel", params=window, headers=stranger)).status_code == 403
        r = await c.get(
            "/api/v1/funnel", params={"from_date": today, "to_date": "2020-01-01"}, headers=OFFICE
        )
        assert r.status_code == 422
        # A window before the journeys holds none of them.
        empty = await drive.ok(
            "GET", "/api/v1/funnel", OFFICE, params={"from_date": "2020-01-01", "to_date": "2020-12-31"}
        )
        assert empty["total"]["counts"]["requested"] == 0
        assert empty["groups"] == []
