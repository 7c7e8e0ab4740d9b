"""Password hashes at OWASP's scrypt cost, rehash detection, and the password rule."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import pytest

from eduquality.errors import EduQualityError
from eduquality.store import passwords
from eduquality.store.passwords import (
    COMMON_PASSWORDS,
    MIN_PASSWORD,
    OWASP_SCRYPT,
    ScryptCost,
    check_password,
    hash_password,
    is_common,
    needs_rehash,
    verify_password,
)


@pytest.mark.slow
def test_new_hashes_use_owasps_scrypt_cost():
    """OWASP Password Storage Cheat Sheet: N = 2^17, r = 8, p = 1 (the suite hashes cheaper,
    tests/conftest.py; the code's own default is OWASP's)."""
    assert (OWASP_SCRYPT.n, OWASP_SCRYPT.r, OWASP_SCRYPT.p) == (2**17, 8, 1)
    source = Path(passwords.__file__).read_text(encoding="utf-8")
    assert "\nCOST = OWASP_SCRYPT\n" in source
    h = hash_password("a long passphrase", cost=OWASP_SCRYPT)
    assert h.startswith("scrypt$131072$8$1$")
    assert verify_password("a long passphrase", h) and not needs_rehash_at(h, OWASP_SCRYPT)


def needs_rehash_at(stored: str, cost: ScryptCost) -> bool:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(passwords, "COST", cost)
        return needs_rehash(stored)


def test_rehash_when_the_stored_cost_is_lower():
    cheap = hash_password("a long passphrase", cost=ScryptCost(2**10, 8, 1))
    assert needs_rehash_at(cheap, OWASP_SCRYPT)
    assert needs_rehash_at(hash_password("x", cost=ScryptCost(2**17, 4, 1)), OWASP_SCRYPT)
    assert not needs_rehash_at(cheap, ScryptCost(2**10, 8, 1))
    assert not needs_rehash("not a hash") and not needs_rehash(None)


def test_wrong_or_malformed_hashes_do_not_verify():
    h = hash_password("a long passphrase")
    assert verify_password("a long passphrase", h)
    assert not verify_password("a long passphrasE", h)
    for bad in (None, "", "md5$x", "scrypt$1$2$3", "scrypt$x$8$1$AA==$AA==",
                "scrypt$1024$8$1$!!$AA=="):
        assert not verify_password("a long passphrase", bad)


def test_short_passwords_refused_in_both_languages():
    assert MIN_PASSWORD == 12
    with pytest.raises(EduQualityError, match="至少需要 12 个字符"):
        check_password("short-pass1", "zh")  # 11 characters
    with pytest.raises(EduQualityError, match="at least 12 characters"):
        check_password("short-pass1", "en")
    check_password("short-pass12", "en")  # 12 are enough
    check_password("教育质量监测平台的密码口令", "zh")  # characters, not bytes


def test_breached_passwords_refused_in_both_languages():
    for common in ("qwerty123456", "Qwerty123456", "1q2w3e4r5t6y", "password1234"):
        assert is_common(common)
        with pytest.raises(EduQualityError, match="breached"):
            check_password(common, "en")
        with pytest.raises(EduQualityError, match="泄露密码"):
            check_password(common, "zh")
    with pytest.raises(EduQualityError, match="common"):
        check_password("x" * 20, "en")
    assert not is_common("wuhua-demo-2019") and not is_common("correct-horse-9")


def test_the_shipped_list_is_djangos_unchanged():
    """Provenance: common-passwords.LICENSE.txt names the file's SHA-256."""
    data = COMMON_PASSWORDS.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    notice = (COMMON_PASSWORDS.parent / "common-passwords.LICENSE.txt").read_text("utf-8")
    assert digest in notice and "Django Software Foundation" in notice
    words = gzip.decompress(data).decode("utf-8").splitlines()
    assert len(set(words)) == len(words) == 19_640 and all(w == w.lower() for w in words)
