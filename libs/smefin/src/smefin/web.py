"""The application factory every service uses: health, readiness, metrics, errors, request ids,
body limits, and a lifespan that runs the outbox relay and the event consumer."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Annotated, Any

from aiokafka.admin import AIOKafkaAdminClient
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import iter_route_contexts
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    Summary,
    generate_latest,
)
from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from smefin.consumer import EventConsumer, Handler
from smefin.db import Database, database_unreachable
from smefin.errors import DomainError
from smefin.kafka import security_options
from smefin.logging import (
    REQUEST_ID_HEADER,
    configure_logging,
    get_logger,
    new_request_id,
    request_id_var,
)
from smefin.openapi import service_openapi
from smefin.outbox import MessagingTables, Outbox, OutboxRelay
from smefin.settings import ServiceSettings

log = get_logger("smefin.web")

UNTRANSLATABLE_CHARACTER = "22021"  # PostgreSQL: character_not_in_repertoire (a NUL in text)

# Content types a body may have; anything else is a 415 with the list.
ACCEPTED_CONTENT_TYPES = (
    "application/json",
    "multipart/form-data",
    "application/x-www-form-urlencoded",
    "text/csv",
    "application/x-ndjson",
    "application/jsonl",
)


@dataclass
class ServiceSpec:
    """What makes one service different from another; everything else is shared."""

    name: str
    settings: ServiceSettings
    tables: MessagingTables
    routers: Sequence[APIRouter]
    description: str = ""
    handlers: Mapping[str, Handler] = field(default_factory=dict)
    consumed_topics: Sequence[str] = ()
    on_startup: Callable[[FastAPI], Awaitable[None]] | None = None
    on_shutdown: Callable[[FastAPI], Awaitable[None]] | None = None
    openapi_tags: list[dict[str, Any]] | None = None


class RequestContextMiddleware:
    """Carries X-Request-ID through logs and responses, and logs one line per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        rid = (headers.get(REQUEST_ID_HEADER.lower().encode(), b"").decode() or new_request_id())[:128]
        token = request_id_var.set(rid)
        # The 500 handler runs outside this middleware, after the context variable is reset.
        scope.setdefault("state", {})["request_id"] = rid
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"].append((REQUEST_ID_HEADER.encode(), rid.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            path = scope.get("path", "")
            if path not in ("/healthz", "/readyz", "/metrics"):
                log.info(
                    "http.request",
                    method=scope.get("method"),
                    path=path,
                    status=status,
                    ms=round((time.perf_counter() - started) * 1000, 1),
                )
            request_id_var.reset(token)


# The series prometheus-fastapi-instrumentator's default set exposed (dashboards keep their queries).
LATENCY_HIGHR_BUCKETS = (
    *(0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 7.5, 10, 30, 60),
    float("inf"),
)
UNMETERED = frozenset({"/metrics", "/healthz", "/readyz"})


