"""Protection at the door: rate limits, a circuit breaker per service, security headers, idempotency keys."""

from __future__ import annotations

import hashlib
import math
import re
import time
from dataclasses import dataclass, field

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.domain.callers import TooManyRequests
from smefin.errors import Unprocessable
from smefin.logging import get_logger

log = get_logger("gateway.protection")

# -- rate limits (the `limits` library: Redis shared by every replica when REDIS_URL is set) ------


class RateLimits:
    """Named limits (per credential, per address, per login address) over one storage."""

    def __init__(self, limits: dict[str, str], redis_url: str | None = None) -> None:
        storage: Storage
        if redis_url:
            uri = redis_url if redis_url.startswith("async+") else f"async+{redis_url}"
            # Short timeouts: an unreachable Redis must not stall every request behind it.
            storage = RedisStorage(
                uri, implementation="redispy", socket_connect_timeout=0.25, socket_timeout=0.25
            )
        else:
            storage = MemoryStorage()
        self.storage = storage
        self.limiter = MovingWindowRateLimiter(storage)
        self.items: dict[str, RateLimitItem] = {name: parse(spec) for name, spec in limits.items()}

    async def hit(self, name: str, who: str) -> None:
        """Count one call of `who` against limit `name`; 429 with the wait when over it."""
        item = self.items[name]
        try:
            if await self.limiter.hit(item, name, who):
                return
            stats = await self.limiter.get_window_stats(item, name, who)
        except Exception as exc:
            # Redis away: keep the door open (limits are protection, not authorisation) and say so.
            log.warning("rate_limit.storage_unavailable", error=repr(exc))
            return
        retry_after = max(1, math.ceil(stats.reset_time - time.time()))
        raise TooManyRequests(
            f"rate limit of {item.amount} requests per {item.get_expiry()} s reached ({name}); "
            f"retry after {retry_after} s",
            retry_after=retry_after,
        )


# -- circuit breaker -----------------------------------------------------------------------------


@dataclass
class CircuitBreaker:
    """Per service: after `failures` failures in a row, answer 503 at once for `reset_seconds`,
    then let one trial call through (half-open); a success closes it again.

    Hand-written (30 lines): the maintained breakers on PyPI are built for sync code or bring a
    storage layer; this needs none and is tested directly.
    """

    failures: int
    reset_seconds: float
    _count: int = 0
    _opened_at: float | None = None
    _trial_running: bool = field(default=False)

    def retry_after(self) -> int | None:
        """None when a call may go ahead; otherwise seconds until the next trial."""
        if self._opened_at is None:
            return None
        waited = time.monotonic() - self._opened_at
        if waited >= self.reset_seconds and not self._trial_running:
            self._trial_running = True  # half-open: this one call tries the service
            return None
        return max(1, math.ceil(self.reset_seconds - waited))

    def succeeded(self) -> None:
        """A call got an answer from the service."""
        self._count = 0
        self._opened_at = None
        self._trial_running = False

    def failed(self) -> None:
        """A call could not reach the service (or it answered it was unavailable)."""
        self._count += 1
        self._trial_running = False
        if self._opened_at is not None or self._count >= self.failures:
            self._opened_at = time.monotonic()

    @property
    def is_open(self) -> bool:
        """Whether calls are being refused."""
        return self._opened_at is not None


# -- idempotency keys ----------------------------------------------------------------------------

IDEMPOTENCY_HEADER = "idempotency-key"
_IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_.:-]{8,255}$")


class IdempotencyRefused(Unprocessable):
    """A malformed Idempotency-Key, or one reused with another request (recorded in the audit)."""

    code = "idempotency_key"


def checked_idempotency_key(value: str) -> str:
    """The key as given, or 422 saying what a good one looks like."""
    if not _IDEMPOTENCY_KEY.match(value):
        raise IdempotencyRefused(
            "Idempotency-Key must be 8-255 characters of letters, digits, '-', '_', '.' or ':' "
            "(a UUID is a good choice)"
        )
    return value


def request_fingerprint(method: str, path: str, query: str, body: bytes) -> str:
    """What makes two requests 'the same' for an idempotency key."""
    h = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), query.encode(), body):
        h.update(len(part).to_bytes(8, "big"))
        h.update(part)
    return h.hexdigest()


# -- security headers ----------------------------------------------------------------------------

SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"strict-transport-security", b"max-age=31536000; includeSubDomains"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
# Nothing loads from elsewhere. HTML pages (Swagger UI, the services' Jinja pages, autoescaped) still
# carry inline scripts, so pages allow them; JSON answers allow no script at all.
CSP = b"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'"
PAGE_CSP = b"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; frame-ancestors 'none'"


class SecurityHeadersMiddleware:
    """Adds the browser hardening headers to every answer, and no-store to private ones."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        private = path.startswith("/api/v1/") and not path.startswith("/api/v1/reference/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                if b"content-security-policy" not in present:
                    ctype = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                    headers.append(
                        (b"content-security-policy", PAGE_CSP if ctype.startswith(b"text/html") else CSP)
                    )
                if private and b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
