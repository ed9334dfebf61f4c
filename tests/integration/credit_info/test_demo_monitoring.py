"""The demo's county ledgers and enrolments load into credit-info without a rejected row and fill the
monitoring views: roll-ups with last year's figures, overdue SMEs, late counties, programme progress."""

from __future__ import annotations

import os
from datetime import date

import pytest
from smefin_dev.demo import Api, Loader

from smefin.auth import Role
from smefin.settings import DEV_SECRET
from tests.integration.credit_info.helpers import credit_info
from tests.support.infra import Infra
from tests.support.services import bearer

OFFICE = bearer(Role.OFFICE, "office-1")
# 120 SMEs (the demo's least: ten per league) and their ledgers take two minutes on a shared machine.
pytestmark = pytest.mark.skipif(
    os.environ.get("SMEFIN_SOAK") != "1", reason="loads demo ledgers: runs with SMEFIN_SOAK=1"
)


async def test_demo_ledgers_fill_every_monitoring_view(infra: Infra, topic_prefix: str) -> None:
    async with credit_info(infra, topic_prefix, consumers_enabled=False) as svc:
        api = Api(client=svc.client, secret=DEV_SECRET)
        loader = Loader(api, n_enterprises=120, n_requests=0, seed=2011, today=date.today())
        await loader.register_enterprises()
        summary = await loader.ledgers()
        assert "growth SMEs" in summary, summary
        assert not api.failures, api.failures

        c = svc.client
        last_quarter = (await c.get("/api/v1/operating-statistics/overdue", headers=OFFICE)).json()["periods"]
        quarter = last_quarter["quarterly"][0]
        r = await c.get(
            "/api/v1/operating-statistics", params={"period": quarter, "level": "league"}, headers=OFFICE
        )
        items = r.json()["items"]
        assert len(items) == 12
        assert all(i["current"]["reports"] > 0 and i["last_year"]["reports"] > 0 for i in items)
        assert all(i["growth_percent"]["sales_revenue"] is not None for i in items)
        overdue = (await c.get("/api/v1/operating-statistics/overdue", headers=OFFICE)).json()["items"]
        assert overdue
        late = await c.get(
            "/api/v1/operating-statistics/timeliness",
            params={"period": str(date.today().year - 1), "late_only": "true"},
            headers=OFFICE,
        )
        assert any(i["late"] for i in late.json()["items"])
        growth = (await c.get("/api/v1/programmes/growth/progress", headers=OFFICE)).json()
        assert growth["total"]["enrolled"] > 0
        assert growth["total"]["with_figures"] == growth["total"]["enrolled"]
        assert growth["total"]["jobs_added"] > 0
        assert float(growth["total"]["revenue_multiple"]) > 1.2
        innovation = (await c.get("/api/v1/programmes/innovation/progress", headers=OFFICE)).json()
        assert innovation["total"]["enrolled"] > 0