class MetricsMiddleware:
    """Request counts, sizes and latencies per route template, as a pure ASGI middleware.

    The route is read from `scope["route"]`, which the router leaves there, once the answer has gone:
    no second route match, no Request or Response objects per call (what the instrumentator cost).
    """

    def __init__(self, app: ASGIApp, *, registry: CollectorRegistry) -> None:
        self.app = app
        self.total = Counter(
            "http_requests_total",
            "Total number of requests by method, status and handler.",
            ("method", "status", "handler"),
            registry=registry,
        )
        self.in_size = Summary(
            "http_request_size_bytes",
            "Content length of incoming requests by handler.",
            ("handler",),
            registry=registry,
        )
        self.out_size = Summary(
            "http_response_size_bytes",
            "Content length of outgoing responses by handler.",
            ("handler",),
            registry=registry,
        )
        self.highr = Histogram(
            "http_request_duration_highr_seconds",
            "Latency with many buckets but no API specific labels.",
            buckets=LATENCY_HIGHR_BUCKETS,
            registry=registry,
        )
        self.lowr = Histogram(
            "http_request_duration_seconds",
            "Latency with only few buckets by handler.",
            ("method", "handler"),
            buckets=(0.1, 0.5, 1, float("inf")),
            registry=registry,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in UNMETERED:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        out_size = 0

        async def send_counting(message: Message) -> None:
            nonlocal status, out_size
            if message["type"] == "http.response.start":
                status = message["status"]
                for k, v in message.get("headers", ()):
                    if k.lower() == b"content-length" and v.isdigit():
                        out_size = int(v)
            await send(message)

        try:
            await self.app(scope, receive, send_counting)
        finally:
            took = time.perf_counter() - started
            route = scope.get("route")
            handler = getattr(route, "path", None) or "none"
            method = scope.get("method", "")
            in_size = 0
            for k, v in scope.get("headers", ()):
                if k == b"content-length" and v.isdigit():
                    in_size = int(v)
            self.total.labels(method, f"{str(status)[0]}xx", handler).inc()
            self.in_size.labels(handler).observe(in_size)
            self.out_size.labels(handler).observe(out_size)
            self.highr.observe(took)
            self.lowr.labels(method, handler).observe(took)


class BodyGuardMiddleware:
    """Refuses oversized bodies (413) and unsupported content types (415) before any parsing."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (b"%00" in scope.get("query_string", b"") or "\x00" in scope["path"]):
            # PostgreSQL stores no NUL character, and no field of ours means one.
            await _reject(send, 422, "the URL contains a NUL character (%00), which no field accepts")
            return
        if scope["type"] != "http" or scope.get("method") not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        limit = self.max_body_bytes
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            await _reject(send, 413, f"request body is {int(length)} bytes; the limit is {limit}")
            return
        ctype = headers.get(b"content-type", b"").decode().split(";")[0].strip().lower()
        has_body = length not in (None, b"0")
        if has_body and ctype and ctype not in ACCEPTED_CONTENT_TYPES:
            await _reject(
                send,
                415,
                f"content type {ctype!r} is not accepted; use one of {', '.join(ACCEPTED_CONTENT_TYPES)}",
            )
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLarge(limit)
            return message

        try:
            await self.app(scope, counting_receive, send)
        except _BodyTooLarge as exc:
            await _reject(send, 413, f"request body exceeds the limit of {exc.limit} bytes")


class _BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        self.limit = limit


async def _reject(send: Send, status: int, detail: str) -> None:
    body = JSONResponse({"detail": detail}, status_code=status).body
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def kafka_ping(
    bootstrap: str, timeout_ms: int = 3000, security: Mapping[str, Any] | None = None
) -> None:
    """Raise unless the broker answers a metadata request."""
    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap, request_timeout_ms=timeout_ms, **(security or {})
    )
    await admin.start()
    try:
        await admin.list_topics()
    finally:
        await admin.close()


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(_: Request, exc: DomainError) -> JSONResponse:
        body: dict[str, Any] = {"detail": exc.message, "code": exc.code}
        if exc.details is not None:
            body["details"] = jsonable_encoder(exc.details)
        return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            # Starlette names only the first matching route's methods; a client needs them all.
            headers["Allow"] = ", ".join(allowed_methods(request.app, request.scope))
            detail = f"{request.method} is not allowed here; allowed: {headers['Allow']}"
        else:
            detail = str(exc.detail)
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"no route {request.url.path}; the API map is at /docs"
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return JSONResponse({"detail": detail, "code": code}, status_code=exc.status_code, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        allowed = allowed_methods(request.app, request.scope)
        if allowed and request.method not in allowed:
            # A template (`/fairs/{id}`) caught a static path (`/fairs/monitoring`) for a method the
            # static path does not have: the answer is "not allowed here", not "bad id".
            allow = ", ".join(allowed)
            return JSONResponse(
                {
                    "detail": f"{request.method} is not allowed here; allowed: {allow}",
                    "code": "method_not_allowed",
                },
                status_code=405,
                headers={"Allow": allow},
            )
        return validation_problem(exc)

    @app.exception_handler(DBAPIError)
    async def database_error(request: Request, exc: DBAPIError) -> JSONResponse:
        if getattr(exc.orig, "sqlstate", None) == UNTRANSLATABLE_CHARACTER:
            return JSONResponse(
                {
                    "detail": "a text field contains a NUL character (\\u0000), which no field accepts",
                    "code": "invalid_text",
                },
                status_code=422,
            )
        return await unexpected(request, exc)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
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


def validation_problem(exc: RequestValidationError) -> JSONResponse:
    """422 with one `{field, message, type}` per problem and a sentence naming the first five."""
    errors = [
        {
            "field": ".".join(str(p) for p in e.get("loc", ()) if p != "body") or "body",
            "message": str(e.get("msg", "invalid")).removeprefix("Value error, "),
            "type": e.get("type"),
        }
        for e in exc.errors()
    ]
    summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
    return JSONResponse({"detail": f"invalid request: {summary}", "errors": errors}, status_code=422)


def allowed_methods(app: Any, scope: Scope) -> list[str]:
    """The documented methods of the path that routes this URL (HEAD, implied by GET, left out).

    A static path (`/matches/expire-due`) wins over a template that also matches (`/matches/{id}`).
    """
    path = scope.get("path", "")
    by_template: dict[str, set[str]] = {}
    for ctx in iter_route_contexts(app.router.routes):
        route_methods = getattr(ctx.original_route, "methods", None)
        if ctx.path and route_methods and compile_path(ctx.path)[0].fullmatch(path):
            by_template.setdefault(ctx.path, set()).update(route_methods)
    if not by_template:
        return []
    most_specific = min(by_template, key=lambda template: template.count("{"))
    return sorted(by_template[most_specific] - {"HEAD"})


def create_service_app(spec: ServiceSpec) -> FastAPI:
    """Build a service's FastAPI app from its spec."""
    settings = spec.settings

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(spec.name, settings.log_level, settings.log_json)
        db = Database(
            settings.database_url,
            pool_size=settings.database_pool_size,
            max_overflow=settings.database_max_overflow,
        )
        app.state.db = db
        security = security_options(settings)
        tasks: list[asyncio.Task[None]] = []
        relay = OutboxRelay(
            db,
            spec.tables.outbox,
            bootstrap=settings.kafka_bootstrap_servers,
            client_id=f"{spec.name}.relay",
            batch_size=settings.outbox_batch_size,
            poll_seconds=settings.outbox_poll_seconds,
            retention=timedelta(days=settings.outbox_retention_days),
            partitions=settings.topic_partitions,
            topic_prefix=settings.topic_prefix,
            security=security,
        )
        app.state.relay = relay
        consumer = EventConsumer(
            name=spec.name,
            db=db,
            processed_table=spec.tables.processed_events,
            topics=[settings.topic_prefix + t for t in spec.consumed_topics],
            handlers=spec.handlers,
            bootstrap=settings.kafka_bootstrap_servers,
            group_id=settings.consumer_group,
            max_attempts=settings.consumer_max_attempts,
            security=security,
        )
        app.state.consumer = consumer
        if settings.relay_enabled:
            tasks.append(asyncio.create_task(relay.run(), name=f"{spec.name}.relay"))
        if settings.consumers_enabled and spec.consumed_topics and spec.handlers:
            tasks.append(asyncio.create_task(consumer.run(), name=f"{spec.name}.consumer"))
        if spec.on_startup is not None:
            await spec.on_startup(app)
        log.info("service.started", service=spec.name)
        try:
            yield
        finally:
            await relay.stop()
            await consumer.stop()
            # Let the loops finish their batch and close their clients before cancelling them.
            if tasks:
                await asyncio.wait(tasks, timeout=5)
            for task in tasks:
                task.cancel()
                with suppress(asyncio.CancelledError, Exception):
                    await task
            if spec.on_shutdown is not None:
                await spec.on_shutdown(app)
            await db.dispose()
            log.info("service.stopped", service=spec.name)

    app = FastAPI(
        title=f"smefin {spec.name}",
        description=spec.description,
        version="0.1.0",
        lifespan=lifespan,
        openapi_tags=spec.openapi_tags,
    )
    app.openapi = lambda: service_openapi(app)  # type: ignore[method-assign]
    app.state.settings = settings
    app.state.outbox = Outbox(spec.tables.outbox, source=spec.name)
    app.add_middleware(BodyGuardMiddleware, max_body_bytes=settings.max_body_bytes)
    app.add_middleware(RequestContextMiddleware)
    _install_error_handlers(app)

    @app.get("/healthz", tags=["health"], summary="Liveness: the process answers")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": spec.name}

    @app.get("/readyz", tags=["health"], summary="Readiness: database and broker reachable")
    async def readyz(request: Request) -> JSONResponse:
        checks: dict[str, str] = {}
        try:
            await request.app.state.db.ping()
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"unavailable: {type(exc).__name__}"
        try:
            await asyncio.wait_for(
                kafka_ping(settings.kafka_bootstrap_servers, security=security_options(settings)), timeout=4
            )
            checks["broker"] = "ok"
        except Exception as exc:
            checks["broker"] = f"unavailable: {type(exc).__name__}"
        ready = all(v == "ok" for v in checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "not ready", "service": spec.name, "checks": checks},
            status_code=200 if ready else 503,
        )

    for router in spec.routers:
        app.include_router(router)
    registry = CollectorRegistry()
    # Outermost, as the instrumentator was: the latency includes the other middlewares.
    app.add_middleware(MetricsMiddleware, registry=registry)

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return app


