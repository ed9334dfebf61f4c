"""smefin.imports: one reader for every upload, with a header check, a row cap and per-row problems."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import BaseModel

from smefin.errors import Unprocessable
from smefin.imports import TooLarge, format_of, read_rows, validate, validated_or_raise


class Row(BaseModel):
    month: str
    amount: Decimal
    note: str | None = None


def test_csv_rows_carry_row_and_line_and_drop_empty_cells() -> None:
    rows = read_rows(
        b"\xef\xbb\xbfmonth,amount,note\n2026-01, 5 ,\n2026-02,6,x,extra\n", required=("month",), max_rows=9
    )
    assert [(r.row, r.line) for r in rows] == [(1, 2), (2, 3)]
    assert rows[0].values == {"month": "2026-01", "amount": "5"}
    assert rows[1].values is None
    assert rows[1].problem == "more cells than header columns"


def test_a_missing_column_a_non_utf8_file_and_an_empty_file_are_422() -> None:
    with pytest.raises(Unprocessable, match="amount"):
        read_rows(b"month\n2026-01\n", required=("month", "amount"), max_rows=9)
    with pytest.raises(Unprocessable, match="UTF-8"):
        read_rows("month\n一月\n".encode("gbk"), max_rows=9)
    with pytest.raises(Unprocessable, match="no data rows"):
        read_rows(b"month,amount\n", max_rows=9)


def test_more_rows_than_the_cap_is_413() -> None:
    with pytest.raises(TooLarge, match="limit is 2") as exc:
        read_rows(b"month\na\nb\nc\n", max_rows=2)
    assert exc.value.status_code == 413


def test_json_lines_report_bad_lines_by_their_line() -> None:
    rows = read_rows(b'{"month": "2026-01", "amount": 1}\n\n[1]\n{bad\n', "jsonl", max_rows=9)
    assert [(r.row, r.line) for r in rows] == [(1, 1), (2, 3), (3, 4)]
    good, problems = validate(rows, Row)
    assert [m.amount for _, m in good] == [Decimal(1)]
    assert [(p.line, p.field) for p in problems] == [(3, "row"), (4, "row")]


def test_all_or_nothing_lists_every_problem() -> None:
    rows = read_rows(b"month,amount\n2026-01,x\n,2\n2026-03,3\n", max_rows=9)
    with pytest.raises(Unprocessable) as exc:
        validated_or_raise(rows, Row, what="CSV")
    assert {(d["line"], d["field"]) for d in exc.value.details} == {(2, "amount"), (3, "month")}
    assert [m.month for m in validated_or_raise(rows[2:], Row)] == ["2026-03"]


def test_the_format_comes_from_the_content_type() -> None:
    assert format_of("text/csv; charset=utf-8") == "csv"
    assert format_of("application/x-ndjson") == "jsonl"
    with pytest.raises(Unprocessable, match="text/csv"):
        format_of("application/pdf")
