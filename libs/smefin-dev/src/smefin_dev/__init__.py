"""Development tooling: `make run` (embedded PostgreSQL and broker, the five processes) and the demo data.

Kept out of `smefin` so the services' images carry none of it nor the embedded servers' packages.
"""
