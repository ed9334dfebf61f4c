"""Gateway settings (env prefix GATEWAY_)."""

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Where the services are, and how long to wait for them."""

    model_config = SettingsConfigDict(env_prefix="GATEWAY_", env_file=".env", extra="ignore")

    credit_info_url: str = "http://127.0.0.1:8001"
    loan_matching_url: str = "http://127.0.0.1:8002"
    guarantee_registry_url: str = "http://127.0.0.1:8003"
    events_url: str = "http://127.0.0.1:8004"
    upstream_timeout_seconds: float = 30.0
    log_json: bool = True

    def upstreams(self) -> dict[str, str]:
        """Service name → base URL."""
        return {
            "credit-info": self.credit_info_url,
            "loan-matching": self.loan_matching_url,
            "guarantee-registry": self.guarantee_registry_url,
            "events": self.events_url,
        }
