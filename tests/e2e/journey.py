"""The platform for end-to-end journeys: credit-info, loan-matching and guarantee-registry in-process at
once, sharing one topic namespace, so every event a test relies on comes from a service's outbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI

from credit_info.main import MIGRATIONS as CREDIT_MIGRATIONS
from credit_info.main import create_app as credit_app
from credit_info.settings import Settings as CreditSettings
from guarantee_registry.main import MIGRATIONS as GUARANTEE_MIGRATIONS
from guarantee_registry.main import create_app as guarantee_app
from guarantee_registry.settings import Settings as GuaranteeSettings
from loan_matching.main import MIGRATIONS as MATCHING_MIGRATIONS
from loan_matching.main import create_app as matching_app
from loan_matching.settings import Settings as MatchingSettings
from tests.support.infra import Infra
from tests.support.services import run_service


@dataclass
class Platform:
    """HTTP clients of the three services; they talk to each other only over the broker."""

    credit: httpx.AsyncClient
    matching: httpx.AsyncClient
    guarantees: httpx.AsyncClient
    apps: list[FastAPI]

    def dead_letters(self) -> dict[str, list[str]]:
        """Per service, the errors of events its consumer retried or sent to the DLQ (none expected)."""
        out: dict[str, list[str]] = {}
        for app in self.apps:
            stats = app.state.consumer.stats
            if stats.dead_lettered or stats.retries:
                out[app.state.settings.service_name] = [*stats.dead_letter_errors, f"retries={stats.retries}"]
        return out


@asynccontextmanager
async def platform(infra: Infra, topic_prefix: str) -> AsyncIterator[Platform]:
    """Start the three services on fresh databases and one shared `topic_prefix`."""
    async with AsyncExitStack() as stack:
        clients: list[httpx.AsyncClient] = []
        apps: list[FastAPI] = []
        for create_app, settings_cls, migrations in (
            (credit_app, CreditSettings, CREDIT_MIGRATIONS),
            (matching_app, MatchingSettings, MATCHING_MIGRATIONS),
            (guarantee_app, GuaranteeSettings, GUARANTEE_MIGRATIONS),
        ):
            svc = await stack.enter_async_context(
                run_service(create_app, settings_cls, migrations, infra, topic_prefix=topic_prefix)
            )
            clients.append(svc.client)
            apps.append(svc.app)
        credit, matching, guarantees = clients
        yield Platform(credit, matching, guarantees, apps)


def enterprise_body(uscc: str, name: str, county: str) -> dict[str, Any]:
    """A small wool-textile SME as it registers in the SME basic database (figures in 10,000 yuan)."""
    return {
        "uscc": uscc,
        "name": name,
        "county_code": county,
        "industry": "C17",
        "employees": 60,
        "revenue": "1500",
        "assets": "1800",
    }


def product_body(name: str, kind: str, **extra: Any) -> dict[str, Any]:
    """A loan product for small textile enterprises, 50k-3M, 3-36 months."""
    return {
        "name": name,
        "kind": kind,
        "min_amount": "50000.00",
        "max_amount": "3000000.00",
        "min_term_months": 3,
        "max_term_months": 36,
        "industries": ["C"],
        "size_classes": ["micro", "small"],
        "base_rate": "3.4500",
        "grade_spreads": {"AAA": "0.3", "AA": "0.6", "A": "0.9", "BBB": "1.4", "BB": "2.0", "B": "2.8"},
        "quota_count": 10,
    } | extra


def ok(response: httpx.Response, status: int = 200) -> Any:
    """The JSON body of a response that must have `status` (the body is shown when it does not)."""
    assert response.status_code == status, (
        f"{response.request.method} {response.request.url}: {response.text}"
    )
    return response.json()
