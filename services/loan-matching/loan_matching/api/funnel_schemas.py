"""Schemas of the financing funnel, and its CSV form."""

import csv
import io
from decimal import Decimal
from typing import Any

from fastapi.responses import Response
from pydantic import BaseModel

from loan_matching.domain.funnel import STAGES


class StageCounts(BaseModel):
    """Units that reached each stage (requested is null where the unit is a bank's match)."""

    requested: int | None
    matched: int
    offered: int
    accepted: int
    disbursed: int
    repaid: int
    defaulted: int


class Conversion(BaseModel):
    """Percent of the stage before (repaid and defaulted: of disbursed)."""

    matched: Decimal | None
    offered: Decimal | None
    accepted: Decimal | None
    disbursed: Decimal | None
    repaid: Decimal | None
    defaulted: Decimal | None


class MedianDays(BaseModel):
    """Median days between stages, over the units that reached both."""

    requested_to_matched: Decimal | None
    matched_to_offered: Decimal | None
    offered_to_accepted: Decimal | None
    accepted_to_disbursed: Decimal | None
    disbursed_to_closed: Decimal | None


class FunnelPart(BaseModel):
    """A funnel."""

    counts: StageCounts
    conversion_percent: Conversion
    median_days: MedianDays


class FunnelGroup(FunnelPart):
    """The funnel of one league, month, bank, product kind or size class."""

    key: str
    name: str


class NoMatchReason(BaseModel):
    """An eligibility rule that no-match requests failed."""

    rule: str
    requests: int
    percent_of_no_match: Decimal | None
    products_excluded: int
    example_fix: str | None


class NoMatch(BaseModel):
    """Requests that found no product, by the rules their products failed."""

    requests: int
    reasons: list[NoMatchReason]


class FunnelRead(BaseModel):
    """The financing funnel of a window of requests."""

    from_date: str
    to_date: str
    by: str
    league_code: str | None
    stages: list[str]
    total: FunnelPart
    groups: list[FunnelGroup]
    no_match: NoMatch


def csv_response(groups: list[dict[str, Any]], filename: str) -> Response:
    """One row per group: counts, conversion and median days as columns."""
    steps = list(groups[0]["median_days"]) if groups else []
    header = ["key", "name", *STAGES, *(f"{s}_percent" for s in STAGES[1:]), *(f"{s}_days" for s in steps)]
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    for g in groups:
        w.writerow(
            [
                g["key"],
                g["name"],
                *("" if g["counts"][s] is None else g["counts"][s] for s in STAGES),
                *(
                    "" if g["conversion_percent"][s] is None else g["conversion_percent"][s]
                    for s in STAGES[1:]
                ),
                *("" if g["median_days"][s] is None else g["median_days"][s] for s in steps),
            ]
        )
    return Response(
        "\ufeff" + buf.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
