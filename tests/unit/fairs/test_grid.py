"""Slots, the booking board and the agenda file: pure rules, no I/O."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from icalendar import Calendar

from fairs.db.tables import Fair, Registration
from fairs.domain.agenda import Agenda, AgendaItem, to_ics
from fairs.domain.board import Board, Booking
from fairs.domain.invitations import in_scope
from fairs.domain.slots import Session, session_problems, slots_of
from smefin.errors import Unprocessable

T0 = datetime(2031, 5, 6, 1, 0, tzinfo=UTC)


def test_sessions_are_cut_into_whole_slots() -> None:
    sessions = [
        Session(T0, T0 + timedelta(minutes=70)),
        Session(T0 + timedelta(hours=4), T0 + timedelta(hours=5)),
    ]
    slots = slots_of(sessions, 20)
    assert [(s.index, s.session) for s in slots] == [(0, 0), (1, 0), (2, 0), (3, 1), (4, 1), (5, 1)]
    assert slots[2].ends_at == T0 + timedelta(minutes=60)  # the last 10 minutes hold no slot
    assert session_problems(sessions, 20) == []


def test_session_problems_are_explained() -> None:
    assert "one of (15, 20, 30)" in session_problems([Session(T0, T0 + timedelta(hours=1))], 25)[0]
    overlap = [
        Session(T0, T0 + timedelta(hours=2)),
        Session(T0 + timedelta(hours=1), T0 + timedelta(hours=3)),
    ]
    assert "starts before session 1 ends" in session_problems(overlap, 30)[0]
    naive = datetime(2031, 5, 6, 1, 0)
    assert "timezone" in session_problems([Session(naive, naive + timedelta(hours=1))], 30)[0]
    many = [
        Session(T0, T0 + timedelta(hours=10)),
        Session(T0 + timedelta(hours=11), T0 + timedelta(hours=21)),
    ]
    assert "more than 64 slots" in session_problems(many, 15)[0]


def board() -> tuple[Board, uuid.UUID, uuid.UUID, uuid.UUID]:
    bank, sme1, sme2 = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    b = Board(slot_sessions=[0, 0, 1], bank_tables={bank: [3]}, bank_capacity={bank: 1})
    b.bookings.append(Booking(uuid.uuid4(), sme1, bank, 0, 3))
    return b, bank, sme1, sme2


def test_board_refuses_double_booking_and_capacity() -> None:
    b, bank, sme1, sme2 = board()
    assert b.problems(sme2, bank, 2) == []
    assert "every table of the bank is booked in slot 0" in b.problems(sme2, bank, 0)
    assert "the bank has no capacity left in session 1" in b.problems(sme2, bank, 1)
    assert "this SME and this bank already have a meeting or a request" in b.problems(sme1, bank, 2)
    assert "table 9 is not one of the bank's tables (3)" in b.problems(sme2, bank, 2, 9)
    assert b.problems(sme2, uuid.uuid4(), 2) == ["the bank is not a validated participant of this fair"]
    with pytest.raises(Unprocessable, match="outside the fair's 3 slots"):
        b.require_slot(3)
    # A move ignores the meeting being moved.
    assert b.problems(sme1, bank, 1, ignore=b.bookings[0].ref) == []
    assert b.free_table(bank, 0) is None
    assert b.free_table(bank, 1) == 3


def a_fair(**values: Any) -> Fair:
    """A fair object as stored (no database needed)."""
    base: dict[str, Any] = {
        "organizer_org_id": "org-1",
        "name": "对接会",
        "starts_at": T0,
        "ends_at": T0 + timedelta(hours=1),
        "slot_minutes": 20,
        "tables": 10,
        "league_codes": ["150600"],
    }
    return Fair(**(base | values))


def test_scope_is_league_and_industry_prefix() -> None:
    fair = a_fair(industries=["C17", "I65"])
    assert in_scope(fair, "150600", "C1711")
    assert not in_scope(fair, "150600", "C13")
    assert not in_scope(fair, "150100", "C1711")
    assert in_scope(a_fair(industries=[]), "150600", "A01")


def test_agenda_ics_has_one_event_per_meeting_tentative_until_final() -> None:
    fair = a_fair(venue="hall B", updated_at=T0)
    reg = Registration(
        display_name="羊绒厂", role="sme", participant_id="x", org_id="o", fair_id=uuid.uuid4()
    )
    items = [
        AgendaItem(
            uuid.uuid4(),
            i,
            T0 + timedelta(minutes=20 * i),
            T0 + timedelta(minutes=20 * (i + 1)),
            4,
            uuid.uuid4(),
            "中国银行",
            "scheduled",
            "recommended",
        )
        for i in range(2)
    ]
    cal = Calendar.from_ical(to_ics(Agenda(fair, reg, "preliminary", items)))
    events = cal.walk("VEVENT")
    assert len(events) == 2
    assert events[0]["SUMMARY"] == "对接会: meeting with 中国银行 (table 4)"
    assert events[1].decoded("DTSTART") == T0 + timedelta(minutes=20)
    assert {str(e["STATUS"]) for e in events} == {"TENTATIVE"}
    final = Calendar.from_ical(to_ics(Agenda(fair, reg, "final", items)))
    assert {str(e["STATUS"]) for e in final.walk("VEVENT")} == {"CONFIRMED"}
