"""Kafka client security from settings: nothing for the embedded broker, SCRAM over TLS for a cluster,
and a clear refusal when SASL is asked for without credentials."""

from __future__ import annotations

import ssl

import certifi
import pytest
from pydantic import ValidationError

from smefin.kafka import security_options
from smefin.settings import ServiceSettings


def test_plaintext_adds_nothing() -> None:
    assert security_options(ServiceSettings(_env_file=None)) == {}


def test_sasl_ssl_carries_the_mechanism_credentials_and_the_cluster_ca() -> None:
    settings = ServiceSettings(
        _env_file=None,
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_mechanism="SCRAM-SHA-512",
        kafka_sasl_username="loan-matching",
        kafka_sasl_password="a-password-from-the-kafkauser-secret",
        kafka_ssl_cafile=certifi.where(),
    )
    options = security_options(settings)
    context = options.pop("ssl_context")
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert options == {
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "loan-matching",
        "sasl_plain_password": "a-password-from-the-kafkauser-secret",
    }


def test_a_missing_ca_file_fails_at_start_not_at_first_send() -> None:
    settings = ServiceSettings(
        _env_file=None, kafka_security_protocol="SSL", kafka_ssl_cafile="/nonexistent/ca.crt"
    )
    with pytest.raises(FileNotFoundError):
        security_options(settings)


def test_sasl_without_credentials_is_refused_with_a_message() -> None:
    with pytest.raises(ValidationError, match="needs kafka_sasl_username and kafka_sasl_password"):
        ServiceSettings(_env_file=None, kafka_security_protocol="SASL_SSL", kafka_sasl_username="credit-info")


def test_an_unknown_protocol_is_refused() -> None:
    with pytest.raises(ValidationError, match="kafka_security_protocol"):
        ServiceSettings(_env_file=None, kafka_security_protocol="SASL_TLS")  # type: ignore[arg-type]
