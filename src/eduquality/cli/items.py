"""CLI commands: items (filled in by its feature)."""
