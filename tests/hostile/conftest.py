"""One running platform (real processes) shared by the hostile-input tests of a module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.infra import Infra
from tests.support.platform import PlatformUnderTest, running_platform

# Small enough to probe cheaply, large enough for every real request; logins and each credential limited
# so a flood shows (the other tests here call with operator tokens, which the per-credential limit skips).
GATEWAY_ENV = {
    "GATEWAY_MAX_BODY_BYTES": "65536",
    "GATEWAY_RATE_LIMIT_LOGIN": "10/minute",
    "GATEWAY_RATE_LIMIT_PER_CREDENTIAL": "40/minute",
}


@pytest.fixture(scope="package")
def platform(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlatformUnderTest]:
    with running_platform(infra, tmp_path_factory.mktemp("hostile"), env=GATEWAY_ENV) as p:
        yield p
