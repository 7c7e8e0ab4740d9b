"""CLI commands: growth (filled in by its feature)."""
