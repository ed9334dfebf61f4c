"""events application factory."""

from pathlib import Path

from fastapi import FastAPI

from fairs.db.tables import messaging
from fairs.events.handlers import CONSUMED_TOPICS, HANDLERS
from fairs.settings import Settings
from smefin.web import ServiceSpec, create_service_app

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the events app."""
    return create_service_app(
        ServiceSpec(
            name="events",
            settings=settings or Settings(),
            tables=messaging,
            routers=[],
            description=__doc__ or "",
            handlers=HANDLERS,
            consumed_topics=CONSUMED_TOPICS,
        )
    )
