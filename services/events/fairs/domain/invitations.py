"""Invitations from live data: SMEs with open requests in the fair's scope, and the banks matched to them."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from fairs.db import invitations as repo
from fairs.db import projections
from fairs.db.tables import Fair, Invitation
from fairs.domain import fairs
from fairs.domain.statuses import FairStatus, ParticipantRole
from smefin.auth import Principal
from smefin.errors import Conflict


def in_scope(fair: Fair, league_code: str | None, industry: str | None) -> bool:
    """Whether an enterprise falls within the fair's leagues and industries (GB/T 4754 prefixes)."""
    if league_code not in fair.league_codes:
        return False
    return not fair.industries or (
        industry is not None and any(industry.startswith(p) for p in fair.industries)
    )


@dataclass
class _Invite:
    role: ParticipantRole
    reasons: list[str] = field(default_factory=list)
    best: Decimal | None = None
    matches: int = 0


async def invite(*, session: AsyncSession, principal: Principal, fair_id: uuid.UUID) -> list[Invitation]:
    """Invite, in one action, every SME with an open request in scope and every bank matched to one."""
    fair = await fairs.owned(session=session, principal=principal, fair_id=fair_id, lock=True)
    if fair.status not in (FairStatus.DRAFT, FairStatus.PUBLISHED):
        raise Conflict(f"the fair is {fair.status}; invitations are for upcoming fairs")
    requests = [
        (r, e)
        for r, e in await projections.open_requests(session)
        if e and in_scope(fair, e.league_code, e.industry)
    ]
    usccs = sorted({r.uscc for r, _ in requests})
    matches = await projections.open_matches(session, usccs=usccs) if usccs else []
    by_request = defaultdict(list)
    by_bank = defaultdict(list)
    for m in matches:
        by_request[m.request_id].append(m)
        by_bank[m.bank_org_id].append(m)
    invites: dict[str, _Invite] = {}
    for r, e in requests:
        inv = invites.setdefault(r.uscc, _Invite(ParticipantRole.SME))
        ms = by_request.get(r.request_id, [])
        reason = f"open financing request of {r.amount:,.2f} yuan ({e.industry}, league {e.league_code})"
        if ms:
            best = max(m.score for m in ms)
            reason += f"; {len(ms)} bank match(es), best score {best:.2f}"
            inv.best = max(best, inv.best) if inv.best is not None else best
        inv.reasons.append(reason)
        inv.matches += len(ms)
    for bank, ms in by_bank.items():
        best = max(m.score for m in ms)
        n = len({m.request_id for m in ms})
        invites[bank] = _Invite(
            ParticipantRole.BANK,
            [f"published products matched {n} open request(s) in scope, best score {best:.2f}"],
            best,
            len(ms),
        )
    for participant, inv in invites.items():
        await repo.upsert(
            session,
            fair_id=fair.id,
            participant_id=participant,
            role=inv.role,
            reasons=inv.reasons,
            best_score=inv.best,
            matches=inv.matches,
        )
    return await repo.of_fair(session, fair.id)


async def invited(*, session: AsyncSession, principal: Principal, fair_id: uuid.UUID) -> list[Invitation]:
    """Who was invited and why (the organizer's view)."""
    fair = await fairs.owned(session=session, principal=principal, fair_id=fair_id)
    return await repo.of_fair(session, fair.id)
