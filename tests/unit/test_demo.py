"""The demo-data generators: deterministic, valid by the platform's own rules, spread as promised."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

from smefin_dev import demo

from credit_info.domain.records import CreditSource, RecordInput, parse_payload
from smefin.reference import classify, county, leagues, parse_uscc

TODAY = date(2026, 11, 23)


def test_enterprises_are_deterministic_valid_and_cover_every_league() -> None:
    first = demo.enterprise_bodies(600)
    assert first == demo.enterprise_bodies(600)
    assert first != demo.enterprise_bodies(600, seed=7)
    assert len({e["uscc"] for e in first}) == 600
    for e in first:
        parsed = parse_uscc(e["uscc"])
        assert parsed.county_code == e["county_code"]
        assert county(e["county_code"]).league_code == parsed.league_code
    assert {e["uscc"][2:6] + "00" for e in first} == {lg.code for lg in leagues()}
    sizes = Counter(
        classify(e["industry"], e["employees"], Decimal(e["revenue"]), Decimal(e["assets"])).size_class.value
        for e in first
    )
    assert sizes["large"] == 0
    assert sizes["micro"] > sizes["small"] > sizes["medium"] > 0


def test_credit_records_pass_the_source_models() -> None:
    ents = demo.enterprise_bodies(150)
    rows = demo.credit_records(ents, TODAY)
    assert rows == demo.credit_records(ents, TODAY)
    for row in rows:
        rec = RecordInput.model_validate(row)
        parse_payload(rec.source, rec.payload)
        assert rec.occurred_on <= TODAY
    assert {r["source"] for r in rows} >= {s.value for s in CreditSource} - {"court"}
    assert len({(r["uscc"], r["ref"]) for r in rows}) == len(rows)


def test_coverage_leaves_one_league_without_a_company_and_one_short() -> None:
    specs = demo.guarantor_specs(today=TODAY)
    by_league: dict[str, Decimal] = {}
    for s in specs:
        capital = Decimal(s.body["registered_capital"]) + sum(Decimal(i["amount"]) for i in s.injections)
        code = s.body["league_code"]
        by_league[code] = max(by_league.get(code, Decimal(0)), capital)
        assert Decimal(s.body["paid_in_capital"]) <= Decimal(s.body["registered_capital"])
    assert demo.LEAGUE_WITHOUT_COMPANY not in by_league
    assert by_league[demo.LEAGUE_SHORT_OF_TARGET] < Decimal("100000000")
    met = [c for c, v in by_league.items() if v >= Decimal("100000000")]
    assert len(met) == 10
    sources = {i["source"] for s in specs for i in s.injections}
    assert sources == {"regional_special_fund", "league_fund", "county_matching_fund", "private_capital"}


def test_banks_offer_every_kind_and_report_twelve_consistent_months() -> None:
    specs = demo.bank_specs({"150100": ["c1"], "150600": ["c2"]}, TODAY)
    assert len(specs) == 8
    assert all(2 <= len(b.products) <= 4 for b in specs)
    kinds = {p["kind"] for b in specs for p in b.products}
    assert kinds == {"credit_only", "guaranteed", "collateralised", "startup_micro_guaranteed"}
    for b in specs:
        lines = b.lending_csv.strip().splitlines()[1:]
        assert [line.split(",")[0] for line in lines] == demo.report_months(TODAY)
        assert all(Decimal(line.split(",")[1]) < Decimal(line.split(",")[2]) for line in lines)
    assert demo.report_months(TODAY)[-1] == "2026-10"
    assert demo.report_months(date(2026, 1, 5))[-1] == "2025-12"


def test_financing_requests_name_known_enterprises() -> None:
    ents = demo.enterprise_bodies(300)
    reqs = demo.financing_request_bodies(ents, 40)
    assert len(reqs) == 40
    assert {u for u, _ in reqs} <= {e["uscc"] for e in ents}
    assert all(Decimal(b["amount"]) > 0 and 1 <= b["term_months"] <= 360 for _, b in reqs)


def test_county_ledgers_are_valid_reports_with_some_late_and_some_overdue() -> None:
    from credit_info.domain.operating_reports import ImportRow
    from credit_info.domain.periods import Period, frequency_for

    enterprises = demo.enterprise_bodies(400)
    enrolments = demo.programme_enrolments(enterprises, TODAY)
    assert {p for p, _, _ in enrolments} == {"growth", "innovation"}
    ledgers = demo.operating_reports(enterprises, TODAY, {u for _, u, _ in enrolments})
    by_uscc = {e["uscc"]: e for e in enterprises}
    late = 0
    seen: set[tuple[str, str]] = set()
    for county_code, rows in ledgers.items():
        for row in rows:
            item = ImportRow.model_validate(row)  # bounds, exports within output, dates
            e = by_uscc[item.uscc]
            assert e["county_code"] == county_code
            period = Period.parse(item.period)
            assert period.frequency() == frequency_for(Decimal(e["revenue"]))
            assert item.reported_on is not None
            assert period.end < item.reported_on <= TODAY
            late += item.reported_on > period.due_on()
            assert (item.uscc, item.period) not in seen
            seen.add((item.uscc, item.period))
    total = len(seen)
    assert 0.04 < late / total < 0.15
    # Programme SMEs have their baseline year; one SME in ten misses its latest period.
    baseline = {u for (u, p) in seen if p.startswith(str(TODAY.year - 2))}
    assert baseline == {u for _, u, _ in enrolments}
    assert len({u for u, _ in seen}) == len(enterprises)


def test_microcredit_companies_sit_in_real_counties_and_two_zones() -> None:
    bodies = demo.microcredit_bodies()
    assert len({b["uscc"] for b in bodies}) == len(bodies)
    assert all(county(b["county_code"]) for b in bodies)
    assert sum("zone_code" in b for b in bodies) == 2
    for b in bodies:
        assert parse_uscc(b["uscc"]).code == b["uscc"]
