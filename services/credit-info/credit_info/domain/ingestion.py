"""Bulk ingestion formats: CSV and JSON lines, parsed into raw rows for row-by-row validation."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from credit_info.domain.records import FieldProblem

FORMATS = {"text/csv": "csv", "application/x-ndjson": "jsonl", "application/jsonl": "jsonl"}
CSV_FIXED = ("uscc", "source", "occurred_on", "ref")


class BadFile(ValueError):
    """The file as a whole cannot be read."""


def parse_rows(body: bytes, fmt: str) -> list[dict[str, Any] | FieldProblem]:
    """Raw rows in file order; a row that cannot even be parsed is a FieldProblem."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadFile(f"the file is not UTF-8: {exc}") from None
    return _csv(text) if fmt == "csv" else _jsonl(text)


def _csv(text: str) -> list[dict[str, Any] | FieldProblem]:
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [c for c in CSV_FIXED[:3] if c not in header]
    if missing:
        raise BadFile(f"CSV header lacks column(s) {', '.join(missing)}; needed: uscc, source, occurred_on")
    rows: list[dict[str, Any] | FieldProblem] = []
    for line in reader:
        if None in line:
            rows.append(FieldProblem(field="row", message="more cells than header columns"))
            continue
        # Columns other than the fixed ones are the payload; empty cells mean "not given".
        payload = {k: v for k, v in line.items() if k not in CSV_FIXED and v not in ("", None)}
        fixed = {k: line.get(k) or None for k in CSV_FIXED}
        rows.append({**{k: v for k, v in fixed.items() if v is not None}, "payload": payload})
    return rows


def _jsonl(text: str) -> list[dict[str, Any] | FieldProblem]:
    rows: list[dict[str, Any] | FieldProblem] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            rows.append(FieldProblem(field="row", message=f"not valid JSON: {exc.msg} at column {exc.colno}"))
            continue
        if not isinstance(value, dict):
            rows.append(FieldProblem(field="row", message="each line must be a JSON object"))
            continue
        rows.append(value)
    return rows
