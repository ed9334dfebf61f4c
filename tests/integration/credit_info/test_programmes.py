"""Growth programme and innovation list: enrolment, and progress toward doubling and 120,000 jobs
checked against figures summed here from the reports the counties sent."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from smefin.auth import Role
from smefin.reference import make_uscc
from tests.integration.credit_info.helpers import credit_info
from tests.integration.credit_info.test_operating_reports import CSV, OFFICE, league_office
from tests.support.infra import Infra
from tests.support.services import bearer

# who: county, cluster, figures per quarter (sales, employees, assets) in the baseline 2024 and in 2025
SMES: dict[str, tuple[str, str | None, tuple[int, int, int], tuple[int, int, int]]] = {
    "G1": ("150102", "dairy", (100, 50, 2000), (230, 80, 4100)),  # doubled both
    "G2": ("150102", None, (200, 90, 3000), (260, 85, 3300)),  # grew a little, lost jobs
    "G3": ("150202", "rare-earth", (80, 30, 900), (170, 60, 1700)),  # doubled revenue, not assets
    "N1": ("150202", "rare-earth", (50, 20, 500), (55, 21, 520)),  # the innovation list
}
USCC = {k: make_uscc(v[0], f"PG{i:07d}") for i, (k, v) in enumerate(SMES.items())}
GROWTH = ("G1", "G2", "G3")


def quarter_rows(who: str, year: int) -> list[str]:
    _, _, base, now = SMES[who]
    sales, employees, assets = base if year == 2024 else now
    out = []
    for q in range(1, 5):
        # The employees and assets change inside the year: the last quarter's count.
        e, a = employees - (4 - q), assets - 10 * (4 - q)
        out.append(f"{USCC[who]},{year}-Q{q},{sales + 5},{sales},3,2,{e},0,{a}")
    return out


def annual(who: str, year: int) -> tuple[Decimal, int, Decimal]:
    sales, employees, assets = SMES[who][2] if year == 2024 else SMES[who][3]
    return Decimal(sales * 4), employees, Decimal(assets)


async def test_programme_progress_is_the_reports_against_the_baseline(
    infra: Infra, topic_prefix: str
) -> None:
    async with credit_info(infra, topic_prefix, consumers_enabled=False) as svc:
        c = svc.client
        for who, (county, cluster, _, _) in SMES.items():
            body = {
                "uscc": USCC[who],
                "name": f"成长企业{who}",
                "county_code": county,
                "industry": "C13",
                "employees": 50,
                "revenue": "900",
                "assets": "2000",
            } | ({"cluster": cluster} if cluster else {})
            assert (await c.post("/api/v1/enterprises", json=body, headers=OFFICE)).status_code == 201
        head = "uscc,period,output_value,sales_revenue,profit,taxes_paid,employees,exports,total_assets\n"
        for county in ("150102", "150202"):
            rows = [r for w in SMES if SMES[w][0] == county for y in (2024, 2025) for r in quarter_rows(w, y)]
            r = await c.post(
                "/api/v1/operating-reports/imports",
                params={"county_code": county, "batch_id": f"prog-{county}"},
                content=head + "\n".join(rows),
                headers=CSV | OFFICE,
            )
            assert r.status_code == 201, r.text
            assert r.json()["rejected"] == 0, r.json()

        for who in GROWTH:
            r = await c.post(
                "/api/v1/programmes/growth/enrolments",
                json={"uscc": USCC[who], "baseline_year": 2024},
                headers=OFFICE,
            )
            assert r.status_code == 201, r.text
        r = await c.post(
            "/api/v1/programmes/growth/enrolments",
            json={"uscc": USCC["G1"], "baseline_year": 2024},
            headers=OFFICE,
        )
        assert r.status_code == 409
        # A league office enrols in its own league only; an SME not at all.
        r = await c.post(
            "/api/v1/programmes/innovation/enrolments",
            json={"uscc": USCC["N1"], "baseline_year": 2024},
            headers=league_office("150100"),
        )
        assert r.status_code == 403
        r = await c.post(
            "/api/v1/programmes/innovation/enrolments",
            json={"uscc": USCC["N1"], "baseline_year": 2024},
            headers=bearer(Role.SME, "ent-n1", USCC["N1"]),
        )
        assert r.status_code == 403
        r = await c.post(
            "/api/v1/programmes/innovation/enrolments",
            json={"uscc": USCC["N1"], "baseline_year": 2024},
            headers=league_office("150200"),
        )
        assert r.status_code == 201, r.text
        # The growth flag on the profile follows the enrolment (what loan-matching and fairs see).
        flags = {w: (await c.get(f"/api/v1/enterprises/{USCC[w]}", headers=OFFICE)).json() for w in SMES}
        assert {w: f["growth_programme"] for w, f in flags.items()} == {
            "G1": True,
            "G2": True,
            "G3": True,
            "N1": False,
        }

        r = await c.get("/api/v1/programmes/growth/progress", params={"year": 2025}, headers=OFFICE)
        assert r.status_code == 200, r.text
        body = r.json()
        jobs = {w: annual(w, 2025)[1] - annual(w, 2024)[1] for w in GROWTH}
        assert body["total"]["jobs_added"] == sum(jobs.values())
        assert Decimal(body["total"]["jobs_target_percent"]) == (
            Decimal(sum(jobs.values())) * 100 / 120_000
        ).quantize(Decimal("0.01"))
        assert body["targets"] == {"enterprises": 1000, "multiple": "2", "jobs_added": 120000}
        assert (body["total"]["revenue_doubled"], body["total"]["assets_doubled"]) == (2, 1)

        def group(members: list[str]) -> dict[str, Any]:
            base = sum((annual(w, 2024)[0] for w in members), Decimal(0))
            now = sum((annual(w, 2025)[0] for w in members), Decimal(0))
            assets0 = sum((annual(w, 2024)[2] for w in members), Decimal(0))
            assets1 = sum((annual(w, 2025)[2] for w in members), Decimal(0))
            return {
                "enrolled": len(members),
                "baseline_revenue": str(base) + ".00",
                "current_revenue": str(now) + ".00",
                "revenue_multiple": str((now / base).quantize(Decimal("0.0001"))),
                "assets_multiple": str((assets1 / assets0).quantize(Decimal("0.0001"))),
                "jobs_added": sum(jobs[w] for w in members),
            }

        by_league = {g["key"]: g for g in body["groups"]}
        assert set(by_league) == {"150100", "150200"}
        for key, members in {"150100": ["G1", "G2"], "150200": ["G3"]}.items():
            want = group(members)
            assert {k: by_league[key][k] for k in want} == want, key

        r = await c.get(
            "/api/v1/programmes/growth/progress",
            params={"year": 2025, "by": "cluster", "format": "csv"},
            headers=OFFICE,
        )
        by_cluster = {row["key"]: row for row in csv.DictReader(io.StringIO(r.text.lstrip("\ufeff")))}
        assert set(by_cluster) == {"dairy", "rare-earth", "(none)"}
        assert int(by_cluster["dairy"]["jobs_added"]) == jobs["G1"]

        r = await c.get("/api/v1/programmes/growth/enrolments", params={"year": 2025}, headers=OFFICE)
        g2 = next(i for i in r.json()["items"] if i["uscc"] == USCC["G2"])
        assert (g2["jobs_added"], g2["revenue_doubled"], g2["baseline_employees"]) == (-5, False, 90)

        # The innovation list: the league office sees its league; another league's office is refused.
        r = await c.get(
            "/api/v1/programmes/innovation/progress", params={"year": 2025}, headers=league_office("150200")
        )
        assert r.status_code == 200, r.text
        assert r.json()["total"]["enrolled"] == 1
        assert r.json()["targets"]["jobs_added"] is None
        r = await c.get(
            "/api/v1/programmes/growth/progress",
            params={"league_code": "150200"},
            headers=league_office("150100"),
        )
        assert r.status_code == 403
        r = await c.get(
            "/api/v1/programmes/growth/enrolments", headers=bearer(Role.SME, "ent-g1", USCC["G1"])
        )
        assert r.status_code == 403
