"""The fault tests hold faults for seconds under a journey stream on a platform of their own: they run
in `make soak` (SMEFIN_SOAK=1), not in `make test`."""

from __future__ import annotations

import os

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("SMEFIN_SOAK") == "1":
        return
    skip = pytest.mark.skip(reason="fault test: runs in `make soak` (SMEFIN_SOAK=1)")
    for item in items:
        if "tests/faults/" in str(item.path):
            item.add_marker(skip)
