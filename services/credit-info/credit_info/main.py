"""credit-info: the SME basic database, shared credit records, consent, audit and the rating model."""

import asyncio
from contextlib import suppress
from pathlib import Path

from fastapi import FastAPI

from credit_info.api import (
    consents,
    credit_records,
    credit_reports,
    disputes,
    enterprises,
    ingestion_batches,
    ratings,
    reference,
)
from credit_info.db.tables import messaging
from credit_info.domain.rating_model import load_model
from credit_info.domain.services import rerate_aged
from credit_info.events.handlers import CONSUMED_TOPICS, HANDLERS
from credit_info.settings import Settings
from smefin.lease import try_lease
from smefin.logging import get_logger
from smefin.web import ServiceSpec, create_service_app

MIGRATIONS = Path(__file__).parent / "migrations"
log = get_logger("credit_info")


async def _rerate_aged_forever(app: FastAPI) -> None:
    interval: float = app.state.settings.rerate_interval_seconds
    while True:
        await asyncio.sleep(interval)
        try:
            async with app.state.db.unit_of_work() as session:
                # One replica at a time; the others skip this round (deploy/k8s README: singletons).
                if not await try_lease(session, "credit-info.rerate"):
                    continue
                rerated = await rerate_aged(session, app.state.outbox)
            if rerated:
                log.info("ratings.aged_out_rerated", count=len(rerated))
        except Exception as exc:  # the sweep retries next interval; the service keeps serving
            log.warning("ratings.rerate_failed", error=repr(exc))


async def _start(app: FastAPI) -> None:
    # Load the committed rating model once, at start, so a broken artefact fails fast.
    load_model()
    app.state.rerate_task = asyncio.create_task(_rerate_aged_forever(app), name="credit-info.rerate")


async def _stop(app: FastAPI) -> None:
    task: asyncio.Task[None] = app.state.rerate_task
    task.cancel()
    with suppress(asyncio.CancelledError):
        await task


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the credit-info app."""
    return create_service_app(
        ServiceSpec(
            name="credit-info",
            settings=settings or Settings(),
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
            ],
            description=__doc__ or "",
            handlers=HANDLERS,
            consumed_topics=CONSUMED_TOPICS,
            on_startup=_start,
            on_shutdown=_stop,
        )
    )
