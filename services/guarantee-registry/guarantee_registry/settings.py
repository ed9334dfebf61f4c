"""guarantee-registry settings (env prefix GUARANTEE_REGISTRY_)."""

from pydantic_settings import SettingsConfigDict

from smefin.settings import ServiceSettings


class Settings(ServiceSettings):
    """Settings of the guarantee-registry service."""

    model_config = SettingsConfigDict(env_prefix="GUARANTEE_REGISTRY_", env_file=".env", extra="ignore")

    service_name: str = "guarantee-registry"
