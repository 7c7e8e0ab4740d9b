"""CLI commands: irt (filled in by its feature)."""
