"""Settings changed on the platform (``app_setting``, migration 10): read, applied, changed.

The editable settings and their types are :data:`eduquality.config.EDITABLE`; a stored value
overrides the configuration file's wherever the database is used (the web platform, and the
CLI commands through their context). Every change is audited in the same transaction
('admin', the key, ``old → new``): who and when are the audit row's.
"""

from __future__ import annotations

from typing import Any

from eduquality.config import (
    EDITABLE,
    Settings,
    parse_setting,
    setting_value,
    with_settings,
)
from eduquality.store.audit import insert_audit
from eduquality.store.db import Database
from eduquality.store.principals import Principal

__all__ = ["change_settings", "effective_settings", "stored_settings"]


def stored_settings(db: Database) -> dict[str, str]:
    """The settings changed on the platform: key → value as text (keys no longer editable are
    left out)."""
    rows = db.con.execute("SELECT key, value FROM app_setting").fetchall()
    return {k: v for k, v in rows if k in EDITABLE}


def setting_changes(db: Database) -> dict[str, dict[str, str]]:
    """Who last changed each stored setting and when: ``{key: {changed_by, changed_at}}``."""
    rows = db.con.execute("SELECT key, changed_by, CAST(changed_at AS VARCHAR) FROM app_setting"
                          ).fetchall()
    return {key: {"changed_by": by, "changed_at": at} for key, by, at in rows}


def effective_settings(db: Database, settings: Settings) -> Settings:
    """``settings`` (from the file) with the values changed on the platform in place."""
    stored = stored_settings(db)
    if not stored:
        return settings
    return with_settings(settings, {k: parse_setting(k, v) for k, v in stored.items()})


def _text(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def change_settings(db: Database, settings: Settings, changes: dict[str, str],
                    who: Principal) -> tuple[Settings, list[tuple[str, str, str]]]:
    """Apply ``changes`` (key → text) to ``settings``: every value parsed and the whole
    checked first (ConfigError, nothing written), then the changed ones stored with one audit
    row each, in one transaction. Returns the new settings and the (key, old, new) changes.
    Writes."""
    parsed = {k: parse_setting(k, v) for k, v in changes.items()}
    changed = {k: v for k, v in parsed.items() if v != setting_value(settings, k)}
    new = with_settings(settings, changed)
    done = [(k, _text(setting_value(settings, k)), _text(v)) for k, v in changed.items()]
    if done:
        with db.write(check_scores=False) as con:
            for key, old, value in done:
                con.execute("DELETE FROM app_setting WHERE key = ?", [key])
                con.execute("INSERT INTO app_setting (key, value, changed_by) VALUES (?, ?, ?)",
                            [key, value, who.username])
                insert_audit(con, who, "admin", f"setting {key}", f"{old} → {value}")
    return new, done