def model_response(model: BaseModel, status_code: int = 200) -> Response:
    """An answer already validated as `model`, serialised once: FastAPI would validate it again
    against the route's response_model (which still documents it)."""
    return Response(
        model.__pydantic_serializer__.to_json(model), status_code=status_code, media_type="application/json"
    )


async def session_dependency(request: Request) -> AsyncIterator[AsyncSession]:
    """One unit of work per request: commits after the endpoint returns, rolls back on error."""
    db: Database = request.app.state.db
    async with db.unit_of_work() as session:
        yield session


async def read_session_dependency(request: Request) -> AsyncIterator[AsyncSession]:
    """A read-only session for endpoints that only read: no BEGIN, no COMMIT, a write refused."""
    db: Database = request.app.state.db
    async with db.read_session() as session:
        yield session


async def outbox_dependency(request: Request) -> Outbox:
    """The service's outbox writer."""
    outbox: Outbox = request.app.state.outbox
    return outbox


# scope="function": commit before the response is sent (the default, "request", commits after it
# has gone, so a caller could read its own write as missing, or get a 201 for a write that then fails).
SessionDep = Annotated[AsyncSession, Depends(session_dependency, scope="function")]
ReadSessionDep = Annotated[AsyncSession, Depends(read_session_dependency)]
OutboxDep = Annotated[Outbox, Depends(outbox_dependency)]


def database_unavailable_response(exc: BaseException, rid: str | None) -> JSONResponse:
    """503 with Retry-After, not a 500: the caller may retry (with its Idempotency-Key) in a moment."""
    log.warning("http.database_unavailable", error=repr(exc), request_id=rid)
    headers = {"Retry-After": "2"} | ({REQUEST_ID_HEADER: rid} if rid else {})
    return JSONResponse(
        {
            "detail": "the database is unavailable for a moment; retry in a few seconds",
            "code": "database_unavailable",
            "request_id": rid,
        },
        status_code=503,
        headers=headers,
    )
