"""The site: pages for SMEs, banks, guarantee companies, the office and organizers."""

from fastapi import FastAPI

from gateway.site import guarantor, organizer, pages


def install(app: FastAPI) -> None:
    """The pages of every desk, then the site's static files and error pages."""
    app.include_router(guarantor.router)
    app.include_router(organizer.router)
    pages.install(app)


__all__ = ["install"]
