"""The site: pages for SMEs, banks, guarantee companies, the office and organizers."""

from fastapi import FastAPI

from gateway.site import monitoring, pages


def install(app: FastAPI) -> None:
    """Mount the site's pages (the monitoring page from its own module)."""
    pages.install(app)
    monitoring.install(app)


__all__ = ["install"]
