"""Periodic sweeps (expiring proposals, re-rating aged records): one loop for every service.

Each round runs in its own unit of work; a failure is logged and the next round retries, so a
sweep never takes the service down. With `lease`, one replica at a time runs it (smefin.lease).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass, field

from fastapi import FastAPI
from sqlmodel.ext.asyncio.session import AsyncSession

from smefin.lease import try_lease
from smefin.logging import get_logger
from smefin.outbox import Outbox

log = get_logger("smefin.periodic")
# A round: the session of its unit of work and the service's outbox in; how many things it did out.
Job = Callable[[AsyncSession, Outbox], Awaitable[int]]


@dataclass
class Periodic:
    """Run `job` every `seconds` from app start to app stop."""

    name: str
    seconds: float
    job: Job
    lease: str | None = None
    _task: asyncio.Task[None] | None = field(default=None, init=False, repr=False)

    async def run_once(self, app: FastAPI) -> int:
        """One round in its own unit of work (0 if another replica holds the lease)."""
        async with app.state.db.unit_of_work() as session:
            if self.lease is not None and not await try_lease(session, self.lease):
                return 0
            return await self.job(session, app.state.outbox)

    async def _loop(self, app: FastAPI) -> None:
        while True:
            await asyncio.sleep(self.seconds)
            try:
                n = await self.run_once(app)
                if n:
                    log.info("periodic.done", job=self.name, count=n)
            except Exception as exc:  # the next round retries; the service keeps serving
                log.warning("periodic.failed", job=self.name, error=repr(exc))

    def start(self, app: FastAPI) -> None:
        """Start the loop (from the app's startup hook)."""
        self._task = asyncio.create_task(self._loop(app), name=self.name)

    async def stop(self) -> None:
        """Stop the loop and wait for it (from the app's shutdown hook)."""
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
            self._task = None
