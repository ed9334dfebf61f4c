"""Fairs: an organizer drafts, edits, publishes, cancels and closes them; everyone reads announced ones."""

import uuid
from typing import Any

from fastapi import APIRouter, Query

from fairs.api.deps import OutboxDep, PrincipalDep, SessionDep
from fairs.api.schemas import FairCreate, FairRead, FairUpdate, SlotRead
from fairs.db.tables import Fair
from fairs.domain import fairs as domain
from fairs.domain.statuses import FairStatus

router = APIRouter(prefix="/api/v1/fairs", tags=["fairs"])


def read(fair: Fair) -> FairRead:
    """A fair with its slots."""
    out = FairRead.model_validate(fair)
    out.slots = [
        SlotRead(index=s.index, session=s.session, starts_at=s.starts_at, ends_at=s.ends_at)
        for s in domain.slots(fair)
    ]
    return out


@router.post("", status_code=201, response_model=FairRead, summary="Draft a fair")
async def create(body: FairCreate, session: SessionDep, who: PrincipalDep) -> FairRead:
    """An organizer drafts a fair; it is announced with publish."""
    return read(await domain.create(session=session, principal=who, values=body.model_dump()))


@router.get("", response_model=list[FairRead], summary="List fairs")
async def list_fairs(
    session: SessionDep,
    who: PrincipalDep,
    status: FairStatus | None = None,
    league_code: str | None = Query(default=None, pattern=r"^15\d{4}$"),
    limit: int = Query(default=50, ge=1, le=200),
    offset: int = Query(default=0, ge=0, le=100_000),
) -> list[FairRead]:
    """Announced fairs for everyone; an organizer also sees its own drafts."""
    fairs = await domain.page(
        session=session, principal=who, status=status, league_code=league_code, limit=limit, offset=offset
    )
    return [read(f) for f in fairs]


@router.get("/{fair_id}", response_model=FairRead, summary="One fair")
async def get(fair_id: uuid.UUID, session: SessionDep, who: PrincipalDep) -> FairRead:
    """A fair with its slots."""
    return read(await domain.get(session=session, principal=who, fair_id=fair_id))


@router.patch("/{fair_id}", response_model=FairRead, summary="Edit a draft fair")
async def update(fair_id: uuid.UUID, body: FairUpdate, session: SessionDep, who: PrincipalDep) -> FairRead:
    """Only the organizer, only while draft."""
    changes: dict[str, Any] = body.model_dump(exclude_unset=True)
    return read(await domain.update(session=session, principal=who, fair_id=fair_id, changes=changes))


@router.post("/{fair_id}/publish", response_model=FairRead, summary="Announce a fair (fair.published)")
async def publish(fair_id: uuid.UUID, session: SessionDep, outbox: OutboxDep, who: PrincipalDep) -> FairRead:
    """Registrations open; `fair.published` goes out."""
    return read(await domain.publish(session=session, outbox=outbox, principal=who, fair_id=fair_id))


@router.post("/{fair_id}/cancel", response_model=FairRead, summary="Cancel a fair")
async def cancel(fair_id: uuid.UUID, session: SessionDep, who: PrincipalDep) -> FairRead:
    """A draft or an announced fair that has not taken place."""
    return read(await domain.cancel(session=session, principal=who, fair_id=fair_id))


@router.post("/{fair_id}/close", response_model=FairRead, summary="Close a fair as held (fair.held)")
async def close(fair_id: uuid.UUID, session: SessionDep, outbox: OutboxDep, who: PrincipalDep) -> FairRead:
    """The fair took place; it counts towards its leagues' yearly target."""
    return read(await domain.close(session=session, outbox=outbox, principal=who, fair_id=fair_id))
