"""The committed public documents match what the services and contracts produce now."""

from __future__ import annotations

from gateway.docs import ASYNCAPI_FILE, OPENAPI_FILE, build_asyncapi, build_openapi, render

HOW = "stale: regenerate with `.venv/bin/python -m gateway.docs` and commit gateway/gateway/public/"


def test_openapi_document_is_current_and_complete() -> None:
    fresh = build_openapi()
    assert OPENAPI_FILE.read_text() == render(fresh), HOW
    paths = fresh["paths"]
    # Every service contributes, and the door's own routes are there.
    services = {op["x-service"] for item in paths.values() for op in item.values() if isinstance(op, dict)}
    assert services == {"gateway", "credit-info", "loan-matching", "guarantee-registry"} | (
        {"events"} if "events" in services else set()
    )
    assert {"/api/v1/auth/login", "/api/v1/api-keys", "/api/v1/products", "/api/v1/enterprises"} <= set(paths)
    assert paths["/api/v1/auth/login"]["post"]["security"] == []
    assert "401" in paths["/api/v1/products"]["get"]["responses"]

    # Money is a decimal string, never `number | string`.
    def number_or_string(node: object) -> bool:
        if isinstance(node, dict):
            kinds = {v.get("type") for v in node.get("anyOf", []) if isinstance(v, dict)}
            return {"number", "string"} <= kinds or any(number_or_string(v) for v in node.values())
        return isinstance(node, list) and any(number_or_string(v) for v in node)

    assert not number_or_string(fresh)
    amount = fresh["components"]["schemas"]["ProductCreate"]["properties"]["min_amount"]
    assert amount["type"] == "string"
    assert "pattern" in amount  # the bounds, as the service checks them


def test_asyncapi_document_is_current_and_names_every_contract() -> None:
    from smefin.contracts import EventPayload, enterprises, fairs, financing, guarantees

    fresh = build_asyncapi()
    assert ASYNCAPI_FILE.read_text() == render(fresh), HOW
    expected = {
        f"{cls.event_type}.v{cls.event_version}"
        for module in (enterprises, fairs, financing, guarantees)
        for cls in vars(module).values()
        if isinstance(cls, type)
        and issubclass(cls, EventPayload)
        and cls.__module__ == module.__name__
        and "event_type" in vars(cls)
    }
    assert expected
    assert set(fresh["components"]["messages"]) == expected
