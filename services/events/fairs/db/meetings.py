"""SQL over meeting requests, meetings, feedback, intentions and schedule runs."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from fairs.db.tables import Feedback, Intention, Meeting, MeetingRequest, ScheduleRun
from fairs.domain.statuses import HOLDING_REQUEST, MeetingSource, MeetingStatus, RequestStatus


async def request(
    session: AsyncSession, fair_id: uuid.UUID, request_id: uuid.UUID, *, lock: bool = False
) -> MeetingRequest | None:
    """One meeting request of a fair."""
    q = select(MeetingRequest).where(MeetingRequest.fair_id == fair_id, MeetingRequest.id == request_id)
    if lock:
        q = q.with_for_update()
    return (await session.exec(q)).first()


async def requests_of(
    session: AsyncSession, fair_id: uuid.UUID, registration_id: uuid.UUID | None, status: str | None
) -> list[MeetingRequest]:
    """A fair's requests, all or those sent or received by one registration."""
    q = select(MeetingRequest).where(MeetingRequest.fair_id == fair_id)
    if registration_id is not None:
        q = q.where(
            or_(
                col(MeetingRequest.from_registration_id) == registration_id,
                col(MeetingRequest.to_registration_id) == registration_id,
            )
        )
    if status is not None:
        q = q.where(MeetingRequest.status == status)
    return list(await session.exec(q.order_by(col(MeetingRequest.created_at))))


async def holding_requests(
    session: AsyncSession, fair_id: uuid.UUID, *, pending_only: bool = False
) -> list[MeetingRequest]:
    """Requests that hold a slot (pending and accepted, or pending only)."""
    statuses = (RequestStatus.PENDING,) if pending_only else HOLDING_REQUEST
    q = select(MeetingRequest).where(
        MeetingRequest.fair_id == fair_id, col(MeetingRequest.status).in_(statuses)
    )
    return list(await session.exec(q.with_for_update()))


async def holding_requests_of(
    session: AsyncSession, registration_ids: Sequence[uuid.UUID]
) -> list[MeetingRequest]:
    """Holding requests in which any of these registrations takes part."""
    q = select(MeetingRequest).where(
        col(MeetingRequest.status).in_(HOLDING_REQUEST),
        or_(
            col(MeetingRequest.sme_registration_id).in_(list(registration_ids)),
            col(MeetingRequest.bank_registration_id).in_(list(registration_ids)),
        ),
    )
    return list(await session.exec(q))


async def meetings_of(
    session: AsyncSession, fair_id: uuid.UUID, registration_id: uuid.UUID | None = None
) -> list[Meeting]:
    """A fair's meetings in time order, all or one participant's."""
    q = select(Meeting).where(Meeting.fair_id == fair_id)
    if registration_id is not None:
        q = q.where(
            or_(
                col(Meeting.sme_registration_id) == registration_id,
                col(Meeting.bank_registration_id) == registration_id,
            )
        )
    return list(await session.exec(q.order_by(col(Meeting.slot), col(Meeting.table_no))))


async def meeting(
    session: AsyncSession, fair_id: uuid.UUID, meeting_id: uuid.UUID, *, lock: bool = False
) -> Meeting | None:
    """One meeting of a fair."""
    q = select(Meeting).where(Meeting.fair_id == fair_id, Meeting.id == meeting_id)
    if lock:
        q = q.with_for_update()
    return (await session.exec(q)).first()


async def meeting_of_request(session: AsyncSession, request_id: uuid.UUID) -> Meeting | None:
    """The meeting an accepted request became."""
    return (await session.exec(select(Meeting).where(Meeting.request_id == request_id))).first()


async def delete_recommended(session: AsyncSession, fair_id: uuid.UUID) -> int:
    """Drop the scheduler's unpinned meetings before a re-solve."""
    result = await session.execute(
        delete(Meeting).where(
            col(Meeting.fair_id) == fair_id,
            col(Meeting.source) == MeetingSource.RECOMMENDED,
            col(Meeting.pinned).is_(False),
            col(Meeting.status) == MeetingStatus.SCHEDULED,
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def delete_unheld_of(session: AsyncSession, registration_id: uuid.UUID) -> None:
    """Drop a withdrawn participant's meetings that have not taken place."""
    await session.execute(
        delete(Meeting).where(
            or_(
                col(Meeting.sme_registration_id) == registration_id,
                col(Meeting.bank_registration_id) == registration_id,
            ),
            col(Meeting.status) == MeetingStatus.SCHEDULED,
        )
    )


async def recorded_outcomes(session: AsyncSession, fair_id: uuid.UUID) -> int:
    """How many meetings of the fair have an outcome (held or no-show)."""
    q = select(func.count()).where(Meeting.fair_id == fair_id, Meeting.status != MeetingStatus.SCHEDULED)
    return int((await session.exec(q)).one())


async def feedback_of(session: AsyncSession, fair_id: uuid.UUID) -> list[Feedback]:
    """Every feedback given at a fair."""
    return list(await session.exec(select(Feedback).where(Feedback.fair_id == fair_id)))


async def feedback_by(session: AsyncSession, meeting_id: uuid.UUID, by_role: str) -> Feedback | None:
    """One side's feedback on a meeting."""
    q = select(Feedback).where(Feedback.meeting_id == meeting_id, Feedback.by_role == by_role)
    return (await session.exec(q)).first()


async def intention_of(session: AsyncSession, meeting_id: uuid.UUID) -> Intention | None:
    """The intention signed at a meeting."""
    return (await session.exec(select(Intention).where(Intention.meeting_id == meeting_id))).first()


async def intentions_of(session: AsyncSession, fair_id: uuid.UUID) -> list[Intention]:
    """Every intention signed at a fair."""
    return list(await session.exec(select(Intention).where(Intention.fair_id == fair_id)))


async def schedule_runs(session: AsyncSession, fair_id: uuid.UUID) -> list[ScheduleRun]:
    """A fair's schedule solves, newest first."""
    q = select(ScheduleRun).where(ScheduleRun.fair_id == fair_id).order_by(col(ScheduleRun.created_at).desc())
    return list(await session.exec(q))
