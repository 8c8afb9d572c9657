"""The planner's version and the version of its JSON output formats. No imports."""

__version__ = "0.1.0"

FORMAT = "2"
"""Version of the JSON output. Adding a field keeps it; renaming, removing or changing the
meaning of a field bumps it."""
