"""Law files."""
