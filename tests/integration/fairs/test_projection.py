"""The projection of other services' events drives invitations and recommendations: out-of-order and
duplicate events are harmless, withdrawn requests and declined matches drop out, a declined meeting
request is never recommended again, and a poison event goes to the DLQ while the rest apply."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from aiokafka import AIOKafkaProducer

from smefin.auth import Role
from smefin.contracts import Envelope, EventPayload, Topic, make_envelope
from smefin.contracts.enterprises import EnterpriseRegistered
from smefin.contracts.financing import (
    FinancingRequestSubmitted,
    FinancingRequestWithdrawn,
    MatchProposed,
    OfferDeclined,
)
from smefin.reference import make_uscc
from tests.integration.fairs.support import events_service, fair_body, ok
from tests.support.infra import Infra
from tests.support.services import bearer, eventually

ORG = bearer(Role.ORGANIZER, "org-ordos")
USCC = {n: make_uscc("150602", f"PJ000000{n}") for n in (1, 2, 3)}
SME = {n: bearer(Role.SME, f"ent-{n}", USCC[n]) for n in (1, 2)}
BANK = {b: bearer(Role.BANK, b) for b in ("bank-a", "bank-b")}


async def send(infra: Infra, prefix: str, envelopes: list[Envelope]) -> None:
    """Publish envelopes as the other services' relays would."""
    producer = AIOKafkaProducer(bootstrap_servers=infra.bootstrap, enable_idempotence=False)
    await producer.start()
    try:
        for env in envelopes:
            topic = Topic.ENTERPRISES if env.type.startswith("enterprise") else Topic.FINANCING
            await producer.send_and_wait(
                prefix + topic, env.model_dump_json().encode(), key=env.subject.encode()
            )
    finally:
        await producer.stop()


def env(payload: EventPayload, subject: str) -> Envelope:
    return make_envelope(payload, subject=subject, source="test")


async def test_projection_feeds_invitations_and_the_schedule(infra: Infra, topic_prefix: str) -> None:
    async with events_service(infra, topic_prefix) as svc:
        c = svc.client
        r = {n: uuid.uuid4() for n in (1, 2, 3)}
        m = {k: uuid.uuid4() for k in ("1a", "1b", "2a", "2b", "3a")}
        product = {"bank-a": uuid.uuid4(), "bank-b": uuid.uuid4()}

        def match(key: str, request: int, bank: str, score: str) -> Envelope:
            return env(
                MatchProposed(
                    match_id=m[key],
                    request_id=r[request],
                    product_id=product[bank],
                    bank_org_id=bank,
                    score=Decimal(score),
                    indicative_rate=Decimal("4.35"),
                    model_version="t",
                ),
                str(r[request]),
            )

        def submitted(n: int) -> Envelope:
            return env(
                FinancingRequestSubmitted(
                    request_id=r[n],
                    uscc=USCC[n],
                    amount=Decimal("500000.00"),
                    term_months=12,
                    purpose="流动资金",
                    collateral_available=False,
                ),
                str(r[n]),
            )

        enterprises = [
            env(
                EnterpriseRegistered(
                    uscc=USCC[n],
                    name=f"企业{n}",
                    league_code="150600",
                    industry="C1713",
                    employees=30,
                    revenue=Decimal("2000"),
                    assets=Decimal("1500"),
                    size_class="small",
                ),
                USCC[n],
            )
            for n in (1, 2, 3)
        ]
        duplicate = match("1a", 1, "bank-a", "0.900000")
        poison = Envelope(
            type="match.proposed", source="test", subject="x", payload={"match_id": "not-a-uuid"}
        )
        await send(
            infra,
            topic_prefix,
            [
                *enterprises,
                match("3a", 3, "bank-a", "0.990000"),  # before its request: kept until the request arrives
                submitted(1),
                submitted(2),
                submitted(3),
                duplicate,
                duplicate,  # redelivered: applied once
                match("1b", 1, "bank-b", "0.500000"),
                match("2a", 2, "bank-a", "0.700000"),
                match("2b", 2, "bank-b", "0.600000"),
                poison,
                env(
                    OfferDeclined(request_id=r[2], match_id=m["2b"], bank_org_id="bank-b", reason="no"),
                    str(r[2]),
                ),
                env(FinancingRequestWithdrawn(request_id=r[3], uscc=USCC[3]), str(r[3])),
            ],
        )
        fair = ok(await c.post("/api/v1/fairs", json=fair_body(), headers=ORG), 201)
        base = f"/api/v1/fairs/{fair['id']}"
        ok(await c.post(f"{base}/publish", headers=ORG))

        async def applied() -> Any:
            stats = svc.app.state.consumer.stats
            return stats.dead_lettered == 1 and stats.applied >= 12

        await eventually(applied)
        assert svc.app.state.consumer.stats.duplicates == 1
        invited = {i["participant_id"]: i for i in ok(await c.post(f"{base}/invitations", headers=ORG))}
        # SME 3 withdrew its request; bank-b's declined match no longer counts.
        assert set(invited) == {USCC[1], USCC[2], "bank-a", "bank-b"}
        assert (invited[USCC[2]]["matches"], invited["bank-b"]["matches"]) == (1, 1)
        assert Decimal(invited["bank-a"]["best_score"]) == Decimal("0.9")

        reg: dict[Any, Any] = {}
        for n, h in SME.items():
            reg[n] = ok(await c.post(f"{base}/registrations", json={}, headers=h), 201)
        for b, h in BANK.items():
            reg[b] = ok(
                await c.post(
                    f"{base}/registrations", json={"tables": 1, "capacity_per_session": 3}, headers=h
                ),
                201,
            )
        for x in reg.values():
            ok(await c.post(f"{base}/registrations/{x['id']}/decision", json={"approve": True}, headers=ORG))
        req = ok(
            await c.post(
                f"{base}/meeting-requests",
                json={"to_registration_id": reg["bank-a"]["id"], "slot": 0},
                headers=SME[2],
            ),
            201,
        )
        ok(await c.post(f"{base}/meeting-requests/{req['id']}/decline", headers=BANK["bank-a"]))

        run = ok(await c.post(f"{base}/schedule", json={}, headers=ORG), 201)
        meetings = ok(await c.get(f"{base}/meetings", headers=ORG))
        # SME 2 declined by bank-a, and bank-b declined SME 2's match: only SME 1's two pairs remain.
        assert sorted((x["uscc"], x["bank_org_id"], x["match_id"]) for x in meetings) == [
            (USCC[1], "bank-a", str(m["1a"])),
            (USCC[1], "bank-b", str(m["1b"])),
        ]
        assert run["objective"] == run["bound"] == 1.4
