"""credit-info: the SME basic database, shared credit records, consent, audit and the rating model."""

from pathlib import Path

from fastapi import FastAPI
from sqlmodel.ext.asyncio.session import AsyncSession

from credit_info.api import (
    consents,
    credit_records,
    credit_reports,
    disputes,
    enterprises,
    ingestion_batches,
    operating_reports,
    operating_statistics,
    programmes,
    ratings,
    reference,
)
from credit_info.db.tables import messaging
from credit_info.domain.rating_model import load_model
from credit_info.domain.ratings import rerate_aged
from credit_info.events.handlers import CONSUMED_TOPICS, make_handlers
from credit_info.settings import Settings
from smefin.outbox import Outbox
from smefin.periodic import Periodic
from smefin.web import ServiceSpec, create_service_app

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the credit-info app."""
    settings = settings or Settings()

    async def rerate(session: AsyncSession, outbox: Outbox) -> int:
        return len(await rerate_aged(session, outbox))

    # Re-rate enterprises whose negative records aged out; one replica at a time (deploy/k8s README).
    rerater = Periodic(
        "credit-info.rerate", settings.rerate_interval_seconds, rerate, lease="credit-info.rerate"
    )

    async def start(app: FastAPI) -> None:
        load_model()  # the committed rating model, once at start, so a broken artefact fails fast
        rerater.start(app)

    async def stop(app: FastAPI) -> None:
        await rerater.stop()

    return create_service_app(
        ServiceSpec(
            name="credit-info",
            settings=settings,
            tables=messaging,
            routers=[
                enterprises.router,
                reference.router,
                credit_records.router,
                ingestion_batches.router,
                consents.router,
                disputes.router,
                credit_reports.router,
                ratings.router,
                operating_reports.router,
                operating_statistics.router,
                programmes.router,
            ],
            description=__doc__ or "",
            handlers=make_handlers(settings),
            consumed_topics=CONSUMED_TOPICS,
            on_startup=start,
            on_shutdown=stop,
        )
    )
