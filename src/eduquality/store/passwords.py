"""Password hashes and the password rule.

Hashes: scrypt (RFC 7914, :func:`hashlib.scrypt`) with a 16-byte random salt, stored as
``scrypt$N$r$p$salt$key``. The cost is OWASP's recommendation (Password Storage Cheat Sheet,
"scrypt": N = 2^17, r = 8, p = 1, i.e. 128 MiB and about 0.3–1 s per hash). A stored hash made
with a lower cost is replaced at the next sign-in (:func:`needs_rehash`). Hashing is slow by
design: the web platform runs it in a worker thread (:mod:`eduquality.web.auth`).

The rule (OWASP ASVS 4.0 V2.1.1 and V2.1.7; NIST SP 800-63B 5.1.1.2): at least
:data:`MIN_PASSWORD` characters, and not on the list of common (breached) passwords shipped in
``store/data/common-passwords.txt.gz`` — Django's list of 19,640 passwords from Royce Williams's
compilation of cracked breach hashes, copied unchanged (BSD licence, see
``common-passwords.LICENSE.txt`` beside it), compared lower-cased as Django does.
"""

from __future__ import annotations

import base64
import functools
import gzip
import hashlib
import hmac
import os
from dataclasses import dataclass
from pathlib import Path

from eduquality.errors import EduQualityError
from eduquality.i18n import register, tr

__all__ = ["COST", "MIN_PASSWORD", "OWASP_SCRYPT", "ScryptCost", "check_password", "dummy_hash",
           "hash_password", "is_common", "needs_rehash", "verify_password"]

MESSAGES = register({
    "access.short_password": ("密码至少需要 {n} 个字符", "the password needs at least {n} characters"),
    "access.common_password": (
        "该密码过于常见（出现在泄露密码清单中），请换一个",
        "this password is too common (it is on a list of breached passwords); choose another",
    ),
})

MIN_PASSWORD = 12
"""Minimum length in characters (ASVS 4.0 V2.1.1: at least 12)."""

COMMON_PASSWORDS = Path(__file__).parent / "data" / "common-passwords.txt.gz"


@dataclass(frozen=True)
class ScryptCost:
    """scrypt's parameters: CPU/memory cost ``n`` (a power of two), block size ``r``,
    parallelism ``p``; memory used is 128·n·r bytes."""

    n: int
    r: int
    p: int

    def weaker_than(self, other: ScryptCost) -> bool:
        return self.n < other.n or self.r < other.r or self.p < other.p

    @property
    def maxmem(self) -> int:
        return 128 * self.n * self.r + 1024 * 1024


OWASP_SCRYPT = ScryptCost(n=2**17, r=8, p=1)
"""OWASP Password Storage Cheat Sheet, scrypt: "a minimum CPU/memory cost parameter of (2^17),
a minimum block size of 8 (1024 bytes), and a parallelization parameter of 1"."""

COST = OWASP_SCRYPT
"""The cost new hashes get (the test suite lowers it to save time; see tests/conftest.py)."""


def _b64(b: bytes) -> str:
    return base64.b64encode(b).decode("ascii")


def hash_password(password: str, salt: bytes | None = None,
                  cost: ScryptCost | None = None) -> str:
    """``scrypt$N$r$p$salt$key`` with a 16-byte random salt, at :data:`COST` by default.

    >>> h = hash_password("correct horse", cost=ScryptCost(2**10, 8, 1))
    >>> h.startswith("scrypt$1024$8$1$"), verify_password("correct horse", h)
    (True, True)
    >>> verify_password("wrong horse", h)
    False
    """
    c = cost or COST
    salt = os.urandom(16) if salt is None else salt
    key = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=c.n, r=c.r, p=c.p, dklen=32,
                         maxmem=c.maxmem)
    return f"scrypt${c.n}${c.r}${c.p}${_b64(salt)}${_b64(key)}"


def _parse(stored: str | None) -> tuple[ScryptCost, bytes, bytes] | None:
    try:
        kind, n, r, p, salt, key = (stored or "").split("$")
        if kind != "scrypt":
            return None
        return ScryptCost(int(n), int(r), int(p)), base64.b64decode(salt), base64.b64decode(key)
    except (ValueError, TypeError):
        return None


def verify_password(password: str, stored: str | None) -> bool:
    """Whether ``password`` matches ``stored`` (constant-time comparison of the keys)."""
    parsed = _parse(stored)
    if parsed is None:
        return False
    cost, salt, want = parsed
    try:
        got = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=cost.n, r=cost.r, p=cost.p,
                             dklen=len(want), maxmem=max(64 * 1024 * 1024, cost.maxmem))
    except (ValueError, TypeError, MemoryError):
        return False
    return hmac.compare_digest(got, want)


def needs_rehash(stored: str | None) -> bool:
    """Whether ``stored`` was made with a lower cost than :data:`COST` (then the sign-in that
    has just verified the password stores a new hash).

    >>> needs_rehash(hash_password("x" * 12, cost=ScryptCost(2**10, 8, 1)))
    True
    """
    parsed = _parse(stored)
    return parsed is not None and parsed[0].weaker_than(COST)


@functools.cache
def _dummy(cost: ScryptCost) -> str:
    return hash_password("-", salt=b"\0" * 16, cost=cost)


def dummy_hash() -> str:
    """A hash at the current cost to verify against for unknown users (same work, so timing
    does not tell which user names exist). Made on first use, not at import."""
    return _dummy(COST)


@functools.cache
def _common() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as fh:
        return frozenset(line.strip() for line in fh if line.strip())


def is_common(password: str) -> bool:
    """Whether ``password`` (lower-cased) is on the shipped list of common passwords, or is one
    character repeated.

    >>> is_common("Qwerty123456"), is_common("aaaaaaaaaaaaaa"), is_common("绿色的马正确电池钉书钉")
    (True, True, False)
    """
    return password.lower() in _common() or len(set(password)) <= 1


def check_password(password: str, lang: str) -> None:
    """Raise EduQualityError when ``password`` is shorter than :data:`MIN_PASSWORD` characters
    or common (:func:`is_common`)."""
    if len(password) < MIN_PASSWORD:
        raise EduQualityError(tr("access.short_password", lang, n=MIN_PASSWORD))
    if is_common(password):
        raise EduQualityError(tr("access.common_password", lang))
