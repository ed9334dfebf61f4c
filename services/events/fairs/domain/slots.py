"""A fair's time grid: sessions cut into slots of 15, 20 or 30 minutes (pure, no I/O)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

SLOT_MINUTES = (15, 20, 30)
MAX_SLOTS = 64


@dataclass(frozen=True)
class Session:
    """A block of the fair's day in which meetings run back to back."""

    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class Slot:
    """One meeting slot: its index over the whole fair, its session, its times."""

    index: int
    session: int
    starts_at: datetime
    ends_at: datetime


def session_problems(sessions: Sequence[Session], slot_minutes: int) -> list[str]:
    """What is wrong with a set of sessions, in words a person can act on (empty when fine)."""
    problems: list[str] = []
    if slot_minutes not in SLOT_MINUTES:
        problems.append(f"slot length must be one of {SLOT_MINUTES} minutes, not {slot_minutes}")
        return problems
    if not sessions:
        return ["a fair needs at least one session"]
    step = timedelta(minutes=slot_minutes)
    for n, s in enumerate(sessions, start=1):
        if s.starts_at.utcoffset() is None or s.ends_at.utcoffset() is None:
            problems.append(f"session {n}: times need a timezone")
            continue
        if s.ends_at - s.starts_at < step:
            problems.append(f"session {n} is shorter than one {slot_minutes}-minute slot")
        if s.ends_at - s.starts_at > timedelta(hours=12):
            problems.append(f"session {n} is longer than 12 hours")
        if n > 1 and s.starts_at < sessions[n - 2].ends_at:
            problems.append(f"session {n} starts before session {n - 1} ends; list sessions in time order")
    if not problems and len(slots_of(sessions, slot_minutes)) > MAX_SLOTS:
        problems.append(f"the sessions hold more than {MAX_SLOTS} slots; use longer slots or fewer sessions")
    return problems


def slots_of(sessions: Sequence[Session], slot_minutes: int) -> list[Slot]:
    """Every whole slot of every session, numbered from 0 across the fair."""
    step = timedelta(minutes=slot_minutes)
    out: list[Slot] = []
    for k, s in enumerate(sessions):
        at = s.starts_at
        while at + step <= s.ends_at:
            out.append(Slot(len(out), k, at, at + step))
            at += step
    return out
