"""Questions to results."""
