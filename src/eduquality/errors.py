"""Errors shown to users: each carries a message in the user's language and where it happened."""

from __future__ import annotations

from eduquality.i18n import tr


class EduQualityError(Exception):
    """Base class for errors that reach users with a clear message (CLI exit code 2)."""


class KeyedError(EduQualityError):
    """An error whose message is an i18n key with parameters: ``str(err)`` is the Chinese text,
    ``err.text(lang)`` the text in another language. Subclasses only name the kind of error."""

    def __init__(self, key: str, /, **params: object) -> None:
        self.key, self.params = key, params
        super().__init__(tr(key, "zh", **params))

    def text(self, lang: str = "zh") -> str:
        return tr(self.key, lang, **self.params)


class ConfigError(EduQualityError):
    """A configuration file or environment variable is invalid."""


class NotFoundError(EduQualityError):
    """A requested exam, school, class or student does not exist."""


class PermissionDenied(EduQualityError):
    """The current user's role may not see or do this."""
