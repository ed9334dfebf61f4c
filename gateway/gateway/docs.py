"""The one public API document: the services' OpenAPI documents merged with the gateway's own, with
the door's security schemes and error answers, plus an AsyncAPI document of every event contract.

Both are generated at build time (`python -m gateway.docs`) into `gateway/public/` and served from
there, so the gateway needs no service at start-up; a test regenerates them and fails when stale.
"""

from __future__ import annotations

import argparse
import copy
import importlib
import json
import sys
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from gateway.routes import ROUTES

PUBLIC_DIR = Path(__file__).parent / "public"
OPENAPI_FILE = PUBLIC_DIR / "openapi.json"
ASYNCAPI_FILE = PUBLIC_DIR / "asyncapi.json"
# service name → package whose create_app() yields its document
SERVICE_PACKAGES = {
    "credit-info": "credit_info",
    "loan-matching": "loan_matching",
    "guarantee-registry": "guarantee_registry",
    "events": "fairs",
}
# Gateway routes anyone may call.
PUBLIC_OPERATIONS = {
    ("post", "/api/v1/auth/login"),
    ("post", "/api/v1/signup"),
    ("post", "/api/v1/invitations/accept"),
}
PUBLIC_PATH_PREFIXES = ("/api/v1/reference/", "/api/v1/previews/public")
SECURITY_SCHEMES = {
    "apiKey": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "smk_<id>_<secret>",
        "description": "An API key of a bank or guarantor system (created by its admin at POST /api/v1/api-keys).",
    },
    "accessToken": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "sms_<token>",
        "description": "The access_token of a password login (POST /api/v1/auth/login); short-lived.",
    },
    "sessionCookie": {
        "type": "apiKey",
        "in": "cookie",
        "name": "smefin_session",
        "description": "The HttpOnly session cookie the same login sets for the web site.",
    },
}
ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "required": ["detail"],
    "properties": {
        "detail": {"type": "string", "description": "What went wrong and what to do about it"},
        "code": {"type": "string", "description": "A stable machine-readable code"},
    },
}
DOOR_RESPONSES = {
    "401": "Not authenticated, or the credential is unknown, expired or revoked",
    "403": "Authenticated, but not allowed (role, organisation or API key scope)",
    "429": "Rate limit reached; see Retry-After",
    "503": "The service is unavailable; try again shortly",
}
IDEMPOTENCY_PARAMETER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Send the same key to retry a creating POST safely: the first answer is replayed for 24 h; "
    "the same key with another body is refused with 422.",
    "schema": {"type": "string", "minLength": 8, "maxLength": 255, "pattern": "^[A-Za-z0-9_.:-]+$"},
}
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


def _rewrite_refs(node: Any, renames: dict[str, str]) -> Any:
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str) and v.startswith("#/components/schemas/"):
                name = v.removeprefix("#/components/schemas/")
                out[k] = f"#/components/schemas/{renames.get(name, name)}"
            else:
                out[k] = _rewrite_refs(v, renames)
        return out
    if isinstance(node, list):
        return [_rewrite_refs(v, renames) for v in node]
    return node


DECIMAL_STRING = {"type": "string", "format": "decimal", "pattern": r"^-?\d+(\.\d+)?$"}


def _is_number(node: Any) -> bool:
    return isinstance(node, dict) and node.get("type") == "number"


def _decimal_strings(node: Any) -> Any:
    """Pydantic documents a Decimal input as `number | string`; integrators want one type: a
    decimal string (what every answer carries). Bounds move into the description."""
    if isinstance(node, list):
        return [_decimal_strings(v) for v in node]
    if not isinstance(node, dict):
        return node
    node = {k: _decimal_strings(v) for k, v in node.items()}
    variants = node.get("anyOf")
    if isinstance(variants, list):
        numbers = [v for v in variants if _is_number(v)]
        strings = [v for v in variants if isinstance(v, dict) and v.get("type") == "string"]
        if len(numbers) == 1 and len(strings) == 1:
            bounds = [
                f"{k} {numbers[0][k]}" for k in ("minimum", "exclusiveMinimum", "maximum") if k in numbers[0]
            ]
            decimal = dict(DECIMAL_STRING)
            if bounds:
                decimal["description"] = "decimal string; " + ", ".join(bounds)
            rest = [v for v in variants if v is not numbers[0] and v is not strings[0]]
            node.pop("anyOf")
            if rest:
                node["anyOf"] = [decimal, *rest]
            else:
                node = decimal | node
    return node


def _prefix(source: str) -> str:
    return "".join(part.capitalize() for part in source.replace("_", "-").split("-"))


