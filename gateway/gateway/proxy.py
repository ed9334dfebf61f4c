"""Forwarding a caller's request to the owning service with the signed internal token.

One pooled httpx client for the process; upstream timeouts; one retry for idempotent reads that could
not reach the service; a circuit breaker per service; Idempotency-Key replay for creating POSTs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

import httpx
from fastapi import Request
from fastapi.responses import JSONResponse, Response
from starlette.background import BackgroundTask
from starlette.responses import StreamingResponse

from gateway.db import repositories as repo
from gateway.domain.audit import AuditKind, record
from gateway.domain.callers import Caller, CredentialKind
from gateway.domain.scopes import allows, needed_scope
from gateway.protection import (
    IDEMPOTENCY_HEADER,
    CircuitBreaker,
    IdempotencyRefused,
    RateLimits,
    checked_idempotency_key,
    request_fingerprint,
)
from gateway.settings import Settings
from smefin.auth import Principal, issue_internal_token
from smefin.db import Database, utcnow
from smefin.errors import Conflict, Forbidden, Unprocessable
from smefin.logging import REQUEST_ID_HEADER, current_request_id

# Hop-by-hop headers never cross a proxy (RFC 9110 §7.6.1); credentials stay at the door.
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
NOT_FORWARDED = HOP_BY_HOP | {"authorization", "cookie", "x-api-key", IDEMPOTENCY_HEADER}
READS = frozenset({"GET", "HEAD", "OPTIONS"})
# Could not reach the service at all: safe to retry a read once.
RETRYABLE = (httpx.ConnectError, httpx.ConnectTimeout, httpx.RemoteProtocolError, httpx.ReadError)
UNAVAILABLE = frozenset({502, 503, 504})
PUBLIC_PREFIXES = ("/api/v1/reference/", "/api/v1/previews/public")
REPLAYED_HEADER = "Idempotent-Replayed"
TOKEN_CACHE_SIZE = 4096
# Answers up to this size with a Content-Length are relayed whole; larger or open-ended ones stream.
BUFFERED_BODY_BYTES = 256 * 1024


@dataclass
class Upstream:
    """One service: its base URL and its breaker."""

    name: str
    url: str
    breaker: CircuitBreaker


class Forwarder:
    """The proxy half of the gateway."""

    def __init__(
        self, settings: Settings, client: httpx.AsyncClient, db: Database, limits: RateLimits
    ) -> None:
        self.settings = settings
        self.client = client
        self.db = db
        self.limits = limits
        self.upstreams = {
            name: Upstream(
                name, url, CircuitBreaker(settings.breaker_failures, settings.breaker_reset_seconds)
            )
            for name, url in settings.upstreams().items()
        }
        self._tokens: dict[Principal, tuple[str, float]] = {}

    async def check(self, request: Request, caller: Caller, resource: str) -> None:
        """Rate limits and API key scope; raises the refusal."""
        if caller.credential != CredentialKind.OPERATOR:
            await self.limits.hit("credential", f"{caller.credential.value}:{caller.credential_id}")
        if caller.scopes is not None:
            needed = needed_scope(request.method, resource)
            if needed is None or not allows(caller.scopes, needed):
                have = ", ".join(caller.scopes) or "none"
                raise Forbidden(
                    f"this API key's scopes ({have}) do not allow {request.method} /api/v1/{resource}; "
                    f"it needs {needed or 'a password login'}"
                )

    def internal_token(self, principal: Principal) -> str:
        """A signed token for `principal`, reused while it has more than half its life left: one
        signature per caller every TTL/2 here, and the services verify a token they have seen once."""
        now = time.monotonic()
        cached = self._tokens.get(principal)
        if cached is not None and now < cached[1]:
            return cached[0]
        ttl = self.settings.internal_token_ttl_seconds
        token = issue_internal_token(
            principal, self.settings.internal_token_secret, ttl=timedelta(seconds=ttl)
        )
        if len(self._tokens) >= TOKEN_CACHE_SIZE:
            self._tokens.clear()
        self._tokens[principal] = (token, now + ttl / 2)
        return token

    def headers_for(self, request: Request, caller: Caller | None) -> dict[str, str]:
        """The request's headers as the service receives them: our token, never the caller's secrets."""
        headers = {k: v for k, v in request.headers.items() if k.lower() not in NOT_FORWARDED}
        if caller is not None:
            headers["authorization"] = f"Bearer {self.internal_token(caller.principal)}"
        if (rid := current_request_id()) is not None:
            headers[REQUEST_ID_HEADER] = rid
        return headers

    async def forward(self, request: Request, service: str, caller: Caller | None) -> Response:
        """Send the request on; idempotent replay for keyed POSTs."""
        upstream = self.upstreams[service]
        if (wait := upstream.breaker.retry_after()) is not None:
            return JSONResponse(
                {
                    "detail": f"{service} is unavailable (recent calls failed); try again in {wait} s",
                    "code": "service_unavailable",
                },
                status_code=503,
                headers={"Retry-After": str(wait)},
            )
        key = request.headers.get(IDEMPOTENCY_HEADER)
        if request.method == "POST" and key is not None:
            if caller is None:
                raise Unprocessable("Idempotency-Key needs an authenticated caller")
            return await self._forward_idempotent(request, upstream, caller, checked_idempotency_key(key))
        return await self._forward_streaming(request, upstream, caller)

    def _build(
        self, request: Request, upstream: Upstream, caller: Caller | None, content: object
    ) -> httpx.Request:
        # The path exactly as the caller encoded it: decoding it first would turn %2F into a separator
        # and a %00-style escape into a character no URL may carry.
        raw_path = request.scope.get("raw_path") or request.url.path.encode()
        return self.client.build_request(
            request.method,
            f"{upstream.url}{raw_path.decode('latin-1')}",
            params=request.query_params,
            headers=self.headers_for(request, caller),
            content=content,  # type: ignore[arg-type]
        )

    async def _send(
        self, request: Request, upstream: Upstream, caller: Caller | None
    ) -> httpx.Response | Response:
        """Send with one retry for reads; the breaker hears every outcome."""
        is_read = request.method in READS
        content: object = await request.body() if is_read else request.stream()
        attempts = 2 if is_read else 1
        for attempt in range(attempts):
            try:
                outgoing = self._build(request, upstream, caller, content)
            except httpx.InvalidURL as exc:  # the caller's fault, not the service's: no breaker count
                return JSONResponse(
                    {"detail": f"this URL cannot be forwarded: {exc}", "code": "bad_request"}, status_code=400
                )
            try:
                response = await self.client.send(outgoing, stream=True)
            except httpx.HTTPError as exc:
                if attempt + 1 < attempts and isinstance(exc, RETRYABLE):
                    continue
                upstream.breaker.failed()
                return JSONResponse(
                    {
                        "detail": f"{upstream.name} is unavailable ({type(exc).__name__}); try again shortly",
                        "code": "service_unavailable",
                    },
                    status_code=504 if isinstance(exc, httpx.TimeoutException) else 503,
                )
            if response.status_code in UNAVAILABLE:
                upstream.breaker.failed()
            else:
                upstream.breaker.succeeded()
            if response.status_code in (401, 403) and caller is not None:
                await self.audit_refusal(request, caller, response.status_code, f"refused by {upstream.name}")
            return response
        raise AssertionError("unreachable")

    async def _forward_streaming(
        self, request: Request, upstream: Upstream, caller: Caller | None
    ) -> Response:
        response = await self._send(request, upstream, caller)
        if isinstance(response, Response):
            return response
        length = response.headers.get("content-length", "")
        if request.method != "HEAD" and length.isdigit() and int(length) <= BUFFERED_BODY_BYTES:
            # A small answer of known length goes out in one piece, raw (still encoded) as it came:
            # streaming it would cost a task group and a disconnect listener per call.
            try:
                body = b"".join([chunk async for chunk in response.aiter_raw()])
            finally:
                await response.aclose()
            return Response(body, status_code=response.status_code, headers=_response_headers(response))
        return StreamingResponse(
            response.aiter_raw(),
            status_code=response.status_code,
            headers=_response_headers(response),
            background=BackgroundTask(response.aclose),
        )

    async def _forward_idempotent(
        self, request: Request, upstream: Upstream, caller: Caller, key: str
    ) -> Response:
        """Same key and body within the window: the first answer again; another body: 422."""
        body = await request.body()
        fingerprint = request_fingerprint(request.method, request.url.path, request.url.query, body)
        scope = caller.principal.org_id
        async with self.db.unit_of_work() as session:
            await repo.purge_idempotency_records(
                session, utcnow() - timedelta(hours=self.settings.idempotency_ttl_hours)
            )
            claimed = await repo.claim_idempotency_key(session, scope, key, fingerprint)
            existing = None if claimed else await repo.get_idempotency_record(session, scope, key)
        if existing is not None:
            if existing.fingerprint != fingerprint:
                raise IdempotencyRefused(
                    "this Idempotency-Key was already used with a different request; use a new key for a new request"
                )
            if existing.status is None:
                raise Conflict("a request with this Idempotency-Key is still being processed; retry shortly")
            return Response(
                existing.body or b"",
                status_code=existing.status,
                media_type=existing.content_type,
                headers={REPLAYED_HEADER: "true"},
            )
        try:
            response = await self._send(request, upstream, caller)
            if isinstance(response, Response):
                raise _NotStored(response)
            try:
                content = await response.aread()
            finally:
                await response.aclose()
            if response.status_code >= 500:
                raise _NotStored(
                    Response(
                        content,
                        status_code=response.status_code,
                        headers=_response_headers(response, decoded=True),
                    )
                )
        except _NotStored as failed:
            # The service did not act (or we cannot know): free the key so the client may retry.
            async with self.db.unit_of_work() as session:
                await repo.delete_idempotency_record(session, scope, key)
            return failed.response
        except BaseException:
            async with self.db.unit_of_work() as session:
                await repo.delete_idempotency_record(session, scope, key)
            raise
        async with self.db.unit_of_work() as session:
            await repo.complete_idempotency_record(
                session, scope, key, response.status_code, response.headers.get("content-type"), content
            )
        return Response(
            content, status_code=response.status_code, headers=_response_headers(response, decoded=True)
        )

    async def audit_refusal(self, request: Request, caller: Caller | None, status: int, detail: str) -> None:
        """Record a refused call in its own unit of work (the request's own work may roll back)."""
        async with self.db.unit_of_work() as session:
            record(
                session,
                kind=AuditKind.CALL_REFUSED,
                org_id=caller.principal.org_id if caller else None,
                actor=caller.principal.subject if caller else None,
                client_ip=request.client.host if request.client else None,
                method=request.method,
                path=request.url.path,
                status=status,
                detail=detail,
            )


class _NotStored(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response


def _response_headers(response: httpx.Response, *, decoded: bool = False) -> dict[str, str]:
    # The request id is set once, by our own middleware; lengths are recomputed; a body read with
    # aread() is already decoded.
    # The gateway's own server writes date and server; the service's copies would repeat them.
    dropped = (
        HOP_BY_HOP
        | {REQUEST_ID_HEADER.lower(), "date", "server"}
        | ({"content-encoding"} if decoded else set())
    )
    return {k: v for k, v in response.headers.items() if k.lower() not in dropped}
