"""Schemathesis hooks for the contract run: bodies it has no serializer for out of the box."""

from __future__ import annotations

import json
from typing import Any

import schemathesis


@schemathesis.serializer("application/x-ndjson")
def ndjson(ctx: Any, value: Any) -> bytes:
    """A JSON-lines body: a generated string as it is, anything else as one JSON line."""
    return value.encode() if isinstance(value, str) else (json.dumps(value) + "\n").encode()
