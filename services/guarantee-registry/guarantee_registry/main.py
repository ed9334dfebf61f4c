"""guarantee-registry application factory."""

from pathlib import Path

from fastapi import FastAPI

from guarantee_registry.db.tables import messaging
from guarantee_registry.events.handlers import CONSUMED_TOPICS, HANDLERS
from guarantee_registry.settings import Settings
from smefin.web import ServiceSpec, create_service_app

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the guarantee-registry app."""
    return create_service_app(
        ServiceSpec(
            name="guarantee-registry",
            settings=settings or Settings(),
            tables=messaging,
            routers=[],
            description=__doc__ or "",
            handlers=HANDLERS,
            consumed_topics=CONSUMED_TOPICS,
        )
    )
