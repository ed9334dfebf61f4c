"""credit-info settings (env prefix CREDIT_INFO_)."""

from pydantic_settings import SettingsConfigDict

from smefin.settings import ServiceSettings


class Settings(ServiceSettings):
    """Settings of the credit-info service."""

    model_config = SettingsConfigDict(env_prefix="CREDIT_INFO_", env_file=".env", extra="ignore")

    service_name: str = "credit-info"
    # Rows per ingestion batch; larger uploads are refused (413) so one batch stays one transaction.
    max_ingestion_rows: int = 5000
    # How often negative records that aged out (five years) trigger a re-rating sweep.
    rerate_interval_seconds: float = 3600.0
