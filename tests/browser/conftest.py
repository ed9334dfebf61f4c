"""The platform as real processes (services and the gateway, each a uvicorn on a free port) and a real
Debian Chromium driven by Playwright. Skipped, saying why, only where no Chromium can be installed."""

from __future__ import annotations

import asyncio
import importlib
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from smefin_dev.devinfra import free_port

from smefin.migrations import upgrade
from tests.e2e.journey import enterprise_body
from tests.integration.gateway.door import OFFICE_EMAIL, OFFICE_PASSWORD, gateway_database
from tests.support.infra import Infra
from tests.support.processes import (
    ServiceUnderTest,
    gateway_process,
    service_env,
    service_spec,
    spawn_uvicorn,
)
from tests.support.processes import _wait_ready as wait_ready
from tests.support.services import create_database

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Screenshots of every journey's last page: a test artifact (SMEFIN_ARTIFACTS overrides the place).
ARTIFACTS = Path(os.environ.get("SMEFIN_ARTIFACTS", Path(__file__).resolve().parents[2] / ".artifacts"))
SERVICES = ("credit-info", "loan-matching", "guarantee-registry", "events")
READY_SECONDS = 240  # the services were spawned together; on a loaded machine they take a while


def ensure_chromium() -> str | None:
    """Debian's chromium (and a CJK font), installed with apt when missing; None when it cannot be."""
    if Path(CHROMIUM).exists():
        return CHROMIUM
    if shutil.which("apt-get") is None:
        return None
    try:
        subprocess.run(
            ["apt-get", "install", "-y", "-q", "chromium", "fonts-wqy-zenhei"],
            check=False,
            capture_output=True,
            timeout=600,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return CHROMIUM if Path(CHROMIUM).exists() else None


@dataclass
class Site:
    """The running platform: the gateway's URL, and an API client for setting the scene."""

    url: str
    api: httpx.Client

    def login(self, email: str, password: str) -> dict[str, str]:
        r = self.api.post("/api/v1/auth/login", json={"email": email, "password": password})
        assert r.status_code == 200, r.text
        self.api.cookies.clear()
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    def office(self) -> dict[str, str]:
        return self.login(OFFICE_EMAIL, OFFICE_PASSWORD)

    def bank(self, org_id: str) -> dict[str, str]:
        """A bank organisation with its admin logged in (the office creates it, the admin accepts)."""
        return self.organisation("bank", org_id)

    def organisation(self, kind: str, org_id: str) -> dict[str, str]:
        """An organisation of `kind` (bank, organizer, ...) with its admin logged in."""
        email = f"admin@{org_id}.example"
        r = self.api.post(
            "/api/v1/organisations",
            json={
                "kind": kind,
                "name": org_id,
                "org_id": org_id,
                "admin_email": email,
                "admin_name": "Admin",
            },
            headers=self.office(),
        )
        assert r.status_code == 201, r.text
        token = r.json()["admin"]["invitation_token"]
        accepted = self.api.post(
            "/api/v1/invitations/accept", json={"invitation_token": token, "password": f"{email}-pw-long"}
        )
        assert accepted.status_code == 200, accepted.text
        return self.login(email, f"{email}-pw-long")

    def publish(self, bank: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        created = self.api.post("/api/v1/products", json=body, headers=bank)
        assert created.status_code == 201, created.text
        product: dict[str, Any] = created.json()
        published = self.api.post(f"/api/v1/products/{product['id']}/publish", headers=bank)
        assert published.status_code == 200, published.text
        return product

    def sme(self, uscc: str, email: str, password: str) -> dict[str, str]:
        """An SME signed up, logged in, with its enterprise registered (a small textile firm)."""
        signed = self.api.post(
            "/api/v1/signup",
            json={
                "uscc": uscc,
                "enterprise_name": f"企业{uscc[-4:]}",
                "email": email,
                "display_name": "负责人",
                "password": password,
            },
        )
        assert signed.status_code == 201, signed.text
        headers = self.login(email, password)
        body = enterprise_body(uscc, f"企业{uscc[-4:]}", uscc[2:8])
        registered = self.api.post("/api/v1/enterprises", json=body, headers=headers)
        assert registered.status_code == 201, registered.text
        return headers

    def loan(self, bank: dict[str, str], sme: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        """A financing request matched to `bank`, offered, accepted by the SME and disbursed."""
        request = self.request_financing(sme, body)
        deadline = time.monotonic() + 45
        while True:
            matches = self.api.get("/api/v1/matches", headers=bank).json()
            mine = [m for m in matches if m["request_id"] == request["id"] and m["status"] == "proposed"]
            if mine or time.monotonic() > deadline:
                assert mine, matches
                break
            time.sleep(0.3)
        offer = self.api.post(f"/api/v1/matches/{mine[0]['id']}/offer", json={}, headers=bank)
        assert offer.status_code == 201, offer.text
        accepted = self.api.post(f"/api/v1/offers/{offer.json()['id']}/accept", headers=sme)
        assert accepted.status_code == 200, accepted.text
        loan = self.api.post("/api/v1/loans", json={"offer_id": offer.json()["id"]}, headers=bank)
        assert loan.status_code == 201, loan.text
        created: dict[str, Any] = loan.json()
        return created

    def request_financing(self, sme: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        """Submit once loan-matching has heard of the enterprise over the broker."""
        deadline = time.monotonic() + 30
        while True:
            r = self.api.post("/api/v1/financing-requests", json=body, headers=sme)
            if r.status_code == 201 or time.monotonic() > deadline:
                assert r.status_code == 201, r.text
                created: dict[str, Any] = r.json()
                return created
            time.sleep(0.3)


@pytest.fixture(scope="session")
def chromium() -> str:
    try:
        import playwright  # noqa: F401
    except ImportError:
        pytest.skip("browser tests need the playwright package (requirements-dev.txt); run make install")
    path = ensure_chromium()
    if path is None:
        pytest.skip(
            "browser tests need Debian's chromium at /usr/bin/chromium and apt-get could not install it"
        )
    return path


# Package scope: the platform and Playwright end with the last browser test. Playwright's sync API keeps
# an event loop running in this thread while it is open, which later asyncio tests could not share.
@pytest.fixture(scope="package")
def site(infra: Infra, chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """credit-info, loan-matching, guarantee-registry and the gateway, as `make run` starts them."""
    logs = tmp_path_factory.mktemp("browser-logs")
    prefix = "browser."
    with ExitStack() as stack:
        # Every process is spawned before any is waited for: they start (import, connect) side by side,
        # which on a busy machine takes a fraction of starting them one after another.
        started: list[ServiceUnderTest] = []
        for name in SERVICES:
            spec = service_spec(name)
            url = asyncio.run(create_database(infra))
            upgrade(importlib.import_module(f"{spec.package}.main").MIGRATIONS, url)
            port = free_port()
            log = logs / f"{name}.log"
            proc = spawn_uvicorn(
                f"{spec.package}.main:create_app", port, service_env(spec, url, infra, prefix), log
            )
            started.append(ServiceUnderTest(spec, port, proc, log))
            stack.callback(started[-1].stop)
        upstreams = {s.spec.name: s.url for s in started}
        database = asyncio.run(gateway_database(infra))
        gw = stack.enter_context(gateway_process(infra, logs, upstreams, database))
        for service in started:
            wait_ready(service, timeout=READY_SECONDS)
        with httpx.Client(base_url=gw.url, timeout=30) as api:
            yield Site(gw.url, api)


@pytest.fixture(scope="package")
def browser(chromium: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def confirming(page: Any) -> list[str]:
    """Accept every confirmation the page asks, and keep what it asked."""
    asked: list[str] = []

    def confirm(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", confirm)
    return asked


def submit(page: Any, selector: str) -> None:
    """Click and wait for the swapped-in answer (htmx replaces the body)."""
    page.evaluate("document.querySelector('main').dataset.stale = 'true'")
    page.click(selector)
    page.wait_for_selector("main:not([data-stale])", state="attached")


def log_in(browser: Any, url: str, email: str, password: str, *, phone: bool = False) -> tuple[Any, Any]:
    """A new browser context (a 375-px phone or a desk), logged in through the login form."""
    size = {"width": 375, "height": 800} if phone else {"width": 1280, "height": 900}
    context = browser.new_context(viewport=size, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{url}/login")
    page.fill("#f-email", email)
    page.fill("#f-password", password)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(lambda u: not u.endswith("/login"))
    return context, page


def screenshot(page: Any, name: str) -> Path:
    """The page as a PNG under the artifacts directory."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def publish_to_docs(shot: Path) -> None:
    """Refresh the README's screenshot under docs/ when asked (SMEFIN_DOCS_SCREENSHOTS=1), so an
    ordinary test run leaves the working tree clean."""
    if os.environ.get("SMEFIN_DOCS_SCREENSHOTS") == "1":
        docs = Path(__file__).resolve().parents[2] / "docs"
        docs.mkdir(exist_ok=True)
        shutil.copy(shot, docs / shot.name)
