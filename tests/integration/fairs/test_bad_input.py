"""Bad input never reaches a 500: every write endpoint of the fairs API, every field, hostile values."""

from __future__ import annotations

import uuid
from typing import Any

from smefin.auth import Role
from smefin.reference import make_uscc
from tests.integration.fairs.support import events_service, fair_body, ok
from tests.support.infra import Infra
from tests.support.services import bearer

ORG = bearer(Role.ORGANIZER, "org-ordos")
BANK = bearer(Role.BANK, "bank-a")
SME = bearer(Role.SME, "ent-1", make_uscc("150602", "BAD000001"))
HOSTILE: list[Any] = [None, "x" * 5000, -1, 10**20, 1.5, True, [], "2026-13-45T99:00:00Z"]


def bodies(schema: dict[str, Any], components: dict[str, Any]) -> list[Any]:
    """Valid-looking skeletons with one field replaced by each hostile value, plus whole-body garbage."""
    if "$ref" in schema:
        schema = components[schema["$ref"].split("/")[-1]]
    props = schema.get("properties", {})
    out: list[Any] = [{}, [], "text", None, {"unknown": 1}]
    for name in props:
        for value in HOSTILE:
            out.append({name: value})
    return out


async def test_no_write_endpoint_answers_500_to_hostile_input(infra: Infra, topic_prefix: str) -> None:
    async with events_service(infra, topic_prefix) as svc:
        c = svc.client
        fair = ok(await c.post("/api/v1/fairs", json=fair_body(), headers=ORG), 201)
        fid = fair["id"]
        ok(await c.post(f"/api/v1/fairs/{fid}/publish", headers=ORG))
        sme = ok(await c.post(f"/api/v1/fairs/{fid}/registrations", json={}, headers=SME), 201)
        bank = ok(
            await c.post(
                f"/api/v1/fairs/{fid}/registrations",
                json={"tables": 1, "capacity_per_session": 2},
                headers=BANK,
            ),
            201,
        )
        ids = {
            "fair_id": fid,
            "registration_id": bank["id"],
            "request_id": str(uuid.uuid4()),
            "meeting_id": str(uuid.uuid4()),
        }
        ok(
            await c.post(
                f"/api/v1/fairs/{fid}/registrations/{sme['id']}/decision", json={"approve": True}, headers=ORG
            )
        )
        spec = (await c.get("/openapi.json")).json()
        components = spec["components"]["schemas"]
        tried = 0
        for path, ops in spec["paths"].items():
            if not path.startswith("/api/v1/fairs"):
                continue
            url = path.format(**ids)
            for method, op in ops.items():
                if method not in ("post", "patch", "put"):
                    continue
                content = op.get("requestBody", {}).get("content", {}).get("application/json")
                candidates = bodies(content["schema"], components) if content else [None]
                for headers in (ORG, SME, BANK):
                    for body in candidates:
                        r = await c.request(method.upper(), url, json=body, headers=headers)
                        tried += 1
                        assert r.status_code < 500, (method, url, body, r.text)
                    # Not JSON at all.
                    r = await c.request(
                        method.upper(),
                        url,
                        content=b"{not json",
                        headers=headers | {"content-type": "application/json"},
                    )
                    assert r.status_code < 500, (method, url, r.text)
        assert tried > 400, tried
