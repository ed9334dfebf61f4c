"""Policy monitoring (运行监测): fairs held per league per year against the target of two, and each
fair's report (meetings, intentions, loans that followed within 90 days), as JSON and CSV."""

from __future__ import annotations

import csv
import io
import uuid
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from fairs.db import fairs as fairs_repo
from fairs.db import meetings as meetings_repo
from fairs.db import projections
from fairs.db import registrations as registrations_repo
from fairs.domain import fairs
from fairs.domain.statuses import FairStatus, MeetingStatus, ParticipantRole
from smefin.auth import Principal, Role
from smefin.errors import Forbidden
from smefin.reference import leagues

TARGET_PER_YEAR = 2  # the policy: at least two bank–enterprise fairs a year per league
LOAN_WINDOW = timedelta(days=90)


@dataclass(frozen=True)
class LeagueFairs:
    """One league's fairs in a year against the target."""

    league_code: str
    league_name: str
    year: int
    fairs_held: int
    fairs_announced: int
    target: int
    target_met: bool


async def monitoring(*, session: AsyncSession, principal: Principal, year: int) -> list[LeagueFairs]:
    """Fairs held (and announced) per league in `year`, every league listed, against the target."""
    principal.require(Role.OFFICE, Role.ORGANIZER, Role.SERVICE)
    start, end = datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)
    held: Counter[str] = Counter()
    announced: Counter[str] = Counter()
    for f in await fairs_repo.announced_or_held_between(session, start, end):
        for code in f.league_codes:
            (held if f.status == FairStatus.HELD else announced)[code] += 1
    return [
        LeagueFairs(
            league_code=lg.code,
            league_name=lg.name,
            year=year,
            fairs_held=held[lg.code],
            fairs_announced=announced[lg.code],
            target=TARGET_PER_YEAR,
            target_met=held[lg.code] >= TARGET_PER_YEAR,
        )
        for lg in leagues()
    ]


def monitoring_csv(rows: list[LeagueFairs]) -> str:
    """The monitoring table as CSV for the office's dashboard."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(LeagueFairs.__dataclass_fields__))
    writer.writeheader()
    for r in rows:
        writer.writerow(asdict(r))
    return out.getvalue()


@dataclass
class MeetingLine:
    """One meeting in a fair report."""

    meeting_id: uuid.UUID
    slot: int
    table_no: int
    uscc: str
    bank_org_id: str
    source: str
    score: Decimal | None
    status: str
    intention_amount: Decimal | None
    loans_within_90_days: int
    loan_amount_within_90_days: Decimal


@dataclass
class FairReport:
    """What a fair achieved."""

    fair_id: uuid.UUID
    name: str
    league_codes: list[str]
    starts_at: datetime
    status: str
    smes: int
    banks: int
    meetings_scheduled: int
    meetings_held: int
    no_shows: int
    feedback: dict[str, int]
    intentions: int
    intention_amount: Decimal
    loans_within_90_days: int
    loan_amount_within_90_days: Decimal
    schedule: dict[str, Any] | None
    meetings: list[MeetingLine] = field(default_factory=list)


async def fair_report(*, session: AsyncSession, principal: Principal, fair_id: uuid.UUID) -> FairReport:
    """The report of one fair: the organizer's own, or any for the office."""
    fair = await fairs.get(session=session, principal=principal, fair_id=fair_id)
    if not (
        principal.role in (Role.OFFICE, Role.SERVICE)
        or (principal.role == Role.ORGANIZER and principal.org_id == fair.organizer_org_id)
    ):
        raise Forbidden("a fair's report is for its organizer and the financial office")
    regs = await registrations_repo.validated(session, fair.id)
    meetings = await meetings_repo.meetings_of(session, fair.id)
    intentions = {i.meeting_id: i for i in await meetings_repo.intentions_of(session, fair.id)}
    feedback = Counter(f.outcome for f in await meetings_repo.feedback_of(session, fair.id))
    held = [m for m in meetings if m.status == MeetingStatus.HELD and m.held_at is not None]
    loans = (
        await projections.loans_between(
            session,
            sorted({m.uscc for m in held}),
            min(m.held_at for m in held if m.held_at),
            max(m.held_at for m in held if m.held_at) + LOAN_WINDOW,
        )
        if held
        else []
    )
    lines: list[MeetingLine] = []
    for m in meetings:
        followed = [
            ln
            for ln in loans
            if m.held_at is not None
            and ln.uscc == m.uscc
            and ln.bank_org_id == m.bank_org_id
            and m.held_at <= ln.disbursed_at <= m.held_at + LOAN_WINDOW
        ]
        intention = intentions.get(m.id)
        lines.append(
            MeetingLine(
                meeting_id=m.id,
                slot=m.slot,
                table_no=m.table_no,
                uscc=m.uscc,
                bank_org_id=m.bank_org_id,
                source=m.source,
                score=m.score,
                status=m.status,
                intention_amount=intention.amount if intention else None,
                loans_within_90_days=len(followed),
                loan_amount_within_90_days=sum((ln.amount for ln in followed), start=Decimal("0.00")),
            )
        )
    runs = await meetings_repo.schedule_runs(session, fair.id)
    latest = runs[0] if runs else None
    return FairReport(
        fair_id=fair.id,
        name=fair.name,
        league_codes=fair.league_codes,
        starts_at=fair.starts_at,
        status=fair.status,
        smes=sum(r.role == ParticipantRole.SME for r in regs),
        banks=sum(r.role == ParticipantRole.BANK for r in regs),
        meetings_scheduled=len(meetings),
        meetings_held=len(held),
        no_shows=sum(m.status == MeetingStatus.NO_SHOW for m in meetings),
        feedback=dict(feedback),
        intentions=len(intentions),
        intention_amount=sum((i.amount for i in intentions.values()), start=Decimal("0.00")),
        loans_within_90_days=sum(ln.loans_within_90_days for ln in lines),
        loan_amount_within_90_days=sum(
            (ln.loan_amount_within_90_days for ln in lines), start=Decimal("0.00")
        ),
        schedule=(
            {
                "kind": latest.kind,
                "meetings": latest.meetings,
                "objective": latest.objective,
                "bound": latest.bound,
                "gap": latest.gap,
                "seconds": latest.seconds,
                "solver": latest.solver,
            }
            if latest
            else None
        ),
        meetings=lines,
    )


def fair_report_csv(report: FairReport) -> str:
    """One line per meeting, for the office's dashboard."""
    out = io.StringIO()
    names = ["fair_id", *MeetingLine.__dataclass_fields__]
    writer = csv.DictWriter(out, fieldnames=names)
    writer.writeheader()
    for line in report.meetings:
        row = {k: ("" if v is None else v) for k, v in asdict(line).items()}
        writer.writerow({"fair_id": report.fair_id, **row})
    return out.getvalue()
