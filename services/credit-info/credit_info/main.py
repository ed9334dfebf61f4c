"""credit-info application factory."""

from pathlib import Path

from fastapi import FastAPI

from credit_info.db.tables import messaging
from credit_info.events.handlers import CONSUMED_TOPICS, HANDLERS
from credit_info.settings import Settings
from smefin.web import ServiceSpec, create_service_app

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the credit-info app."""
    return create_service_app(
        ServiceSpec(
            name="credit-info",
            settings=settings or Settings(),
            tables=messaging,
            routers=[],
            description=__doc__ or "",
            handlers=HANDLERS,
            consumed_topics=CONSUMED_TOPICS,
        )
    )
