"""CLI commands: demo (filled in by its feature)."""
