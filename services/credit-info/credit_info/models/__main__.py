"""Model commands, outside the serving code: `python -m credit_info.models train [--rows N] [--seed S]`."""

from credit_info.models.training import main

__all__ = ["main"]

if __name__ == "__main__":
    main()
