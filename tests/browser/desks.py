"""Steps the guarantor's and the organizer's journeys share: an organisation made by the office, a
login, confirmations accepted, a form submitted and its answer awaited."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.conftest import Site


def organisation(site: Site, kind: str, org_id: str) -> tuple[str, str]:
    """An organisation of `kind` made by the office, its admin's email and password (invitation accepted)."""
    email = f"admin@{org_id}.example"
    r = site.api.post(
        "/api/v1/organisations",
        json={"kind": kind, "name": org_id, "org_id": org_id, "admin_email": email, "admin_name": "Admin"},
        headers=site.office(),
    )
    assert r.status_code == 201, r.text
    password = f"{email}-pw-long"
    accepted = site.api.post(
        "/api/v1/invitations/accept",
        json={"invitation_token": r.json()["admin"]["invitation_token"], "password": password},
    )
    assert accepted.status_code == 200, accepted.text
    return email, password


def confirming(page: Any) -> list[str]:
    """Accept every confirmation, remembering what was asked."""
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


def log_in(page: Any, site: Site, email: str, password: str, lands: str) -> None:
    page.goto(f"{site.url}/login")
    page.fill("#f-email", email)
    page.fill("#f-password", password)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(re.compile(lands))
