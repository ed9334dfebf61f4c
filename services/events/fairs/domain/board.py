"""The booking board: which slots and tables meetings and pending requests already hold.

One place decides "double-booked", for requests, pins, moves and accepts alike.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlmodel.ext.asyncio.session import AsyncSession

from fairs.db import meetings as meetings_repo
from fairs.db import registrations as registrations_repo
from fairs.db.tables import Fair
from fairs.domain import fairs
from fairs.domain.statuses import ParticipantRole
from smefin.errors import Unprocessable


@dataclass(frozen=True)
class Booking:
    """Something holding a slot: a meeting (with a table) or a pending request (without)."""

    ref: uuid.UUID
    sme: uuid.UUID
    bank: uuid.UUID
    slot: int
    table: int | None


@dataclass
class Board:
    """The fair's grid and what is booked on it."""

    slot_sessions: Sequence[int]
    bank_tables: dict[uuid.UUID, list[int]]
    bank_capacity: dict[uuid.UUID, int]
    bookings: list[Booking] = field(default_factory=list)

    def require_slot(self, slot: int) -> None:
        """Refuse a slot the fair does not have (422: the input is wrong, not the state)."""
        n = len(self.slot_sessions)
        if not 0 <= slot < n:
            raise Unprocessable(f"slot {slot} is outside the fair's {n} slots (0–{n - 1})")

    def problems(
        self,
        sme: uuid.UUID,
        bank: uuid.UUID,
        slot: int,
        table: int | None = None,
        *,
        ignore: uuid.UUID | None = None,
    ) -> list[str]:
        """Why this meeting cannot be booked (empty when it can)."""
        n = len(self.slot_sessions)
        if not 0 <= slot < n:
            return [f"slot {slot} is outside the fair's {n} slots (0–{n - 1})"]
        tables = self.bank_tables.get(bank)
        if tables is None:
            return ["the bank is not a validated participant of this fair"]
        out: list[str] = []
        if table is not None and table not in tables:
            out.append(f"table {table} is not one of the bank's tables ({', '.join(map(str, tables))})")
        others = [b for b in self.bookings if b.ref != ignore]
        if any(b.sme == sme and b.bank == bank for b in others):
            out.append("this SME and this bank already have a meeting or a request")
        if any(b.sme == sme and b.slot == slot for b in others):
            out.append(f"the SME is already booked in slot {slot}")
        at_slot = [b for b in others if b.bank == bank and b.slot == slot]
        if len(at_slot) >= len(tables):
            out.append(f"every table of the bank is booked in slot {slot}")
        if table is not None and any(b.table == table and b.slot == slot for b in others):
            out.append(f"table {table} is already booked in slot {slot}")
        session = self.slot_sessions[slot]
        in_session = [b for b in others if b.bank == bank and self.slot_sessions[b.slot] == session]
        if len(in_session) >= self.bank_capacity.get(bank, 0):
            out.append(f"the bank has no capacity left in session {session + 1}")
        return out

    def free_table(self, bank: uuid.UUID, slot: int, *, ignore: uuid.UUID | None = None) -> int | None:
        """A table of the bank nobody holds in this slot."""
        taken = {b.table for b in self.bookings if b.slot == slot and b.ref != ignore}
        return next((t for t in self.bank_tables.get(bank, []) if t not in taken), None)


async def load(session: AsyncSession, fair: Fair) -> Board:
    """The board of a fair as stored: every meeting and every pending request."""
    banks = await registrations_repo.validated(session, fair.id, ParticipantRole.BANK)
    board = Board(
        slot_sessions=[s.session for s in fairs.slots(fair)],
        bank_tables={b.id: list(b.table_numbers) for b in banks},
        bank_capacity={b.id: b.capacity_per_session for b in banks},
    )
    for m in await meetings_repo.meetings_of(session, fair.id):
        board.bookings.append(
            Booking(m.id, m.sme_registration_id, m.bank_registration_id, m.slot, m.table_no)
        )
    for r in await meetings_repo.holding_requests(session, fair.id, pending_only=True):
        board.bookings.append(Booking(r.id, r.sme_registration_id, r.bank_registration_id, r.slot, None))
    return board
