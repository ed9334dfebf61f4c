"""loan-matching settings (env prefix LOAN_MATCHING_)."""

from pydantic_settings import SettingsConfigDict

from smefin.settings import ServiceSettings


class Settings(ServiceSettings):
    """Settings of the loan-matching service."""

    model_config = SettingsConfigDict(env_prefix="LOAN_MATCHING_", env_file=".env", extra="ignore")

    service_name: str = "loan-matching"
