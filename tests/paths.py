"""Paths the tests read: the repository, its docs, and the shared reference data beside it."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
REFDATA = ROOT / ".." / "shared" / "refdata"
"""Published reference data sets (``../shared/refdata/README.md``), beside the repository."""
