"""events settings (env prefix FAIRS_)."""

from pydantic_settings import SettingsConfigDict

from smefin.settings import ServiceSettings


class Settings(ServiceSettings):
    """Settings of the events service."""

    model_config = SettingsConfigDict(env_prefix="FAIRS_", env_file=".env", extra="ignore")

    service_name: str = "events"
    # How often pending meeting requests of fairs whose request window closed are expired.
    expiry_sweep_seconds: float = 60.0
