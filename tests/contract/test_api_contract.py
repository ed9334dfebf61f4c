"""Every service's OpenAPI document holds: schemathesis with every check, against the real process.

Every check but one (see the command) runs; bounded (a few examples per operation, fixed seed) so it stays inside `make test`; run it wider with
SMEFIN_CONTRACT_EXAMPLES=50.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from smefin.auth import Role
from tests.support.infra import Infra
from tests.support.processes import ServiceUnderTest, service_process
from tests.support.services import bearer

SERVICES = ["credit-info", "loan-matching", "guarantee-registry", "events"]
EXAMPLES = os.environ.get("SMEFIN_CONTRACT_EXAMPLES", "5")
# Callers that see most of each service: the office reads everything, a bank writes its own objects.
CALLERS = {
    "office": bearer(Role.OFFICE, "office"),
    "bank": bearer(Role.BANK, "bank-contract"),
}


@pytest.fixture(scope="module", params=SERVICES)
def running(
    request: pytest.FixtureRequest, infra: Infra, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServiceUnderTest]:
    """One service process per service, shared by the callers' runs."""
    logs = tmp_path_factory.mktemp(f"contract-{request.param}")
    with service_process(request.param, infra, logs, topic_prefix=f"contract-{request.param}.") as svc:
        yield svc


@pytest.mark.timeout(600)
@pytest.mark.parametrize("caller", sorted(CALLERS))
def test_openapi_document_holds_under_fuzzing(running: ServiceUnderTest, caller: str, tmp_path: Path) -> None:
    """No server error and no response outside the documented schema, for any generated request."""
    header = CALLERS[caller]["Authorization"]
    cmd = [
        str(Path(sys.executable).with_name("schemathesis")),
        "run",
        f"{running.url}/openapi.json",
        "--checks",
        "all",
        # Schema-valid but refused is right for rules no JSON Schema can say: a USCC's check character,
        # min ≤ max across fields, an SME not registered yet. Every other check runs.
        "--exclude-checks",
        "positive_data_acceptance",
        "--max-examples",
        EXAMPLES,
        "--seed",
        "20261201",
        "--phases",
        "examples,coverage,fuzzing",
        "--workers",
        "1",
        "--suppress-health-check",
        "all",
        "--no-color",
        "-H",
        f"Authorization: {header}",
    ]
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.contract.st_hooks", "PYTHONPATH": str(root)}
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=580, cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stdout[-20000:] + done.stderr[-3000:]
