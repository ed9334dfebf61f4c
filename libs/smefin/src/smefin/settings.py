"""Settings base shared by every service: one env prefix per service, no default secrets in production."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-only-internal-token-secret-change-me"

Environment = Literal["development", "test", "production"]
KafkaSecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
KafkaSaslMechanism = Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]


class ServiceSettings(BaseSettings):
    """Common settings; subclasses set `model_config` with their own `env_prefix`."""

    model_config = SettingsConfigDict(env_prefix="SMEFIN_", env_file=".env", extra="ignore")

    service_name: str = "smefin"
    environment: Environment = "development"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    # Connections per process: pool plus overflow, at most (deploy/k8s sizes max_connections by it).
    # All pooled by default: SQLAlchemy closes an overflow connection when it is returned, so under load
    # an overflow meant a new connection (TLS try, authentication, type introspection) per request.
    database_pool_size: int = Field(default=20, ge=1, le=100)
    database_max_overflow: int = Field(default=0, ge=0, le=100)
    kafka_bootstrap_servers: str = "127.0.0.1:19092"
    # Shared HMAC secret for the gateway's signed internal token (see smefin.auth).
    internal_token_secret: str = Field(default=DEV_SECRET, min_length=32)
    log_level: str = "INFO"
    log_json: bool = True
    # Largest request body a service accepts; bulk uploads raise it per route.
    max_body_bytes: int = 1_048_576
    outbox_batch_size: int = 200
    outbox_poll_seconds: float = 0.2
    outbox_retention_days: int = 7
    consumer_max_attempts: int = 3
    consumers_enabled: bool = True
    relay_enabled: bool = True
    topic_partitions: int = 3
    # Prepended to every topic name (tests and shared clusters use it to keep apart).
    topic_prefix: str = ""
    # How the Kafka clients authenticate; PLAINTEXT fits the embedded broker, a cluster uses
    # SASL_SSL with SCRAM (Strimzi KafkaUser) and the cluster CA (see deploy/k8s).
    kafka_security_protocol: KafkaSecurityProtocol = "PLAINTEXT"
    kafka_sasl_mechanism: KafkaSaslMechanism = "SCRAM-SHA-512"
    kafka_sasl_username: str = Field(default="", max_length=200)
    kafka_sasl_password: str = Field(default="", max_length=500)
    kafka_ssl_cafile: str = Field(default="", max_length=500)

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> Self:
        if self.environment == "production" and self.internal_token_secret == DEV_SECRET:
            raise ValueError(
                "internal_token_secret is the development default; set a real secret in production"
            )
        return self

    @model_validator(mode="after")
    def _sasl_needs_credentials(self) -> Self:
        if self.kafka_security_protocol.startswith("SASL_") and not (
            self.kafka_sasl_username and self.kafka_sasl_password
        ):
            raise ValueError(
                f"kafka_security_protocol {self.kafka_security_protocol} needs kafka_sasl_username "
                "and kafka_sasl_password"
            )
        return self

    @property
    def consumer_group(self) -> str:
        """Kafka consumer group id: one per service so replicas share partitions (and one per topic
        namespace, so services on other prefixes, such as parallel tests, never rebalance each other)."""
        return f"smefin.{self.topic_prefix}{self.service_name}"
