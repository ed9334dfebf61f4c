"""The services' OpenAPI documents say what the services do: our error bodies, every status they
answer, and the bearer token they need — so a client generated from a document does not raise on a
documented answer."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts

from smefin.auth import current_principal
from smefin.schemas import FieldError, Problem, ValidationProblem

SECURITY_SCHEME = "internalToken"
_ERRORS: dict[str, str] = {
    "400": "The request breaks a business rule",
    "401": "No valid bearer token",
    "403": "The caller may not do this",
    "404": "No such object, or not the caller's to see",
    "409": "The request clashes with the object's current state",
}
_BODY_ERRORS: dict[str, str] = {
    "413": "The body is larger than the service accepts",
    "415": "The body's content type is not accepted",
}


def _needs_principal(dependant: Dependant) -> bool:
    return any(d.call is current_principal or _needs_principal(d) for d in dependant.dependencies)


def _problem(description: str, ref: str = "Problem") -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
    }


def service_openapi(app: FastAPI) -> dict[str, Any]:
    """Build (once) the document FastAPI would, corrected to match what the service answers."""
    if app.openapi_schema:
        return app.openapi_schema
    doc = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
        tags=app.openapi_tags,
    )
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    for model in (FieldError, Problem, ValidationProblem):
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    doc["components"]["securitySchemes"] = {
        SECURITY_SCHEME: {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "The signed internal token the gateway issues for the authenticated caller",
        }
    }
    secured = {
        (ctx.path_format, method.lower())
        for ctx in iter_route_contexts(app.routes)
        if isinstance(ctx.original_route, APIRoute) and _needs_principal(ctx.original_route.dependant)
        for method in ctx.original_route.methods or ()
    }
    for path, operations in doc.get("paths", {}).items():
        for method, op in operations.items():
            responses = op.setdefault("responses", {})
            responses["422"] = _problem("The request does not fit the schema", "ValidationProblem")
            errors = dict(_ERRORS)
            if (path, method) not in secured:
                errors.pop("401")
                errors.pop("403")
            else:
                op["security"] = [{SECURITY_SCHEME: []}]
            if "requestBody" in op:
                errors.update(_BODY_ERRORS)
            for status, description in errors.items():
                responses.setdefault(status, _problem(description))
    app.openapi_schema = doc
    return doc


def text_body(examples: dict[str, str], description: str) -> dict[str, Any]:
    """`openapi_extra` for an endpoint that reads a CSV or JSON-lines file as its raw body."""
    return {
        "requestBody": {
            "required": True,
            "description": description,
            "content": {
                ctype: {"schema": {"type": "string"}, "example": ex} for ctype, ex in examples.items()
            },
        }
    }
