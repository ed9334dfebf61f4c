"""The site: pages for SMEs, banks, guarantee companies, the office and organizers."""

from gateway.site.pages import install

__all__ = ["install"]
