"""loan-matching: bank products, financing requests, automatic matching (银行贷款和中小企业融资的自动对接),
quota-aware assignment rounds, offers, loans and bank lending reports."""

import asyncio
from pathlib import Path

from fastapi import FastAPI
from sqlmodel.ext.asyncio.session import AsyncSession

from loan_matching.api import (
    assignment_rounds,
    bank_quotas,
    credit_lines,
    financing_requests,
    funnel,
    interest_subsidies,
    lending_reports,
    loans,
    matches,
    model,
    offers,
    previews,
    products,
    quotas,
)
from loan_matching.db.tables import messaging
from loan_matching.domain import credit_lines as lines
from loan_matching.domain.matches import expire_due
from loan_matching.domain.matching_model import load_model
from loan_matching.events.handlers import CONSUMED_TOPICS, make_handlers
from loan_matching.settings import Settings
from smefin.db import utcnow
from smefin.outbox import Outbox
from smefin.periodic import Periodic
from smefin.web import ServiceSpec, create_service_app

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the loan-matching app."""
    settings = settings or Settings()

    async def expire(session: AsyncSession, outbox: Outbox) -> int:
        return await expire_due(session=session, outbox=outbox, settings=settings, as_of=utcnow())

    # Expire due proposals periodically so the next-best bank gets its turn (rows are locked with
    # SKIP LOCKED, so replicas share the work without a lease).
    sweeper = Periodic("loan-matching.expire-matches", settings.expiry_sweep_seconds, expire)

    async def expire_lines(session: AsyncSession, outbox: Outbox) -> int:
        return await lines.expire_due(session=session, outbox=outbox, as_of=utcnow())

    line_sweeper = Periodic("loan-matching.expire-credit-lines", settings.expiry_sweep_seconds, expire_lines)

    async def startup(app: FastAPI) -> None:
        app.state.model = await asyncio.to_thread(load_model)  # once per process
        sweeper.start(app)
        line_sweeper.start(app)

    async def shutdown(app: FastAPI) -> None:
        await sweeper.stop()
        await line_sweeper.stop()

    return create_service_app(
        ServiceSpec(
            name="loan-matching",
            settings=settings,
            tables=messaging,
            routers=[
                products.router,
                previews.router,
                financing_requests.router,
                matches.router,
                offers.router,
                loans.router,
                assignment_rounds.router,
                lending_reports.router,
                quotas.router,
                bank_quotas.router,
                credit_lines.router,
                model.router,
                funnel.router,
                interest_subsidies.router,
            ],
            description=__doc__ or "",
            handlers=make_handlers(settings),
            consumed_topics=CONSUMED_TOPICS,
            on_startup=startup,
            on_shutdown=shutdown,
        )
    )
