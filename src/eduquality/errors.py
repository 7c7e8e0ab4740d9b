"""Errors shown to users: each carries a message in the user's language and where it happened."""

from __future__ import annotations


class EduQualityError(Exception):
    """Base class for errors that reach users with a clear message (CLI exit code 2)."""


class ConfigError(EduQualityError):
    """A configuration file or environment variable is invalid."""


class NotFoundError(EduQualityError):
    """A requested exam, school, class or student does not exist."""


class PermissionDenied(EduQualityError):
    """The current user's role may not see or do this."""
