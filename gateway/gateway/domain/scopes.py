"""API key scopes: read or write per resource family.

A family groups the resources one kind of integration needs; `write` includes `read`, as in the
restricted keys integrators know from payment APIs.
"""

from __future__ import annotations

from enum import StrEnum

FAMILIES: dict[str, tuple[str, ...]] = {
    "credit": (
        "enterprises",
        "credit-records",
        "ingestion-batches",
        "consents",
        "credit-reports",
        "ratings",
        "disputes",
        "operating-reports",
        "operating-statistics",
        "programmes",
    ),
    "lending": (
        "products",
        "financing-requests",
        "matches",
        "offers",
        "loans",
        "assignment-rounds",
        "lending-reports",
        "quotas",
        "model",
        "funnel",
        "previews",
        "bank-quotas",
        "credit-lines",
        "interest-subsidies",
    ),
    "guarantees": (
        "guarantee-companies",
        "guarantees",
        "coverage",
        "capital-injections",
        "divisions",
        "microcredit-companies",
        "reguarantee-agreements",
        "compensation-funds",
    ),
    "fairs": ("fairs",),
}
FAMILY_OF: dict[str, str] = {r: family for family, resources in FAMILIES.items() for r in resources}
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Access(StrEnum):
    """What a scope allows on a family."""

    READ = "read"
    WRITE = "write"


ALL_SCOPES: tuple[str, ...] = tuple(f"{f}:{a.value}" for f in FAMILIES for a in Access)


def needed_scope(method: str, resource: str) -> str | None:
    """The scope a call needs (`lending:write`), or None for a resource outside every family."""
    family = FAMILY_OF.get(resource)
    if family is None:
        return None
    access = Access.READ if method.upper() in READ_METHODS else Access.WRITE
    return f"{family}:{access.value}"


def allows(scopes: list[str], needed: str) -> bool:
    """Whether `scopes` grant `needed`; write on a family includes read on it."""
    if needed in scopes:
        return True
    family, _, access = needed.partition(":")
    return access == Access.READ and f"{family}:{Access.WRITE.value}" in scopes
