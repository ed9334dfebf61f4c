"""Registration, classification, search and the authorization around enterprises."""

from __future__ import annotations

from typing import Any

from smefin.auth import Role
from smefin.contracts.envelope import Topic
from smefin.reference import make_uscc
from tests.integration.credit_info.helpers import credit_info, listen
from tests.support.infra import Infra
from tests.support.services import bearer, eventually

USCC = make_uscc("150102", "A1")  # Hohhot, Xincheng district
OTHER = make_uscc("150203", "B2")  # Baotou
OFFICE = bearer(Role.OFFICE, "office-1")


def body(uscc: str = USCC, **extra: Any) -> dict[str, Any]:
    return {
        "uscc": uscc,
        "name": "呼和浩特乳业有限公司",
        "county_code": uscc[2:8],
        "industry": "C14",
        "employees": 120,
        "revenue": "8500",
        "assets": "6200",
        "growth_programme": True,
        "cluster": "dairy",
    } | extra


async def test_register_update_search_and_refusals(infra: Infra, topic_prefix: str) -> None:
    async with (
        credit_info(infra, topic_prefix) as svc,
        listen(infra, topic_prefix + Topic.ENTERPRISES) as seen,
    ):
        c = svc.client
        sme = bearer(Role.SME, "ent-1", USCC)
        r = await c.post("/api/v1/enterprises", json=body(), headers=sme)
        assert r.status_code == 201, r.text
        ent = r.json()
        assert (ent["league_code"], ent["county_code"], ent["size_class"]) == ("150100", "150102", "small")
        assert any("small floors met" in x for x in ent["size_reasons"])
        assert ent["growth_programme"] is True
        assert ent["cluster"] == "dairy"

        again = await c.post("/api/v1/enterprises", json=body(), headers=sme)
        assert again.status_code == 409

        # An SME may not register another enterprise's code.
        r = await c.post("/api/v1/enterprises", json=body(OTHER), headers=sme)
        assert r.status_code == 403
        # The office may; Baotou's code derives Baotou's league.
        r = await c.post(
            "/api/v1/enterprises", json=body(OTHER, industry="F52", revenue="400"), headers=OFFICE
        )
        assert r.status_code == 201
        assert r.json()["league_code"] == "150200"

        bad_check = USCC[:-1] + ("0" if USCC[-1] != "0" else "1")
        r = await c.post("/api/v1/enterprises", json=body(bad_check), headers=OFFICE)
        assert r.status_code == 422
        assert r.json()["errors"][0]["field"] == "uscc"
        assert "check character" in r.json()["errors"][0]["message"]

        beijing = make_uscc("110101", "Q1")
        r = await c.post("/api/v1/enterprises", json=body(beijing, county_code="150102"), headers=OFFICE)
        assert r.status_code == 422
        assert "Inner Mongolia" in r.json()["detail"]

        mismatch = make_uscc("150102", "M9")
        r = await c.post("/api/v1/enterprises", json=body(mismatch, county_code="150103"), headers=OFFICE)
        assert r.status_code == 422
        assert r.json()["details"][0]["field"] == "county_code"
        r = await c.post("/api/v1/enterprises", json=body(mismatch, county_code="159999"), headers=OFFICE)
        assert r.status_code == 422
        assert "unknown county" in r.json()["detail"]

        r = await c.post(
            "/api/v1/enterprises", json=body(mismatch, employees=-5, revenue="abc"), headers=OFFICE
        )
        assert r.status_code == 422
        assert {e["field"] for e in r.json()["errors"]} == {"employees", "revenue"}
        r = await c.post("/api/v1/enterprises", json=body(mismatch, employees="12"), headers=OFFICE)
        assert r.status_code == 422, "numbers are strict"

        # Update: larger figures make it medium, and the update is published.
        r = await c.patch(
            f"/api/v1/enterprises/{USCC}", json={"employees": 500, "revenue": "30000"}, headers=sme
        )
        assert r.status_code == 200, r.text
        assert r.json()["size_class"] == "medium"
        r = await c.patch(f"/api/v1/enterprises/{OTHER}", json={"employees": 1}, headers=sme)
        assert r.status_code == 403

        # Search and paging: office only.
        r = await c.get("/api/v1/enterprises", params={"league_code": "150100"}, headers=OFFICE)
        assert [e["uscc"] for e in r.json()["items"]] == [USCC]
        r = await c.get("/api/v1/enterprises", params={"size_class": "small", "limit": 1}, headers=OFFICE)
        assert r.json()["total"] == 1
        assert r.json()["items"][0]["uscc"] == OTHER
        r = await c.get("/api/v1/enterprises", params={"industry": "f52"}, headers=OFFICE)
        assert r.json()["total"] == 1
        assert (await c.get("/api/v1/enterprises", headers=sme)).status_code == 403
        assert (await c.get(f"/api/v1/enterprises/{OTHER}", headers=sme)).status_code == 403
        assert (await c.get(f"/api/v1/enterprises/{USCC}", headers=sme)).status_code == 200
        assert (await c.get(f"/api/v1/enterprises/{USCC}")).status_code == 401
        for path in ("/api/v1/ratings/", "/api/v1/credit-reports/", "/api/v1/enterprises/"):
            r = await c.get(path + "x" * 300, headers=OFFICE)
            assert r.status_code == 422, path

        types = await eventually(lambda: _types(seen), timeout=20)
        assert {"enterprise.registered", "enterprise.updated", "rating.changed"} <= types


async def _types(seen: list[dict[str, Any]]) -> set[str] | None:
    types = {e["type"] for e in seen if e["subject"] == USCC}
    return types if {"enterprise.registered", "enterprise.updated", "rating.changed"} <= types else None


async def test_size_class_reference_endpoint(infra: Infra, topic_prefix: str) -> None:
    async with credit_info(infra, topic_prefix, relay_enabled=False, consumers_enabled=False) as svc:
        r = await svc.client.get(
            "/api/v1/reference/size-class", params={"industry": "F52", "employees": 30, "revenue": 400}
        )
        assert r.status_code == 200, r.text
        assert r.json()["size_class"] == "small"
        assert r.json()["standard_row"] == "retail"
        assert any("small floors met" in x for x in r.json()["reasons"])
        r = await svc.client.get("/api/v1/reference/size-class", params={"industry": "F52", "employees": 30})
        assert r.status_code == 422
        assert "revenue" in r.json()["detail"]
        r = await svc.client.get("/api/v1/reference/size-class", params={"industry": "ZZ", "employees": 3})
        assert r.status_code == 422
        assert r.json()["errors"][0]["field"] == "query.industry"
        r = await svc.client.get("/api/v1/reference/size-class", params={"industry": "C13", "employees": -1})
        assert r.status_code == 422
