"""Meeting requests hold slots within bank capacity; withdrawals free them; the sweeper settles pending
requests when the window closes (auto-accept here); organizer pins by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from smefin.auth import Role
from smefin.reference import make_uscc
from tests.integration.fairs.support import events_service, fair_body, ok
from tests.support.infra import Infra
from tests.support.services import bearer, eventually

ORG = bearer(Role.ORGANIZER, "org-ordos")
BANK = bearer(Role.BANK, "bank-a")
SMES = {n: bearer(Role.SME, f"ent-{n}", make_uscc("150602", f"RQ000000{n}")) for n in (1, 2, 3)}


async def test_holds_capacity_withdrawals_auto_accept_by_the_sweeper_and_pins(
    infra: Infra, topic_prefix: str
) -> None:
    async with events_service(infra, topic_prefix, expiry_sweep_seconds=0.2) as svc:
        c = svc.client
        close_at = datetime.now(UTC) + timedelta(seconds=6)
        fair = ok(
            await c.post(
                "/api/v1/fairs",
                json=fair_body(auto_accept=True, requests_close_at=close_at.isoformat()),
                headers=ORG,
            ),
            201,
        )
        base = f"/api/v1/fairs/{fair['id']}"
        ok(await c.post(f"{base}/publish", headers=ORG))
        reg: dict[Any, Any] = {}
        for n, h in SMES.items():
            reg[n] = ok(await c.post(f"{base}/registrations", json={}, headers=h), 201)
        # Two tables, but staff for two meetings per session.
        reg["bank"] = ok(
            await c.post(
                f"{base}/registrations", json={"tables": 2, "capacity_per_session": 2}, headers=BANK
            ),
            201,
        )
        for r in reg.values():
            ok(await c.post(f"{base}/registrations/{r['id']}/decision", json={"approve": True}, headers=ORG))

        def to_bank(slot: int) -> dict[str, Any]:
            return {"to_registration_id": reg["bank"]["id"], "slot": slot}

        r1 = ok(await c.post(f"{base}/meeting-requests", json=to_bank(0), headers=SMES[1]), 201)
        r2 = ok(
            await c.post(f"{base}/meeting-requests", json=to_bank(0), headers=SMES[2]), 201
        )  # second table
        again = await c.post(
            f"{base}/meeting-requests", json={"to_registration_id": reg[2]["id"], "slot": 2}, headers=BANK
        )
        assert again.status_code == 409
        assert "already have a meeting or a request" in again.json()["detail"]
        no_staff = await c.post(f"{base}/meeting-requests", json=to_bank(2), headers=SMES[3])
        assert no_staff.status_code == 409
        assert "no capacity left in session 1" in no_staff.json()["detail"]
        # The bank sees both requests it received; an SME only its own.
        assert len(ok(await c.get(f"{base}/meeting-requests", headers=BANK))) == 2
        assert [x["id"] for x in ok(await c.get(f"{base}/meeting-requests", headers=SMES[1]))] == [r1["id"]]
        assert (
            await c.post(f"{base}/meeting-requests/{r2['id']}/withdraw", headers=SMES[1])
        ).status_code == 404
        assert (
            ok(await c.post(f"{base}/meeting-requests/{r2['id']}/withdraw", headers=SMES[2]))["status"]
            == "cancelled"
        )
        r3 = ok(await c.post(f"{base}/meeting-requests", json=to_bank(2), headers=SMES[3]), 201)

        # The organizer pins SME 2 with the bank in session 2; a pin that double-books is refused.
        pin = {"sme_registration_id": reg[2]["id"], "bank_registration_id": reg["bank"]["id"], "slot": 3}
        pinned = ok(await c.post(f"{base}/meetings", json=pin, headers=ORG), 201)
        assert (pinned["source"], pinned["pinned"], pinned["table_no"]) == ("pinned", True, 1)
        clash = await c.post(
            f"{base}/meetings", json=pin | {"sme_registration_id": reg[1]["id"]}, headers=ORG
        )
        # SME 1 already holds a pending request with this bank.
        assert clash.status_code == 409
        assert "this SME and this bank already have a meeting or a request" in clash.json()["detail"]
        assert (await c.post(f"{base}/meetings", json=pin | {"slot": 9}, headers=ORG)).status_code == 422
        assert (await c.post(f"{base}/meetings", json=pin | {"slot": 4}, headers=BANK)).status_code == 403
        assert (await c.delete(f"{base}/meetings/{pinned['id']}", headers=ORG)).status_code == 204

        # SME 3 withdraws: its request lapses and the seat is free again.
        ok(await c.post(f"{base}/registrations/{reg[3]['id']}/withdraw", headers=SMES[3]))
        statuses = {x["id"]: x["status"] for x in ok(await c.get(f"{base}/meeting-requests", headers=ORG))}
        assert statuses == {r1["id"]: "pending", r2["id"]: "cancelled", r3["id"]: "cancelled"}

        # The window closes; the sweeper auto-accepts the pending request into a meeting.
        async def settled() -> Any:
            rows = ok(await c.get(f"{base}/meeting-requests?status=accepted", headers=ORG))
            return rows or None

        assert [x["id"] for x in await eventually(settled, timeout=20)] == [r1["id"]]
        meetings = ok(await c.get(f"{base}/meetings", headers=SMES[1]))
        assert [(m["source"], m["slot"], m["request_id"]) for m in meetings] == [("request", 0, r1["id"])]
        late = await c.post(f"{base}/meeting-requests", json=to_bank(4), headers=SMES[2])
        assert late.status_code == 409
        assert "closed at" in late.json()["detail"]
        # A meeting from a request is the sender's to withdraw, not the organizer's to delete.
        assert (await c.delete(f"{base}/meetings/{meetings[0]['id']}", headers=ORG)).status_code == 409
