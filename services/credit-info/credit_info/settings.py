"""credit-info settings (env prefix CREDIT_INFO_)."""

from pydantic_settings import SettingsConfigDict

from smefin.settings import ServiceSettings


class Settings(ServiceSettings):
    """Settings of the credit-info service."""

    model_config = SettingsConfigDict(env_prefix="CREDIT_INFO_", env_file=".env", extra="ignore")

    service_name: str = "credit-info"
