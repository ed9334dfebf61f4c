"""Secrets the door hands out and checks: passwords (argon2), session tokens and API keys (hashed).

Session tokens and API key secrets are 256-bit random values, so one SHA-256 is enough to store them
(no dictionary to attack); passwords are people's choice, so they get argon2 (pwdlib's recommended
parameters). The prefixes tell the two kinds apart at a glance and let secret scanners find leaks.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from pwdlib import PasswordHash

SESSION_PREFIX = "sms_"
API_KEY_PREFIX = "smk_"
INVITATION_PREFIX = "smi_"
_API_KEY = re.compile(r"^smk_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$")

_hasher = PasswordHash.recommended()
# Verified when the email is unknown, so a wrong email costs the same time as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-password-of-anyone")


def hash_password(password: str) -> str:
    """Argon2id hash of a password (slow on purpose: run it off the event loop)."""
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    """Whether `password` matches; a missing hash still costs one verification."""
    if password_hash is None:
        _hasher.verify(password, _DUMMY_HASH)
        return False
    return _hasher.verify(password, password_hash)


def digest(secret: str) -> str:
    """SHA-256 hex of a high-entropy secret, as stored."""
    return hashlib.sha256(secret.encode()).hexdigest()


def same_digest(secret: str, stored: str) -> bool:
    """Constant-time comparison of a presented secret with a stored digest."""
    return hmac.compare_digest(digest(secret), stored)


def new_session_token() -> str:
    """A fresh session / access token."""
    return SESSION_PREFIX + secrets.token_urlsafe(32)


def new_invitation_token() -> str:
    """A fresh one-time invitation token."""
    return INVITATION_PREFIX + secrets.token_urlsafe(32)


@dataclass(frozen=True)
class ApiKeySecret:
    """A key as shown once to its creator: `smk_<id>_<secret>`."""

    key_id: str
    secret: str

    @property
    def value(self) -> str:
        """The full key the caller sends."""
        return f"{API_KEY_PREFIX}{self.key_id}_{self.secret}"


def new_api_key() -> ApiKeySecret:
    """A fresh key id (public, for listing and revoking) and secret (shown once)."""
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    key_id = "".join(secrets.choice(alphabet) for _ in range(12))
    return ApiKeySecret(key_id=key_id, secret=secrets.token_urlsafe(32))


def parse_api_key(value: str) -> ApiKeySecret | None:
    """Split a presented key into id and secret, or None when it is not shaped like one."""
    m = _API_KEY.match(value)
    return ApiKeySecret(key_id=m.group(1), secret=m.group(2)) if m else None
