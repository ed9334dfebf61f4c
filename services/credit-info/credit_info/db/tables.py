"""credit-info tables: one registry, so this service's metadata holds only its own tables."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, Date, DateTime, Enum, Index, Numeric, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from credit_info.domain.records import CreditSource
from smefin.db import new_registry, utcnow
from smefin.outbox import MessagingTables


class Base(SQLModel, registry=new_registry()):
    """Base of every credit-info table."""


messaging = MessagingTables.attach(Base.metadata)


def _ts(**kw: Any) -> Any:
    return Field(default_factory=utcnow, sa_type=DateTime(timezone=True), **kw)  # type: ignore[call-overload]


def _money() -> Any:
    return Field(sa_type=Numeric(18, 2))  # type: ignore[call-overload]


class Enterprise(Base, table=True):
    """An enterprise in the SME basic database (中小企业基础数据库)."""

    __tablename__ = "enterprises"

    uscc: str = Field(primary_key=True, max_length=18)
    name: str = Field(max_length=200)
    league_code: str = Field(max_length=6, index=True)
    county_code: str | None = Field(default=None, max_length=6, index=True)
    industry: str = Field(max_length=5, index=True)
    employees: int
    revenue: Decimal = _money()
    assets: Decimal = _money()
    size_class: str = Field(max_length=10, index=True)
    size_standard_row: str = Field(max_length=40)
    size_reasons: list[str] = Field(default_factory=list, sa_type=JSONB)  # type: ignore[call-overload]
    growth_programme: bool = False
    cluster: str | None = Field(default=None, max_length=100)
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class CreditRecord(Base, table=True):
    """One credit record from one source; payload validated by the source's model."""

    __tablename__ = "credit_records"
    __table_args__ = (Index("ix_credit_records_uscc_source", "uscc", "source"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    uscc: str = Field(max_length=18)
    source: CreditSource = Field(
        sa_column=Column(
            Enum(CreditSource, name="credit_source", values_callable=lambda e: [m.value for m in e]),
            nullable=False,
        )
    )
    occurred_on: date = Field(sa_type=Date)  # type: ignore[call-overload]
    negative: bool
    payload: dict[str, Any] = Field(sa_type=JSONB)  # type: ignore[call-overload]
    ref: str | None = Field(default=None, max_length=100)
    dedupe_key: str = Field(max_length=64, unique=True)
    provider: str = Field(max_length=100)
    batch_id: str | None = Field(default=None, max_length=100)
    withdrawn: bool = False
    created_at: datetime = _ts()


class IngestionBatch(Base, table=True):
    """A provider's bulk upload; the batch id makes re-submission idempotent."""

    __tablename__ = "ingestion_batches"

    batch_id: str = Field(primary_key=True, max_length=100)
    provider: str = Field(max_length=100)
    format: str = Field(max_length=10)
    content_sha256: str = Field(max_length=64)
    accepted: int
    rejected: int
    report: dict[str, Any] = Field(sa_type=JSONB)  # type: ignore[call-overload]
    created_at: datetime = _ts()


class Dispute(Base, table=True):
    """An enterprise's objection to a record (异议); shown on reports until resolved."""

    __tablename__ = "disputes"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    record_id: uuid.UUID = Field(foreign_key="credit_records.id", index=True)
    uscc: str = Field(max_length=18, index=True)
    reason: str = Field(sa_type=Text)  # type: ignore[call-overload]
    status: str = Field(default="open", max_length=10)
    outcome: str | None = Field(default=None, max_length=10)
    resolution: str | None = Field(default=None, sa_type=Text)  # type: ignore[call-overload]
    opened_by: str = Field(max_length=100)
    created_at: datetime = _ts()
    resolved_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))  # type: ignore[call-overload]


class ConsentEntry(Base, table=True):
    """Append-only consent ledger (授权): a grant row, and later perhaps a revoke row for it."""

    __tablename__ = "consent_ledger"
    __table_args__ = (
        UniqueConstraint("consent_id", "action"),
        Index("ix_consent_ledger_uscc_bank", "uscc", "bank_org_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    consent_id: uuid.UUID
    action: str = Field(max_length=10)
    uscc: str = Field(max_length=18)
    bank_org_id: str = Field(max_length=100)
    purpose: str = Field(max_length=200)
    valid_until: datetime = Field(sa_type=DateTime(timezone=True))  # type: ignore[call-overload]
    actor: str = Field(max_length=100)
    recorded_at: datetime = _ts()


class LookupLog(Base, table=True):
    """Every look-up of an enterprise's file, allowed or refused (查询记录)."""

    __tablename__ = "lookup_log"

    id: int | None = Field(default=None, primary_key=True)
    uscc: str = Field(max_length=18, index=True)
    viewer_org_id: str = Field(max_length=100)
    viewer_role: str = Field(max_length=20)
    viewer_subject: str = Field(max_length=200)
    resource: str = Field(max_length=40)
    purpose: str | None = Field(default=None, max_length=200)
    consent_id: uuid.UUID | None = None
    allowed: bool
    reason: str | None = Field(default=None, max_length=300)
    at: datetime = _ts()


class Rating(Base, table=True):
    """The current rating of an enterprise."""

    __tablename__ = "ratings"

    uscc: str = Field(primary_key=True, max_length=18)
    score: int
    probability_of_default: Decimal = Field(sa_type=Numeric(9, 6))  # type: ignore[call-overload]
    grade: str = Field(max_length=4)
    reasons: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONB)  # type: ignore[call-overload]
    model_version: str = Field(max_length=40)
    computed_at: datetime = _ts()


class OperatingReport(Base, table=True):
    """One version of an SME's operating report for one period (运行监测台账); money in 10,000 yuan.

    A correction adds a version and marks the previous one superseded, so history is kept and
    exactly one version per (uscc, period) is current (a partial unique index holds it)."""

    __tablename__ = "operating_reports"
    __table_args__ = (
        UniqueConstraint("uscc", "period", "version"),
        Index(
            "uq_operating_reports_current",
            "uscc",
            "period",
            unique=True,
            postgresql_where=text("superseded_at IS NULL"),
        ),
        Index("ix_operating_reports_period", "period"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    uscc: str = Field(max_length=18)
    period: str = Field(max_length=7)
    frequency: str = Field(max_length=10)
    version: int
    output_value: Decimal = _money()
    sales_revenue: Decimal = _money()
    profit: Decimal = _money()
    taxes_paid: Decimal = _money()
    exports: Decimal = _money()
    energy_use: Decimal = _money()  # tonnes of standard coal (吨标准煤)
    employees: int
    total_assets: Decimal | None = Field(default=None, sa_type=Numeric(18, 2))  # type: ignore[call-overload]
    reported_on: date = Field(sa_type=Date)  # type: ignore[call-overload]
    late: bool
    correction_reason: str | None = Field(default=None, max_length=500)
    submitted_by: str = Field(max_length=200)
    submitted_role: str = Field(max_length=20)
    batch_id: str | None = Field(default=None, max_length=100)
    record_id: uuid.UUID | None = None  # the credit record (source operating) that carries it to ratings
    created_at: datetime = _ts()
    superseded_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))  # type: ignore[call-overload]


class ProgrammeEnrolment(Base, table=True):
    """An SME on the growth programme (成长型) or the innovation monitoring list (创新型)."""

    __tablename__ = "programme_enrolments"

    uscc: str = Field(primary_key=True, max_length=18)
    programme: str = Field(primary_key=True, max_length=20)
    baseline_year: int
    enrolled_by: str = Field(max_length=200)
    enrolled_at: datetime = _ts()
