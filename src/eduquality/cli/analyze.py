"""CLI commands: analyze (filled in by its feature)."""
