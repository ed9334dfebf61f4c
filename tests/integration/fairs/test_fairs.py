"""Fairs by their organizer: draft, edit, publish (fair.published), cancel; bounds and refusals."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from smefin.auth import Role
from tests.integration.fairs.support import day, events_service, fair_body, fair_events, ok
from tests.support.infra import Infra
from tests.support.services import bearer

ORG_A = bearer(Role.ORGANIZER, "org-ordos")
ORG_B = bearer(Role.ORGANIZER, "org-hohhot")
SME = bearer(Role.SME, "ent-1", "91150602MA0N00001X")
OFFICE = bearer(Role.OFFICE, "office-1")


async def test_organizer_drafts_edits_publishes_and_cancels_with_refusals(
    infra: Infra, topic_prefix: str
) -> None:
    async with events_service(infra, topic_prefix) as svc:
        c = svc.client
        fair = ok(await c.post("/api/v1/fairs", json=fair_body(), headers=ORG_A), 201)
        fid = fair["id"]
        assert fair["status"] == "draft"
        assert [s["session"] for s in fair["slots"]] == [0, 0, 0, 1, 1, 1]
        assert fair["starts_at"] == fair_body()["sessions"][0]["starts_at"].replace("+00:00", "Z")

        # Bad input: a clear 422 naming the problem, nothing created.
        d = day()
        bad: list[tuple[dict[str, Any], str]] = [
            ({"slot_minutes": 25}, "slot_minutes"),
            ({"tables": 0}, "tables"),
            ({"name": "x" * 201}, "name"),
            ({"league_codes": ["159900"]}, "not an Inner Mongolia league"),
            ({"league_codes": ["110000"]}, "league_codes"),
            ({"venue": None}, "venue or an online link"),
            ({"colour": "red"}, "colour"),
            ({"tables": "10"}, "tables"),
            (
                {
                    "sessions": [
                        {
                            "starts_at": (d - timedelta(days=20)).isoformat(),
                            "ends_at": (d - timedelta(days=20, hours=-1)).isoformat(),
                        }
                    ]
                },
                "past",
            ),
            (
                {
                    "sessions": [
                        {
                            "starts_at": (d + timedelta(hours=1)).isoformat(),
                            "ends_at": (d + timedelta(hours=3)).isoformat(),
                        },
                        {
                            "starts_at": (d + timedelta(hours=2)).isoformat(),
                            "ends_at": (d + timedelta(hours=4)).isoformat(),
                        },
                    ]
                },
                "starts before session 1 ends",
            ),
            (
                {"sessions": [{"starts_at": "2030-01-01T10:00:00", "ends_at": "2030-01-01T11:00:00"}]},
                "timezone",
            ),
            (
                {
                    "sessions": [
                        {
                            "starts_at": (d + timedelta(hours=1)).isoformat(),
                            "ends_at": (d + timedelta(hours=1, minutes=10)).isoformat(),
                        }
                    ]
                },
                "shorter than one",
            ),
            ({"requests_close_at": (d + timedelta(days=3)).isoformat()}, "requests_close_at"),
        ]
        for change, words in bad:
            r = await c.post("/api/v1/fairs", json=fair_body(**change), headers=ORG_A)
            assert r.status_code == 422, (change, r.text)
            assert words in r.text, (change, r.text)
        # Only organizers create fairs.
        assert (await c.post("/api/v1/fairs", json=fair_body(), headers=SME)).status_code == 403
        assert len(ok(await c.get("/api/v1/fairs", headers=ORG_A))) == 1

        # A draft is private to its organizer.
        assert (await c.get(f"/api/v1/fairs/{fid}", headers=ORG_B)).status_code == 404
        assert (await c.get(f"/api/v1/fairs/{fid}", headers=SME)).status_code == 404
        assert ok(await c.get("/api/v1/fairs", headers=ORG_B)) == []
        assert (
            await c.patch(f"/api/v1/fairs/{fid}", json={"name": "mine"}, headers=ORG_B)
        ).status_code == 404
        assert (await c.post(f"/api/v1/fairs/{fid}/publish", headers=ORG_B)).status_code == 404

        # Edit while draft; a bad edit changes nothing.
        edited = ok(
            await c.patch(
                f"/api/v1/fairs/{fid}",
                json={"name": "春季银企对接会", "tables": 12, "slot_minutes": 30},
                headers=ORG_A,
            )
        )
        assert (edited["name"], edited["tables"], len(edited["slots"])) == ("春季银企对接会", 12, 4)
        r = await c.patch(f"/api/v1/fairs/{fid}", json={"league_codes": ["150600", "159900"]}, headers=ORG_A)
        assert r.status_code == 422
        assert ok(await c.get(f"/api/v1/fairs/{fid}", headers=ORG_A))["league_codes"] == ["150600"]
        r = await c.patch(f"/api/v1/fairs/{fid}", json={"organizer_org_id": "org-hohhot"}, headers=ORG_A)
        assert r.status_code == 422

        published = ok(await c.post(f"/api/v1/fairs/{fid}/publish", headers=ORG_A))
        assert published["status"] == "published"
        assert (await c.post(f"/api/v1/fairs/{fid}/publish", headers=ORG_A)).status_code == 409
        r = await c.patch(f"/api/v1/fairs/{fid}", json={"name": "late"}, headers=ORG_A)
        assert r.status_code == 409
        assert "only a draft" in r.json()["detail"]

        # Announced: everyone sees it; another organizer still cannot touch it (403 now, it is public).
        assert ok(await c.get(f"/api/v1/fairs/{fid}", headers=SME))["name"] == "春季银企对接会"
        assert [f["id"] for f in ok(await c.get("/api/v1/fairs?league_code=150600", headers=SME))] == [fid]
        assert ok(await c.get("/api/v1/fairs?league_code=150100", headers=SME)) == []
        assert (await c.post(f"/api/v1/fairs/{fid}/cancel", headers=ORG_B)).status_code == 403
        assert (await c.get("/api/v1/fairs?league_code=1506", headers=SME)).status_code == 422
        assert (await c.get("/api/v1/fairs?limit=100000", headers=SME)).status_code == 422
        assert (await c.get("/api/v1/fairs/not-a-uuid", headers=SME)).status_code == 422
        assert (await c.get("/api/v1/fairs", headers={})).status_code == 401

        events = await fair_events(infra, topic_prefix, 1)
        assert [(e["type"], e["payload"]["fair_id"], e["payload"]["league_codes"]) for e in events] == [
            ("fair.published", fid, ["150600"])
        ]

        # Closing as held needs a final schedule; cancelling works once.
        assert (await c.post(f"/api/v1/fairs/{fid}/close", headers=ORG_A)).status_code == 409
        assert ok(await c.post(f"/api/v1/fairs/{fid}/cancel", headers=ORG_A))["status"] == "cancelled"
        assert (await c.post(f"/api/v1/fairs/{fid}/cancel", headers=ORG_A)).status_code == 409
        assert (await c.get(f"/api/v1/fairs/{fid}", headers=SME)).status_code == 404

        # Monitoring: the office sees every league; an SME may not.
        rows = ok(await c.get("/api/v1/fairs/monitoring", headers=OFFICE))
        assert len(rows) == 12
        assert all(r["fairs_held"] == 0 and r["target"] == 2 and not r["target_met"] for r in rows)
        assert (await c.get("/api/v1/fairs/monitoring", headers=SME)).status_code == 403
        assert (await c.get("/api/v1/fairs/monitoring?year=1900", headers=OFFICE)).status_code == 422
        csv_text = (await c.get("/api/v1/fairs/monitoring.csv", headers=OFFICE)).text
        assert csv_text.splitlines()[0].startswith("league_code,league_name,year,fairs_held")