def merge(gateway_doc: dict[str, Any], service_docs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """One document of every public /api/v1 route: the gateway's own and each service's resources."""
    schemas: dict[str, Any] = {"Error": ERROR_SCHEMA}
    paths: dict[str, Any] = {}
    tags: dict[str, dict[str, Any]] = {}
    for source, doc in [("gateway", gateway_doc), *sorted(service_docs.items())]:
        theirs: dict[str, Any] = doc.get("components", {}).get("schemas", {})
        renames = {
            name: f"{_prefix(source)}{name}"
            for name, s in theirs.items()
            if name in schemas and schemas[name] != s
        }
        for name, schema in theirs.items():
            schemas[renames.get(name, name)] = _rewrite_refs(schema, renames)
        for tag in doc.get("tags", []):
            tags.setdefault(tag["name"], tag)
        for path, item in sorted(doc.get("paths", {}).items()):
            if not path.startswith("/api/v1/"):
                continue
            resource = path.split("/")[3]
            if source != "gateway" and ROUTES.get(resource) != source:
                continue
            item = _rewrite_refs(copy.deepcopy(item), renames)
            for method in METHODS:
                op = item.get(method)
                if op is None:
                    continue
                op.setdefault("tags", [resource])
                op["x-service"] = source
                public = (method, path) in PUBLIC_OPERATIONS or path.startswith(PUBLIC_PATH_PREFIXES)
                responses = op.setdefault("responses", {})
                if public:
                    op["security"] = []
                    # The door's per-address and login limits apply to the open routes too.
                    for status in ("429", "503"):
                        responses.setdefault(
                            status,
                            {
                                "description": DOOR_RESPONSES[status],
                                "content": {
                                    "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                                },
                            },
                        )
                else:
                    for status, description in DOOR_RESPONSES.items():
                        responses.setdefault(
                            status,
                            {
                                "description": description,
                                "content": {
                                    "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                                },
                            },
                        )
                # Only forwarded POSTs replay a key; the door's own (one-time secrets) ignore it.
                if method == "post" and not public and source != "gateway":
                    params = op.setdefault("parameters", [])
                    if not any(p.get("name") == "Idempotency-Key" for p in params):
                        params.append(IDEMPOTENCY_PARAMETER)
            paths[path] = item
    merged: dict[str, Any] = _decimal_strings(
        {
            "openapi": "3.1.0",
            "info": {
                "title": "smefin platform API",
                "version": "1.0.0",
                "description": "The SME financing matchmaking platform of Inner Mongolia, behind one gateway. "
                "Banks and guarantee companies call it with API keys; people log in with a password. "
                "Money amounts are decimal strings in yuan with two decimals.",
            },
            "servers": [{"url": "/"}],
            "security": [{"apiKey": []}, {"accessToken": []}, {"sessionCookie": []}],
            "tags": sorted(tags.values(), key=lambda t: str(t["name"])),
            "paths": dict(sorted(paths.items())),
            "components": {"schemas": dict(sorted(schemas.items())), "securitySchemes": SECURITY_SCHEMES},
        }
    )
    return merged


class DocumentedMethods:
    """Which methods the public document lists for a path, so the door answers 405 with a true `Allow`."""

    def __init__(self, document: dict[str, Any]) -> None:
        from starlette.routing import compile_path

        self.templates = [
            (compile_path(path)[0], path.count("{"), sorted(m.upper() for m in item if m in METHODS))
            for path, item in document.get("paths", {}).items()
        ]

    @classmethod
    def published(cls) -> DocumentedMethods:
        """From the committed document (empty when it was never generated)."""
        try:
            return cls(json.loads(OPENAPI_FILE.read_text()))
        except FileNotFoundError:
            return cls({})

    def allowed(self, path: str) -> list[str] | None:
        """The methods of the most specific documented template matching `path`; None if none does."""
        matches = [(braces, methods) for regex, braces, methods in self.templates if regex.fullmatch(path)]
        return min(matches)[1] if matches else None


def service_documents() -> dict[str, dict[str, Any]]:
    """Each service's OpenAPI document, from its own app factory (no database needed)."""
    docs: dict[str, dict[str, Any]] = {}
    for name, package in SERVICE_PACKAGES.items():
        module = importlib.import_module(f"{package}.main")
        settings = importlib.import_module(f"{package}.settings").Settings(environment="test")
        docs[name] = module.create_app(settings).openapi()
    return docs


def build_openapi() -> dict[str, Any]:
    """The merged public document, freshly generated."""
    from gateway.main import create_app
    from gateway.settings import Settings

    return merge(create_app(Settings(environment="test")).openapi(), service_documents())


def published_contracts() -> dict[tuple[str, int], Any]:
    """The platform's contracts: those defined in smefin.contracts (tests register their own too)."""
    from smefin.contracts import registered_contracts

    return {k: c for k, c in registered_contracts().items() if c.__module__.startswith("smefin.contracts.")}


def build_asyncapi() -> dict[str, Any]:
    """AsyncAPI 3.0 of every event contract in smefin.contracts: one channel per topic."""
    from smefin.contracts import Envelope

    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    envelope = Envelope.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas["Envelope"] = {k: v for k, v in envelope.items() if k != "$defs"}
    schemas.update(envelope.get("$defs", {}))
    for (type_, version), cls in sorted(published_contracts().items()):
        name = f"{type_}.v{version}"
        payload = cls.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(payload.pop("$defs", {}))
        schemas[name] = payload
        messages[name] = {
            "name": type_,
            "title": f"{type_} v{version}",
            "summary": (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else type_,
            "contentType": "application/json",
            "headers": {"type": "object", "properties": {"x-request-id": {"type": "string"}}},
            "payload": {
                "allOf": [
                    {"$ref": "#/components/schemas/Envelope"},
                    {
                        "type": "object",
                        "properties": {
                            "type": {"const": type_},
                            "version": {"const": version},
                            "payload": {"$ref": f"#/components/schemas/{name}"},
                        },
                    },
                ]
            },
        }
        channel = channels.setdefault(
            cls.topic,
            {
                "address": cls.topic,
                "description": f"Kafka topic {cls.topic} (key: the subject)",
                "messages": {},
            },
        )
        channel["messages"][name] = {"$ref": f"#/components/messages/{name}"}
    for topic, channel in channels.items():
        operations[f"publish.{topic}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{topic}"},
            "messages": [{"$ref": f"#/channels/{topic}/messages/{m}"} for m in channel["messages"]],
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "smefin platform events",
            "version": "1.0.0",
            "description": "Every event the services publish, in one envelope; contracts change additively, "
            "a breaking change is a new version. Each topic has a .dlq twin.",
        },
        "defaultContentType": "application/json",
        "channels": dict(sorted(channels.items())),
        "operations": dict(sorted(operations.items())),
        "components": {"messages": dict(sorted(messages.items())), "schemas": dict(sorted(schemas.items()))},
    }


def render(doc: dict[str, Any]) -> str:
    """The committed form of a document: stable key order, trailing newline."""
    return json.dumps(doc, indent=1, ensure_ascii=False, sort_keys=False) + "\n"


def install(app: FastAPI) -> None:
    """Serve /openapi.json, /asyncapi.json and /docs (Swagger UI from vendored files, no CDN)."""
    import fastapi_offline

    static = Path(fastapi_offline.__file__).parent / "static"
    app.mount("/static/docs", StaticFiles(directory=static), name="docs-static")

    def load(path: Path) -> dict[str, Any]:
        try:
            return dict(json.loads(path.read_text()))
        except FileNotFoundError:
            return {"detail": f"{path.name} not generated; run python -m gateway.docs"}

    @app.get("/openapi.json", include_in_schema=False)
    async def openapi() -> JSONResponse:
        return JSONResponse(load(OPENAPI_FILE))

    @app.get("/asyncapi.json", include_in_schema=False)
    async def asyncapi() -> JSONResponse:
        return JSONResponse(load(ASYNCAPI_FILE))

    @app.get("/docs", include_in_schema=False)
    async def swagger() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="smefin platform API",
            swagger_js_url="/static/docs/swagger-ui-bundle.js",
            swagger_css_url="/static/docs/swagger-ui.css",
            swagger_favicon_url="/static/docs/favicon.png",
        )


def main(argv: list[str] | None = None) -> None:
    """python -m gateway.docs [--check]: write (or check) the public documents."""
    parser = argparse.ArgumentParser(prog="python -m gateway.docs")
    parser.add_argument("--check", action="store_true", help="exit 1 when the committed documents are stale")
    args = parser.parse_args(argv)
    stale = []
    for path, doc in ((OPENAPI_FILE, build_openapi()), (ASYNCAPI_FILE, build_asyncapi())):
        text = render(doc)
        if args.check:
            if not path.exists() or path.read_text() != text:
                stale.append(path.name)
        else:
            PUBLIC_DIR.mkdir(exist_ok=True)
            path.write_text(text)
            print(f"wrote {path}")
    if stale:
        print(f"stale: {', '.join(stale)}; run python -m gateway.docs", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
