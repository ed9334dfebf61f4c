"""Test support: real PostgreSQL and broker, service harness, token helpers."""
