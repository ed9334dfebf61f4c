"""events: bank–enterprise matchmaking fairs (银企对接会), registrations, meeting requests, schedules
built from match scores, outcomes and policy monitoring."""

import asyncio
from contextlib import suppress
from pathlib import Path

from fastapi import FastAPI

from fairs.api import agenda, fairs, invitations, meeting_requests, meetings, registrations, reports, schedule
from fairs.db.tables import messaging
from fairs.domain.sweeps import expire_requests
from fairs.events.handlers import CONSUMED_TOPICS, make_handlers
from fairs.settings import Settings
from smefin.db import Database
from smefin.logging import get_logger
from smefin.web import ServiceSpec, create_service_app

MIGRATIONS = Path(__file__).parent / "migrations"
log = get_logger("fairs")


async def _sweep(app: FastAPI, settings: Settings) -> None:
    """Expire (or auto-accept) pending requests once a fair's request window has closed."""
    while True:
        await asyncio.sleep(settings.expiry_sweep_seconds)
        try:
            db: Database = app.state.db
            async with db.unit_of_work() as session:
                n = await expire_requests(session=session)
            if n:
                log.info("meeting_requests.expired", count=n)
        except Exception as exc:
            log.warning("meeting_requests.sweep_failed", error=repr(exc))


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the events app."""
    settings = settings or Settings()

    async def startup(app: FastAPI) -> None:
        app.state.sweeper = asyncio.create_task(_sweep(app, settings))

    async def shutdown(app: FastAPI) -> None:
        app.state.sweeper.cancel()
        with suppress(asyncio.CancelledError):
            await app.state.sweeper

    return create_service_app(
        ServiceSpec(
            name="events",
            settings=settings,
            tables=messaging,
            # reports first: /fairs/monitoring must win over /fairs/{fair_id}.
            routers=[
                reports.router,
                fairs.router,
                invitations.router,
                registrations.router,
                meeting_requests.router,
                schedule.router,
                meetings.router,
                agenda.router,
            ],
            description=__doc__ or "",
            handlers=make_handlers(settings),
            consumed_topics=CONSUMED_TOPICS,
            on_startup=startup,
            on_shutdown=shutdown,
        )
    )
