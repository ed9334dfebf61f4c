"""Operating reports fed by counties over two years (one late, one corrected, some never sent), then the
roll-ups, growth rates, overdue lists and late counties checked against sums computed here."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx

from smefin.auth import Principal, Role, issue_internal_token
from smefin.reference import make_uscc
from smefin.settings import DEV_SECRET
from tests.integration.credit_info.helpers import credit_info
from tests.support.infra import Infra
from tests.support.services import TEST_TOKEN_TTL, bearer

OFFICE = bearer(Role.OFFICE, "office-1")
COUNTY_SYSTEM = bearer(Role.SERVICE, "county-150202")
CSV = {"content-type": "text/csv"}
JSONL = {"content-type": "application/x-ndjson"}
FLOWS = ("output_value", "sales_revenue", "profit", "taxes_paid", "exports", "energy_use")
D2 = Decimal("0.01")


def league_office(code: str) -> dict[str, str]:
    principal = Principal(
        subject=f"user-{code}", role=Role.LEAGUE_OFFICE, org_id=f"league-{code}", league_code=code
    )
    return {"Authorization": f"Bearer {issue_internal_token(principal, DEV_SECRET, ttl=TEST_TOKEN_TTL)}"}


# name, county, industry, revenue (万元: ≥ 2000 reports monthly), cluster
ENTERPRISES = {
    "A": ("150102", "C14", "8500", "dairy"),  # monthly
    "B": ("150102", "C17", "1500", None),  # quarterly
    "C": ("150103", "F51", "900", "dairy"),  # quarterly; one late report
    "D": ("150202", "C32", "6000", "rare-earth"),  # monthly; never sends 2025-12
    "E": ("150202", "C32", "300", "rare-earth"),  # quarterly; never reports at all
}
USCC = {k: make_uscc(v[0], f"MR{i:07d}") for i, (k, v) in enumerate(ENTERPRISES.items())}
MONTHLY = {"A", "D"}


def periods(year: int, monthly: bool) -> list[str]:
    return [f"{year}-{m:02d}" for m in range(1, 13)] if monthly else [f"{year}-Q{q}" for q in range(1, 5)]


def period_end(p: str) -> date:
    year, rest = int(p[:4]), p[5:]
    month = int(rest) if not rest.startswith("Q") else int(rest[1]) * 3
    return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)


def due(p: str) -> date:
    return period_end(p) + timedelta(days=15 if "Q" in p else 10)


def figures(who: str, p: str) -> dict[str, Any]:
    """Deterministic, distinct figures per enterprise and period (profit sometimes a loss)."""
    i = list(ENTERPRISES).index(who) + 1
    year, rest = int(p[:4]), p[5:]
    n = int(rest[1]) if rest.startswith("Q") else int(rest)
    base = Decimal(100 * i + 7 * n + (30 if year == 2025 else 0))
    scale = 3 if who not in MONTHLY else 1
    return {
        "output_value": str(base * scale + Decimal("0.25")),
        "sales_revenue": str(base * scale),
        "profit": str(Decimal(n * 3 - 10 + i)),
        "taxes_paid": str((base * scale / 10).quantize(D2)),
        "exports": str(Decimal(i * n)),
        "energy_use": str(Decimal(50 * i + n)),
        "employees": 20 * i + n + (5 if year == 2025 else 0),
        "total_assets": str(Decimal(1000 * i + 10 * n)),
    }


def ledger() -> dict[tuple[str, str], dict[str, Any]]:
    """What the counties send: every period of 2024 and 2025, except D's 2025-12 and all of E's."""
    out = {}
    for who in ("A", "B", "C", "D"):
        for year in (2024, 2025):
            for p in periods(year, who in MONTHLY):
                if (who, p) != ("D", "2025-12"):
                    out[(who, p)] = figures(who, p)
    return out


LATE = ("C", "2025-Q3")  # C's county received it three weeks after it was due
CORRECTED = ("B", "2025-Q2")
CORRECTION = figures("B", "2025-Q2") | {"profit": "-42.50", "sales_revenue": "999.00", "employees": 61}


def reported_on(who: str, p: str) -> str:
    return (due(p) + timedelta(days=21) if (who, p) == LATE else due(p) - timedelta(days=2)).isoformat()


def county_csv(county: str, rows: dict[tuple[str, str], dict[str, Any]]) -> str:
    cols = ["uscc", "period", *FLOWS, "employees", "total_assets", "reported_on"]
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(cols)
    for (who, p), f in rows.items():
        if ENTERPRISES[who][0] == county:
            w.writerow(
                [USCC[who], p, *(f[k] for k in FLOWS), f["employees"], f["total_assets"], reported_on(who, p)]
            )
    return buf.getvalue()


def expected_totals(
    data: dict[tuple[str, str], dict[str, Any]], period: str, members: set[str]
) -> dict[str, Any]:
    """The roll-up of `members` over `period`, summed here from the ledger rows."""
    year = period[:4]
    if len(period) == 4:
        quarters = [1, 2, 3, 4]
    elif "H" in period:
        quarters = [1, 2] if period.endswith("1") else [3, 4]
    elif "Q" in period:
        quarters = [int(period[-1])]
    else:
        quarters = []
    sums: dict[str, Any] = dict.fromkeys(FLOWS, Decimal(0)) | {"employees": 0, "total_assets": Decimal(0)}
    ents = reports = 0
    for who in sorted(members):
        if who in MONTHLY:
            months = [f"{year}-{m:02d}" for q in quarters for m in range(3 * q - 2, 3 * q + 1)]
            if not quarters:
                months = [period]
            used = [p for p in months if (who, p) in data]
        else:
            used = [f"{year}-Q{q}" for q in quarters if (who, f"{year}-Q{q}") in data]
        if not used:
            continue
        ents += 1
        reports += len(used)
        for k in FLOWS:
            sums[k] += sum(Decimal(data[(who, p)][k]) for p in used)
        last = data[(who, used[-1])]
        sums["employees"] += last["employees"]
        sums["total_assets"] += Decimal(last["total_assets"])
    return {"enterprises": ents, "reports": reports} | sums


def as_numbers(figs: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (int(v) if k in ("enterprises", "reports", "employees") else Decimal(v)) for k, v in figs.items()
    }


def growth(now: Any, before: Any) -> Decimal | None:
    if Decimal(before) == 0:
        return None
    return ((Decimal(now) - Decimal(before)) * 100 / abs(Decimal(before))).quantize(D2)


async def register_all(c: httpx.AsyncClient) -> None:
    for who, (county, industry, revenue, cluster) in ENTERPRISES.items():
        body = {
            "uscc": USCC[who],
            "name": f"监测企业{who}",
            "county_code": county,
            "industry": industry,
            "employees": 40,
            "revenue": revenue,
            "assets": "2500",
        } | ({"cluster": cluster} if cluster else {})
        r = await c.post("/api/v1/enterprises", json=body, headers=OFFICE)
        assert r.status_code == 201, r.text


async def feed(c: httpx.AsyncClient) -> dict[tuple[str, str], dict[str, Any]]:
    """Counties import their files; one report is corrected by the SME; return the current ledger."""
    data = ledger()
    # Hohhot's two counties as CSV from the office; Baotou's county system as JSON lines.
    for county in ("150102", "150103"):
        r = await c.post(
            "/api/v1/operating-reports/imports",
            params={"county_code": county, "batch_id": f"opr-{county}"},
            content=county_csv(county, data),
            headers=CSV | OFFICE,
        )
        assert r.status_code == 201, r.text
        assert r.json()["rejected"] == 0, r.json()["rejected_rows"]
    lines = [
        json.dumps({"uscc": USCC[who], "period": p, **f, "reported_on": reported_on(who, p)})
        for (who, p), f in data.items()
        if ENTERPRISES[who][0] == "150202"
    ]
    r = await c.post(
        "/api/v1/operating-reports/imports",
        params={"county_code": "150202", "batch_id": "opr-150202"},
        content="\n".join(lines),
        headers=JSONL | COUNTY_SYSTEM,
    )
    assert r.status_code == 201, r.text
    assert (r.json()["accepted"], r.json()["rejected"]) == (len(lines), 0)
    b = bearer(Role.SME, "ent-b", USCC["B"])
    body = {k: v for k, v in CORRECTION.items()} | {"reason": "统计局核定后的利润"}
    r = await c.put(f"/api/v1/operating-reports/{USCC['B']}/2025-Q2", json=body, headers=b)
    assert r.status_code == 200, r.text
    assert r.json()["version"] == 2
    data[CORRECTED] = CORRECTION
    return data


async def test_rollups_growth_overdue_and_late_counties_match_the_ledger(
    infra: Infra, topic_prefix: str
) -> None:
    async with credit_info(infra, topic_prefix, consumers_enabled=False) as svc:
        c = svc.client
        await register_all(c)
        data = await feed(c)

        # County level, one quarter, against last year's quarter.
        r = await c.get(
            "/api/v1/operating-statistics", params={"period": "2025-Q2", "level": "county"}, headers=OFFICE
        )
        assert r.status_code == 200, r.text
        got = {i["code"]: i for i in r.json()["items"]}
        assert set(got) == {"150102", "150103", "150202"}
        for county in got:
            members = {w for w, v in ENTERPRISES.items() if v[0] == county}
            now, before = expected_totals(data, "2025-Q2", members), expected_totals(data, "2024-Q2", members)
            assert as_numbers(got[county]["current"]) == now, county
            assert as_numbers(got[county]["last_year"]) == before, county
            for k in (*FLOWS, "employees"):
                want = growth(now[k], before[k])
                assert got[county]["growth_percent"][k] == (None if want is None else str(want)), (county, k)
        # The correction counts, not the first version.
        assert Decimal(got["150102"]["current"]["sales_revenue"]) == sum(
            Decimal(data[("A", f"2025-{m:02d}")]["sales_revenue"]) for m in (4, 5, 6)
        ) + Decimal("999.00")

        # League level by size class, a whole year; and the region for a half-year.
        r = await c.get(
            "/api/v1/operating-statistics",
            params={"period": "2025", "level": "league", "by": "size_class"},
            headers=OFFICE,
        )
        assert r.status_code == 200, r.text
        sizes = {
            w: (await c.get(f"/api/v1/enterprises/{USCC[w]}", headers=OFFICE)).json()["size_class"]
            for w in ENTERPRISES
        }
        groups: dict[tuple[str, str], set[str]] = defaultdict(set)
        for w, v in ENTERPRISES.items():
            groups[(v[0][:4] + "00", sizes[w])].add(w)
        items = {(i["code"], i["value"]): i for i in r.json()["items"]}
        want_keys = {k for k, m in groups.items() if expected_totals(data, "2025", m)["enterprises"]}
        assert set(items) == want_keys
        for key in want_keys:
            assert as_numbers(items[key]["current"]) == expected_totals(data, "2025", groups[key]), key

        r = await c.get(
            "/api/v1/operating-statistics", params={"period": "2025-H1", "level": "region"}, headers=OFFICE
        )
        (region,) = r.json()["items"]
        assert region["code"] == "150000"
        assert as_numbers(region["current"]) == expected_totals(data, "2025-H1", set(ENTERPRISES))
        assert as_numbers(region["last_year"]) == expected_totals(data, "2024-H1", set(ENTERPRISES))

        # A single month is the above-scale SMEs' monthly reports only.
        r = await c.get(
            "/api/v1/operating-statistics", params={"period": "2025-03", "level": "region"}, headers=OFFICE
        )
        (month,) = r.json()["items"]
        assert as_numbers(month["current"]) == expected_totals(data, "2025-03", MONTHLY)
        assert month["current"]["enterprises"] == 2

        # By cluster, as CSV.
        r = await c.get(
            "/api/v1/operating-statistics",
            params={"period": "2025-Q4", "level": "league", "by": "cluster", "format": "csv"},
            headers=OFFICE,
        )
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("text/csv")
        rows = {
            (row["code"], row["value"]): row for row in csv.DictReader(io.StringIO(r.text.lstrip("\ufeff")))
        }
        dairy = expected_totals(data, "2025-Q4", {"A", "C"})
        assert Decimal(rows[("150100", "dairy")]["current.output_value"]) == dairy["output_value"]
        baotou = expected_totals(data, "2025-Q4", {"D", "E"})
        assert Decimal(rows[("150200", "rare-earth")]["current.profit"]) == baotou["profit"]

        # Overdue as of 2026-01-20: December (due 01-10) and Q4 (due 01-15) are owed.
        r = await c.get(
            "/api/v1/operating-statistics/overdue", params={"as_of": "2026-01-20"}, headers=OFFICE
        )
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["periods"] == {"monthly": ["2025-12"], "quarterly": ["2025-Q4"]}
        overdue = {
            c_["county_code"]: {s["uscc"]: s["missing_periods"] for s in c_["overdue_smes"]}
            for c_ in body["items"]
        }
        assert overdue == {"150202": {USCC["D"]: ["2025-12"], USCC["E"]: ["2025-Q4"]}}

        # Timeliness of 2025 as of 2026-02-01: every period is due; C's Q3 was late.
        r = await c.get(
            "/api/v1/operating-statistics/timeliness",
            params={"period": "2025", "as_of": "2026-02-01"},
            headers=OFFICE,
        )
        lines = {i["county_code"]: i for i in r.json()["items"]}
        for county in lines:
            in_county = [w for w, v in ENTERPRISES.items() if v[0] == county]
            expected = sum(12 if w in MONTHLY else 4 for w in in_county)
            sent = [(w, p) for (w, p) in ledger() if w in in_county and p.startswith("2025")]
            late = sum(1 for k in sent if k == LATE)
            assert (lines[county]["expected"], lines[county]["late"], lines[county]["missing"]) == (
                expected,
                late,
                expected - len(sent),
            ), county
            assert lines[county]["on_time"] == len(sent) - late
        r = await c.get(
            "/api/v1/operating-statistics/timeliness",
            params={"period": "2025", "as_of": "2026-02-01", "late_only": "true"},
            headers=OFFICE,
        )
        assert [i["county_code"] for i in r.json()["items"]] == ["150103", "150202"]
        # Before the Q3 report was due nothing of it counts; judged on its due day + 1 it was missing.
        r = await c.get(
            "/api/v1/operating-statistics/timeliness",
            params={"period": "2025-Q3", "as_of": (due("2025-Q3") + timedelta(days=1)).isoformat()},
            headers=OFFICE,
        )
        assert {i["county_code"]: i["missing"] for i in r.json()["items"]}["150103"] == 1

        # League offices: their league only.
        baotou_office = league_office("150200")
        r = await c.get(
            "/api/v1/operating-statistics",
            params={"period": "2025-Q2", "level": "county"},
            headers=baotou_office,
        )
        assert r.status_code == 200, r.text
        assert {i["code"] for i in r.json()["items"]} == {"150202"}
        r = await c.get(
            "/api/v1/operating-statistics",
            params={"period": "2025-Q2", "league_code": "150100"},
            headers=baotou_office,
        )
        assert r.status_code == 403
        assert "own league" in r.json()["detail"]
        r = await c.get(
            "/api/v1/operating-statistics",
            params={"period": "2025", "level": "region"},
            headers=baotou_office,
        )
        assert r.status_code == 403
        r = await c.get(
            "/api/v1/operating-statistics/overdue", params={"league_code": "150100"}, headers=baotou_office
        )
        assert r.status_code == 403
        r = await c.get("/api/v1/operating-reports", params={"league_code": "150200"}, headers=baotou_office)
        assert r.status_code == 200
        assert {i["uscc"] for i in r.json()["items"]} == {USCC["D"]}
        r = await c.get(f"/api/v1/operating-reports/{USCC['A']}/2025-03/versions", headers=baotou_office)
        assert r.status_code == 403
        # An SME reads its own reports and nobody else's, and no roll-up.
        b = bearer(Role.SME, "ent-b", USCC["B"])
        r = await c.get("/api/v1/operating-reports", params={"uscc": USCC["A"]}, headers=b)
        assert r.status_code == 403
        r = await c.get(f"/api/v1/operating-reports/{USCC['A']}/2025-03/versions", headers=b)
        assert r.status_code == 403
        r = await c.get("/api/v1/operating-statistics", params={"period": "2025"}, headers=b)
        assert r.status_code == 403
        r = await c.get(f"/api/v1/operating-reports/{USCC['B']}/2025-Q2/versions", headers=b)
        assert r.status_code == 200
        v1, v2 = r.json()
        assert (v1["version"], v1["superseded_at"] is not None, v2["superseded_at"]) == (1, True, None)
        assert (v2["profit"], v2["correction_reason"]) == ("-42.50", "统计局核定后的利润")
        r = await c.get("/api/v1/operating-reports", headers=b)
        assert r.json()["total"] == 8
        assert {i["uscc"] for i in r.json()["items"]} == {USCC["B"]}


async def test_reports_are_validated_and_a_county_file_reports_each_bad_row(
    infra: Infra, topic_prefix: str
) -> None:
    async with credit_info(infra, topic_prefix, consumers_enabled=False) as svc:
        c = svc.client
        await register_all(c)
        a = bearer(Role.SME, "ent-a", USCC["A"])
        good = {"uscc": USCC["A"], "period": "2025-03", **figures("A", "2025-03")}
        r = await c.post("/api/v1/operating-reports", json=good, headers=a)
        assert r.status_code == 201, r.text
        assert r.json()["reported_on"] == date.today().isoformat()
        assert r.json()["late"] is True
        r = await c.post("/api/v1/operating-reports", json=good, headers=a)
        assert r.status_code == 409
        assert "correction" in r.json()["detail"]
        # The report reaches the credit file as the operating record the rating reads.
        r = await c.get(
            "/api/v1/credit-records", params={"uscc": USCC["A"], "source": "operating"}, headers=OFFICE
        )
        assert r.status_code == 200, r.text
        assert [i["payload"]["period"] for i in r.json()["items"]] == ["2025-03"]

        # Two filings of one period at once: one is stored, the other is a 409, never a 500.
        twice = good | {"period": "2025-06"}
        both = await asyncio.gather(
            *(c.post("/api/v1/operating-reports", json=twice, headers=a) for _ in range(2))
        )
        assert sorted(r.status_code for r in both) == [201, 409], [r.text for r in both]

        this_month = date.today().strftime("%Y-%m")
        cases: list[tuple[dict[str, Any], str]] = [
            ({"period": this_month}, "has not ended"),
            ({"period": "2025-Q1"}, "reports monthly"),
            ({"exports": "99999"}, "cannot exceed the output value"),
            ({"profit": 12.5}, "decimal string"),
            ({"employees": -1}, "greater than or equal"),
            ({"reported_on": "2025-04-05"}, "ledger keepers"),
        ]
        for change, message in cases:
            r = await c.post(
                "/api/v1/operating-reports", json=good | {"period": "2025-04"} | change, headers=a
            )
            assert r.status_code == 422, (change, r.text)
            assert message in r.text, (change, r.text)
        other = bearer(Role.SME, "ent-b", USCC["B"])
        r = await c.post("/api/v1/operating-reports", json=good | {"period": "2025-05"}, headers=other)
        assert r.status_code == 403
        r = await c.put(
            f"/api/v1/operating-reports/{USCC['A']}/2025-03",
            json=figures("A", "2025-03") | {"reason": "同样的数字"},
            headers=a,
        )
        assert r.status_code == 409
        assert "nothing changed" in r.json()["detail"]

        head = "uscc,period,output_value,sales_revenue,profit,taxes_paid,employees,exports,reported_on,correction_reason\n"
        rows = [
            f"{USCC['B']},2025-Q1,300,280,12,9,40,0,2025-04-10,",  # 1 good, on time
            f"{USCC['B']},2025-Q1,300,280,12,9,40,0,2025-04-10,",  # 2 same period twice in the file
            f"{USCC['C']},2025-Q1,300,280,12,9,40,0,2025-04-10,",  # 3 C is in another county
            f"{USCC['A']},2025-03,300,280,12,9,40,0,2025-04-09,",  # 4 already reported, no reason
            f"{USCC['A']},2025-03,310,290,12,9,40,0,2025-04-09,核对后更正",  # 5 a correction: version 2
            f"{USCC['B'][:-1]}0,2025-Q2,300,280,12,9,40,0,,",  # 6 bad check character
            f"{USCC['B']},2025-Q2,300,280,12,9,40,400,,",  # 7 exports above output
            f"{USCC['B']},2025-Q3,300,abc,12,9,40,0,,",  # 8 not a number
            f"{USCC['B']},2025-Q4,300,280,12,9,40,0,2025-09-30,",  # 9 received before the period ended
        ]
        body = head + "\n".join(rows) + "\n"
        params = {"county_code": "150102", "batch_id": "hohhot-xc-2025"}
        r = await c.post(
            "/api/v1/operating-reports/imports", params=params, content=body, headers=CSV | OFFICE
        )
        assert r.status_code == 201, r.text
        report = r.json()
        assert (report["rows"], report["accepted"], report["rejected"]) == (9, 2, 7)
        assert [(x["row"], x["version"]) for x in report["accepted_rows"]] == [(1, 1), (5, 2)]
        why = {
            x["row"]: (x["line"], x["errors"][0]["field"], x["errors"][0]["message"])
            for x in report["rejected_rows"]
        }
        assert why[2][0] == 3
        assert "as row 1" in why[2][2]
        assert "not in county 150102" in why[3][2]
        assert why[4][1] == "period"
        assert "correction_reason" in why[4][2]
        assert why[6][1] == "uscc"
        assert "exports" in why[7][2]
        assert why[8][1] == "sales_revenue"
        assert why[9][1] == "reported_on"
        r = await c.post(
            "/api/v1/operating-reports/imports", params=params, content=body, headers=CSV | OFFICE
        )
        assert r.status_code == 200
        assert r.json()["replayed"] is True
        r = await c.post(
            "/api/v1/operating-reports/imports", params=params, content=body + rows[0], headers=CSV | OFFICE
        )
        assert r.status_code == 409
        r = await c.get(f"/api/v1/operating-reports/{USCC['B']}/2025-Q1/versions", headers=OFFICE)
        assert r.json()[0]["late"] is False
        assert r.json()[0]["reported_on"] == "2025-04-10"
        # A league office imports for its league's counties only; a bank not at all.
        r = await c.post(
            "/api/v1/operating-reports/imports",
            params={"county_code": "150102", "batch_id": "x1"},
            content=body,
            headers=CSV | league_office("150200"),
        )
        assert r.status_code == 403
        r = await c.post(
            "/api/v1/operating-reports/imports",
            params={"county_code": "150102", "batch_id": "x2"},
            content=body,
            headers=CSV | bearer(Role.BANK, "bank-1"),
        )
        assert r.status_code == 403
        r = await c.post(
            "/api/v1/operating-reports/imports",
            params={"county_code": "159999", "batch_id": "x3"},
            content=body,
            headers=CSV | OFFICE,
        )
        assert r.status_code == 422
        # A file the CSV reader cannot parse (a bare carriage return in a cell) is a 422, not a 500.
        r = await c.post(
            "/api/v1/operating-reports/imports",
            params={"county_code": "150102", "batch_id": "x4"},
            content=head.encode() + b"A\rB,2025-Q1,1,1,1,1,1,0,,\n",
            headers=CSV | OFFICE,
        )
        assert r.status_code == 422
        assert "cannot be read" in r.json()["detail"]
