"""CLI commands: importing (filled in by its feature)."""
