"""Gateway application: a streaming pass-through to the services, and a readiness view of them all."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.background import BackgroundTask
from starlette.responses import StreamingResponse

from gateway.routes import ROUTES, service_for
from gateway.settings import Settings
from smefin.logging import REQUEST_ID_HEADER, configure_logging, current_request_id
from smefin.web import RequestContextMiddleware

# Hop-by-hop headers never cross a proxy (RFC 9110 §7.6.1).
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
}


def create_app(
    settings: Settings | None = None, *, mounts: dict[str, httpx.AsyncBaseTransport] | None = None
) -> FastAPI:
    """Build the gateway app (`mounts` lets tests route upstream URLs to in-process apps)."""
    settings = settings or Settings()
    upstreams = settings.upstreams()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging("gateway", json=settings.log_json)
        async with httpx.AsyncClient(timeout=settings.upstream_timeout_seconds, mounts=mounts) as client:
            app.state.client = client
            yield

    app = FastAPI(title="smefin gateway", version="0.1.0", lifespan=lifespan)
    app.add_middleware(RequestContextMiddleware)

    @app.get("/healthz", tags=["health"])
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": "gateway"}

    @app.get("/readyz", tags=["health"], summary="Ready when every service is ready")
    async def readyz(request: Request) -> JSONResponse:
        client: httpx.AsyncClient = request.app.state.client

        async def probe(name: str, url: str) -> tuple[str, str]:
            try:
                r = await client.get(f"{url}/readyz", timeout=5)
                return name, "ok" if r.status_code == 200 else f"not ready ({r.status_code})"
            except httpx.HTTPError as exc:
                return name, f"unreachable: {type(exc).__name__}"

        results = dict(await asyncio.gather(*(probe(n, u) for n, u in upstreams.items())))
        ready = all(v == "ok" for v in results.values())
        return JSONResponse(
            {"status": "ready" if ready else "not ready", "services": results},
            status_code=200 if ready else 503,
        )

    @app.get("/api/v1", tags=["routing"], summary="The resource → service map")
    async def api_map() -> dict[str, str]:
        return ROUTES

    @app.api_route(
        "/api/v1/{path:path}",
        methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        include_in_schema=False,
    )
    async def proxy(request: Request, path: str) -> Response:
        service = service_for(request.url.path)
        if service is None:
            return JSONResponse(
                {"detail": f"no service serves /api/v1/{path}; GET /api/v1 lists the resources"},
                status_code=404,
            )
        client: httpx.AsyncClient = request.app.state.client
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
        if (rid := current_request_id()) is not None:
            headers[REQUEST_ID_HEADER] = rid
        upstream = client.build_request(
            request.method,
            f"{upstreams[service]}{request.url.path}",
            params=request.query_params,
            headers=headers,
            content=request.stream(),
        )
        try:
            response = await client.send(upstream, stream=True)
        except httpx.HTTPError as exc:
            return JSONResponse(
                {"detail": f"{service} is unavailable ({type(exc).__name__}); try again shortly"},
                status_code=503,
            )
        return StreamingResponse(
            response.aiter_raw(),
            status_code=response.status_code,
            # The request id is set once, by our own middleware.
            headers={
                k: v
                for k, v in response.headers.items()
                if k.lower() not in HOP_BY_HOP and k.lower() != REQUEST_ID_HEADER.lower()
            },
            background=BackgroundTask(response.aclose),
        )

    return app
