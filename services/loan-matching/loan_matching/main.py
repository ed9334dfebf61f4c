"""loan-matching: bank products, financing requests, automatic matching (银行贷款和中小企业融资的自动对接),
quota-aware assignment rounds, offers, loans and bank lending reports."""

import asyncio
from contextlib import suppress
from pathlib import Path

from fastapi import FastAPI

from loan_matching.api import (
    assignment_rounds,
    financing_requests,
    lending_reports,
    loans,
    matches,
    model,
    offers,
    products,
    quotas,
)
from loan_matching.db.tables import messaging
from loan_matching.domain.matching_model import load_model
from loan_matching.events.handlers import CONSUMED_TOPICS, HANDLERS, configure
from loan_matching.settings import Settings
from smefin.db import Database, utcnow
from smefin.logging import get_logger
from smefin.web import ServiceSpec, create_service_app

MIGRATIONS = Path(__file__).parent / "migrations"
log = get_logger("loan_matching")


async def _sweep(app: FastAPI, settings: Settings) -> None:
    """Expire due proposals periodically so the next-best bank gets its turn."""
    while True:
        await asyncio.sleep(settings.expiry_sweep_seconds)
        try:
            db: Database = app.state.db
            async with db.unit_of_work() as session:
                n = await matches.expire(session, app.state.outbox, settings, utcnow())
            if n:
                log.info("matches.expired", count=n)
        except Exception as exc:
            log.warning("matches.expiry_sweep_failed", error=repr(exc))


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the loan-matching app."""
    settings = settings or Settings()
    configure(settings)

    async def startup(app: FastAPI) -> None:
        app.state.model = await asyncio.to_thread(load_model)  # once per process
        app.state.sweeper = asyncio.create_task(_sweep(app, settings))

    async def shutdown(app: FastAPI) -> None:
        app.state.sweeper.cancel()
        with suppress(asyncio.CancelledError):
            await app.state.sweeper

    return create_service_app(
        ServiceSpec(
            name="loan-matching",
            settings=settings,
            tables=messaging,
            routers=[
                products.router,
                financing_requests.router,
                matches.router,
                offers.router,
                loans.router,
                assignment_rounds.router,
                lending_reports.router,
                quotas.router,
                model.router,
            ],
            description=__doc__ or "",
            handlers=HANDLERS,
            consumed_topics=CONSUMED_TOPICS,
            on_startup=startup,
            on_shutdown=shutdown,
        )
    )
