"""The pages call the public API the way a browser script would: through the gateway's own routing
(authentication, rate limits, forwarding with an internal token), in process, carrying the person's
session cookie. No page reads a service's database, and no page gets more than its person may."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import Request

from gateway.settings import Settings

# Bounded: a page waits for the API at most as long as the gateway waits for a service.
PAGE_TIMEOUT = httpx.Timeout(35.0, connect=5.0)


@dataclass
class ApiAnswer:
    """One API answer as a page needs it: status, parsed JSON (None when not JSON) and headers."""

    status: int
    body: Any
    headers: httpx.Headers

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class Api:
    """The public API as the person behind `request` sees it."""

    def __init__(self, request: Request) -> None:
        self.request = request
        settings: Settings = request.app.state.settings
        self.cookie_name = settings.session_cookie_name
        self.session = request.cookies.get(self.cookie_name)

    async def call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Any = None,
        content: bytes | None = None,
        content_type: str | None = None,
    ) -> ApiAnswer:
        """`method path` on the gateway itself; the person's address stays theirs for the rate limits.
        `content` (with its `content_type`) sends a raw body instead of JSON, e.g. an uploaded CSV."""
        peer = self.request.client
        transport = httpx.ASGITransport(
            app=self.request.app, client=(peer.host, peer.port) if peer else ("unknown", 0)
        )
        cookies = {self.cookie_name: self.session} if self.session else None
        async with httpx.AsyncClient(
            transport=transport, base_url="http://gateway.internal", cookies=cookies, timeout=PAGE_TIMEOUT
        ) as client:
            headers = {"Content-Type": content_type} if content_type else None
            if content is not None:
                r = await client.request(method, path, content=content, params=params, headers=headers)
            else:
                r = await client.request(method, path, json=json, params=params)
        try:
            body = r.json()
        except ValueError:
            body = None
        return ApiAnswer(r.status_code, body, r.headers)

    async def get(self, path: str, **params: Any) -> ApiAnswer:
        return await self.call("GET", path, params=params or None)

    async def post(self, path: str, json: Any = None) -> ApiAnswer:
        return await self.call("POST", path, json=json)
