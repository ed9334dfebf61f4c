"""guarantee-registry application factory."""

from pathlib import Path

from fastapi import FastAPI

from guarantee_registry.api import (
    capital,
    companies,
    compensation_funds,
    coverage,
    divisions,
    guarantees,
    microcredit,
    reguarantees,
)
from guarantee_registry.db.tables import messaging
from guarantee_registry.events.handlers import CONSUMED_TOPICS, make_handlers
from guarantee_registry.settings import Settings
from smefin.web import ServiceSpec, create_service_app

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the guarantee-registry app."""
    settings = settings or Settings()
    return create_service_app(
        ServiceSpec(
            name="guarantee-registry",
            settings=settings,
            tables=messaging,
            routers=[
                companies.router,
                capital.router,
                guarantees.router,
                coverage.router,
                divisions.router,
                reguarantees.router,
                compensation_funds.router,
                microcredit.router,
            ],
            description=__doc__ or "",
            handlers=make_handlers(settings.policy()),
            consumed_topics=CONSUMED_TOPICS,
        )
    )
