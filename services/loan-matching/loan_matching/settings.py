"""loan-matching settings (env prefix LOAN_MATCHING_)."""

from pydantic_settings import SettingsConfigDict

from smefin.settings import ServiceSettings


class Settings(ServiceSettings):
    """Settings of the loan-matching service."""

    model_config = SettingsConfigDict(env_prefix="LOAN_MATCHING_", env_file=".env", extra="ignore")

    service_name: str = "loan-matching"
    # Business days a bank has to approve or decline a proposed match.
    decision_business_days: int = 2
    # How many banks see a request at once; the next-best bank is proposed when one drops out.
    proposal_width: int = 3
    # Misses (products that did not match) kept with their reasons per request.
    max_misses: int = 20
    # At most this many open requests are matched again when a product is published or edited.
    rematch_max_requests: int = 10_000
    retrain_after_outcomes: int = 200
    expiry_sweep_seconds: float = 60.0
    # Default loan-increment reward rule (the office can change it through the API).
    reward_rate_percent: float = 0.5
