"""Contracts published by credit-info: enterprises, ratings and consents."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from uuid import UUID

from smefin.contracts.envelope import EventPayload, Topic, event


class EnterpriseProfile(EventPayload):
    """The enterprise as the SME basic database (中小企业基础数据库) holds it."""

    uscc: str
    name: str
    league_code: str
    county_code: str | None = None
    industry: str
    employees: int
    revenue: Decimal  # 10,000 yuan, as in the size standard
    assets: Decimal  # 10,000 yuan
    size_class: str
    growth_programme: bool = False
    cluster: str | None = None


@event("enterprise.registered", topic=Topic.ENTERPRISES)
class EnterpriseRegistered(EnterpriseProfile):
    """An enterprise joined the SME basic database."""


@event("enterprise.updated", topic=Topic.ENTERPRISES)
class EnterpriseUpdated(EnterpriseProfile):
    """An enterprise's profile changed."""


@event("rating.changed", topic=Topic.ENTERPRISES)
class RatingChanged(EventPayload):
    """An enterprise's SME rating (适合中小企业特点的评级) was recomputed and changed."""

    uscc: str
    score: int
    probability_of_default: Decimal
    grade: str
    previous_grade: str | None = None
    model_version: str
    reasons: list[str] = []
    previous_score: int | None = None  # added: lets consumers see the size of the move


@event("consent.granted", topic=Topic.ENTERPRISES)
class ConsentGranted(EventPayload):
    """An enterprise let a bank read its credit file for a purpose until a date."""

    consent_id: UUID
    uscc: str
    bank_org_id: str
    purpose: str
    valid_until: datetime


@event("consent.revoked", topic=Topic.ENTERPRISES)
class ConsentRevoked(EventPayload):
    """An enterprise withdrew a consent."""

    consent_id: UUID
    uscc: str
    bank_org_id: str


@event("operating_signals.updated", topic=Topic.ENTERPRISES)
class OperatingSignalsUpdated(EventPayload):
    """The operating signals credit-info derives from an enterprise's records (for 差别化利率 pricing).

    None means the record holds nothing to derive the signal from.
    """

    uscc: str
    revenue_growth_percent: Decimal | None = None  # year on year, same period, from operating figures
    tax_grade: str | None = None  # the latest tax credit grade (纳税信用等级)
    social_insurance_months: int | None = None  # months paid in the latest year (社保)
    utilities_on_time_percent: Decimal | None = None  # bills paid on time in the latest year (水电气)
    as_of: datetime
