"""Bootstrap the regional office and its first admin in a fresh identity database (run once per
deployment; `make run` does it with the demo office login)."""

from __future__ import annotations

import argparse
import asyncio
import os

from gateway.domain.accounts import ensure_office_admin
from smefin.db import Database

OFFICE_ORG_ID = "office-nm"
OFFICE_NAME = "内蒙古自治区金融办"


async def bootstrap_office(database_url: str, *, email: str, password: str) -> bool:
    """Create the office organisation and its admin unless it exists; True when created."""
    db = Database(database_url)
    try:
        async with db.unit_of_work() as session:
            return await ensure_office_admin(
                session=session, org_id=OFFICE_ORG_ID, name=OFFICE_NAME, email=email, password=password
            )
    finally:
        await db.dispose()


def main() -> None:
    """python -m gateway.bootstrap --database-url ... (password from GATEWAY_BOOTSTRAP_PASSWORD)."""
    parser = argparse.ArgumentParser(prog="python -m gateway.bootstrap")
    parser.add_argument("--database-url", default=os.environ.get("GATEWAY_DATABASE_URL"), required=False)
    parser.add_argument("--email", default=os.environ.get("GATEWAY_BOOTSTRAP_EMAIL", "office@smefin.example"))
    args = parser.parse_args()
    password = os.environ.get("GATEWAY_BOOTSTRAP_PASSWORD")
    if not args.database_url or not password or len(password) < 12:
        parser.error(
            "set --database-url (or GATEWAY_DATABASE_URL) and GATEWAY_BOOTSTRAP_PASSWORD (12+ characters)"
        )
    created = asyncio.run(bootstrap_office(args.database_url, email=args.email, password=password))
    print("office admin created" if created else "office exists; nothing to do")


if __name__ == "__main__":
    main()
