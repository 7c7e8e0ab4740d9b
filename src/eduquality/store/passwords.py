"""Password hashes: scrypt (RFC 7914, hashlib) with a random salt, and the length rule."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from eduquality.errors import EduQualityError
from eduquality.i18n import register, tr

__all__ = ["MIN_PASSWORD", "check_password", "hash_password", "verify_password"]

MESSAGES = register({
    "access.short_password": ("密码至少需要 {n} 个字符", "the password needs at least {n} characters"),
})

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
MIN_PASSWORD = 8


def _b64(b: bytes) -> str:
    return base64.b64encode(b).decode("ascii")


def hash_password(password: str, salt: bytes | None = None) -> str:
    """``scrypt$N$r$p$salt$key``: scrypt (RFC 7914, hashlib) with a 16-byte random salt.

    >>> h = hash_password("correct horse")
    >>> h.startswith("scrypt$16384$8$1$"), verify_password("correct horse", h)
    (True, True)
    >>> verify_password("wrong horse", h)
    False
    """
    salt = os.urandom(16) if salt is None else salt
    key = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R,
                         p=SCRYPT_P, dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(key)}"


def verify_password(password: str, stored: str | None) -> bool:
    """Whether ``password`` matches ``stored`` (constant-time comparison of the keys)."""
    try:
        kind, n, r, p, salt, key = (stored or "").split("$")
        if kind != "scrypt":
            return False
        want = base64.b64decode(key)
        got = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n),
                             r=int(r), p=int(p), dklen=len(want),
                             maxmem=max(64 * 1024 * 1024, 256 * int(n) * int(r)))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, want)


DUMMY_HASH = hash_password("-", salt=b"\0" * 16)
"""A hash to verify against for unknown users (same work, so timing tells nothing)."""


def check_password(password: str, lang: str) -> None:
    """Raise EduQualityError when ``password`` is shorter than :data:`MIN_PASSWORD`."""
    if len(password) < MIN_PASSWORD:
        raise EduQualityError(tr("access.short_password", lang, n=MIN_PASSWORD))
