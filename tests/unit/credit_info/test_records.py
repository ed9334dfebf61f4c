"""Per-source payload rules, ageing and the ingestion file formats (no I/O)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from pydantic import ValidationError

from credit_info.domain.ingestion_batches import parse_rows
from credit_info.domain.records import (
    CreditSource,
    FieldProblem,
    OperatingPayload,
    RecordInput,
    dedupe_key,
    is_aged_out,
    parse_payload,
)
from smefin.errors import Unprocessable


@pytest.mark.parametrize(
    ("source", "payload", "negative"),
    [
        (CreditSource.TAX, {"year": 2025, "grade": "A", "taxes_paid": "10"}, False),
        (CreditSource.TAX, {"year": 2025, "grade": "D"}, True),
        (CreditSource.SOCIAL_INSURANCE, {"year": 2025, "insured_headcount": 9, "months_paid": 12}, False),
        (CreditSource.SOCIAL_INSURANCE, {"year": 2025, "insured_headcount": 9, "months_paid": 10}, True),
        (
            CreditSource.UTILITIES,
            {"utility": "gas", "year": 2025, "months_on_time": 9, "months_late": 3},
            True,
        ),
        (CreditSource.COURT, {"kind": "judgment", "case_no": "(2025)1", "role": "plaintiff"}, False),
        (CreditSource.COURT, {"kind": "enforcement", "case_no": "(2025)2"}, True),
        (CreditSource.LOAN, {"loan_id": "1", "bank_org_id": "b", "amount": "5", "status": "defaulted"}, True),
        (
            CreditSource.GUARANTEE,
            {"guarantee_id": "1", "company_id": "c", "amount": "5", "status": "released"},
            False,
        ),
    ],
)
def test_negative_flag_follows_the_source_rules(
    source: CreditSource, payload: dict[str, object], negative: bool
) -> None:
    assert parse_payload(source, payload).is_negative() is negative


def test_payload_errors_name_the_field() -> None:
    with pytest.raises(ValidationError) as exc:
        parse_payload(CreditSource.TAX, {"year": 2025, "grade": "Z", "taxes_paid": "-1", "extra": 1})
    fields = {e["loc"][0] for e in exc.value.errors()}
    assert fields == {"grade", "taxes_paid", "extra"}


def test_operating_period_must_match_frequency() -> None:
    assert OperatingPayload(
        frequency="quarterly", period="2026-Q1", revenue=Decimal(1), profit=Decimal(0), employees=1
    )
    with pytest.raises(ValidationError, match="quarterly ones like 2026-Q1"):
        OperatingPayload(
            frequency="quarterly", period="2026-03", revenue=Decimal(1), profit=Decimal(0), employees=1
        )


def test_future_dates_are_refused() -> None:
    tomorrow = date.today() + timedelta(days=1)
    with pytest.raises(ValidationError, match="future"):
        RecordInput(uscc="x", source=CreditSource.TAX, occurred_on=tomorrow, payload={})


def test_negative_records_age_out_after_five_years() -> None:
    today = date(2026, 6, 1)
    assert is_aged_out(True, date(2021, 5, 1), today)
    assert not is_aged_out(True, date(2021, 7, 1), today)
    assert not is_aged_out(False, date(2001, 1, 1), today)


def test_dedupe_key_uses_the_reference_when_given() -> None:
    p = parse_payload(CreditSource.TAX, {"year": 2025, "grade": "A"})
    q = parse_payload(CreditSource.TAX, {"year": 2025, "grade": "B"})
    d = date(2026, 1, 1)
    assert dedupe_key("u", CreditSource.TAX, d, "r1", p) == dedupe_key("u", CreditSource.TAX, d, "r1", q)
    assert dedupe_key("u", CreditSource.TAX, d, None, p) != dedupe_key("u", CreditSource.TAX, d, None, q)


def test_csv_rows_put_extra_columns_in_the_payload() -> None:
    rows = parse_rows(b"uscc,source,occurred_on,ref,grade,year\nU,tax,2026-01-01,,A,2025\nU,tax\n", "csv")
    assert rows[0] == {
        "uscc": "U",
        "source": "tax",
        "occurred_on": "2026-01-01",
        "payload": {"grade": "A", "year": "2025"},
    }
    assert rows[1] == {"uscc": "U", "source": "tax", "payload": {}}
    with pytest.raises(Unprocessable, match="occurred_on"):
        parse_rows(b"uscc,source\nU,tax\n", "csv")


def test_jsonl_bad_lines_become_row_problems() -> None:
    rows = parse_rows(b'{"uscc": "U"}\n\n[1]\n{bad\n', "jsonl")
    assert rows[0] == {"uscc": "U"}
    assert isinstance(rows[1], FieldProblem)
    assert "JSON object" in rows[1].message
    assert isinstance(rows[2], FieldProblem)
    assert "not valid JSON" in rows[2].message
