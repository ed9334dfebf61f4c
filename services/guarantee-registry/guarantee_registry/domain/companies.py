"""Guarantee companies (融资性担保机构): registration, audited changes, and what they can still guarantee."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlmodel.ext.asyncio.session import AsyncSession

from guarantee_registry.db import repositories as repo
from guarantee_registry.db.tables import CompanyVersion, GuaranteeCompany
from guarantee_registry.domain.coverage import refresh_coverage
from guarantee_registry.domain.rules import Policy, capacity_of
from smefin import policy as policy_rules
from smefin.auth import Principal
from smefin.contracts.guarantees import CapacityChanged, GuaranteeCompanyRegistered
from smefin.db import utcnow
from smefin.errors import Conflict, NotFound, Unprocessable
from smefin.outbox import Outbox
from smefin.reference import UnknownDivision, county, league, league_of

AUDITED_FIELDS = (
    "uscc",
    "name",
    "league_code",
    "county_code",
    "zone_code",
    "licence_number",
    "registered_capital",
    "paid_in_capital",
    "net_assets",
    "ownership",
    "serves_small_micro_agri",
    "approval_required",
    "owner_org_id",
)
COVERAGE_FIELDS = {"league_code", "county_code", "zone_code", "registered_capital", "name"}
CAPACITY_FIELDS = {"net_assets", "serves_small_micro_agri"}


@dataclass(frozen=True)
class Actor:
    """Who made a change: a verified principal or an event the service applied."""

    subject: str
    role: str
    org_id: str

    @classmethod
    def of(cls, principal: Principal) -> Actor:
        """The actor behind an API call."""
        return cls(principal.subject, principal.role.value, principal.org_id)

    @classmethod
    def event(cls, event_type: str) -> Actor:
        """The service itself, applying a consumed event."""
        return cls(f"event:{event_type}", "service", "guarantee-registry")


def _jsonable(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal | UUID) else value


def _snapshot(c: GuaranteeCompany) -> dict[str, Any]:
    return {f: _jsonable(getattr(c, f)) for f in (*AUDITED_FIELDS, "outstanding", "version")}


async def record_change(
    session: AsyncSession, c: GuaranteeCompany, action: str, changes: dict[str, Any], actor: Actor
) -> None:
    """Add a version to the company's audit trail."""
    session.add(
        CompanyVersion(
            company_id=c.id,
            version=c.version,
            action=action,
            changes=changes,
            snapshot=_snapshot(c),
            changed_by=actor.subject,
            changed_role=actor.role,
            changed_org=actor.org_id,
        )
    )
    await session.flush()


def bump_version(c: GuaranteeCompany) -> None:
    """A new audited version of the company."""
    c.version += 1
    c.updated_at = utcnow()


def check_divisions(league_code: str, county_code: str | None) -> None:
    """Raise 422 unless the league exists and the county lies in it."""
    try:
        league(league_code)
        if county_code is not None and county(county_code).league_code != league_code:
            raise Unprocessable(f"county {county_code} is not in league {league_code}")
    except UnknownDivision as exc:
        raise Unprocessable(str(exc)) from None


def _check_capital(c: GuaranteeCompany) -> None:
    if c.paid_in_capital > c.registered_capital:
        raise Unprocessable(
            f"paid-in capital {c.paid_in_capital} exceeds registered capital {c.registered_capital}"
        )


async def publish_capacity(
    session: AsyncSession, outbox: Outbox, policy: Policy, c: GuaranteeCompany
) -> None:
    """Tell loan-matching what the company can still guarantee, in liability and in loan terms."""
    cap = capacity_of(c.net_assets, c.outstanding, c.serves_small_micro_agri, policy)
    agreement = (await repo.active_agreements(session, [c.id])).get(c.id)
    room = min(cap.remaining, cap.single_client_limit) if cap.net_assets > 0 else Decimal(0)
    loan_room = policy_rules.loan_room(
        room, policy.default_guarantor_share, agreement.share if agreement else Decimal(0)
    )
    await outbox.add(
        session,
        CapacityChanged(
            company_id=c.id,
            net_assets=c.net_assets,
            outstanding=c.outstanding,
            capacity_limit=cap.limit,
            remaining=cap.remaining,
            single_client_limit=cap.single_client_limit,
            league_code=c.league_code,
            leverage_multiple=cap.multiple,
            loan_room=loan_room,
        ),
        subject=str(c.id),
    )


async def register_company(
    session: AsyncSession, outbox: Outbox, policy: Policy, data: dict[str, Any], actor: Actor
) -> GuaranteeCompany:
    """Register a guarantee company; the first version of its audit trail."""
    if data.get("league_code") is None:
        data["league_code"] = league_of(data["uscc"][2:8]).code
        if data.get("county_code") is None and data["uscc"][2:8] != data["league_code"]:
            try:
                data["county_code"] = county(data["uscc"][2:8]).code
            except UnknownDivision:
                pass
    check_divisions(data["league_code"], data.get("county_code"))
    if await repo.company_by_uscc(session, data["uscc"]) is not None:
        raise Conflict(f"a guarantee company with USCC {data['uscc']} is already registered")
    c = GuaranteeCompany(**data)
    _check_capital(c)
    session.add(c)
    await session.flush()
    await record_change(
        session,
        c,
        "registered",
        {f: {"from": None, "to": _jsonable(getattr(c, f))} for f in AUDITED_FIELDS},
        actor,
    )
    await outbox.add(
        session,
        GuaranteeCompanyRegistered(
            company_id=c.id,
            uscc=c.uscc,
            name=c.name,
            league_code=c.league_code,
            registered_capital=c.registered_capital,
            paid_in_capital=c.paid_in_capital,
            net_assets=c.net_assets,
        ),
        subject=str(c.id),
    )
    await publish_capacity(session, outbox, policy, c)
    await refresh_coverage(session, outbox, policy)
    return c


async def update_company(
    session: AsyncSession,
    outbox: Outbox,
    policy: Policy,
    company_id: UUID,
    changes: dict[str, Any],
    actor: Actor,
    authorize: Callable[[GuaranteeCompany], None],
) -> GuaranteeCompany:
    """Apply changes as a new audited version (the row is locked while it changes)."""
    c = await repo.get_company(session, company_id, for_update=True)
    if c is None:
        raise NotFound(f"guarantee company {company_id} not found")
    authorize(c)
    diff = {
        k: {"from": _jsonable(getattr(c, k)), "to": _jsonable(v)}
        for k, v in changes.items()
        if getattr(c, k) != v
    }
    if not diff:
        return c
    for k in diff:
        setattr(c, k, changes[k])
    check_divisions(c.league_code, c.county_code)
    _check_capital(c)
    bump_version(c)
    await record_change(session, c, "updated", diff, actor)
    if diff.keys() & CAPACITY_FIELDS:
        await publish_capacity(session, outbox, policy, c)
    if diff.keys() & COVERAGE_FIELDS:
        await refresh_coverage(session, outbox, policy)
    return c
