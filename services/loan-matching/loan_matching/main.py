"""loan-matching application factory."""

from pathlib import Path

from fastapi import FastAPI

from loan_matching.db.tables import messaging
from loan_matching.events.handlers import CONSUMED_TOPICS, HANDLERS
from loan_matching.settings import Settings
from smefin.web import ServiceSpec, create_service_app

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the loan-matching app."""
    return create_service_app(
        ServiceSpec(
            name="loan-matching",
            settings=settings or Settings(),
            tables=messaging,
            routers=[],
            description=__doc__ or "",
            handlers=HANDLERS,
            consumed_topics=CONSUMED_TOPICS,
        )
    )
