"""Gateway application: the one front door. It authenticates people (password sessions) and systems
(API keys), forwards each call with a signed internal token naming the principal, protects the
services (rate limits, idempotency keys, size limits, timeouts, circuit breakers) and serves the one
public API document."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

from gateway import docs, site
from gateway.api import api_keys, audit, auth, organisations, reference
from gateway.api.deps import HOW_TO_AUTHENTICATE, NotAuthenticated, authenticate, client_ip
from gateway.domain.accounts import Policy
from gateway.domain.callers import CredentialKind, TooManyRequests
from gateway.protection import IdempotencyRefused, RateLimits, SecurityHeadersMiddleware
from gateway.proxy import PUBLIC_PREFIXES, Forwarder
from gateway.routes import GATEWAY_RESOURCES, ROUTES, service_for
from gateway.settings import Settings
from smefin.db import Database, database_unreachable
from smefin.errors import DomainError, Unauthorized
from smefin.logging import REQUEST_ID_HEADER, configure_logging, get_logger, request_id_var
from smefin.openapi import service_openapi
from smefin.web import (
    BodyGuardMiddleware,
    RequestContextMiddleware,
    database_unavailable_response,
    validation_problem,
)

MIGRATIONS = Path(__file__).parent / "migrations"
log = get_logger("gateway")
# Refusals worth an audit row: who tried what, from where.
AUDITED_STATUSES = frozenset({401, 403, 423, 429})
WWW_AUTHENTICATE = 'Bearer realm="smefin", charset="UTF-8"'


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> JSONResponse:
        body: dict[str, Any] = {"detail": exc.message, "code": exc.code}
        if exc.details is not None:
            body["details"] = jsonable_encoder(exc.details)
        headers: dict[str, str] = {}
        if isinstance(exc, Unauthorized):
            error = "" if isinstance(exc, NotAuthenticated) else ', error="invalid_token"'
            headers["WWW-Authenticate"] = WWW_AUTHENTICATE + error
        if isinstance(exc, TooManyRequests):
            headers["Retry-After"] = str(exc.retry_after)
        audited = exc.status_code in AUDITED_STATUSES or isinstance(exc, IdempotencyRefused)
        if audited and not getattr(request.state, "audited", False):
            forwarder: Forwarder = request.app.state.forwarder
            try:
                await forwarder.audit_refusal(
                    request, getattr(request.state, "caller", None), exc.status_code, exc.message
                )
            except Exception as audit_exc:  # the refusal itself must still reach the caller
                log.warning("audit.failed", error=repr(audit_exc))
        return JSONResponse(body, status_code=exc.status_code, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        return validation_problem(exc)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        # This handler runs outside the request-context middleware: the id is on the request's state.
        rid = getattr(request.state, "request_id", None) or request_id_var.get()
        if database_unreachable(exc):
            return database_unavailable_response(exc, rid)
        log.exception("http.unhandled", error=repr(exc), request_id=rid)
        return JSONResponse(
            {
                "detail": f"internal error; quote request id {rid} when reporting it",
                "code": "internal_error",
                "request_id": rid,
            },
            status_code=500,
            headers={REQUEST_ID_HEADER: rid} if rid else None,
        )


def create_app(
    settings: Settings | None = None, *, mounts: dict[str, httpx.AsyncBaseTransport] | None = None
) -> FastAPI:
    """Build the gateway app (`mounts` lets tests route upstream URLs to in-process apps)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging("gateway", json=settings.log_json)
        db = Database(settings.database_url)
        timeout = httpx.Timeout(
            settings.upstream_timeout_seconds, connect=settings.upstream_connect_timeout_seconds
        )
        pool = httpx.Limits(max_connections=256, max_keepalive_connections=64)
        async with httpx.AsyncClient(timeout=timeout, limits=pool, mounts=mounts) as client:
            app.state.db = db
            app.state.client = client
            app.state.forwarder = Forwarder(settings, client, db, app.state.rate_limits)
            try:
                yield
            finally:
                await db.dispose()

    app = FastAPI(
        title="smefin platform API",
        version="1.0.0",
        description=__doc__,
        lifespan=lifespan,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    # Our error bodies and every status the door answers, as the services document theirs.
    app.openapi = lambda: service_openapi(app)  # type: ignore[method-assign]
    app.state.settings = settings
    app.state.policy = Policy(
        session_ttl=timedelta(minutes=settings.session_ttl_minutes),
        max_failed_logins=settings.max_failed_logins,
        lockout=timedelta(minutes=settings.lockout_minutes),
        invitation_ttl=timedelta(days=settings.invitation_ttl_days),
    )
    app.state.rate_limits = RateLimits(
        {
            "credential": settings.rate_limit_per_credential,
            "address": settings.rate_limit_per_address,
            "login": settings.rate_limit_login,
        },
        settings.redis_url,
    )
    app.add_middleware(BodyGuardMiddleware, max_body_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(RequestContextMiddleware)
    _install_error_handlers(app)

    @app.get("/healthz", tags=["health"], summary="Liveness: the process answers")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": "gateway"}

    @app.get("/readyz", tags=["health"], summary="Ready when its database and every service are ready")
    async def readyz(request: Request) -> JSONResponse:
        client: httpx.AsyncClient = request.app.state.client

        async def probe(name: str, url: str) -> tuple[str, str]:
            try:
                r = await client.get(f"{url}/readyz", timeout=5)
                return name, "ok" if r.status_code == 200 else f"not ready ({r.status_code})"
            except httpx.HTTPError as exc:
                return name, f"unreachable: {type(exc).__name__}"

        async def database() -> tuple[str, str]:
            try:
                await request.app.state.db.ping()
                return "database", "ok"
            except Exception as exc:
                return "database", f"unavailable: {type(exc).__name__}"

        results = dict(await asyncio.gather(*(probe(n, u) for n, u in settings.upstreams().items())))
        checks = dict([await database()])
        ready = all(v == "ok" for v in (results | checks).values())
        return JSONResponse(
            {"status": "ready" if ready else "not ready", "services": results, "checks": checks},
            status_code=200 if ready else 503,
        )

    @app.get("/api/v1", tags=["routing"], summary="The resource → service map")
    async def api_map() -> dict[str, str]:
        return ROUTES | dict.fromkeys(GATEWAY_RESOURCES, "gateway")

    for router in (auth.router, organisations.router, api_keys.router, audit.router, reference.router):
        app.include_router(router)
    docs.install(app)
    site.install(app)

    documented = docs.DocumentedMethods.published()

    @app.api_route(
        "/api/v1/{path:path}",
        methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        include_in_schema=False,
    )
    async def proxy(request: Request, path: str) -> Response:
        service = service_for(request.url.path)
        # The public document is the truth for every route, the gateway's own and the services'.
        allowed = documented.allowed(request.url.path)
        if service is None and allowed is None:
            return JSONResponse(
                {"detail": f"no service serves /api/v1/{path}; GET /api/v1 lists the resources"},
                status_code=404,
            )
        forwarder: Forwarder = request.app.state.forwarder
        limits: RateLimits = request.app.state.rate_limits
        address = client_ip(request) or "unknown"
        caller = None
        if request.url.path.startswith(PUBLIC_PREFIXES):
            await limits.hit("address", address)
        else:
            try:
                caller = await authenticate(request)
            except Unauthorized:
                await limits.hit("address", address)
                raise
            if caller is None:
                await limits.hit("address", address)
                raise NotAuthenticated(f"authentication required: {HOW_TO_AUTHENTICATE}")
            request.state.caller = caller
            if caller.credential != CredentialKind.OPERATOR:
                await limits.hit("address", address)
        if allowed is not None and request.method not in {*allowed, *(["HEAD"] if "GET" in allowed else [])}:
            allow = ", ".join(allowed)
            return JSONResponse(
                {
                    "detail": f"{request.method} is not allowed here; allowed: {allow}",
                    "code": "method_not_allowed",
                },
                status_code=405,
                headers={"Allow": allow},
            )
        if service is None:  # a gateway route's documented method is answered by that route, never here
            return JSONResponse({"detail": f"no route {request.method} /api/v1/{path}"}, status_code=404)
        if caller is not None:
            await forwarder.check(request, caller, path.split("/", 1)[0])
        return await forwarder.forward(request, service, caller)

    return app
