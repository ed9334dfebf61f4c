"""A client generated from the gateway's /openapi.json by openapi-python-client compiles and drives the
bank journey (products, matches, offers, loans) with an API key, as an integrator would."""

from __future__ import annotations

import compileall
import importlib
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from gateway.docs import OPENAPI_FILE
from smefin.reference import make_uscc
from tests.e2e.journey import enterprise_body, product_body
from tests.integration.gateway.door import door
from tests.support.infra import Infra
from tests.support.services import eventually

PACKAGE = "smefin_client"
SME_USCC = make_uscc("150602", "GWCL00001")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The client package generated from the committed public document, importable."""
    cli = shutil.which("openapi-python-client", path=str(Path(sys.executable).parent))
    assert cli, "openapi-python-client is pinned in requirements-dev.txt"
    out = tmp_path_factory.mktemp("client")
    done = subprocess.run(
        [cli, "generate", "--path", str(OPENAPI_FILE), "--meta", "none", "--output-path", str(out / PACKAGE)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert compileall.compile_dir(out / PACKAGE, quiet=1)
    sys.path.insert(0, str(out))
    try:
        yield out / PACKAGE
    finally:
        sys.path.remove(str(out))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def operation(root: Path, method: str, url: str) -> ModuleType:
    """The generated module of one operation, found by its method and URL template."""
    for path in sorted((root / "api").rglob("*.py")):
        text = path.read_text()
        if f'"method": "{method}"' in text and f'"url": "{url}"' in text:
            return importlib.import_module(".".join((PACKAGE, *path.relative_to(root).with_suffix("").parts)))
    raise AssertionError(f"no generated operation for {method.upper()} {url}")


def model(name: str, body: dict[str, Any]) -> Any:
    """A generated request model built from a plain body."""
    return getattr(importlib.import_module(f"{PACKAGE}.models"), name).from_dict(body)


async def call(root: Path, client: Any, method: str, url: str, status: int = 200, **kwargs: Any) -> Any:
    response = await operation(root, method, url).asyncio_detailed(client=client, **kwargs)
    assert response.status_code == status, response.content
    return json.loads(response.content)


async def test_generated_client_completes_the_bank_journey(
    generated: Path, infra: Infra, topic_prefix: str
) -> None:
    async with door(infra, topic_prefix, services=("credit_info", "loan_matching")) as gw:
        office = await gw.office()
        bank = await gw.create_org(office, "bank", "client-bank", org_id="bank-client")
        key = (await gw.api_key(bank["admin_headers"], ["lending:write"]))["key"]
        client_module = importlib.import_module(f"{PACKAGE}.client")

        def authenticated(token: str) -> Any:
            c = client_module.AuthenticatedClient(base_url="http://gw", token=token)
            return c.set_async_httpx_client(
                httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=gw.app),
                    base_url="http://gw",
                    headers={"Authorization": f"Bearer {token}"},
                )
            )

        bank_api = authenticated(key)
        # The SME side through the same client: signup and login are public operations.
        anonymous = client_module.Client(base_url="http://gw").set_async_httpx_client(
            httpx.AsyncClient(transport=httpx.ASGITransport(app=gw.app), base_url="http://gw")
        )
        signup = {
            "uscc": SME_USCC,
            "enterprise_name": "客户端测试企业",
            "email": "sme@client.example",
            "display_name": "负责人",
            "password": "generated-client-pass",
        }
        await call(generated, anonymous, "post", "/api/v1/signup", 201, body=model("SignUp", signup))
        login = await call(
            generated,
            anonymous,
            "post",
            "/api/v1/auth/login",
            body=model("LoginRequest", {"email": signup["email"], "password": signup["password"]}),
        )
        sme_api = authenticated(login["access_token"])
        await call(
            generated,
            sme_api,
            "post",
            "/api/v1/enterprises",
            201,
            body=model("EnterpriseCreate", enterprise_body(SME_USCC, "客户端测试企业", "150602")),
        )

        product = await call(
            generated,
            bank_api,
            "post",
            "/api/v1/products",
            201,
            body=model("ProductCreate", product_body("客户端信用贷", "credit_only")),
        )
        await call(
            generated, bank_api, "post", "/api/v1/products/{product_id}/publish", product_id=product["id"]
        )

        financing = model(
            "FinancingRequestCreate", {"amount": "200000.00", "term_months": 12, "purpose": "流动资金"}
        )

        async def submitted() -> Any:
            r = await operation(generated, "post", "/api/v1/financing-requests").asyncio_detailed(
                client=sme_api, body=financing
            )
            return json.loads(r.content) if r.status_code == 201 else None

        await eventually(submitted)

        async def matched() -> Any:
            rows = await call(generated, bank_api, "get", "/api/v1/matches")
            return rows[0] if rows else None

        match = await eventually(matched)
        offer = await call(
            generated,
            bank_api,
            "post",
            "/api/v1/matches/{match_id}/offer",
            201,
            match_id=match["id"],
            body=model("OfferCreate", {}),
        )
        await call(generated, sme_api, "post", "/api/v1/offers/{offer_id}/accept", offer_id=offer["id"])
        loan = await call(
            generated,
            bank_api,
            "post",
            "/api/v1/loans",
            201,
            body=model("LoanCreate", {"offer_id": offer["id"]}),
        )
        assert loan["offer_id"] == offer["id"]
        loans = await call(generated, bank_api, "get", "/api/v1/loans")
        items = loans["items"] if isinstance(loans, dict) else loans
        assert [row["id"] for row in items] == [loan["id"]]
