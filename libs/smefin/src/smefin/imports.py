"""Importing files row by row (CSV with a header, or JSON lines): one reader for every upload.

Every service reads uploads the same way: UTF-8 (a BOM is fine), a cap on rows, a per-row problem
report with the row and file line, and either all-or-nothing (`validated_or_raise`) or row-by-row
(`validate`) storing.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ValidationError

from smefin.errors import DomainError, Unprocessable

Format = Literal["csv", "jsonl"]
FORMATS: dict[str, Format] = {
    "text/csv": "csv",
    "application/x-ndjson": "jsonl",
    "application/jsonl": "jsonl",
}
M = TypeVar("M", bound=BaseModel)


class TooLarge(DomainError):
    """More rows than one upload may hold."""

    status_code = 413
    code = "too_large"


@dataclass(frozen=True)
class RowProblem:
    """Why one row (1-based, data rows only) on one file line could not be taken."""

    row: int
    line: int
    field: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        """The problem as an error detail."""
        return {"row": self.row, "line": self.line, "field": self.field, "message": self.message}


@dataclass(frozen=True)
class RawRow:
    """One row as read: its values, or the problem that kept it from being read at all."""

    row: int
    line: int
    values: dict[str, Any] | None
    problem: str | None = None


def format_of(content_type: str | None) -> Format:
    """The import format named by a Content-Type header (422 for any other)."""
    ctype = (content_type or "").split(";")[0].strip().lower()
    fmt = FORMATS.get(ctype)
    if fmt is None:
        raise Unprocessable(
            f"send the file as one of: {', '.join(FORMATS)}; got {ctype or 'no content type'}"
        )
    return fmt


def read_rows(
    body: bytes, fmt: Format = "csv", *, required: Iterable[str] = (), max_rows: int
) -> list[RawRow]:
    """The file's data rows in order. A CSV header must name every `required` column; an empty CSV
    cell means "not given" (left out). More than `max_rows` rows is a 413, an empty file a 422."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Unprocessable(f"the file is not UTF-8: {exc}") from None
    try:
        rows = _csv(text, tuple(required)) if fmt == "csv" else _jsonl(text)
    except csv.Error as exc:  # e.g. a bare carriage return inside a cell
        raise Unprocessable(f"the CSV cannot be read: {exc}") from None
    if len(rows) > max_rows:
        raise TooLarge(f"the file has {len(rows)} rows; the limit is {max_rows} per upload")
    if not rows:
        raise Unprocessable("the file has no data rows")
    return rows


def _csv(text: str, required: Sequence[str]) -> list[RawRow]:
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [c for c in required if c not in header]
    if missing:
        raise Unprocessable(f"CSV header lacks column(s) {', '.join(missing)}; needed: {', '.join(required)}")
    rows: list[RawRow] = []
    for n, record in enumerate(reader, start=1):
        if None in record:
            rows.append(RawRow(n, reader.line_num, None, "more cells than header columns"))
            continue
        values = {k: v.strip() for k, v in record.items() if k and v not in ("", None)}
        rows.append(RawRow(n, reader.line_num, values))
    return rows


def _jsonl(text: str) -> list[RawRow]:
    rows: list[RawRow] = []
    for line, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        n = len(rows) + 1
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            rows.append(RawRow(n, line, None, f"not valid JSON: {exc.msg} at column {exc.colno}"))
            continue
        if not isinstance(value, dict):
            rows.append(RawRow(n, line, None, "each line must be a JSON object"))
            continue
        rows.append(RawRow(n, line, value))
    return rows


def validate(rows: Iterable[RawRow], model: type[M]) -> tuple[list[tuple[RawRow, M]], list[RowProblem]]:
    """Each row checked against `model`: the valid ones, and a problem per invalid field."""
    good: list[tuple[RawRow, M]] = []
    problems: list[RowProblem] = []
    for r in rows:
        if r.values is None:
            problems.append(RowProblem(r.row, r.line, "row", r.problem or "unreadable"))
            continue
        try:
            good.append((r, model.model_validate(r.values)))
        except ValidationError as exc:
            problems.extend(
                RowProblem(r.row, r.line, ".".join(map(str, e["loc"])) or "row", e["msg"])
                for e in exc.errors()
            )
    return good, problems


def validated_or_raise(rows: Iterable[RawRow], model: type[M], *, what: str = "file") -> list[M]:
    """All rows valid, or a 422 listing every problem (first 100) and nothing stored."""
    good, problems = validate(rows, model)
    if problems:
        raise Unprocessable(
            f"{len(problems)} invalid value(s) in the {what}; nothing was stored",
            details=[p.as_dict() for p in problems[:100]],
        )
    return [m for _, m in good]
