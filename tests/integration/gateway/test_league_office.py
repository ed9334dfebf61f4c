"""A league office (盟市窗口平台) reads only its own league, enforced by the services from the
`league_code` claim the gateway puts in the internal token; the regional office reads all."""

from __future__ import annotations

from smefin.auth import Role
from smefin.reference import make_uscc
from tests.e2e.journey import enterprise_body, ok
from tests.integration.gateway.door import door
from tests.support.infra import Infra
from tests.support.services import bearer

ORDOS_USCC = make_uscc("150602", "GWLGE0001")
HOHHOT_USCC = make_uscc("150102", "GWLGE0002")


async def test_league_office_sees_only_its_league(infra: Infra, topic_prefix: str) -> None:
    async with door(infra, topic_prefix, services=("credit_info", "guarantee_registry")) as gw:
        credit = gw.services["credit-info"]
        for uscc, county in ((ORDOS_USCC, "150602"), (HOHHOT_USCC, "150102")):
            ok(
                await credit.post(
                    "/api/v1/enterprises",
                    json=enterprise_body(uscc, f"企业{county}", county),
                    headers=bearer(Role.SME, uscc, uscc),
                ),
                201,
            )
        office = await gw.office()
        ordos = (await gw.create_org(office, "league_office", "ordos-window", league_code="150600"))[
            "admin_headers"
        ]

        everyone = ok(await gw.client.get("/api/v1/enterprises", headers=office))
        assert {e["uscc"] for e in everyone["items"]} == {ORDOS_USCC, HOHHOT_USCC}
        own = ok(await gw.client.get("/api/v1/enterprises", headers=ordos))
        assert [e["uscc"] for e in own["items"]] == [ORDOS_USCC]
        asked = ok(
            await gw.client.get("/api/v1/enterprises", params={"league_code": "150600"}, headers=ordos)
        )
        assert asked["total"] == 1
        other = await gw.client.get("/api/v1/enterprises", params={"league_code": "150100"}, headers=ordos)
        assert other.status_code == 403
        assert "only its own league (150600)" in other.json()["detail"]

        full = ok(await gw.client.get("/api/v1/coverage", headers=office))
        assert len(full["leagues"]) == 12
        mine = ok(await gw.client.get("/api/v1/coverage", headers=ordos))
        assert [lg["code"] for lg in mine["leagues"]] == ["150600"]
        assert all(c["league_code"] == "150600" for c in mine["counties"] + mine["zones"])
        # What is not an office aggregate stays closed to a league office.
        assert (await gw.client.get("/api/v1/coverage/export.csv", headers=ordos)).status_code == 403
