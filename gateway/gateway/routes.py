"""Which service answers which path: the first segment after /api/v1 names the resource."""

from __future__ import annotations

# Resource (first path segment under /api/v1) → owning service. One place to read the whole API map.
ROUTES: dict[str, str] = {
    # credit-info
    "enterprises": "credit-info",
    "credit-records": "credit-info",
    "ingestion-batches": "credit-info",
    "consents": "credit-info",
    "credit-reports": "credit-info",
    "ratings": "credit-info",
    "disputes": "credit-info",
    "reference": "credit-info",
    "operating-reports": "credit-info",
    "operating-statistics": "credit-info",
    "programmes": "credit-info",
    # loan-matching
    "products": "loan-matching",
    "financing-requests": "loan-matching",
    "matches": "loan-matching",
    "offers": "loan-matching",
    "loans": "loan-matching",
    "assignment-rounds": "loan-matching",
    "lending-reports": "loan-matching",
    "quotas": "loan-matching",
    "previews": "loan-matching",
    "bank-quotas": "loan-matching",
    "credit-lines": "loan-matching",
    "model": "loan-matching",
    "funnel": "loan-matching",
    "interest-subsidies": "loan-matching",
    # guarantee-registry
    "guarantee-companies": "guarantee-registry",
    "guarantees": "guarantee-registry",
    "coverage": "guarantee-registry",
    "capital-injections": "guarantee-registry",
    "divisions": "guarantee-registry",
    "microcredit-companies": "guarantee-registry",
    "reguarantee-agreements": "guarantee-registry",
    "compensation-funds": "guarantee-registry",
    # events
    "fairs": "events",
}


# Resources the gateway answers itself (identity, keys, audit); never forwarded.
GATEWAY_RESOURCES: tuple[str, ...] = (
    "auth",
    "signup",
    "organisations",
    "invitations",
    "api-keys",
    "audit-events",
)


def service_for(path: str) -> str | None:
    """The service owning `path` (e.g. /api/v1/enterprises/123), or None."""
    parts = path.strip("/").split("/")
    if len(parts) < 3 or parts[0] != "api" or parts[1] != "v1":
        return None
    return ROUTES.get(parts[2])
