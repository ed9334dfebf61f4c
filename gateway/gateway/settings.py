"""Gateway settings (env prefix GATEWAY_)."""

from typing import Literal, Self

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from smefin.settings import DEV_SECRET


class Settings(BaseSettings):
    """Where the services and the identity database are, and how the front door protects them."""

    model_config = SettingsConfigDict(env_prefix="GATEWAY_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    credit_info_url: str = "http://127.0.0.1:8001"
    loan_matching_url: str = "http://127.0.0.1:8002"
    guarantee_registry_url: str = "http://127.0.0.1:8003"
    events_url: str = "http://127.0.0.1:8004"
    log_json: bool = True
    # The gateway's own database: organisations, users, sessions, API keys, audit, idempotency.
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/smefin_gateway"
    # Signs the internal token the services verify (the same secret as theirs).
    internal_token_secret: str = Field(default=DEV_SECRET, min_length=32)
    internal_token_ttl_seconds: int = Field(default=120, ge=10, le=3600)
    # Accept a caller's own internal token (an operator job holding the secret, e.g. the demo loader).
    # Whoever holds the secret can reach the services anyway; production refuses it.
    accept_operator_tokens: bool = False

    # Sessions: a browser gets an HttpOnly cookie, a script the same value as a bearer access token.
    session_ttl_minutes: int = Field(default=30, ge=1, le=24 * 60)
    session_cookie_name: str = "smefin_session"
    cookie_secure: bool = False  # True behind TLS (production)
    max_failed_logins: int = Field(default=5, ge=1, le=100)
    lockout_minutes: int = Field(default=15, ge=1, le=24 * 60)
    invitation_ttl_days: int = Field(default=7, ge=1, le=30)
    max_live_api_keys: int = Field(default=2, ge=1, le=10)

    # Protection at the door.
    redis_url: str | None = Field(default=None, validation_alias="REDIS_URL")
    rate_limit_per_credential: str = "1200/minute"
    rate_limit_per_address: str = "600/minute"
    rate_limit_login: str = "20/minute"
    max_body_bytes: int = Field(default=8 * 1_048_576, ge=1024)
    idempotency_ttl_hours: int = Field(default=24, ge=1, le=24 * 7)
    upstream_timeout_seconds: float = Field(default=30.0, gt=0, le=300)
    upstream_connect_timeout_seconds: float = Field(default=2.0, gt=0, le=60)
    breaker_failures: int = Field(default=5, ge=1, le=1000)
    breaker_reset_seconds: float = Field(default=10.0, gt=0, le=600)

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Self:
        if self.environment == "production":
            if self.internal_token_secret == DEV_SECRET:
                raise ValueError("internal_token_secret is the development default; set a real secret")
            if self.accept_operator_tokens:
                raise ValueError("accept_operator_tokens must be off in production")
        return self

    def upstreams(self) -> dict[str, str]:
        """Service name → base URL."""
        return {
            "credit-info": self.credit_info_url,
            "loan-matching": self.loan_matching_url,
            "guarantee-registry": self.guarantee_registry_url,
            "events": self.events_url,
        }
