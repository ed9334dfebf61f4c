"""Public reference look-ups."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query

from credit_info.api.schemas import SizeClassRead
from credit_info.domain.enterprises import size_class
from smefin.reference import IndustryCodeStr

router = APIRouter(prefix="/api/v1/reference", tags=["reference"])


@router.get("/size-class", response_model=SizeClassRead)
async def classify_size(
    industry: IndustryCodeStr,
    employees: Annotated[int | None, Query(ge=0, le=1_000_000)] = None,
    revenue: Annotated[Decimal | None, Query(ge=0, le=100_000_000, description="10,000 yuan")] = None,
    assets: Annotated[Decimal | None, Query(ge=0, le=100_000_000, description="10,000 yuan")] = None,
) -> SizeClassRead:
    """Classify any figures by the 2011 standard (中小企业划型标准) without registering; public."""
    sized = size_class(industry, employees, revenue, assets)
    return SizeClassRead(
        industry=industry,
        size_class=sized.size_class.value,
        standard_row=sized.standard_row,
        reasons=sized.reasons,
    )
