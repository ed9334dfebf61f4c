"""Model commands, outside the serving code: `python -m loan_matching.models train [--database-url URL]`
and `... check --database-url URL [--threshold N]` (retrains on recorded outcomes once N arrived)."""

import sys

from loan_matching.models.training import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
