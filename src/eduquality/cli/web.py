"""CLI command: `eduquality web` (the web platform)."""
