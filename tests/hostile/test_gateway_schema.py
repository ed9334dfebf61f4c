"""The gateway's public OpenAPI document holds on the running platform, for a caller of every role.

schemathesis reads the document the gateway serves (`/openapi.json`, every service's routes and the
door's own) and sends generated requests to the real gateway process, which forwards them to the real
services, as an SME, a bank, a guarantee company, the financial office, a league office and a fair
organizer, each an account made through the public API (`tests/support/accounts.py`). Every check runs
but `positive_data_acceptance` (a schema cannot say "this USCC's check character" or "min ≤ max"): no
server error, and no status, header or body outside the document.

Bounded in `make test` (a fixed seed, the documented examples and 1 generated case per operation);
`make soak` (SMEFIN_SOAK=1) adds the coverage and stateful phases, 25 cases per operation and the bank's
and guarantor's API keys. SMEFIN_GATEWAY_FUZZ_EXAMPLES / SMEFIN_GATEWAY_FUZZ_PHASES override either.
Case counts per role go to bench/results/gateway_fuzz.jsonl.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from smefin.auth import Role
from smefin.db import utcnow
from tests.e2e.journey import enterprise_body
from tests.support.accounts import ROLES, Account, make_accounts
from tests.support.infra import Infra
from tests.support.platform import PlatformUnderTest, running_platform

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results" / "gateway_fuzz.jsonl"
SOAK = os.environ.get("SMEFIN_SOAK") == "1"
EXAMPLES = os.environ.get("SMEFIN_GATEWAY_FUZZ_EXAMPLES", "25" if SOAK else "1")
PHASES = os.environ.get(
    "SMEFIN_GATEWAY_FUZZ_PHASES", "examples,coverage,fuzzing,stateful" if SOAK else "examples,fuzzing"
)
# A logout or a password change ends the session the rest of the run calls with: those go last (a second
# run), for the SME in `make test` and for every role in the soak.
SESSION_ENDING = ("/api/v1/auth/logout", "/api/v1/auth/password")
# Callers: each role's person (session token); in the soak also the bank's and guarantor's systems.
# make test fuzzes an SME and a bank (about 3 minutes); every role, and the API keys, in make soak, where the
# office's ~140 operations alone take longer than a make test budget allows.
CALLERS = [role.value for role in ROLES] + ["bank-api-key", "guarantor-api-key"] if SOAK else ["sme", "bank"]


@pytest.fixture(scope="module")
def fuzzed(
    infra: Infra, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[PlatformUnderTest, dict[Role, Account]]]:
    """A platform of its own (the other hostile tests run with low rate limits) and one account per role."""
    logs = tmp_path_factory.mktemp("gateway-fuzz")
    with running_platform(infra, logs, env={"GATEWAY_RATE_LIMIT_LOGIN": "1000/minute"}) as platform:
        accounts = make_accounts(platform.gateway.url, f"fz{os.getpid()}")
        sme = accounts[Role.SME]
        assert sme.uscc is not None
        # The SME's enterprise on file, so its own routes answer about a real object.
        registered = httpx.post(
            f"{platform.gateway.url}/api/v1/enterprises",
            json=enterprise_body(sme.uscc, "鄂尔多斯绒纺有限公司", sme.uscc[2:8]),
            headers=sme.headers,
            timeout=30,
        )
        assert registered.status_code == 201, registered.text
        yield platform, accounts


def _schemathesis(url: str, authorization: str, cwd: Path, *selection: str) -> tuple[int, str]:
    cmd = [
        str(Path(sys.executable).with_name("schemathesis")),
        "run",
        f"{url}/openapi.json",
        "--checks",
        "all",
        "--exclude-checks",
        "positive_data_acceptance",
        "--max-examples",
        EXAMPLES,
        "--seed",
        "20261201",
        "--phases",
        PHASES,
        "--workers",
        "1",
        "--request-timeout",
        "30",
        "--suppress-health-check",
        "all",
        "--no-color",
        "-H",
        f"Authorization: {authorization}",
        *selection,
    ]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.contract.st_hooks", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=1700, cwd=cwd, env=env)
    return done.returncode, done.stdout + done.stderr


def _generated(output: str) -> int:
    found = re.search(r"(\d+) generated", output)
    return int(found.group(1)) if found else 0


@pytest.mark.timeout(1800 if SOAK else 400)
@pytest.mark.parametrize("caller", CALLERS)
def test_public_document_holds_for_every_role(
    fuzzed: tuple[PlatformUnderTest, dict[Role, Account]], caller: str, tmp_path: Path
) -> None:
    """Zero server errors and every answer as documented, for every operation, as this caller."""
    platform, accounts = fuzzed
    account = accounts[Role(caller.removesuffix("-api-key"))]
    header = account.key_headers if caller.endswith("-api-key") else account.headers
    excluded = [arg for path in SESSION_ENDING for arg in ("--exclude-path", path)]
    started = time.monotonic()
    code, output = _schemathesis(platform.gateway.url, header["Authorization"], tmp_path, *excluded)
    cases = _generated(output)
    assert code == 0, output[-20000:]
    last_cases = 0
    # They answer the same for every role: one role in `make test`, every role in the soak.
    if not caller.endswith("-api-key") and (SOAK or account.role == Role.SME):
        included = [arg for path in SESSION_ENDING for arg in ("--include-path", path)]
        code, last = _schemathesis(platform.gateway.url, header["Authorization"], tmp_path, *included)
        last_cases = _generated(last)
        assert code == 0, last[-20000:]
    operations = re.search(r"Tested: (\d+)", output)
    RESULTS.parent.mkdir(exist_ok=True)
    with RESULTS.open("a") as f:
        figures = {
            "at": utcnow().isoformat(),
            "caller": caller,
            "operations": int(operations.group(1)) if operations else None,
            "cases": cases + last_cases,
            "seconds": round(time.monotonic() - started, 1),
            "examples": EXAMPLES,
            "phases": PHASES,
        }
        f.write(json.dumps(figures) + "\n")
    assert cases > 0, output[-5000:]
    assert platform.all_ready()
